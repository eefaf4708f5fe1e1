"""Who gets a packet (issue 7: jurisdiction), and that every download is recorded."""
import hashlib
import json

import pytest
from sqlalchemy import select

from enforcement.audit.models import AuditEntry
from enforcement.auth.services import create_user
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.packets.build import PacketIntegrityError
from enforcement.packets.models import BuildStatus, PacketBuild, downloads_for
from enforcement.referrals.models import ReferralKind
from tests.conftest import DEMO_PASSWORD
from tests.packets.helpers import download, members, referral_to


def audit_rows(action: str, referral_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "referral",
        AuditEntry.object_id == str(referral_id)).order_by(AuditEntry.seq)))


def is_packet(response) -> bool:
    return (response.status_code == 200 and response.mimetype == "application/zip"
            and "manifest.json" in members(response.get_data()))


def test_receiving_police_unit_downloads_and_the_download_is_recorded(browser,
                                                                       police_referral):
    response = download(browser, "police_linhe", police_referral.id)
    assert is_packet(response)
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    manifest = members(response.get_data())["manifest.json"]
    (record,) = downloads_for(police_referral.id)
    assert record.user.username == "police_linhe"
    assert record.unit.code == "linhe_police"
    assert record.via == "web" and record.status is BuildStatus.completed
    assert record.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    assert record.file_count == len(json.loads(manifest)["files"])
    assert str(record.id) == response.headers["X-Packet-Build"]
    (entry,) = audit_rows("packet.download", police_referral.id)
    assert entry.actor_name == "police_linhe" and entry.detail["build_id"] == record.id


def test_other_police_unit_gets_404_and_the_denial_is_audited(browser, police_referral):
    """police_city is the city police: a transfer sent to the 临河 unit is not its own."""
    response = download(browser, "police_city", police_referral.id)
    assert response.status_code == 404
    (denial,) = audit_rows("access.denied", police_referral.id)
    assert denial.actor_name == "police_city" and denial.detail["reason"] == "not_visible"
    assert downloads_for(police_referral.id) == []


def test_missing_referral_looks_like_a_foreign_one(browser, app):
    response = download(browser, "police_linhe", 999999)
    assert response.status_code == 404
    assert audit_rows("access.denied", 999999)[0].detail["reason"] == "missing"


def test_procuratorate_copied_gets_it_another_does_not(browser, police_referral):
    # the transfer was copied to 临河区人民检察院; the city procuratorate is above it
    assert is_packet(download(browser, "procurator_city", police_referral.id))
    wuyuan = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "wuyuan_procuratorate"))
    create_user("procurator_wuyuan", "五原检察", DEMO_PASSWORD, roles=["procurator"],
                unit=wuyuan)
    db.session.commit()
    assert download(browser, "procurator_wuyuan", police_referral.id).status_code == 404


def test_court_only_gets_applications_addressed_to_it(browser, police_referral):
    court_referral = referral_to("linhe_court", ReferralKind.court)
    assert court_referral is not None
    response = download(browser, "court_linhe", court_referral.id)
    assert is_packet(response)
    manifest = json.loads(members(response.get_data())["manifest.json"])
    types = {d["type"] for d in manifest["documents"]}
    assert {"enforcement_application", "penalty_decision"} <= types
    assert not types & {"transfer_letter", "filing_approval", "review_form"}
    assert manifest["referral"]["kind"] == "court"
    # a court never gets a police transfer, nor the police a court application
    assert download(browser, "court_linhe", police_referral.id).status_code == 404
    assert download(browser, "police_linhe", court_referral.id).status_code == 404
    assert download(browser, "procurator_city", court_referral.id).status_code == 404


def test_handling_bureau_reads_its_own_referrals_only(browser, police_referral):
    assert is_packet(download(browser, "linhe_inspector1", police_referral.id))
    assert is_packet(download(browser, "supervisor", police_referral.id))
    assert download(browser, "wuyuan_inspector1", police_referral.id).status_code == 404
    # the rights holder follows its report, never the packet sent to the police
    assert download(browser, "holder_hetao", police_referral.id).status_code == 404
    assert download(browser, "station_linhe", police_referral.id).status_code == 404


def test_packet_needs_a_login(client, police_referral):
    response = client.get(f"/referrals/{police_referral.id}/packet")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_api_download_with_the_same_jurisdiction(api, client, police_referral):
    path = f"/api/v1/referrals/{police_referral.id}/packet"
    assert client.get(path).status_code == 401
    response = api.as_user("police_linhe").get(path)
    assert is_packet(response)
    assert downloads_for(police_referral.id)[0].via == "api"
    denied = api.as_user("police_city").get(path)
    assert denied.status_code == 404
    assert denied.get_json()["error"]["code"] == "not_found"
    court = referral_to("linhe_court", ReferralKind.court)
    assert api.as_user("court_linhe").get(f"/api/v1/referrals/{court.id}/packet") \
        .status_code == 200
    assert api.get(path).status_code == 404  # still court_linhe


def test_api_documents_the_packet_path(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/api/v1/referrals/{referral_id}/packet"]["get"]
    assert "application/zip" in operation["responses"]["200"]["content"]


def test_tampered_evidence_aborts_the_build(browser, police_referral):
    """A stored file that no longer matches its upload hash stops the stream: the receiver
    never gets a signed manifest vouching for it, and the failure is recorded."""
    from pathlib import Path

    from enforcement.evidence.models import Evidence
    from enforcement.evidence.storage import get_storage

    evidence = db.session.scalars(select(Evidence).where(
        Evidence.case_id == police_referral.case_id).order_by(Evidence.id.desc())).first()
    stored = Path(get_storage()._path(evidence.storage_key))
    stored.write_bytes(stored.read_bytes()[:-1] + b"!")
    browser.login("police_linhe")
    response = browser.client.get(f"/referrals/{police_referral.id}/packet")
    with pytest.raises(PacketIntegrityError, match="SHA-256"):
        b"".join(response.response)  # the stream stops at the altered file
    (record,) = downloads_for(police_referral.id)
    assert record.status is BuildStatus.failed and record.manifest_sha256 is None
    (entry,) = audit_rows("packet.integrity_failed", police_referral.id)
    assert entry.detail["path"].startswith("evidence/")
    assert db.session.scalar(select(PacketBuild.id)) == record.id


def test_forwarded_transfer_moves_the_packet_to_the_new_unit(browser, app):
    """The unit that forwards a transfer (within 24 hours) stops receiving its materials."""
    from werkzeug.datastructures import MultiDict

    from enforcement.cases import services
    from enforcement.cases.models import Case
    from enforcement.referrals.models import Referral
    from tests.conftest import user
    from workflows.states import CaseState

    linhe, city = (db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
                   for code in ("linhe_police", "city_police"))
    original = db.session.scalar(
        select(Referral).join(Case, Case.id == Referral.case_id)
        .where(Referral.unit_id == linhe, Referral.acknowledged_at.is_(None),
               Case.state == CaseState.referred).order_by(Referral.id))
    original_id, case_id = original.id, original.case_id
    services.perform(case_id, "acknowledge_transfer", user("police_linhe"),
                     MultiDict({"note": "已签收。"}))
    services.perform(case_id, "forward_transfer", user("police_linhe"),
                     MultiDict({"police_unit": str(city), "reason": "涉案数额较大，由市局管辖。"}))
    forwarded = db.session.scalar(select(Referral).where(Referral.case_id == case_id)
                                  .order_by(Referral.id.desc()))
    assert forwarded.id != original_id and forwarded.unit_id == city
    assert is_packet(download(browser, "police_city", forwarded.id))
    assert download(browser, "police_linhe", forwarded.id).status_code == 404
    assert download(browser, "police_linhe", original_id).status_code == 404
    assert is_packet(download(browser, "procurator_city", forwarded.id))
