"""Issuing, correcting, downloading and verifying documents.

``issue`` runs inside the issuing action's transaction (it flushes, never commits): the number,
the frozen data and the row exist if and only if the action commits. A synchronous type's PDF
is rendered there too; a deferred type's (DocType.render == "deferred") is made afterwards, once,
by :func:`ensure_rendered` — from ``flask documents render-pending`` or on the first download or
verification. ``correct``, ``download`` and ``ensure_rendered`` own their transaction.
"""
import hashlib
import hmac
import logging
import re

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from enforcement.audit import services as audit
from enforcement.db import local_date, local_today, utcnow
from enforcement.documents import context, qr, rendering
from enforcement.documents.models import Document, new_verify_code
from enforcement.documents.numbering import next_number
from enforcement.documents.types import DOC_TYPES
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.extensions import db
from workflows.engine import Refusal
from workflows.spec import N_, Side

log = logging.getLogger(__name__)

__all__ = ["correct", "download", "ensure_rendered", "find_by_code", "issue", "issue_for_case",
           "matches", "may_correct", "next_number", "readable_document", "render_pending"]

#: the 立案审批表's number is the case number (立案编号): it is never re-issued
NOT_CORRECTABLE = frozenset({"filing_approval"})
CODE_FORMAT = re.compile(r"^[A-Z2-7]{24}$")


def _header(code, title, number, verify_code, issued_on, corrects) -> dict:
    return {"code": code, "title": title, "number": number, "issued_on": issued_on.isoformat(),
            "verify_code": verify_code, "verify_url": qr.verify_url(verify_code),
            "corrects": None if corrects is None else {"title": corrects.title,
                                                       "number": corrects.number}}


def issue(case, code: str, *, actor, event, data: dict, year: int, corrects=None,
          flush: bool = True) -> Document:
    """Number, render and store one document (flushes, never commits).

    A failed render raises, so the action that issues the document rolls back whole and
    its number is never used. A deferred type is numbered and its data frozen here, with the
    template version in force; its PDF is made after the commit (:func:`ensure_rendered`).
    ``flush=False`` leaves the insert to the caller's next flush (the row has no id until then).
    """
    doc_type = DOC_TYPES[code]
    issued_at = utcnow()
    number = None
    if doc_type.number_word:
        number = next_number(case.unit, doc_type.number_word, code, year,
                             on=local_date(issued_at))
    with force_locale("zh"):  # the official title, whatever the issuing user's UI language
        title = str(doc_type.title)
    verify_code = new_verify_code()
    data = {**data, "doc": _header(code, title, number, verify_code, local_date(issued_at),
                                   corrects)}
    if doc_type.render == "deferred":
        output = {"template_version": rendering.template_version(code), "render_pending": True}
    else:
        rendered = rendering.render(code, data)
        output = {"template_version": rendered.template_version, "pdf": rendered.pdf,
                  "sha256": rendered.sha256, "page_count": rendered.pages}
    document = Document(
        case_id=case.id, unit_id=case.unit_id, doc_type=code, number=number, title=title,
        event_id=event.id if event is not None else None, data=data, **output,
        verify_code=verify_code,
        requires_service=doc_type.served, issued_by_id=actor.id, issued_at=issued_at,
        corrects_id=corrects.id if corrects is not None else None,
    )
    db.session.add(document)
    if flush:
        db.session.flush()
    return document


def issue_for_case(case, code: str, actor) -> Document:
    """Issue a document that no workflow action produces, from the case file alone: the
    report documents, made when a report is registered (flushes, never commits)."""
    today = local_today()
    source = context.Source(case=case, fields={}, actor=actor, today=today)
    return issue(case, code, actor=actor, event=None, year=today.year,
                 data=context.build(code, source))


# -- correction ------------------------------------------------------------------------------


def may_correct(actor, case) -> bool:
    """Corrections are decided by the bureau that issued the document (case.decide)."""
    from enforcement.cases.scope import acts_for

    return actor.can("case.decide") and acts_for(actor, case, Side.bureau)


def correct(document_id: int, actor, reason: str, *, ip=None) -> Document:
    """Issue a corrected document from the current case file and revoke the old one."""
    from enforcement.cases.services import load_case

    old = db.session.get(Document, document_id)
    if old is None:
        raise NotFound()
    case = load_case(old.case_id, actor, ip=ip)
    if not may_correct(actor, case):
        raise Refused([Refusal("permission", N_("您没有进行此操作的权限"))])
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("请填写更正理由")]})
    if old.doc_type in NOT_CORRECTABLE or old.revoked_at is not None:
        raise Refused([Refusal("state", N_("该文书不能更正"))])
    try:
        new = _reissue(case, old, actor, reason)
        audit.record("document.correct", actor=actor, obj_type="document", obj_id=old.id,
                     unit_id=case.unit_id, ip=ip, case_id=case.id, revoked=old.number,
                     issued=new.number, new_document=new.id, reason=reason)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("document %s corrected by %s as %s", document_id, actor.username, new.id)
    return new


def _reissue(case, old, actor, reason) -> Document:
    from enforcement.cases.models import Case, CaseEvent

    # one winner among concurrent corrections of the same document
    revoked = db.session.execute(
        update(Document).where(Document.id == old.id, Document.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=actor.id, revoked_reason=reason)
        .execution_options(synchronize_session=False))
    if revoked.rowcount != 1:
        raise Stale()
    # the case file changed: pages and API clients holding the old version must reload
    db.session.execute(update(Case).where(Case.id == case.id)
                       .values(version=Case.version + 1, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.expire(case, ["version"])
    event = db.session.get(CaseEvent, old.event_id) if old.event_id else None
    siblings = {} if event is None else {d.doc_type: d for d in db.session.scalars(
        select(Document).where(Document.event_id == event.id, Document.revoked_at.is_(None)))}
    today = local_today()
    source = context.Source(case=case, fields=dict(event.data) if event else {}, actor=actor,
                            today=today, event=event, documents=siblings)
    return issue(case, old.doc_type, actor=actor, event=event, year=today.year, corrects=old,
                 data=context.build(old.doc_type, source))


# -- reading and downloading -----------------------------------------------------------------


def _deny(actor, document_id, reason, ip):
    db.session.rollback()
    audit.record("access.denied", actor=actor, obj_type="document", obj_id=document_id, ip=ip,
                 reason=reason)
    db.session.commit()
    raise NotFound()


def readable_document(document_id: int, actor, *, ip=None) -> Document:
    """The document if the actor may read it: jurisdiction exactly as for the case, and a
    receiving organ only the types sent to it; otherwise NotFound, audited."""
    from enforcement.cases.presenters import RECEIVER_DOCUMENTS
    from enforcement.cases.scope import reading_side
    from enforcement.cases.services import load_case

    document = db.session.get(Document, document_id)
    if document is None:
        _deny(actor, document_id, "missing", ip)
    case = load_case(document.case_id, actor, ip=ip)
    side = reading_side(actor, case)
    if side is not Side.bureau and document.doc_type not in RECEIVER_DOCUMENTS.get(side, ()):
        _deny(actor, document_id, "document_type", ip)
    return document


def download(document_id: int, actor, *, ip=None, via: str = "web") -> tuple[Document, bytes]:
    """The stored PDF, checked against its SHA-256; every download is audited. A pending
    document is rendered first (once, see :func:`ensure_rendered`)."""
    document = readable_document(document_id, actor, ip=ip)
    document = ensure_rendered(document)
    pdf = document.pdf
    if pdf is None:  # issued before documents were rendered
        raise NotFound()
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        log.error("document %s: stored PDF does not match its SHA-256", document.id)
        raise RuntimeError(f"document {document.id} failed its integrity check")
    audit.record("document.download", actor=actor, obj_type="document", obj_id=document.id,
                 unit_id=document.unit_id, ip=ip, case_id=document.case_id,
                 number=document.number, sha256=document.sha256, via=via)
    db.session.commit()
    return document, pdf


# -- deferred rendering ----------------------------------------------------------------------


def ensure_rendered(document: Document, *, wait: bool = True) -> Document:
    """Make and store the PDF of a pending document; a rendered one is returned as it is.

    Owns its transaction (commits what the session holds first). Race-safe: the row is
    claimed with a no-op conditional UPDATE, which takes its row lock (SQLite: the write
    lock), so a concurrent renderer waits and then finds it rendered — every document is
    rendered once and stores one result. The bytes are written by a conditional UPDATE
    (``WHERE render_pending``) that bypasses the ORM's immutability guard: they are the
    first and only PDF of data frozen at issue. A failed render rolls back and leaves the
    document pending (raises RenderError). ``wait=False`` (the background worker) skips a
    document that another renderer holds (PostgreSQL: FOR UPDATE SKIP LOCKED).
    """
    if not document.render_pending:
        return document
    document_id = document.id
    db.session.commit()  # nothing of the caller's is held while the PDF is made
    if wait:
        claimed = db.session.execute(
            update(Document).where(Document.id == document_id,
                                   Document.render_pending.is_(True))
            .values(render_pending=True).execution_options(synchronize_session=False)
        ).rowcount == 1
    else:
        claimed = db.session.scalar(
            select(Document.id).where(Document.id == document_id,
                                      Document.render_pending.is_(True))
            .with_for_update(skip_locked=True)) is not None
    if claimed:
        try:
            _render_claimed(document_id)
            db.session.commit()
        except Stale:
            db.session.rollback()
        except Exception:
            db.session.rollback()
            log.exception("document %s: deferred render failed", document_id)
            raise
    else:
        db.session.commit()  # another renderer stored it meanwhile
    document = db.session.get(Document, document_id, populate_existing=True)
    return document


def _render_claimed(document_id: int) -> None:
    row = db.session.execute(
        select(Document.doc_type, Document.data, Document.template_version)
        .where(Document.id == document_id)).one()
    rendered = rendering.render(row.doc_type, row.data)
    if rendered.template_version != row.template_version:
        # the templates changed between issue and render (a deployment in between): the PDF
        # records the version it was really made with
        log.warning("document %s: issued with templates %s, rendered with %s", document_id,
                    row.template_version, rendered.template_version)
    stored = db.session.execute(
        update(Document).where(Document.id == document_id, Document.render_pending.is_(True))
        .values(pdf=rendered.pdf, sha256=rendered.sha256, page_count=rendered.pages,
                template_version=rendered.template_version, render_pending=False)
        .execution_options(synchronize_session=False))
    if stored.rowcount != 1:  # only where FOR UPDATE is not supported (SQLite): stored already
        raise Stale()
    log.info("document %s rendered (%d pages)", document_id, rendered.pages)


def render_pending(limit: int | None = None) -> int:
    """Render pending documents, oldest first, one transaction each; the number rendered.
    A document that fails is logged and left pending for the next run."""
    query = select(Document.id).where(Document.render_pending.is_(True)).order_by(Document.id)
    if limit is not None:
        query = query.limit(limit)
    ids = db.session.scalars(query).all()
    db.session.commit()
    done = 0
    for document_id in ids:
        document = db.session.get(Document, document_id)
        if document is None:
            continue
        try:
            if not ensure_rendered(document, wait=False).render_pending:
                done += 1
        except rendering.RenderError:
            continue
        db.session.expunge_all()  # PDFs are large: keep none of them in the session
    return done


# -- public verification ---------------------------------------------------------------------


def normalise_code(raw: str) -> str | None:
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if CODE_FORMAT.match(code) else None


def find_by_code(raw: str) -> Document | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(Document).where(Document.verify_code == code))


def matches(document: Document, stream, chunk: int = 1 << 16) -> bool:
    """Whether an uploaded file is byte for byte the issued PDF (compared by SHA-256)."""
    digest = hashlib.sha256()
    while block := stream.read(chunk):
        digest.update(block)
    return bool(document.sha256) and hmac.compare_digest(digest.hexdigest(), document.sha256)


def correction_of(document: Document) -> Document | None:
    """The document that corrected (and revoked) this one, if any."""
    return db.session.scalar(select(Document).where(Document.corrects_id == document.id))
