"""Report payloads and upload files for the portal tests."""
import io
import struct
import zlib

from werkzeug.datastructures import FileStorage

from enforcement.parties.identifiers import credit_code_check_char, id_number_check_char


def credit_code(body: str = "91150802MA0N0000X") -> str:
    return body + credit_code_check_char(body)


def id_number(body: str = "15080219800101001") -> str:
    return body + id_number_check_char(body)


def payload(**changes) -> dict:
    """A valid report about counterfeit 河套 flour in 临河区; nested keys as ``infringer__x``."""
    data = {
        "trademark": {"registration_no": "90000001"},
        "infringer": {"name": "临河区某某粮油店", "credit_code": credit_code(),
                      "address": "临河区新华街12号", "district": "linhe"},
        "description": "店内销售标有“河套”字样的面粉，包装粗糙，疑似假冒。",
        "found_on": "2026-11-20",
        "location": "临河区新华街12号",
        "goods": [{"name": "雪花粉", "quantity": "30", "unit": "袋"}],
        "reporter": {"name": "王某", "phone": "13904780001", "anonymous": False},
    }
    for key, value in changes.items():
        if "__" in key:
            outer, inner = key.split("__", 1)
            data[outer] = {**data[outer], inner: value}
        else:
            data[key] = value
    return data


def png(width=4, height=3, trailer=b"") -> bytes:
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _row in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"") + trailer)


def png_header_only(width=20000, height=20000) -> bytes:
    """A PNG whose header claims huge dimensions (a decompression bomb's opening)."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 120)).save(out, "JPEG")
    return out.getvalue()


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def mp4() -> bytes:
    ftyp = struct.pack(">I", 20) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isom"
    mdat = struct.pack(">I", 16) + b"mdat" + b"\x00" * 8
    return ftyp + mdat


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(1)</script></svg>')
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def polyglot() -> bytes:
    """A real JPEG that is also a web page (markup in a comment segment)."""
    data = jpeg()
    comment = b"<html><script>alert(1)</script></html>"
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:2] + segment + data[2:]


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)
