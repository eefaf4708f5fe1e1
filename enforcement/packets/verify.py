"""Checking a packet: the signature over manifest.json, and every file against the manifest.

Streams every member in 1 MiB chunks (a packet is never read whole into memory); needs a
seekable file (ZIP's directory is at its end). Used by ``flask packets verify`` and the public
page /packets/verify.
"""
import binascii
import hashlib
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from enforcement.packets.build import MANIFEST, SIGNATURE
from enforcement.packets.keys import key_id

CHUNK = 1024 * 1024
#: a manifest of this size lists some 100,000 files; anything larger is not ours
MANIFEST_LIMIT = 32 * 1024 * 1024
SIGNATURE_SIZE = 64

OK, CHANGED, MISSING, UNEXPECTED = "ok", "changed", "missing", "unexpected"


@dataclass
class FileCheck:
    path: str
    status: str
    expected_size: int | None = None
    actual_size: int | None = None
    expected_sha256: str | None = None
    actual_sha256: str | None = None
    #: why a member could not be read whole (damaged data, unsupported compression)
    reason: str = ""


@dataclass
class Report:
    """The outcome: ``signature`` is "ok", "bad" or "missing"; ``problems`` are (code, detail)
    pairs about the packet as a whole (not a ZIP, manifest unreadable, duplicate names)."""

    key_id: str
    signature: str = "missing"
    manifest: dict | None = None
    files: list[FileCheck] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def signature_ok(self) -> bool:
        return self.signature == "ok"

    @property
    def failures(self) -> list[FileCheck]:
        return [f for f in self.files if f.status != OK]

    @property
    def valid(self) -> bool:
        return self.signature_ok and not self.problems and not self.failures \
            and self.manifest is not None

    @property
    def manifest_key_id(self) -> str | None:
        return (self.manifest or {}).get("key_id")


def verify_packet(fileobj: BinaryIO, public_key: Ed25519PublicKey, *,
                  max_unpacked: int | None = None) -> Report:
    """Check a packet against the public key. ``max_unpacked`` refuses a ZIP whose members
    would expand beyond that many bytes (an upload to the public page)."""
    report = Report(key_id=key_id(public_key))
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        report.problems.append(("not_zip", ""))
        return report
    with archive:
        infos = archive.infolist()
        if max_unpacked is not None and sum(i.file_size for i in infos) > max_unpacked:
            report.problems.append(("too_large", str(max_unpacked)))
            return report
        duplicates = sorted(n for n, count in Counter(i.filename for i in infos).items()
                            if count > 1)
        report.problems.extend(("duplicate", name) for name in duplicates)
        members = {i.filename: i for i in infos}
        manifest_raw = _read_small(archive, members.get(MANIFEST), MANIFEST_LIMIT)
        signature = _read_small(archive, members.get(SIGNATURE), SIGNATURE_SIZE)
        report.signature = _check_signature(public_key, manifest_raw, signature)
        entries = _parse(manifest_raw, report)
        if entries is None:
            return report
        listed = set()
        for entry in entries:
            listed.add(entry["path"])
            info = members.get(entry["path"])
            if info is None:
                report.files.append(FileCheck(entry["path"], MISSING, entry["size"],
                                              expected_sha256=entry["sha256"]))
                continue
            report.files.append(_check_member(archive, info, entry))
        for name in members:
            if name not in listed and name not in (MANIFEST, SIGNATURE):
                report.files.append(FileCheck(name, UNEXPECTED,
                                              actual_size=members[name].file_size))
    return report


def _read_small(archive, info, limit: int) -> bytes | None:
    if info is None or info.file_size > limit:
        return None
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError):
        return None
    return data if len(data) <= limit else None


def _check_signature(public_key, manifest_raw, signature) -> str:
    if manifest_raw is None or signature is None:
        return "missing"
    try:
        public_key.verify(signature, manifest_raw)
    except InvalidSignature:
        return "bad"
    return "ok"


def _parse(manifest_raw: bytes | None, report: Report) -> list[dict] | None:
    """The manifest's file entries, validated; None (with a problem noted) when unusable."""
    if manifest_raw is None:
        report.problems.append(("no_manifest", MANIFEST))
        return None
    try:
        manifest = json.loads(manifest_raw.decode("utf-8"))
        entries = manifest["files"]
        for entry in entries:
            if not (isinstance(entry["path"], str) and isinstance(entry["size"], int)
                    and isinstance(entry["sha256"], str)):
                raise TypeError("bad entry")
            binascii.unhexlify(entry["sha256"])
        if len({e["path"] for e in entries}) != len(entries) or \
                {MANIFEST, SIGNATURE} & {e["path"] for e in entries}:
            raise ValueError("paths repeat or name the manifest")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, binascii.Error):
        report.problems.append(("manifest_unreadable", MANIFEST))
        return None
    if not isinstance(manifest, dict):
        report.problems.append(("manifest_unreadable", MANIFEST))
        return None
    report.manifest = manifest
    return entries


def _check_member(archive, info, entry) -> FileCheck:
    check = FileCheck(entry["path"], OK, entry["size"], expected_sha256=entry["sha256"])
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as exc:
        check.status, check.reason = CHANGED, str(exc)[:200] or type(exc).__name__
        check.actual_size = size
        return check
    check.actual_size, check.actual_sha256 = size, digest.hexdigest()
    if size != entry["size"] or check.actual_sha256 != entry["sha256"].lower():
        check.status = CHANGED
    return check
