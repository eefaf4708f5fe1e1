"""Passwords, login with lock-out, session revocation and API tokens."""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from enforcement.audit import services as audit
from enforcement.auth.models import ApiToken, Role, User
from enforcement.auth.passwords import password_problem
from enforcement.db import utcnow
from enforcement.errors import DomainError
from enforcement.extensions import db

#: argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane: Password Storage
#: Cheat Sheet): about 20 ms of one core here, against 160 ms for the library's default
#: (64 MiB, 3 passes, 4 lanes), which made every login a tenth of a core-second under load.
#: Hashes with other parameters still verify and are replaced at the next right password.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: verified against when the username is unknown, so both cases take the same time
_DUMMY_HASH = _hasher.hash("not-a-password")


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"

    def __init__(self, locked: bool = False):
        super().__init__(locked)
        self.locked = locked

    def message(self):
        if self.locked:
            return _("登录失败次数过多，账户已暂时锁定，请稍后再试或联系管理员")
        return _("用户名或密码错误")


class WeakPassword(DomainError):
    status = 422
    code = "weak_password"

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem

    def message(self):
        return self.problem


def hash_password(password: str, *, username: str | None = None) -> str:
    """The argon2 hash of a new password that passes the rules (auth.passwords)."""
    problem = password_problem(password, username=username)
    if problem is not None:
        raise WeakPassword(problem)
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str, *, ip=None) -> User:
    """The user, after a successful login (committed); LoginFailed otherwise (also committed).
    For a user who must give a second factor, see auth.totp (verify_password, then the code)."""
    user = verify_password(username, password, ip=ip)
    complete_login(user, ip=ip)
    return user


def verify_password(username: str, password: str, *, ip=None) -> User:
    """The first factor only: the user whose password is right and who is not locked out.
    Failures are counted and committed; a success resets nothing and logs nobody in, so
    that a known password cannot clear the failures of wrong second-factor codes."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    now = utcnow()
    if user is None:
        _verify(_DUMMY_HASH, password)
        audit.record("auth.login_failed", ip=ip, username=username[:64], reason="unknown_user")
        db.session.commit()
        raise LoginFailed()
    if user.locked_until is not None and user.locked_until > now:
        audit.record("auth.login_failed", actor=user, ip=ip, reason="locked")
        db.session.commit()
        raise LoginFailed(locked=True)
    if not _verify(user.password_hash, password) or not user.active:
        count_failure(user, now, ip)
        db.session.commit()
        raise LoginFailed(locked=user.locked_until is not None and user.locked_until > now)
    if _hasher.check_needs_rehash(user.password_hash):
        # stored with the login (or the second factor's pending marker) that follows
        user.password_hash = _hasher.hash(password)
    return user


def complete_login(user: User, *, ip=None, **detail) -> None:
    """Record a login whose every factor was right: the failure count starts again."""
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    audit.record("auth.login", actor=user, unit_id=user.unit_id, ip=ip, **detail)
    db.session.commit()


def count_failure(user, now, ip, *, action="auth.login_failed", reason=None):
    """One more failed attempt (password or second-factor code); the fifth locks the account.
    Flushes; the caller commits."""
    user.failed_logins += 1
    if reason is None:
        reason = "inactive" if not user.active else "bad_password"
    audit.record(action, actor=user, ip=ip, reason=reason, failures=user.failed_logins)
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
        user.failed_logins = 0
        audit.record("auth.locked", actor=user, ip=ip, until=user.locked_until.isoformat())


def revoke_sessions(user: User, *, reason: str, actor=None, ip=None) -> None:
    """Invalidate every session and token of the user (logout, disable, password change)."""
    user.session_version += 1
    audit.record("auth.sessions_revoked", actor=actor or user, obj_type="user", obj_id=user.id,
                 ip=ip, reason=reason)


def logout(user: User, *, ip=None) -> None:
    revoke_sessions(user, reason="logout", ip=ip)
    db.session.commit()


def change_password(user: User, new_password: str, *, actor, ip=None) -> None:
    user.password_hash = hash_password(new_password, username=user.username)
    revoke_sessions(user, reason="password_changed", actor=actor, ip=ip)
    db.session.commit()


def set_active(user: User, active: bool, *, actor, ip=None) -> None:
    user.active = active
    revoke_sessions(user, reason="enabled" if active else "disabled", actor=actor, ip=ip)
    db.session.commit()


def create_user(username, full_name, password, *, roles, unit=None, credential_no=None,
                actor=None) -> User:
    user = User(username=username, full_name=full_name,
                password_hash=hash_password(password, username=username),
                unit_id=unit.id if unit else None, credential_no=credential_no)
    user.roles = list(db.session.scalars(select(Role).where(Role.code.in_(roles))))
    if len(user.roles) != len(set(roles)):
        raise ValueError(f"unknown role in {roles}")
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, obj_type="user", obj_id=user.id,
                 unit_id=user.unit_id, username=username, roles=sorted(roles))
    return user


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, *, ip=None) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    lifetime: timedelta = current_app.config["API_TOKEN_LIFETIME"]
    token = ApiToken(user_id=user.id, token_hash=_token_hash(raw),
                     session_version=user.session_version, expires_at=utcnow() + lifetime)
    db.session.add(token)
    db.session.flush()
    audit.record("auth.token_issued", actor=user, unit_id=user.unit_id, ip=ip, token=token.id)
    db.session.commit()
    return raw, token


def user_for_token(raw: str) -> User | None:
    """The token's user, with its unit and roles in the same statement (every API request
    needs both)."""
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(raw))
        .options(joinedload(ApiToken.user).joinedload(User.roles))).unique().scalar()
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = token.user
    if not user.active or user.session_version != token.session_version:
        return None
    return user


def user_for_session(session_id: str) -> User | None:
    """Flask-Login's loader: ``id:version``; an older version is a revoked session. The user
    comes with its unit and roles in one statement (every page needs both)."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id, options=(joinedload(User.roles),))
    if user is None or not user.active or user.session_version != version:
        return None
    return user
