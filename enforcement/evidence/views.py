"""Downloading evidence: jurisdiction checked, integrity checked, audited."""
from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from enforcement.cases.scope import reading_side
from enforcement.cases.services import load_case
from enforcement.errors import NotFound
from enforcement.evidence import services, thumbnails
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from workflows.spec import Side

bp = Blueprint("evidence", __name__)

#: who may open evidence files: the handling bureau, and the organs a transfer reaches
#: (Decree 310 Art. 6 sends the evidence with the transfer)
READERS = (Side.bureau, Side.police, Side.procuratorate)


def evidence_response(evidence: Evidence, data: bytes) -> Response:
    response = Response(data, mimetype=evidence.content_type)
    response.headers["Content-Disposition"] = content_disposition(evidence.original_name)
    response.headers["ETag"] = f'"{evidence.sha256}"'
    # a file from outside is never run as a page, even if a browser were to sniff it
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response


def content_disposition(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "ignore").decode() or "evidence"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _readable_evidence(actor, case_id, evidence_id) -> Evidence:
    """The evidence row if the actor may open this case's files; 404 otherwise."""
    try:
        case = load_case(case_id, actor, ip=request.remote_addr)
    except NotFound:
        abort(404)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id or reading_side(actor, case) not in READERS:
        abort(404)
    return evidence


@bp.route("/cases/<int:case_id>/evidence/<int:evidence_id>")
@login_required
def download(case_id, evidence_id):
    actor = current_user._get_current_object()
    evidence = _readable_evidence(actor, case_id, evidence_id)
    try:
        data = services.read_checked(evidence, actor=actor, ip=request.remote_addr)
    except services.IntegrityFailure:
        abort(409, _("文件校验失败：存储的文件与上传时的哈希值不一致，请联系管理员"))
    return evidence_response(evidence, data)


@bp.route("/cases/<int:case_id>/evidence/<int:evidence_id>/thumbnail")
@login_required
def thumbnail(case_id, evidence_id):
    """The preview of a photo: same jurisdiction check as the file; its own hash checked.
    Previews are not audited as downloads (the case page shows several at once); opening
    the file itself is. Like every case page and file, not kept by the browser (no-store,
    set for all responses): a preview of evidence is evidence, and office PCs are shared."""
    evidence = _readable_evidence(current_user._get_current_object(), case_id, evidence_id)
    try:
        thumb, data = thumbnails.thumbnail_bytes(evidence)
    except thumbnails.ThumbnailUnavailable:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["ETag"] = f'"{thumb.sha256}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
