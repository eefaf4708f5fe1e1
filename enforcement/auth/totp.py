"""两步验证 — the staff second factor: TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s, one step
either way), one-time recovery codes, and who must use them (config ``TOTP_REQUIRED_ROLES``).

The codes are computed with pyotp; which time step a code belongs to, and that each step and
each recovery code is accepted once only, is decided here, by conditional UPDATEs that two
concurrent requests cannot both win. A wrong code counts towards the password lock-out
(auth.services.count_failure)."""
import base64
import hashlib
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from enforcement.audit import services as audit
from enforcement.auth import sealing, services
from enforcement.auth.models import RecoveryCode, User, UserTotp
from enforcement.db import utcnow
from enforcement.errors import DomainError
from enforcement.extensions import db

#: seconds per time step, and steps accepted either side of the current one (clock drift)
PERIOD = 30
WINDOW = 1
#: how many recovery codes an enrolment gives, and their random bytes (80 bits each)
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 10
#: how long a password-verified login waits for its code (seconds)
PENDING_SECONDS = 5 * 60
#: the name authenticator apps show above the code
ISSUER = "巴彦淖尔商标执法"


class SecondFactorFailed(services.LoginFailed):
    """A wrong, reused or unknown code (or recovery code); counted like a wrong password."""

    code = "totp_failed"

    def message(self):
        if self.locked:
            return super().message()
        return _("动态验证码或恢复码不正确，或该验证码已使用过")


class SecondFactorMissing(DomainError):
    status = 401
    code = "totp_required"

    def message(self):
        return _("该账户已启用两步验证：请在请求中同时提供 totp（身份验证器显示的6位动态验证码）")


class EnrolmentRequired(DomainError):
    status = 401
    code = "totp_enrolment_required"

    def message(self):
        return _("该账户必须启用两步验证：请先在网页登录，完成身份验证器绑定后再申请访问令牌")


class TotpRequiredByRole(DomainError):
    status = 409
    code = "totp_required_by_role"

    def message(self):
        return _("您的岗位必须使用两步验证，不能停用；如更换手机，请联系系统管理员重置")


# -- who ---------------------------------------------------------------------------------
def required_for(user: User) -> bool:
    """Whether one of the user's roles is in TOTP_REQUIRED_ROLES."""
    required = set(current_app.config.get("TOTP_REQUIRED_ROLES", ()))
    return bool(required & user.role_codes)


def may_enrol(user: User) -> bool:
    """Staff (users of a unit) may enrol; portal accounts of rights holders do not."""
    return user.unit_id is not None


def enrolment(user: User) -> UserTotp | None:
    """The user's confirmed TOTP secret, if any."""
    row = db.session.get(UserTotp, user.id)
    return row if row is not None and row.confirmed_at is not None else None


def is_enrolled(user: User) -> bool:
    return enrolment(user) is not None


def applies(user: User) -> bool:
    """Whether a login of this user needs a second factor: required for the role, or chosen."""
    return required_for(user) or is_enrolled(user)


# -- codes -------------------------------------------------------------------------------
def current_step(now: float | None = None) -> int:
    return int(time.time() if now is None else now) // PERIOD


def code_at(secret: str, step: int) -> str:
    """The 6-digit code of a time step."""
    return pyotp.TOTP(secret, digits=6, interval=PERIOD).generate_otp(step)


def _readable_secret(row: UserTotp) -> str | None:
    """The row's seed, or None (logged) when this deployment's key does not open it: the
    key changed without ``flask users totp-reseal``. No code matches; an administrator
    resets the factor."""
    try:
        return row.secret
    except sealing.Unreadable as error:
        current_app.logger.error("TOTP seed of user %s does not open: %s", row.user_id, error)
        return None


def _matching_step(secret: str | None, code: str) -> int | None:
    """The latest time step within the window whose code is ``code``."""
    if secret is None:
        return None
    now = current_step()
    for step in range(now + WINDOW, now - WINDOW - 1, -1):
        if secrets.compare_digest(code_at(secret, step), code):
            return step
    return None


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) was: one winner per step."""
    result = db.session.execute(
        update(UserTotp)
        .where(UserTotp.user_id == user.id, UserTotp.confirmed_at.is_not(None),
               or_(UserTotp.last_step.is_(None), UserTotp.last_step < step))
        .values(last_step=step).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _claim_recovery_code(user: User, code: str) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_hash(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def verify_code(user: User, code: str, *, ip=None, allow_recovery: bool = True) -> str:
    """Accept a TOTP code (each time step once) or, if allowed, an unused recovery code;
    returns which ("totp" or "recovery_code"). A wrong or replayed code is audited
    ``auth.totp_failed`` and counted towards the lock-out; a locked account is refused even
    with the right code. Commits either way."""
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        audit.record("auth.totp_failed", actor=user, ip=ip, reason="locked")
        db.session.commit()
        raise SecondFactorFailed(locked=True)
    row = enrolment(user)
    code = _normalise(code or "")
    if row is not None and code.isdigit() and len(code) == 6:
        step = _matching_step(_readable_secret(row), code)
        if step is not None and _claim_step(user, step):
            db.session.commit()
            return "totp"
        reason = "wrong_code" if step is None else "replayed"
    elif row is not None and allow_recovery and code and _claim_recovery_code(user, code):
        audit.record("auth.recovery_code_used", actor=user, ip=ip,
                     remaining=unused_recovery_codes(user))
        db.session.commit()
        return "recovery_code"
    else:
        reason = "wrong_code"
    services.count_failure(user, now, ip, action="auth.totp_failed", reason=reason)
    db.session.commit()
    raise SecondFactorFailed(locked=user.locked_until is not None and user.locked_until > now)


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


# -- login -------------------------------------------------------------------------------
def await_second_factor(user: User, *, ip=None) -> bool:
    """Record that the password was right and a code (or, for a required role not yet
    enrolled, the enrolment) is awaited; whether the user is enrolled. Commits."""
    enrolled = is_enrolled(user)
    audit.record("auth.totp_pending", actor=user, ip=ip,
                 step="code" if enrolled else "enrolment")
    db.session.commit()
    return enrolled


def complete_login(user: User, code: str, *, ip=None) -> None:
    """The second step of a web login: the code (or a recovery code) is right."""
    factor = verify_code(user, code, ip=ip)
    services.complete_login(user, ip=ip, second_factor=factor)


def authenticate_api(username: str, password: str, code, *, ip=None) -> User:
    """The API's token exchange: password, and for a TOTP user a current code as well
    (recovery codes are for the web login of someone who lost the device)."""
    user = services.verify_password(username, password, ip=ip)
    if not applies(user):
        services.complete_login(user, ip=ip)
        return user
    if not is_enrolled(user):
        raise EnrolmentRequired()
    if not isinstance(code, str) or not code.strip():
        raise SecondFactorMissing()
    verify_code(user, code, ip=ip, allow_recovery=False)
    services.complete_login(user, ip=ip, second_factor="totp")
    return user


# -- enrolment and management ------------------------------------------------------------
def begin_enrolment(user: User) -> UserTotp:
    """The unconfirmed secret the user is enrolling with (the same one until confirmed, so
    that reloading the page does not void a code already scanned). Commits."""
    row = db.session.get(UserTotp, user.id)
    if row is not None and row.confirmed_at is not None:
        raise ValueError(f"{user.username} is already enrolled")
    if row is None:
        row = UserTotp.new(user.id, pyotp.random_base32())
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:  # a second tab began at the same moment: use its secret
            db.session.rollback()
            row = db.session.get(UserTotp, user.id)
    return row


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, digits=6, interval=PERIOD).provisioning_uri(
        name=user.username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (drawn here, nothing fetched)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def confirm_enrolment(user: User, code: str, *, ip=None) -> list[str] | None:
    """Activate the secret being enrolled once the user proves it with a first code; the new
    recovery codes (shown once), or None when the code is wrong (not counted: whoever is
    here already sees the secret). Commits."""
    row = db.session.get(UserTotp, user.id)
    if row is None or row.confirmed_at is not None:
        return None
    code = _normalise(code or "")
    step = (_matching_step(_readable_secret(row), code)
            if code.isdigit() and len(code) == 6 else None)
    if step is None:
        return None
    row.confirmed_at, row.last_step = utcnow(), step
    codes = _new_recovery_codes(user)
    audit.record("auth.totp_enrolled", actor=user, obj_type="user", obj_id=user.id,
                 unit_id=user.unit_id, ip=ip, required=required_for(user))
    db.session.commit()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones (flushes); returns them in clear."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User, code: str, *, ip=None) -> list[str]:
    """New recovery codes (the old ones die), after a current TOTP code. Commits."""
    verify_code(user, code, ip=ip, allow_recovery=False)
    codes = _new_recovery_codes(user)
    audit.record("auth.recovery_codes_regenerated", actor=user, obj_type="user",
                 obj_id=user.id, ip=ip)
    db.session.commit()
    return codes


def disable(user: User, code: str, *, ip=None) -> None:
    """Turn off a voluntary second factor, after a current TOTP code. Commits."""
    if required_for(user):
        raise TotpRequiredByRole()
    verify_code(user, code, ip=ip, allow_recovery=False)
    _forget(user)
    audit.record("auth.totp_disabled", actor=user, obj_type="user", obj_id=user.id, ip=ip)
    db.session.commit()


def reset(user: User, *, actor=None, ip=None) -> None:
    """An administrator's reset (lost phone): secret and recovery codes are deleted and every
    session and token of the user revoked; the next login enrols afresh. Commits."""
    _forget(user)
    audit.record("auth.totp_reset", actor=actor, obj_type="user", obj_id=user.id,
                 unit_id=user.unit_id, ip=ip, username=user.username)
    services.revoke_sessions(user, reason="totp_reset", actor=actor, ip=ip)
    db.session.commit()


def reseal_all(old_key: bytes) -> tuple[int, int]:
    """Seal every seed again under the current key, after a change of key: ``old_key`` opens
    the seeds not yet sealed under the current one. Returns (resealed, unreadable): a seed
    neither key opens is left as it is (its user's factor needs a reset). Commits."""
    current = sealing.key_of(current_app.config)
    resealed = unreadable = 0
    for row in db.session.scalars(select(UserTotp).order_by(UserTotp.user_id)):
        context = UserTotp.context(row.user_id)
        try:
            sealing.unseal(row.sealed_secret, context, current)
            continue
        except sealing.Unreadable:
            pass
        try:
            plain = sealing.unseal(row.sealed_secret, context, old_key)
        except sealing.Unreadable:
            unreadable += 1
            continue
        row.sealed_secret = sealing.seal(plain, context, current)
        resealed += 1
    audit.record("auth.totp_resealed", resealed=resealed, unreadable=unreadable)
    db.session.commit()
    return resealed, unreadable


def _forget(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(UserTotp).where(UserTotp.user_id == user.id))
    db.session.flush()
