"""The world of the access matrix: one demo user per role, and objects of every side.

The objects are picked from the demo database (and a few built here through the services);
which ones are own and foreign is stated per role from DESIGN §1 (``SIDES``), not taken from
``enforcement.cases.scope``. :class:`Matrix` holds them with one logged-in client per role.
"""
import io
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from enforcement.campaigns import services as campaigns
from enforcement.campaigns.models import Campaign
from enforcement.cases import services
from enforcement.cases.models import Case, CaseParty
from enforcement.db import local_today
from enforcement.demo.reference import USERS
from enforcement.demo.seed import DemoCases
from enforcement.documents.models import Document
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import Party
from enforcement.publicity.models import PublicationEntry
from enforcement.referrals.models import Referral, ReferralKind
from enforcement.reports.models import Report
from tests.conftest import case_in_state, user
from tests.notifications.helpers import ask_identification, today_filed
from tests.security.access_routes import Target
from tests.web import ApiUser, logged_in

# -- the world: objects of every side ---------------------------------------------------------

#: one demo user per role (DESIGN §1); a role added later must be given one here
ROLE_USERS = {
    "admin": "admin", "auditor": "auditor", "supervisor": "supervisor",
    "bureau_head": "linhe_head", "legal_reviewer": "linhe_reviewer",
    "unit_head": "linhe_unit_head", "inspector": "linhe_inspector1",
    "station": "station_linhe", "police": "police_linhe", "procurator": "procurator_city",
    "court": "court_linhe", "rights_holder": "holder_hetao",
}
#: role -> (its own targets, the foreign ones)
SIDES = {
    "admin": ((), ("linhe", "wuyuan", "police", "court")),
    "auditor": ((), ("linhe", "wuyuan", "police", "court")),
    "supervisor": (("linhe", "wuyuan", "city", "police", "court"), ()),
    "bureau_head": (("linhe",), ("wuyuan", "city")),
    "legal_reviewer": (("linhe",), ("wuyuan", "city")),
    "unit_head": (("linhe",), ("wuyuan", "city")),
    "inspector": (("linhe",), ("wuyuan", "city")),
    "station": (("station",), ("linhe", "wuyuan", "agent")),
    "police": (("police",), ("wuyuan", "city", "court")),
    "procurator": (("police",), ("wuyuan", "court")),
    "court": (("court",), ("police", "wuyuan", "city")),
    "rights_holder": (("holder",), ("wuyuan", "station", "court")),
}


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def unit(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def case_secrets(*case_ids) -> set[str]:
    """The case numbers and party names of these cases."""
    out = set()
    for case in db.session.scalars(select(Case).where(Case.id.in_(case_ids))):
        out |= {case.report_no} | ({case.case_no} if case.case_no else set())
    out |= set(db.session.scalars(select(Party.name).join(
        CaseParty, CaseParty.party_id == Party.id).where(CaseParty.case_id.in_(case_ids))))
    return out


def first_document(case_id: int, *types) -> int:
    query = select(Document.id).where(Document.case_id == case_id,
                                      Document.revoked_at.is_(None))
    if types:
        query = query.where(Document.doc_type.in_(types))
    return db.session.scalar(query.order_by(Document.id))


def upload_photo(case: Case, username: str) -> int:
    items = MultiDict([("title", "现场照片"),
                       ("files", FileStorage(io.BytesIO(jpeg()), filename="scene.jpg"))])
    services.perform(case.id, "record_evidence", user(username), items,
                     expected_version=case.version)
    return db.session.scalar(select(Evidence.id).where(Evidence.case_id == case.id)
                             .order_by(Evidence.id.desc()))


def referral_of(case_id: int, kind: ReferralKind) -> Referral:
    return db.session.scalar(select(Referral).where(Referral.case_id == case_id,
                                                    Referral.kind == kind)
                             .order_by(Referral.id.desc()))


def city_publication() -> PublicationEntry:
    """A decision of the city bureau, published (the demo publishes 临河区's only)."""
    users = {u: user(u) for u, *_rest in USERS}
    demo = DemoCases(unit("city_amr"), users)
    case = demo.act(demo.to_decided(demo.new_case(90), serve=True), "publish", demo.head)
    return db.session.scalar(select(PublicationEntry).where(PublicationEntry.case_id == case.id))


def build_targets() -> dict[str, Target]:
    today = local_today()
    # 临河区: a 河套 case under investigation whose holder was asked to identify a photo
    linhe_case = today_filed()
    ask_identification(linhe_case, photos=[("seized.jpg", jpeg())])
    photo = db.session.scalar(select(Evidence.id).where(Evidence.case_id == linhe_case))
    referred = case_in_state("referred")
    linhe_entry = db.session.scalar(select(PublicationEntry).where(
        PublicationEntry.unit_id == unit("linhe_amr").id).order_by(PublicationEntry.id))
    demo_campaign = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    linhe = Target("linhe", case_id=linhe_case, evidence_id=photo,
                   document_id=first_document(linhe_case), campaign_id=demo_campaign,
                   referral_id=referral_of(referred.id, ReferralKind.police).id,
                   publication_id=linhe_entry.id, unit_id=unit("linhe_amr").id,
                   secrets=case_secrets(linhe_case, referred.id, linhe_entry.case_id))
    # 五原县: its case under investigation, with a photo; a campaign of its own district
    wuyuan_case = case_in_state("investigating", "wuyuan_amr")
    wuyuan_photo = upload_photo(wuyuan_case, "wuyuan_inspector1")
    wuyuan_campaign = campaigns.save_campaign(user("wuyuan_head"), campaigns.CampaignData(
        name="五原县向日葵专项（矩阵）", starts_on=today, ends_on=today + timedelta(days=30),
        lead_unit_id=unit("wuyuan_amr").id, districts=["wuyuan"]))
    wuyuan = Target("wuyuan", case_id=wuyuan_case.id, evidence_id=wuyuan_photo,
                    document_id=first_document(wuyuan_case.id), campaign_id=wuyuan_campaign.id,
                    unit_id=unit("wuyuan_amr").id, secrets=case_secrets(wuyuan_case.id)
                    | {wuyuan_campaign.name})
    # the city bureau: a transfer to the city police that stayed there, a publication
    single = select(Referral.case_id).group_by(Referral.case_id).having(func.count() == 1)
    city_referral = db.session.scalar(select(Referral).where(
        Referral.unit_id == unit("city_police").id, Referral.case_id.in_(single))
        .order_by(Referral.id))
    city_entry = city_publication()
    city = Target("city", case_id=city_referral.case_id, referral_id=city_referral.id,
                  document_id=first_document(city_referral.case_id, "transfer_letter"),
                  publication_id=city_entry.id, unit_id=unit("city_amr").id,
                  secrets=case_secrets(city_referral.case_id, city_entry.case_id))
    # what the 临河 police received (copied to the procuratorate) and the 临河 court's
    police = Target("police", case_id=referred.id,
                    referral_id=referral_of(referred.id, ReferralKind.police).id,
                    document_id=first_document(referred.id, "transfer_letter"),
                    secrets=case_secrets(referred.id))
    enforced = case_in_state("court_enforcement")
    court = Target("court", case_id=enforced.id,
                   referral_id=referral_of(enforced.id, ReferralKind.court).id,
                   document_id=first_document(enforced.id, "penalty_decision"),
                   secrets=case_secrets(enforced.id))
    # the portal: the 临河 station's report, an agent's, and the holder's own case
    reports = {r.idempotency_key: r for r in db.session.scalars(select(Report))}
    station_report, agent_report = reports["demo:station-linhe"], reports["demo:agent-hetao"]
    station = Target("station", tracking_no=station_report.tracking_no,
                     secrets=case_secrets(station_report.case_id))
    agent = Target("agent", tracking_no=agent_report.tracking_no,
                   secrets=case_secrets(agent_report.case_id))
    holder = Target("holder", case_id=linhe_case, evidence_id=photo)
    db.session.commit()
    return {t.name: t for t in (linhe, wuyuan, city, police, court, station, agent, holder)}


@dataclass
class Matrix:
    app: object
    targets: dict[str, Target]
    demo_campaign_id: int
    rule_id: int
    clients: dict = field(default_factory=dict)

    def web(self, role):
        if ("web", role) not in self.clients:
            browser = logged_in(self.app, ROLE_USERS[role])
            browser.token = browser.csrf("/workflow")
            self.clients["web", role] = browser
        return self.clients["web", role]

    def api(self, role):
        if ("api", role) not in self.clients:
            self.clients["api", role] = ApiUser(self.app, ROLE_USERS[role])
        return self.clients["api", role]
