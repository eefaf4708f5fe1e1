"""The public verification page (文书核验), reached from the QR code on every document.

It shows what the issuing authority vouches for — number, type, issuer, date, SHA-256 and
whether the document still stands — and nothing personal (DESIGN §6). An uploaded PDF is
compared byte for byte with the one issued.
"""
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from enforcement.db import local_date
from enforcement.documents import services

bp = Blueprint("verify", __name__, url_prefix="/verify")


def public_facts(document) -> dict:
    """What anyone may know of a document; its data and the case stay private."""
    correction = services.correction_of(document)
    return {
        "code": document.verify_code,
        "number": document.number,
        "type": document.doc_type,
        "title": document.title,
        "issuer": document.unit.name,
        "issued_on": local_date(document.issued_at).isoformat(),
        # a deferred document between its issue and its rendering: no PDF and no hash yet
        "pending": document.render_pending,
        "sha256": document.sha256,
        "pages": document.page_count,
        "revoked": document.revoked_at is not None,
        "revoked_on": local_date(document.revoked_at).isoformat()
        if document.revoked_at else None,
        "corrected_by": None if correction is None else {
            "number": correction.number, "title": correction.title,
            "code": correction.verify_code},
    }


def _wants_json() -> bool:
    # browsers ask for text/html first; API clients send Accept: application/json
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


@bp.route("", methods=["GET"])
def start():
    code = request.args.get("code", "")
    if code:
        normalised = services.normalise_code(code)
        if normalised:
            return redirect(url_for("verify.show", code=normalised))
        return render_template("public/verify.html", facts=None, code=code, result=None,
                               invalid=True), 404
    return render_template("public/verify.html", facts=None, code="", result=None,
                           invalid=False)


@bp.route("/<code>", methods=["GET", "POST"])
def show(code):
    document = services.find_by_code(code)
    if document is None:
        if _wants_json():
            return jsonify({"error": {"code": "not_found",
                                      "message": _("未找到与该核验码对应的文书")}}), 404
        return render_template("public/verify.html", facts=None, code=code, result=None,
                               invalid=True), 404
    if request.method == "GET" and _wants_json():
        return jsonify(public_facts(document))
    result = None
    if request.method == "POST":
        upload = request.files.get("pdf")
        if upload is None or not upload.filename:
            abort(400)
        document = services.ensure_rendered(document)  # compared with the PDF it will be
        result = "identical" if services.matches(document, upload.stream) else "different"
    facts = public_facts(document)
    return render_template("public/verify.html", facts=facts, code=document.verify_code,
                           result=result, invalid=False)
