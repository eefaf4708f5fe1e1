"""Documents as JSON for the API (metadata only; the PDF is a download of its own)."""
from flask import url_for

from enforcement.db import local_date
from enforcement.documents import qr


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def document_metadata(document) -> dict:
    return {
        "id": document.id,
        "case_id": document.case_id,
        "type": document.doc_type,
        "title": document.title,
        "number": document.number,
        "issuer": document.unit.name,
        "issued_at": _iso(document.issued_at),
        "issued_on": local_date(document.issued_at).isoformat(),
        "issued_by": document.issued_by.full_name if document.issued_by else None,
        "template_version": document.template_version,
        #: issued, its PDF still being made (the download makes it at once if asked)
        "pending": document.render_pending,
        "sha256": document.sha256,
        "pages": document.page_count,
        "requires_service": document.requires_service,
        "served_on": document.served_on.isoformat() if document.served_on else None,
        "revoked": document.revoked_at is not None,
        "revoked_at": _iso(document.revoked_at),
        "revoked_reason": document.revoked_reason,
        "corrects_id": document.corrects_id,
        "verify_url": qr.verify_url(document.verify_code),
        "pdf_url": url_for("api.get_document", document_id=document.id, format="pdf")
        if document.sha256 or document.render_pending else None,
    }
