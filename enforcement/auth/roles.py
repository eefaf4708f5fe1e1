"""Bringing the permission and role tables in line with the catalogue."""
from sqlalchemy import select

from enforcement.auth.models import Permission, Role
from enforcement.auth.permissions import PERMISSIONS, ROLES
from enforcement.extensions import db


def sync_roles() -> None:
    """Create or update every permission and role of the catalogue (flushes, never commits)."""
    permissions = {p.code: p for p in db.session.scalars(select(Permission))}
    for code, label in PERMISSIONS.items():
        permission = permissions.get(code) or Permission(code=code)
        permission.label = str(label)
        permissions[code] = permission
        db.session.add(permission)
    roles = {r.code: r for r in db.session.scalars(select(Role))}
    for code, (label, granted) in ROLES.items():
        role = roles.get(code) or Role(code=code)
        role.label = str(label)
        role.permissions = [permissions[p] for p in sorted(granted)]
        db.session.add(role)
    db.session.flush()
