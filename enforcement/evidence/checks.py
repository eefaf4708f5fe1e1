"""Checking uploads by their content, never by their name (DESIGN §8).

Accepted: JPEG, PNG and WebP photos (dimensions read from the header and refused before any
decoding when too large), complete PDFs without scripts or launch actions, and MP4 videos whose
boxes account for the whole file. Refused: everything else — executables whatever their name,
SVG and HTML (active content), and polyglots: a file that is also a web page or an archive.
"""
import re
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

#: the largest evidence file accepted
MAX_BYTES = 20 * 1024 * 1024
#: images above this many pixels are refused before decoding (decompression bombs)
MAX_PIXELS = 60_000_000

#: content type by signature; only these are accepted
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


#: MP4/QuickTime brands of phone and camera videos (ISO/IEC 14496-12 ``ftyp``)
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
              b"MSNV", b"3gp4", b"3gp5", b"3g2a", b"qt  ", b"hvc1", b"heic", b"dash", b"mmp4"}
#: markup that makes a file a web page too; no photo, PDF or video carries it
ACTIVE_CONTENT = re.compile(
    rb"<\s*(script|html|svg|iframe|body|object|embed)\b|<\?php|<!doctype\s+html|javascript:",
    re.IGNORECASE)
#: PDF actions that run something when the document is opened
PDF_ACTIONS = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
#: a ZIP (also JAR, DOCX, APK) inside another file: local header and central directory end
ZIP_PARTS = (b"PK\x03\x04", b"PK\x05\x06")


class UploadRefused(ValueError):
    pass


class UploadTooLarge(UploadRefused):
    """Refused for its size: answered with 413."""


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(stream: BinaryIO, filename: str) -> CheckedUpload:
    """The upload's real type, or UploadRefused with a message a clerk understands."""
    size = _size(stream)
    if size == 0:
        raise UploadRefused(_("文件“%(name)s”是空的", name=filename))
    if size > MAX_BYTES:
        raise UploadTooLarge(_("文件“%(name)s”超过 20 MB", name=filename))
    head = stream.read(12)
    stream.seek(0)
    _refuse_polyglot(stream, filename)
    if head.startswith(b"%PDF-"):
        if not _pdf_complete(stream, size):
            _refuse(_("文件“%(name)s”不是完整的 PDF 文件", name=filename))
        return CheckedUpload("application/pdf", size)
    if head[4:8] == b"ftyp":
        if head[8:12] not in MP4_BRANDS or not _boxes_fill(stream, size):
            _refuse(_("文件“%(name)s”不是完整的 MP4 视频", name=filename))
        return CheckedUpload("video/mp4", size)
    content_type = _image_type(stream, filename)
    if content_type == "image/png" and not _png_ends_at_iend(stream, size):
        _refuse(_("图片“%(name)s”在图片结束后还附带了其他数据，请重新导出后上传",
                  name=filename))
    return CheckedUpload(content_type, size)


def _refuse_polyglot(stream: BinaryIO, filename: str) -> None:
    """A photo, PDF or video that is also a web page or an archive is refused whole."""
    data = stream.read()
    stream.seek(0)
    message = _("文件“%(name)s”含有网页代码、脚本或压缩包内容，不能作为证据上传", name=filename)
    if ACTIVE_CONTENT.search(data) or all(part in data for part in ZIP_PARTS):
        _refuse(message)
    if data.startswith(b"%PDF-") and PDF_ACTIONS.search(data):
        _refuse(message)


def _boxes_fill(stream: BinaryIO, size: int) -> bool:
    """Whether the top-level MP4 boxes follow one another exactly to the end of the file."""
    offset = 0
    try:
        while offset < size:
            stream.seek(offset)
            header = stream.read(16)
            if len(header) < 8:
                return False
            length = int.from_bytes(header[:4], "big")
            if length == 1:
                length = int.from_bytes(header[8:16], "big")
            elif length == 0:  # the last box runs to the end of the file
                length = size - offset
            if length < 8:
                return False
            offset += length
        return offset == size
    finally:
        stream.seek(0)


def _png_ends_at_iend(stream: BinaryIO, size: int) -> bool:
    stream.seek(max(0, size - 12))
    tail = stream.read()
    stream.seek(0)
    return tail[4:8] == b"IEND"


def _pdf_complete(stream: BinaryIO, size: int) -> bool:
    stream.seek(max(0, size - 2048))
    tail = stream.read()
    stream.seek(0)
    return b"%%EOF" in tail


def _image_type(stream: BinaryIO, filename: str) -> str:
    try:
        with warnings.catch_warnings():
            # Pillow warns, then fails, on huge images: both are a refusal here
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                _refuse(_("图片“%(name)s”像素过大，请压缩后再上传", name=filename))
            kind = image.format
            image.verify()  # reads the whole file: truncated or corrupt images fail here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(_("图片“%(name)s”像素过大，请压缩后再上传", name=filename))
    except (UnidentifiedImageError, OSError, SyntaxError):
        _refuse(_("文件“%(name)s”不是可识别的照片或 PDF 文件（支持 JPEG、PNG、WebP、PDF）",
                  name=filename))
    finally:
        stream.seek(0)
    if kind not in IMAGE_FORMATS:
        _refuse(_("文件“%(name)s”的格式不受支持（支持 JPEG、PNG、WebP、PDF）", name=filename))
    return IMAGE_FORMATS[kind]


def _refuse(message: str):
    raise UploadRefused(message)
