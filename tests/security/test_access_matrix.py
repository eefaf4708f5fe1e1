"""Access control proven as a matrix (issue 10 item 3, DESIGN §1).

Every route of the app is classified below; a route added without a classification fails
:func:`test_every_route_is_classified`. Each object route is tried by one demo user of every
role on objects of its own side and on foreign ones (another bureau, another police unit, a
court's, another reporter's): foreign answers 403/404 and shows none of the foreign case's
numbers or party names; own answers 200 where the role may read it. Lists, searches, inboxes,
drill-downs and exports show no foreign object. Posts carrying extra fields (unit, state,
version, status, assignee) change nothing beyond what the action does. Every denial leaves
exactly one audit row.

The objects are picked from the demo database (and a few built here through the services);
which ones are own and foreign is stated per role from DESIGN §1, not taken from
``enforcement.cases.scope``.
"""
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from enforcement import create_app
from enforcement.audit.models import AuditEntry
from enforcement.auth.permissions import ROLES
from enforcement.campaigns import services as campaigns
from enforcement.campaigns.models import Campaign
from enforcement.campaigns.stats import FIGURES
from enforcement.cases import services
from enforcement.cases.models import Case, CaseParty
from enforcement.db import local_today
from enforcement.demo.reference import USERS
from enforcement.demo.seed import DemoCases
from enforcement.documents.models import Document
from enforcement.errors import DENIAL_ACTIONS
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.main.queues import QUEUES
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import Party
from enforcement.publicity.models import PublicationEntry
from enforcement.referrals.models import Referral, ReferralKind
from enforcement.reports.models import Report
from enforcement.rules.catalogue import RULE_KINDS
from enforcement.rules.models import Rule
from tests.conftest import IsolatedClient, case_in_state, user
from tests.notifications.helpers import ask_identification, today_filed
from tests.web import ApiUser, logged_in

# -- the classification of every route ------------------------------------------------------

#: no login: the public portal, published penalties, document and packet verification
PUBLIC = {
    "auth.login", "accounts.register", "reports.home", "reports.new_report",
    "reports.submit_report", "reports.receipt", "reports.receipt_pdf", "reports.status",
    "reports.search_marks", "publicity.index", "publicity.entry", "publicity.pdf",
    "publicity.exposure", "publicity.feed", "packets.public_key", "packets.verify",
    "verify.start", "verify.show", "bootstrap.static",
    # the login's second step and forced enrolment: a login in progress, no session yet
    "auth.totp_login", "auth.totp_setup",
    # the API's open doors: a token for a password, the document, public penalties, and a
    # report's status for its tracking number and access code
    "api.token", "api.openapi", "api.public_penalties", "api.file_report",
    "api.report_status_api",
}
#: any signed-in user; nothing of a case or of a unit's work
SIGNED_IN = {
    "auth.logout", "auth.set_language", "main.index", "main.workflow", "main.workflow_svg",
    "clocks.calculator", "clocks.kinds", "clocks.kind", "referrals.inbox",
    # one's own second factor
    "auth.totp_account", "auth.totp_recovery_codes", "auth.totp_disable",
}
#: gated by a permission alone (no jurisdiction): the URL tried and who may open it
PERMISSION_ROUTES = {
    "clocks.calendar_years": ("/admin/calendar", {"admin.rules"}),
    "clocks.calendar_year": (f"/admin/calendar/{local_today().year}", {"admin.rules"}),
    "rules.index": ("/rules/", {"admin.rules", "case.read"}),
    "rules.new": (f"/rules/{next(iter(RULE_KINDS))}/new", {"admin.rules"}),
    "rules.edit": ("/rules/versions/{rule_id}/edit", {"admin.rules"}),
    "audit.index": ("/audit/", {"audit.read"}),
    "audit.export": ("/audit/export.csv", {"audit.read"}),
    "campaigns.field_work": ("/campaigns/field-work", {"fieldwork.record"}),
    "accounts.mandates": ("/portal/mandates", {"report.file"}),
}


@dataclass
class Target:
    """Objects on one side of a jurisdiction line, and the strings that identify them."""

    name: str
    case_id: int | None = None
    evidence_id: int | None = None
    document_id: int | None = None
    referral_id: int | None = None
    publication_id: int | None = None
    campaign_id: int | None = None
    unit_id: int | None = None
    tracking_no: str | None = None
    #: case numbers and party names that must not reach anyone on the other side
    secrets: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Call:
    """One request of the matrix; ``read``: a page or file the own side opens (200)."""

    endpoint: str
    method: str
    path: str
    api: bool = False
    read: bool = False
    data: dict | None = None
    #: a search: the string searched for (the page may echo it; nothing may be found)
    searched: str | None = None


def _if(*values):
    return all(v is not None for v in values)


def object_calls(t: Target) -> list[Call]:
    """Every object route, built for the target's objects (routes it has no object for are
    left out)."""
    calls = []

    def add(ok, endpoint, path, method="GET", **kw):
        if ok:
            calls.append(Call(endpoint, method, path, **kw))

    c, e, d, r = t.case_id, t.evidence_id, t.document_id, t.referral_id
    p, k, u, n = t.publication_id, t.campaign_id, t.unit_id, t.tracking_no
    add(_if(c), "cases.detail", f"/cases/{c}", read=True)
    add(_if(c), "cases.action", f"/cases/{c}/actions/record_inspection")
    add(_if(c), "cases.action", f"/cases/{c}/actions/record_inspection", "POST",
        data={"version": "1", "place": "x", "content": "x"})
    add(_if(c, e), "evidence.download", f"/cases/{c}/evidence/{e}", read=True)
    add(_if(c, e), "evidence.thumbnail", f"/cases/{c}/evidence/{e}/thumbnail", read=True)
    add(_if(d), "documents.download", f"/documents/{d}/pdf", read=True)
    add(_if(d), "documents.correct", f"/documents/{d}/correct", "POST", data={"reason": "x"})
    add(_if(r), "referrals.detail", f"/referrals/{r}", read=True)
    add(_if(r), "referrals.action", f"/referrals/{r}/actions/acknowledge_transfer")
    add(_if(r), "referrals.action", f"/referrals/{r}/actions/acknowledge_transfer", "POST",
        data={"version": "1", "note": "x"})
    add(_if(r), "packets.download", f"/referrals/{r}/packet", read=True)
    add(_if(p), "publicity.staff_entry", f"/penalties/staff/{p}", read=True)
    for action in ("revocation", "withdraw", "repair", "typical"):
        endpoint = {"revocation": "record_revocation", "repair": "remove_early"}.get(action,
                                                                                   action)
        add(_if(p), f"publicity.{endpoint}", f"/penalties/staff/{p}/{action}", "POST",
            data={"reason": "x", "typical": "1"})
    add(_if(c), "publicity.preview", f"/penalties/staff/cases/{c}/preview")
    add(_if(k), "campaigns.detail", f"/campaigns/{k}", read=True)
    add(_if(k), "campaigns.edit", f"/campaigns/{k}/edit")
    add(_if(k), "campaigns.add_case", f"/campaigns/{k}/cases", "POST", data={"number": "x"})
    add(_if(k), "campaigns.remove_case", f"/campaigns/{k}/cases/{c or 0}/remove", "POST",
        data={"reason": "x"})
    add(_if(k), "campaigns.quarterly", f"/stats/?campaign_id={k}")
    add(_if(k), "campaigns.drill", f"/stats/cases?figure=received&campaign_id={k}")
    add(_if(k), "campaigns.export", f"/stats/export.xlsx?campaign_id={k}")
    add(_if(k), "api.quarterly_stats", f"/api/v1/stats/quarterly?campaign_id={k}", api=True)
    add(_if(u), "campaigns.quarterly", f"/stats/?unit_id={u}", read=True)
    add(_if(u), "campaigns.drill", f"/stats/cases?figure=received&unit_id={u}", read=True)
    add(_if(u), "campaigns.export", f"/stats/export.csv?unit_id={u}", read=True)
    add(_if(u), "api.quarterly_stats", f"/api/v1/stats/quarterly?unit_id={u}", api=True,
        read=True)
    add(_if(c), "holder.identification", f"/holder/identification/{c}", read=True)
    add(_if(c, e), "holder.photo", f"/holder/identification/{c}/photos/{e}", read=True)
    add(_if(c), "holder.mediation", f"/holder/cases/{c}/mediation", read=True)
    add(_if(n), "reports.my_report", f"/portal/mine/{n}", read=True)
    add(_if(c), "api.get_case", f"/api/v1/cases/{c}", api=True, read=True)
    add(_if(c), "api.take_action", f"/api/v1/cases/{c}/actions/record_inspection", "POST",
        api=True, data={})
    add(_if(c), "api.upload_evidence", f"/api/v1/cases/{c}/evidence", "POST", api=True,
        data={})
    add(_if(d), "api.get_document", f"/api/v1/documents/{d}", api=True, read=True)
    add(_if(d), "api.get_document", f"/api/v1/documents/{d}?format=pdf", api=True, read=True)
    add(_if(r), "api.get_referral_packet", f"/api/v1/referrals/{r}/packet", api=True,
        read=True)
    return calls


#: object routes: built by :func:`object_calls`
OBJECT_ROUTES = {
    "cases.detail", "cases.action", "evidence.download", "evidence.thumbnail",
    "documents.download", "documents.correct", "referrals.detail", "referrals.action",
    "packets.download", "publicity.staff_entry", "publicity.record_revocation",
    "publicity.withdraw", "publicity.remove_early", "publicity.typical", "publicity.preview",
    "campaigns.detail", "campaigns.add_case", "campaigns.remove_case", "holder.identification",
    "holder.photo", "holder.mediation", "reports.my_report", "api.get_case",
    "api.take_action", "api.upload_evidence", "api.get_document", "api.get_referral_packet",
}


def list_calls(foreign: list[Target], campaign_id: int, stats: bool = True) -> list[Call]:
    """Lists, searches (by each foreign case number and party name), inboxes, drill-downs and
    exports; ``stats``: drill into every figure (else one try, refused)."""
    calls = [Call("main.dashboard", "GET", "/dashboard"),
             Call("cases.index", "GET", "/cases/"),
             Call("api.list_cases", "GET", "/api/v1/cases", api=True),
             Call("api.list_referrals", "GET", "/api/v1/referrals", api=True),
             Call("referrals.police_inbox", "GET", "/inbox/police?filter=all"),
             Call("referrals.procuratorate_inbox", "GET", "/inbox/procuratorate?filter=all"),
             Call("referrals.court_inbox", "GET", "/inbox/court?filter=all"),
             Call("campaigns.index", "GET", "/campaigns/"),
             Call("campaigns.detail", "GET", f"/campaigns/{campaign_id}"),
             Call("campaigns.edit", "GET", "/campaigns/new"),
             Call("campaigns.quarterly", "GET", "/stats/"),
             Call("campaigns.brand_dashboard", "GET", "/stats/brand"),
             Call("campaigns.export", "GET", "/stats/export.csv"),
             Call("campaigns.export", "GET", "/stats/export.xlsx"),
             Call("api.quarterly_stats", "GET", "/api/v1/stats/quarterly", api=True),
             Call("api.quarterly_stats", "GET", "/api/v1/stats/quarterly?format=xlsx",
                  api=True),
             Call("publicity.staff_index", "GET", "/penalties/staff"),
             Call("holder.tasks", "GET", "/holder/"),
             Call("holder.messages", "GET", "/holder/messages"),
             Call("holder.mark_read", "POST", "/holder/messages/read", data={}),
             Call("reports.mine", "GET", "/portal/mine")]
    calls += [Call("main.queue", "GET", f"/queues/{q.code}") for q in QUEUES]
    calls += [Call("campaigns.drill", "GET", f"/stats/cases?figure={f.code}")
              for f in (FIGURES if stats else FIGURES[:1])]
    # a drill-down narrowed to a foreign unit's row finds none of its cases
    calls += [Call("campaigns.drill", "GET",
                   f"/stats/cases?figure={code}&dim=unit&key={t.unit_id}")
              for t in foreign if t.unit_id for code in ("received", "filed")]
    for secret in sorted({s for t in foreign for s in t.secrets}):
        field_name = "number" if secret.isascii() else "party"
        for key in ("q", field_name):
            query = f"{key}={quote(secret)}"
            calls.append(Call("cases.index", "GET", f"/cases/?{query}", searched=secret))
        calls.append(Call("api.list_cases", "GET", f"/api/v1/cases?q={quote(secret)}",
                          api=True, searched=secret))
    return calls


#: list routes: built by :func:`list_calls`
LIST_ROUTES = {
    "main.dashboard", "main.queue", "cases.index", "api.list_cases", "api.list_referrals",
    "referrals.police_inbox", "referrals.procuratorate_inbox", "referrals.court_inbox",
    "campaigns.index", "campaigns.edit", "campaigns.quarterly", "campaigns.brand_dashboard",
    "campaigns.drill", "campaigns.export", "api.quarterly_stats", "publicity.staff_index",
    "holder.tasks", "holder.messages", "holder.mark_read", "reports.mine",
}


def test_every_route_is_classified(matrix):
    app = matrix.app
    rules = {(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
             if rule.endpoint != "static"}
    classified = PUBLIC | SIGNED_IN | set(PERMISSION_ROUTES) | OBJECT_ROUTES | LIST_ROUTES
    unclassified = sorted(f"{rule} ({endpoint})" for endpoint, rule in rules
                          if endpoint not in classified)
    assert not unclassified, f"routes without an access-matrix entry: {unclassified}"
    stale = classified - {endpoint for endpoint, _rule in rules}
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"
    # every object and list route is really requested by the matrix
    everything = [call for t in matrix.targets.values() for call in object_calls(t)]
    everything += list_calls(list(matrix.targets.values()), matrix.demo_campaign_id)
    assert OBJECT_ROUTES | LIST_ROUTES <= {call.endpoint for call in everything}


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


@pytest.fixture(scope="module")
def matrix(databases, tmp_path_factory):
    """One app on one database for every read of the matrix (the reads change no case)."""
    url = databases.new()
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url,
                     STORAGE_DIR=str(tmp_path_factory.mktemp("matrix-storage")))
    app.test_client_class = IsolatedClient
    with app.app_context():
        targets = build_targets()
        yield Matrix(app, targets, targets["linhe"].campaign_id,
                     db.session.scalar(select(Rule.id).order_by(Rule.id)))
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


# -- requests and what they must show ----------------------------------------------------------


def last_seq() -> int:
    return db.session.scalar(select(func.max(AuditEntry.seq))) or 0


def denials_since(seq: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.seq > seq, AuditEntry.action.in_(DENIAL_ACTIONS))))


def _open(matrix: Matrix, role: str, call: Call):
    if call.api:
        client = matrix.api(role)
        if call.method == "GET":
            return client.get(call.path)
        return client.post(call.path, json=call.data, headers={"If-Match": '"1"'})
    browser = matrix.web(role)
    if call.method == "GET":
        return browser.client.get(call.path)
    return browser.client.post(call.path, data={"csrf_token": browser.token, **call.data})


def send(matrix: Matrix, role: str, call: Call):
    """The response, read to its end (a packet streams from an open transaction)."""
    response = _open(matrix, role, call)
    response.get_data()
    response.close()
    return response


def shown_text(response) -> str:
    """What a response shows, whatever its format (JSON unescaped, spreadsheets read)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row)
    if response.mimetype == "text/csv":
        return "\n".join(",".join(row) for row in csv.reader(
            io.StringIO(response.data.decode("utf-8-sig"))))
    if response.mimetype.startswith("text/") or response.mimetype.endswith(("xml", "json")):
        return response.get_data(as_text=True)
    return ""  # a PDF, a photo or a packet: only ever sent to the own side (asserted below)


def reads_case_file(username: str) -> bool:
    return any(user(username).can(p) for p in ("case.read", "referral.read", "court.read"))


def is_portal_redirect(username: str, call: Call, response) -> bool:
    """Portal accounts never open the bureau's case file: /cases/… sends them to the portal
    whatever the case (README, "Who uses which pages"); nothing of the case is read."""
    return (call.endpoint in ("cases.detail", "cases.action") and not reads_case_file(username)
            and response.status_code == 302
            and response.headers["Location"].startswith(("/portal/", "/holder/")))


def check_denied(matrix, role, call, secrets, response, seq):
    username = ROLE_USERS[role]
    where = f"{username} {call.method} {call.path}"
    if is_portal_redirect(username, call, response):
        assert denials_since(seq) == [], where
        return
    assert response.status_code in (403, 404), f"{where}: {response.status_code}"
    text = shown_text(response)
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, f"{where} shows {leaked}"
    rows = denials_since(seq)
    assert len(rows) == 1, f"{where}: {len(rows)} denial audit rows"
    assert rows[0].actor_id == user(username).id, where


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_foreign_objects_are_refused_revealing_nothing_and_audited(matrix, role):
    own, foreign = SIDES[role]
    checked = 0
    for name in foreign:
        target = matrix.targets[name]
        for call in object_calls(target):
            seq = last_seq()
            response = send(matrix, role, call)
            check_denied(matrix, role, call, target.secrets, response, seq)
            checked += 1
    assert checked >= (20 if foreign else 0)


#: who may open an own object through each read route (DESIGN §1): any of these permissions
READERS = {
    "cases.detail": {"case.read", "referral.read", "court.read"},
    "evidence.download": {"case.read", "referral.read"},
    "evidence.thumbnail": {"case.read", "referral.read"},
    "documents.download": {"case.read", "referral.read", "court.read"},
    "referrals.detail": {"case.read", "referral.read", "court.read"},
    "packets.download": {"case.read", "referral.read", "court.read"},
    "publicity.staff_entry": {"case.read"},
    "campaigns.detail": {"stats.read"},
    "campaigns.quarterly": {"stats.read"},
    "campaigns.drill": {"stats.read"},
    "campaigns.export": {"stats.read"},
    "api.quarterly_stats": {"stats.read"},
    "holder.identification": {"identification.answer"},
    "holder.photo": {"identification.answer"},
    "holder.mediation": {"identification.answer"},
    "reports.my_report": {"report.read_own"},
    "api.get_case": {"case.read", "referral.read", "court.read"},
    "api.get_document": {"case.read", "referral.read", "court.read"},
    "api.get_referral_packet": {"case.read", "referral.read", "court.read"},
}


@pytest.mark.parametrize("role", sorted(r for r, (own, _f) in SIDES.items() if own))
def test_own_objects_open_for_those_who_may_read_them(matrix, role):
    username, opened = ROLE_USERS[role], set()
    me = user(username)
    for name in SIDES[role][0]:
        for call in object_calls(matrix.targets[name]):
            if not call.read:
                continue
            seq = last_seq()
            response = send(matrix, role, call)
            where = f"{username} {call.path}"
            if any(me.can(p) for p in READERS[call.endpoint]):
                assert response.status_code == 200, f"{where}: {response.status_code}"
                assert denials_since(seq) == [], where
                opened.add(call.endpoint)
            else:  # a permission this role lacks: refused like a foreign object
                check_denied(matrix, role, call, set(), response, seq)
    assert opened, f"{username} opened nothing of its own"


# -- lists, searches, exports -------------------------------------------------------------------

#: what each role's lists must show of its own side: (call path, the target whose number shows)
OWN_IN_LISTS = {
    "inspector": ("/cases/?q={number}", "linhe"),
    "bureau_head": ("/cases/?q={number}", "linhe"),
    "unit_head": ("/cases/?q={number}", "linhe"),
    "legal_reviewer": ("/cases/?q={number}", "linhe"),
    "supervisor": ("/cases/?q={number}", "wuyuan"),
    "police": ("/inbox/police?filter=all", "police"),
    "procurator": ("/inbox/procuratorate?filter=all", "police"),
    "court": ("/inbox/court?filter=all", "court"), "station": ("/portal/mine", "station"),
}


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_lists_searches_and_exports_hold_no_foreign_object(matrix, role):
    foreign = [matrix.targets[name] for name in SIDES[role][1]]
    secrets = {s for t in foreign for s in t.secrets}
    username = ROLE_USERS[role]
    for call in list_calls(foreign, matrix.demo_campaign_id, user(username).can("stats.read")):
        seq = last_seq()
        response = send(matrix, role, call)
        where = f"{username} {call.path}"
        if response.status_code in (403, 404):
            check_denied(matrix, role, call, secrets, response, seq)
            continue
        assert response.status_code in (200, 302, 303), f"{where}: {response.status_code}"
        text = shown_text(response)
        if call.searched and response.status_code == 200:
            assert found_nothing(response, text), f"{where} finds something"
            text = text.replace(call.searched, "")  # the search box shows what was typed
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{where} shows {leaked}"
        assert denials_since(seq) == [], where
    if role in OWN_IN_LISTS:  # the check above is not empty-handed: own objects do show
        path, name = OWN_IN_LISTS[role]
        target = matrix.targets[name]
        number = min(s for s in target.secrets if s.isascii())
        text = shown_text(send(matrix, role, Call("own", "GET", path.format(number=number))))
        text = text.replace(f'value="{number}"', "")  # not the search box: a row
        markers = target.secrets | ({target.tracking_no} if target.tracking_no else set())
        assert any(m in text for m in markers), f"{username}: nothing own on {path}"


def found_nothing(response, text: str) -> bool:
    if response.is_json:
        return response.get_json()["total"] == 0
    return 'data-total="0"' in text


# -- permission-gated pages ------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_permission_pages_open_only_with_the_permission(matrix, role):
    me = user(ROLE_USERS[role])
    for endpoint, (path, permissions) in PERMISSION_ROUTES.items():
        call = Call(endpoint, "GET", path.format(rule_id=matrix.rule_id))
        seq = last_seq()
        response = send(matrix, role, call)
        allowed = any(me.can(p) for p in permissions)
        if endpoint == "accounts.mandates":  # an agent's page: portal accounts of no unit
            allowed = allowed and me.unit_id is None
        if allowed:  # (a rule version already applied sends its editor back to the list)
            assert response.status_code in (200, 302), f"{me.username} {call.path}: " \
                f"{response.status_code}"
            assert denials_since(seq) == [], call.path
        else:
            check_denied(matrix, role, call, set(), response, seq)


def test_anonymous_visitors_are_sent_to_login_and_leave_no_audit_row(matrix):
    client = matrix.app.test_client()
    t = matrix.targets["linhe"]
    calls = object_calls(t) + list_calls([t], matrix.demo_campaign_id)
    calls += [Call(e, "GET", p.format(rule_id=matrix.rule_id))
              for e, (p, _perm) in PERMISSION_ROUTES.items()]
    seq = last_seq()
    for call in calls:
        if call.method != "GET":
            continue
        response = client.get(call.path)
        if call.api:
            assert response.status_code == 401, call.path
        else:
            assert response.status_code == 302, call.path
            assert response.headers["Location"].startswith("/login"), call.path
    # a public page's 404 is nobody's denial
    assert client.get("/penalties/999999").status_code == 404
    assert denials_since(seq) == []


def test_every_role_is_in_the_matrix():
    assert set(ROLE_USERS) == set(ROLES) == set(SIDES)
    assert all(roles == [role] for username, _n, roles, *_r in USERS
               for role, name in ROLE_USERS.items() if username == name)


# -- posts with extra fields -------------------------------------------------------------------


def case_row(case_id: int) -> dict:
    table = Case.__table__
    return dict(db.session.execute(select(table).where(table.c.id == case_id)).mappings().one())


def inspector_ids(case_id: int) -> set[int]:
    return {u.id for u in db.session.get(Case, case_id).inspectors}


def forged_fields(case_id: int) -> dict:
    """What an attacker adds to a form or body: another unit, state, status, assignee."""
    other = case_in_state("investigating", "wuyuan_amr")
    wuyuan, intruder = unit("wuyuan_amr"), user("wuyuan_inspector1")
    return {"unit_id": str(wuyuan.id), "state": "closed", "status": "closed",
            "assigned_to": str(intruder.id), "inspectors": str(intruder.id),
            "reporter_user_id": str(user("holder_weixin").id), "filed_by_unit_id": str(wuyuan.id),
            "case_no": "伪造〔2026〕1号", "fine_amount": "1", "is_major": "y",
            "created_by_id": str(intruder.id), "id": str(other.id), "case_id": str(other.id),
            "kind": "court", "copy_unit_id": str(wuyuan.id), "receiver_case_no": "伪造"}


def assert_only_the_action_changed(case_id: int, before: dict, inspectors: set[int]):
    """A workflow action that stays in its state: one version more, nothing else on the row."""
    db.session.expire_all()
    after = case_row(case_id)
    assert after["version"] == before["version"] + 1
    changed = {k for k in after if after[k] != before[k]} - {"version", "updated_at"}
    assert changed == set(), f"extra fields changed {changed}"
    assert inspector_ids(case_id) == inspectors


def last_event_data(case_id: int) -> dict:
    from enforcement.cases.models import CaseEvent

    return db.session.scalar(select(CaseEvent.data).where(CaseEvent.case_id == case_id)
                             .order_by(CaseEvent.id.desc()).limit(1))


def test_extra_fields_in_a_case_action_form_change_nothing_else(app):
    case = case_in_state("investigating")
    before, inspectors = case_row(case.id), inspector_ids(case.id)
    browser = logged_in(app, "linhe_inspector1")
    path = f"/cases/{case.id}/actions/record_inspection"
    response = browser.post(path, {
        "version": str(case.version), "place": "临河区胜利路6号", "held_on": local_today().isoformat(),
        "content": "现场查见涉嫌侵权商品。", **forged_fields(case.id)})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert_only_the_action_changed(case.id, before, inspectors)
    assert set(last_event_data(case.id)) <= {"place", "held_on", "content"}


def test_extra_fields_in_an_api_action_body_are_refused_and_change_nothing(app):
    case = case_in_state("investigating")
    before, inspectors = case_row(case.id), inspector_ids(case.id)
    api = ApiUser(app, "linhe_inspector1")
    body = {"place": "临河区胜利路6号", "held_on": local_today().isoformat(),
            "content": "现场查见涉嫌侵权商品。"}
    for key, value in forged_fields(case.id).items():
        response = api.act(case.id, "record_inspection", {**body, key: value}, case.version)
        assert response.status_code == 422, key
        assert set(response.get_json()["error"]["fields"]) == {key}
    db.session.expire_all()
    assert case_row(case.id) == before
    # the same body without them is taken: the refusals above were the extra fields'
    response = api.act(case.id, "record_inspection", body, case.version)
    assert response.status_code == 200, response.get_json()
    assert_only_the_action_changed(case.id, before, inspectors)


def referral_row(referral_id: int) -> dict:
    table = Referral.__table__
    return dict(db.session.execute(select(table).where(table.c.id == referral_id))
                .mappings().one())


def test_extra_fields_in_a_receivers_action_change_nothing_else(app):
    case = case_in_state("referred")
    referral = referral_of(case.id, ReferralKind.police)
    before, inspectors = case_row(case.id), inspector_ids(case.id)
    referral_before = referral_row(referral.id)
    browser = logged_in(app, "police_linhe")
    response = browser.post(f"/referrals/{referral.id}/actions/acknowledge_transfer",
                            {"version": str(case.version), "note": "已签收。",
                             **forged_fields(case.id)},
                            token_from=f"/referrals/{referral.id}")
    assert response.status_code == 303
    assert_only_the_action_changed(case.id, before, inspectors)
    after = referral_row(referral.id)
    assert after["acknowledged_at"] is not None
    assert {k for k in after if after[k] != referral_before[k]} == {"acknowledged_at"}


def test_extra_fields_in_the_holders_answer_change_nothing_else(app):
    case_id = today_filed()
    ask_identification(case_id)
    before, inspectors = case_row(case_id), inspector_ids(case_id)
    browser = logged_in(app, "holder_hetao")
    response = browser.post(f"/holder/identification/{case_id}", {
        "version": str(before["version"]), "genuine": "counterfeit",
        "opinion": "包装与正品不符。", **forged_fields(case_id)})
    assert response.status_code == 303
    assert_only_the_action_changed(case_id, before, inspectors)
    assert set(last_event_data(case_id)) <= {"genuine", "opinion", "files"}
