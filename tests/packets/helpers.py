"""Shared helpers of the packet tests: demo referrals, evidence on them, packets as bytes."""
import io
import zipfile

from sqlalchemy import select

from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import get_storage
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.referrals.models import Referral, ReferralKind


def referral_to(unit_code: str, kind: ReferralKind) -> Referral:
    """The first demo referral of a kind addressed to a unit."""
    return db.session.scalar(
        select(Referral).join(OrgUnit, OrgUnit.id == Referral.unit_id)
        .where(OrgUnit.code == unit_code, Referral.kind == kind).order_by(Referral.id))


def add_evidence(case_id: int, name: str, data: bytes, content_type="image/jpeg") -> Evidence:
    """An evidence file stored as an upload stores it (bytes in storage, hash on the row)."""
    key, size, sha256 = get_storage().put(io.BytesIO(data))
    evidence = Evidence(case_id=case_id, original_name=name, content_type=content_type,
                        size=size, sha256=sha256, storage_key=key, description="现场照片")
    db.session.add(evidence)
    db.session.commit()
    return evidence


def members(packet: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(packet)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(contents: dict[str, bytes]) -> bytes:
    """A ZIP of the given members, stored as the builder stores them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return out.getvalue()


def download(browser, username: str, referral_id: int):
    browser.login(username)
    response = browser.client.get(f"/referrals/{referral_id}/packet")
    browser.logout()
    return response
