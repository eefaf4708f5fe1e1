"""Building a referral packet as a stream: a stored ZIP whose last two members are the
signed manifest.

Layout::

    README.txt                     how to verify (Chinese and English)
    documents/<title>_<number>-<id>.pdf
    evidence/<id>-<original name>
    manifest.json                  UTF-8 JSON: case, documents, every file's path, size, SHA-256
    manifest.sig                   the raw 64-byte Ed25519 signature over manifest.json's bytes

Memory stays constant however large the evidence: the ZIP is written to a sink that the
generator empties after every 1 MiB chunk; evidence is read from storage in 1 MiB chunks and
document PDFs are loaded from the database one at a time. Every file is hashed while it
streams and checked against the SHA-256 stored when it was issued or uploaded; a mismatch
aborts the build (:class:`PacketIntegrityError`), so a receiver never gets a manifest that
vouches for altered bytes. The manifest can only list the hashes after the files, so it and
its signature are written last.
"""
import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from enforcement.cases.models import Case
from enforcement.cases.presenters import RECEIVER_DOCUMENTS
from enforcement.documents.models import Document
from enforcement.documents.services import ensure_rendered
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import CHUNK, LocalStorage, get_storage
from enforcement.extensions import db
from enforcement.referrals.models import Referral, ReferralKind
from workflows.spec import Side

log = logging.getLogger(__name__)

FORMAT = "enforcement-packet/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
README = "README.txt"
#: names the packet itself writes; never a document or evidence path
RESERVED = frozenset({MANIFEST, SIGNATURE, README})

#: the documents each kind of referral carries: what the receiving organ reads on the case
#: page (Decree 310 Art. 6; 行政强制法 Art. 55), and for a court also the party's statements
#: and hearing record (Art. 55 (三) 当事人的意见)
PACKET_DOCUMENTS = {
    ReferralKind.police: tuple(RECEIVER_DOCUMENTS[Side.police]),
    ReferralKind.court: (*RECEIVER_DOCUMENTS[Side.court], "statement_record", "hearing_record"),
}

#: characters never put in a member name: separators, quotes, controls
_UNSAFE = dict.fromkeys(map(ord, '/\\"\'<>:|?*;\r\n\t'), None)

_README = """\
案件移送卷宗包 / Referral packet
================================

本卷宗包由商标侵权执法办案系统生成。manifest.json 列出包内每个文件的路径、大小和 SHA-256，
manifest.sig 是系统 Ed25519 私钥对 manifest.json 原始字节的签名（64 字节，未编码）。
公钥见 manifest.json 中 signature.public_key_url；也可在系统“卷宗包校验”页面上传本文件校验。

This packet was built by the trademark-enforcement case system. manifest.json lists every
file's path, size and SHA-256; manifest.sig is the raw 64-byte Ed25519 signature over the
exact bytes of manifest.json. Offline check with OpenSSL 3:

    openssl pkeyutl -verify -pubin -inkey packet-public-key.pem -rawin \\
        -in manifest.json -sigfile manifest.sig
    sha256sum <each file>   (compare with manifest.json "files")

or: flask --app wsgi packets verify PACKET.zip [--key packet-public-key.pem]
"""


class PacketIntegrityError(RuntimeError):
    """A stored file no longer matches the SHA-256 taken when it was issued or uploaded."""

    def __init__(self, path: str, expected: str | None, actual: str):
        super().__init__(f"{path}: stored SHA-256 {expected}, streamed {actual}")
        self.path, self.expected, self.actual = path, expected, actual


@dataclass(frozen=True)
class Item:
    """One file to stream: a document's PDF (from the database) or an evidence file."""

    path: str
    size: int
    sha256: str
    document_id: int | None = None
    storage_key: str | None = None


@dataclass
class Plan:
    """Everything the stream needs, as plain data read before the first byte is sent."""

    referral_id: int
    case_number: str
    items: list[Item]
    #: the manifest without its "files", "built_at" and key fields (added while streaming)
    manifest: dict
    readme: bytes = field(default_factory=lambda: _README.encode())


def safe_name(text: str, limit: int = 120) -> str:
    return "".join(ch for ch in text.translate(_UNSAFE) if ch.isprintable()).strip()[:limit]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _unit(unit) -> dict | None:
    return None if unit is None else {"id": unit.id, "code": unit.code, "name": unit.name}


def plan(referral: Referral, actor, *, public_key_url: str, build_id: int | None = None) -> Plan:
    """Read what goes into the packet (documents not rendered yet are rendered first, which
    commits). Leaves no transaction open: the stream runs without holding the database."""
    case = db.session.get(Case, referral.case_id)
    types = PACKET_DOCUMENTS[referral.kind]
    for pending in db.session.scalars(select(Document).where(
            Document.case_id == case.id, Document.doc_type.in_(types),
            Document.render_pending.is_(True))).all():
        ensure_rendered(pending)
    case = db.session.get(Case, referral.case_id)  # ensure_rendered committed: read afresh
    documents, doc_items = _documents(case.id, types)
    evidence, ev_items = _evidence(case.id)
    manifest = {
        "format": FORMAT,
        "referral": {"id": referral.id, "kind": referral.kind.value,
                     "created_at": _iso(referral.created_at), "build_id": build_id,
                     "receiving_unit": _unit(referral.unit), "copy_unit": _unit(referral.copy_unit),
                     "receiver_case_no": referral.receiver_case_no},
        "case": {"id": case.id, "number": case.number, "cause": case.cause,
                 "handling_unit": _unit(case.unit),
                 "parties": [cp.party.name for cp in case.parties]},
        "documents": documents,
        "evidence": evidence,
        "built_by": {"username": actor.username, "name": actor.full_name,
                     "unit": actor.unit.name if actor.unit_id is not None else None},
        "signature": {"algorithm": "Ed25519", "file": SIGNATURE, "encoding": "raw",
                      "signed": MANIFEST, "public_key_url": public_key_url},
    }
    result = Plan(referral.id, case.number, doc_items + ev_items, manifest)
    db.session.commit()
    return result


def _documents(case_id: int, types: Iterable[str]) -> tuple[list[dict], list[Item]]:
    rows = db.session.execute(
        select(Document.id, Document.doc_type, Document.title, Document.number,
               Document.issued_at, Document.sha256, Document.verify_code,
               func.length(Document.pdf).label("size"))
        .where(Document.case_id == case_id, Document.doc_type.in_(tuple(types)),
               Document.revoked_at.is_(None), Document.sha256.is_not(None),
               Document.pdf.is_not(None))
        .order_by(Document.id)).all()
    listed, items = [], []
    for row in rows:
        stem = safe_name("_".join(p for p in (row.title, row.number) if p)) or row.doc_type
        path = f"documents/{stem}-{row.id}.pdf"
        listed.append({"path": path, "id": row.id, "type": row.doc_type, "title": row.title,
                       "number": row.number, "issued_at": _iso(row.issued_at),
                       "verify_code": row.verify_code})
        items.append(Item(path, int(row.size or 0), row.sha256, document_id=row.id))
    return listed, items


def _evidence(case_id: int) -> tuple[list[dict], list[Item]]:
    rows = db.session.scalars(select(Evidence).where(Evidence.case_id == case_id)
                              .order_by(Evidence.id)).all()
    listed, items = [], []
    for ev in rows:
        path = f"evidence/{ev.id}-{safe_name(ev.original_name, 100) or 'file'}"
        listed.append({"path": path, "id": ev.id, "original_name": ev.original_name,
                       "content_type": ev.content_type, "description": ev.description,
                       "uploaded_at": _iso(ev.uploaded_at)})
        items.append(Item(path, ev.size, ev.sha256, storage_key=ev.storage_key))
    return listed, items


class _Sink:
    """A non-seekable file the ZIP writer writes to; the generator hands its chunks on."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> list[bytes]:
        chunks, self._chunks = self._chunks, []
        return chunks


def _chunks_of(item: Item) -> Iterator[bytes]:
    if item.document_id is not None:
        pdf = db.session.execute(select(Document.pdf).where(Document.id == item.document_id)
                                 ).scalar_one()
        db.session.commit()  # never hold a transaction while the client reads
        for start in range(0, len(pdf or b""), CHUNK):
            yield pdf[start:start + CHUNK]
        return
    with open_stored(item.storage_key) as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def open_stored(key: str):
    """A readable binary stream of a stored evidence file (chunked, never read whole)."""
    storage = get_storage()
    opener = getattr(storage, "open", None)
    if opener is not None:
        return opener(key)
    if isinstance(storage, LocalStorage):
        return open(storage._path(key), "rb")  # noqa: SIM115 — closed by the caller's with
    raise RuntimeError("the evidence store cannot stream files")


def _member(path: str, moment: datetime, size: int = 0) -> zipfile.ZipInfo:
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    info = zipfile.ZipInfo(path, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = size  # decides whether the member needs zip64 extras
    return info


def stream(plan_: Plan, *, sign: Callable[[bytes], bytes], key_id: str, built_at: datetime,
           on_done: Callable[[bytes, list[dict]], None] | None = None) -> Iterator[bytes]:
    """Yield the packet's bytes. ``sign`` signs the manifest's bytes; ``on_done`` gets the
    manifest bytes and file list once they are written. Raises PacketIntegrityError."""
    sink = _Sink()
    files = []
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(_member(README, built_at, len(plan_.readme)), plan_.readme)
        files.append({"path": README, "size": len(plan_.readme),
                      "sha256": hashlib.sha256(plan_.readme).hexdigest()})
        yield from sink.drain()
        for item in plan_.items:
            digest, size = hashlib.sha256(), 0
            with archive.open(_member(item.path, built_at, item.size), "w") as out:
                for chunk in _chunks_of(item):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                    yield from sink.drain()
            actual = digest.hexdigest()
            if actual != item.sha256 or size != item.size:
                log.error("packet of referral %s: %s does not match its stored SHA-256 "
                          "(stored %s, read %s, %d bytes)", plan_.referral_id, item.path,
                          item.sha256, actual, size)
                raise PacketIntegrityError(item.path, item.sha256, actual)
            files.append({"path": item.path, "size": size, "sha256": actual})
            yield from sink.drain()
        manifest = manifest_bytes(plan_.manifest, files=files, built_at=built_at, key_id=key_id)
        archive.writestr(_member(MANIFEST, built_at, len(manifest)), manifest)
        signature = sign(manifest)
        archive.writestr(_member(SIGNATURE, built_at, len(signature)), signature)
    yield from sink.drain()
    if on_done is not None:
        on_done(manifest, files)


def manifest_bytes(base: dict, *, files: list[dict], built_at: datetime, key_id: str) -> bytes:
    manifest = {**base, "files": files, "built_at": _iso(built_at), "key_id": key_id}
    manifest["signature"] = {**manifest.get("signature", {}), "key_id": key_id}
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
