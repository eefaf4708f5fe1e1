"""A built packet verifies; any change to a file, the file set, the manifest or the key does
not (issue 7: packet integrity)."""
import hashlib
import io
import json
import warnings
import zipfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enforcement.packets import keys
from enforcement.packets.verify import verify_packet
from tests.packets.conftest import MARKER
from tests.packets.helpers import members, rezip


def verify(data: bytes, key=None):
    return verify_packet(io.BytesIO(data), key or keys.public_key())


def test_built_packet_verifies_and_lists_every_file(packet, police_referral):
    report = verify(packet)
    assert report.valid, (report.problems, report.failures)
    assert report.signature == "ok"
    contents = members(packet)
    manifest = json.loads(contents["manifest.json"])
    listed = {f["path"] for f in manifest["files"]}
    # every member but the manifest and its signature is listed, with its real size and hash
    assert listed == set(contents) - {"manifest.json", "manifest.sig"}
    assert {f.path for f in report.files} == listed
    assert all(f.status == "ok" for f in report.files)
    types = {d["type"] for d in manifest["documents"]}
    assert {"transfer_letter", "transfer_report", "seized_goods_list"} <= types
    names = [e["original_name"] for e in manifest["evidence"]]
    assert names == ["现场照片 1.jpg", "../../etc/检验报告.pdf"]
    # a name from outside never becomes a path in the packet
    assert all(p.startswith(("documents/", "evidence/")) or p == "README.txt" for p in listed)
    assert not any(".." in p.split("/") or "/etc/" in p for p in listed)
    assert manifest["referral"]["id"] == police_referral.id
    assert manifest["referral"]["receiving_unit"]["code"] == "linhe_police"
    assert manifest["referral"]["copy_unit"]["code"] == "linhe_procuratorate"
    assert manifest["case"]["parties"]
    assert manifest["built_by"]["username"] == "police_linhe"
    assert manifest["key_id"] == keys.key_id()
    assert len(contents["manifest.sig"]) == 64


def test_changed_byte_in_a_document_fails(packet):
    contents = members(packet)
    path = next(p for p in contents if p.startswith("documents/"))
    data = bytearray(contents[path])
    data[len(data) // 2] ^= 0x01
    contents[path] = bytes(data)
    report = verify(rezip(contents))
    assert not report.valid
    assert report.signature == "ok"  # the manifest is intact; the file is not
    assert [(f.path, f.status) for f in report.failures] == [(path, "changed")]


def test_changed_byte_of_evidence_inside_the_zip_fails(packet):
    at = packet.index(MARKER) + 100
    tampered = packet[:at] + bytes([packet[at] ^ 0x80]) + packet[at + 1:]
    report = verify(tampered)
    assert not report.valid
    (failure,) = report.failures
    assert failure.path.startswith("evidence/") and failure.path.endswith("现场照片 1.jpg")
    assert failure.status == "changed"


def test_removed_file_fails(packet):
    contents = members(packet)
    path = next(p for p in contents if p.startswith("evidence/"))
    del contents[path]
    report = verify(rezip(contents))
    assert not report.valid
    assert [(f.path, f.status) for f in report.failures] == [(path, "missing")]


def test_added_file_fails(packet):
    contents = members(packet)
    contents["evidence/99-补充.jpg"] = b"added later"
    report = verify(rezip(contents))
    assert not report.valid
    assert [(f.path, f.status) for f in report.failures] == [("evidence/99-补充.jpg",
                                                              "unexpected")]


def test_changed_manifest_fails_its_signature(packet):
    """Whoever alters a file and rewrites its hash in the manifest breaks the signature."""
    contents = members(packet)
    path = next(p for p in contents if p.startswith("evidence/"))
    contents[path] = b"forged"
    manifest = json.loads(contents["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry.update(size=6, sha256=hashlib.sha256(b"forged").hexdigest())
    contents["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    report = verify(rezip(contents))
    assert report.signature == "bad"
    assert not report.failures  # the files match the forged manifest...
    assert not report.valid  # ...which the signature does not vouch for


def test_one_changed_byte_of_the_manifest_fails(packet):
    contents = members(packet)
    raw = contents["manifest.json"]
    contents["manifest.json"] = raw.replace(b'"police"', b'"court"', 1)
    assert contents["manifest.json"] != raw
    report = verify(rezip(contents))
    assert report.signature == "bad" and not report.valid


def test_wrong_key_fails(packet):
    other = Ed25519PrivateKey.generate().public_key()
    report = verify(packet, other)
    assert report.signature == "bad"
    assert not report.failures
    assert not report.valid
    assert report.key_id == keys.key_id(other) != report.manifest_key_id


def test_missing_signature_or_manifest_fails(packet):
    contents = members(packet)
    without_sig = dict(contents)
    del without_sig["manifest.sig"]
    assert verify(rezip(without_sig)).signature == "missing"
    assert not verify(rezip(without_sig)).valid
    without_manifest = dict(contents)
    del without_manifest["manifest.json"]
    report = verify(rezip(without_manifest))
    assert not report.valid and ("no_manifest", "manifest.json") in report.problems


def test_duplicate_member_fails(packet):
    """A second member of the same name (the one an unzip tool would show) is refused."""
    contents = members(packet)
    path = next(p for p in contents if p.startswith("documents/"))
    out = io.BytesIO(packet)
    with zipfile.ZipFile(out, "a") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": exactly what this test makes
        archive.writestr(path, b"another version")
    report = verify(out.getvalue())
    assert not report.valid and ("duplicate", path) in report.problems


def test_not_a_zip(app):
    report = verify(b"%PDF-1.4 not a packet")
    assert not report.valid and report.problems == [("not_zip", "")]
