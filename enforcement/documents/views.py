"""Staff pages for documents: download a PDF, correct a document (from the case page)."""
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from enforcement.documents import services
from enforcement.errors import Invalid, NotFound, Refused, Stale

bp = Blueprint("documents", __name__, url_prefix="/documents")

#: characters never put in a file name: path separators, quotes, controls
_UNSAFE = dict.fromkeys(map(ord, '/\\"\'<>:|?*;\r\n\t'), None)
MAX_REASON = 500


def _actor():
    return current_user._get_current_object()


def filename(document) -> str:
    """A download name such as 行政处罚决定书_临市监处罚〔2026〕1号.pdf, safe in a header."""
    stem = "_".join(part for part in (document.title, document.number) if part)
    stem = "".join(ch for ch in stem.translate(_UNSAFE) if ch.isprintable())[:120]
    return f"{stem or 'document'}.pdf"


def pdf_response(document, pdf: bytes):
    """The stored bytes as they were issued; never cached, the ETag is their SHA-256."""
    from flask import current_app

    response = current_app.response_class(pdf, mimetype="application/pdf")
    name = filename(document)
    # an ASCII name for old clients, the Chinese one per RFC 5987/6266 for the others
    response.headers["Content-Disposition"] = (
        f'attachment; filename="document-{document.id}.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}")
    response.headers["Cache-Control"] = "no-store"
    response.headers["ETag"] = f'"{document.sha256}"'
    return response


@bp.route("/<int:document_id>/pdf")
@login_required
def download(document_id):
    try:
        document, pdf = services.download(document_id, _actor(), ip=request.remote_addr)
    except NotFound:
        abort(404)
    return pdf_response(document, pdf)


@bp.route("/<int:document_id>/correct", methods=["POST"])
@login_required
def correct(document_id):
    reason = request.form.get("reason", "")
    if len(reason) > MAX_REASON:
        flash(_("更正理由不能超过 %(n)d 个字", n=MAX_REASON), "danger")
        return _back()
    try:
        new = services.correct(document_id, _actor(), reason, ip=request.remote_addr)
    except NotFound:
        abort(404)
    except (Invalid, Refused, Stale) as exc:
        flash(exc.message() if not isinstance(exc, Invalid) else _("请填写更正理由"), "danger")
        return _back()
    flash(_("已更正：%(title)s %(number)s，原文书已撤销", title=new.title,
            number=new.number or ""), "success")
    return redirect(url_for("cases.detail", case_id=new.case_id), 303)


def _back():
    from enforcement.documents.models import Document
    from enforcement.extensions import db

    document = db.session.get(Document, request.view_args["document_id"])
    if document is None:
        abort(404)
    return redirect(url_for("cases.detail", case_id=document.case_id), 303)


@bp.app_context_processor
def _document_helpers():
    def may_correct_documents(case) -> bool:
        return current_user.is_authenticated and services.may_correct(_actor(), case)

    return {"may_correct_documents": may_correct_documents,
            "correctable": lambda d: d.revoked_at is None
            and d.doc_type not in services.NOT_CORRECTABLE}
