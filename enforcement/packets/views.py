"""Packet pages: the download (staff), the public key and the public verification page."""
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from enforcement.errors import NotFound
from enforcement.extensions import csrf
from enforcement.packets import keys, services
from enforcement.packets.verify import verify_packet
from enforcement.reports import limits

bp = Blueprint("packets", __name__)

CHINA = ZoneInfo("Asia/Shanghai")
KIND_LABELS = {"police": _l("涉嫌犯罪案件移送公安机关"), "court": _l("申请人民法院强制执行")}

#: default cap on an uploaded packet (PACKET_VERIFY_MAX_BYTES overrides)
VERIFY_MAX_BYTES = 1024 * 1024 * 1024


def packet_response(download: services.Download) -> Response:
    """The packet as it streams; never cached. The ASCII name for old clients, the Chinese
    one per RFC 5987/6266."""
    response = Response(stream_with_context(download.chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="packet-{download.referral_id}.zip"; '
        f"filename*=UTF-8''{quote(download.filename, safe='')}")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Packet-Build"] = str(download.build_id)
    return response


@bp.route("/referrals/<int:referral_id>/packet")
@login_required
def download(referral_id):
    try:
        packet = services.start_download(referral_id, current_user._get_current_object(),
                                         ip=request.remote_addr, via="web")
    except NotFound:
        abort(404)
    return packet_response(packet)


@bp.route("/packets/public-key.pem")
def public_key():
    response = Response(keys.public_pem(), mimetype="application/x-pem-file")
    response.headers["Content-Disposition"] = 'inline; filename="packet-public-key.pem"'
    response.headers["X-Key-Id"] = keys.key_id()
    return response


def max_upload() -> int:
    return int(current_app.config.get("PACKET_VERIFY_MAX_BYTES", VERIFY_MAX_BYTES))


@bp.route("/packets/verify", methods=["GET", "POST"])
@csrf.exempt  # checked below, after the upload limit of this page is set
def verify():
    """Anyone holding a packet may check it here: no login, nothing stored."""
    key = keys.public_key()
    page = {"key_id": keys.key_id(key), "pem": keys.public_pem(key).decode(),
            "max_mb": max_upload() // (1024 * 1024), "report": None, "error": None,
            "filename": None, "summary": None}
    if request.method == "GET":
        return render_template("packets/verify.html", **page)
    limits.hit("packet_verify")  # before the body is read: uploads are large
    request.max_content_length = max_upload()
    try:
        validate_csrf(request.form.get("csrf_token"))
        upload = request.files.get("packet")
    except RequestEntityTooLarge:
        page["error"] = _("文件超过 %(n)d MB，无法在线校验；请使用命令行工具离线校验。",
                          n=page["max_mb"])
        return render_template("packets/verify.html", **page), 413
    except ValidationError:
        page["error"] = _("页面已过期，请刷新后重新上传。")
        return render_template("packets/verify.html", **page), 400
    if upload is None or not upload.filename:
        page["error"] = _("请选择要校验的卷宗包（ZIP 文件）。")
        return render_template("packets/verify.html", **page), 400
    page["filename"] = upload.filename
    page["report"] = report = verify_packet(upload.stream, key, max_unpacked=4 * max_upload())
    page["summary"] = summary(report.manifest) if report.manifest else None
    return render_template("packets/verify.html", **page)


def summary(manifest: dict) -> dict:
    """What the manifest says the packet is, for the result page (shown even when the
    packet fails: the reader sees what it claims to be)."""
    def get(*path):
        value = manifest
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, (str, int)) or value is None else None

    parties = manifest.get("case", {}).get("parties") if isinstance(
        manifest.get("case"), dict) else None
    built_at = get("built_at")
    try:
        built_at = datetime.fromisoformat(built_at).astimezone(CHINA).strftime(
            "%Y-%m-%d %H:%M:%S") if built_at else ""
    except (TypeError, ValueError):
        pass
    kind = get("referral", "kind")
    return {
        "case_number": get("case", "number") or "", "cause": get("case", "cause") or "",
        "parties": "、".join(p for p in parties if isinstance(p, str))
        if isinstance(parties, list) else "",
        "kind": KIND_LABELS[kind] if kind in KIND_LABELS else (kind or ""),
        "handling_unit": get("case", "handling_unit", "name") or "",
        "receiving_unit": get("referral", "receiving_unit", "name") or "",
        "built_by": " ".join(p for p in (get("built_by", "name"), get("built_by", "unit"))
                             if p),
        "built_at": built_at,
    }
