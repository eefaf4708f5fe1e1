"""Registering portal accounts and recording agents' mandates (each one transaction)."""
import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from enforcement.accounts.models import Mandate
from enforcement.audit import services as audit
from enforcement.auth import services as auth
from enforcement.auth.models import User
from enforcement.auth.passwords import password_problem
from enforcement.db import local_today
from enforcement.errors import Invalid, Refused
from enforcement.evidence import checks
from enforcement.evidence.services import _safe_name
from enforcement.evidence.storage import get_storage, track_new_file
from enforcement.extensions import db
from enforcement.parties.identifiers import credit_code_error, mark_reg_no_valid, phone_error
from workflows.engine import Refusal
from workflows.spec import N_

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def register(*, username: str, full_name: str, password: str, phone: str = "",
             email: str = "", ip=None) -> User:
    """A rights holder's or agent's portal account (role ``rights_holder``, no unit)."""
    username, full_name = (username or "").strip(), (full_name or "").strip()
    phone, email = (phone or "").strip(), (email or "").strip()
    errors = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [_("用户名为3至64位字母、数字、下划线、点或横线")]
    elif db.session.scalar(select(User.id).where(func.lower(User.username)
                                                 == username.lower())) is not None:
        errors["username"] = [_("该用户名已被使用，请换一个")]
    if not full_name or len(full_name) > 80:
        errors["full_name"] = [_("请填写权利人或代理机构名称（80字以内）")]
    if problem := password_problem(password, username=username):
        errors["password"] = [problem]
    if phone and (message := phone_error(phone)):
        errors["phone"] = [message]
    if email and (len(email) > 120 or not _EMAIL_RE.match(email)):
        errors["email"] = [_("电子邮箱格式不正确")]
    if not phone and not email:
        errors["phone"] = [_("请至少留下手机号码或电子邮箱，以便接收处理结果")]
    if errors:
        raise Invalid(errors)
    user = auth.create_user(username, full_name, password, roles=["rights_holder"])
    user.phone, user.email = phone or None, email or None
    audit.record("account.register", actor=user, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()
    return user


def usable_mandates(user) -> list[Mandate]:
    today = local_today()
    return [m for m in db.session.scalars(
        select(Mandate).where(Mandate.agent_user_id == user.id, Mandate.revoked_at.is_(None))
        .order_by(Mandate.id.desc()))
        if m.valid_until is None or m.valid_until >= today]


def record_mandate(agent, *, principal_name: str, principal_credit_code: str,
                   mark_numbers: str, valid_until: str, upload, ip=None) -> Mandate:
    """An agent's 授权委托书: whom it acts for and for which marks; the file passes the
    evidence checks and is stored under a generated key (nothing stored on refusal)."""
    if not agent.can("report.file") or agent.unit_id is not None:
        raise Refused([Refusal("permission", N_("只有权利人或代理机构账户可以上传授权委托书"))])
    errors = {}
    principal_name = (principal_name or "").strip()
    if not principal_name or len(principal_name) > 120:
        errors["principal_name"] = [_("请填写委托人（商标权利人）名称")]
    code = (principal_credit_code or "").strip().upper()
    if code and (message := credit_code_error(code)):
        errors["principal_credit_code"] = [message]
    numbers = [n for n in re.split(r"[\s,，、;；]+", mark_numbers or "") if n]
    if not numbers:
        errors["mark_numbers"] = [_("请填写委托书所列的商标注册号")]
    elif not all(mark_reg_no_valid(n) for n in numbers) or len(numbers) > 50:
        errors["mark_numbers"] = [_("商标注册号应为数字，多个用逗号或空格分开（最多50个）")]
    until = None
    if valid_until:
        try:
            until = date.fromisoformat(valid_until)
        except ValueError:
            errors["valid_until"] = [_("日期格式应为 2027-12-31")]
        else:
            if until < local_today():
                errors["valid_until"] = [_("委托期限已过，请上传有效的授权委托书")]
    if upload is None or not getattr(upload, "filename", ""):
        errors["file"] = [_("请上传授权委托书的扫描件或照片（PDF、JPEG、PNG）")]
    else:
        try:
            checked = checks.check_upload(upload.stream, upload.filename)
        except checks.UploadRefused as exc:
            errors["file"] = [str(exc)]
    if errors:
        raise Invalid(errors)
    try:
        key, size, sha256 = get_storage().put(upload.stream)
        track_new_file(db.session, key)
        mandate = Mandate(agent_user_id=agent.id, principal_name=principal_name,
                          principal_credit_code=code or None, mark_numbers=sorted(set(numbers)),
                          valid_until=until, original_name=_safe_name(upload.filename),
                          content_type=checked.content_type, size=size, sha256=sha256,
                          storage_key=key)
        db.session.add(mandate)
        db.session.flush()
        audit.record("mandate.record", actor=agent, obj_type="mandate", obj_id=mandate.id,
                     ip=ip, principal=principal_name, marks=mandate.mark_numbers,
                     sha256=sha256)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return mandate
