"""Users, roles, API tokens and second-factor (TOTP) secrets."""
from datetime import datetime
from functools import cache

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.auth import sealing
from enforcement.auth.permissions import ROLES
from enforcement.db import UTCDateTime, utcnow
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit

role_permissions = Table(
    "role_permissions",
    db.metadata,
    Column("role_code", ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True),
    Column("permission_code", ForeignKey("permissions.code", ondelete="CASCADE"), primary_key=True),
)

user_roles = Table(
    "user_roles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_code", ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True),
)


class Permission(db.Model):
    __tablename__ = "permissions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))


class Role(db.Model):
    __tablename__ = "roles"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    #: the table form of the catalogue, for queries ("who holds permission X"); a user's
    #: permissions are read from the catalogue itself (``User.permissions``)
    permissions: Mapped[list[Permission]] = relationship(secondary=role_permissions)


@cache
def permissions_of(role_codes: tuple[str, ...]) -> frozenset[str]:
    """The permissions the catalogue grants to a set of roles (unknown roles grant none)."""
    return frozenset(p for code in role_codes for p in ROLES.get(code, ("", ()))[1])


class User(db.Model):
    """用户 — a staff member, a receiving organ's officer or a rights holder."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: rights holders have no unit; every staff user has exactly one
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: 执法证号 — enforcement credential number; only credentialed staff may be assigned cases
    credential_no: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    #: raised by logout-everywhere, disable and password change: older sessions are refused
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: joined to the user's row: jurisdiction needs the unit (and its kind) on every request
    unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    #: read when asked for: the request's own user is loaded with them joined (auth.services);
    #: the other users a page shows (event actors, inspectors, uploaders) need only a name
    roles: Mapped[list[Role]] = relationship(secondary=user_roles)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @property
    def permissions(self) -> frozenset[str]:
        """The codes of all the user's roles' permissions, from the catalogue (the code is
        what ``flask roles sync`` writes into the role tables): no query per request."""
        return permissions_of(tuple(sorted(r.code for r in self.roles)))

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.roles)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # the session version is part of the id, so a raised version revokes the session
        return f"{self.id}:{self.session_version}"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserTotp(db.Model):
    """两步验证 — a user's TOTP secret (RFC 6238). A row without ``confirmed_at`` is an
    enrolment begun but not yet proven with a first code; it does not protect the login."""

    __tablename__ = "user_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: the base32 seed, sealed under the deployment's key and this row (``auth.sealing``):
    #: the codes are computed from it, so it cannot be hashed, but a copy of the database
    #: alone does not give it away
    sealed_secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the 30-second time step of the last accepted code: a step is accepted once only
    last_step: Mapped[int | None] = mapped_column(BigInteger)

    @staticmethod
    def context(user_id: int) -> str:
        """What a seed is sealed to: its own row."""
        return f"totp:{user_id}"

    @classmethod
    def new(cls, user_id: int, secret: str) -> "UserTotp":
        return cls(user_id=user_id, sealed_secret=sealing.seal(secret, cls.context(user_id)))

    @property
    def secret(self) -> str:
        """The seed in clear; ``sealing.Unreadable`` when no key of this deployment opens it."""
        return sealing.unseal(self.sealed_secret, self.context(self.user_id))


class RecoveryCode(db.Model):
    """A one-time recovery code (恢复码) of a TOTP user; only its SHA-256 is stored (the codes
    carry 80 random bits, so a plain hash is enough)."""

    __tablename__ = "totp_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
