"""Access control proven as a matrix (issue 10 item 3, DESIGN §1).

Every route of the app is classified (``access_routes``); a route added without a
classification fails :func:`test_every_route_is_classified`. Each object route is tried by one
demo user of every role on objects of its own side and on foreign ones (another bureau, another
police unit, a court's, another reporter's): foreign answers 403/404 and shows none of the
foreign case's numbers or party names; own answers 200 where the role may read it. Lists,
searches, inboxes, drill-downs and exports show no foreign object. Every denial leaves exactly
one audit row. Posts carrying extra fields (unit, state, version, status, assignee) change
nothing beyond what the action does: ``test_access_extra_fields.py``.

The objects are picked from the demo database (and a few built through the services,
``access_world``); which ones are own and foreign is stated per role from DESIGN §1, not taken
from ``enforcement.cases.scope``. All the tests reading them share one app on one database
(the module's ``matrix`` fixture).
"""
import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from enforcement import create_app
from enforcement.audit.models import AuditEntry
from enforcement.auth.permissions import ROLES
from enforcement.demo.reference import USERS
from enforcement.errors import DENIAL_ACTIONS
from enforcement.extensions import db
from enforcement.rules.models import Rule
from tests.conftest import IsolatedClient, user
from tests.security.access_routes import (
    LIST_ROUTES,
    OBJECT_ROUTES,
    PERMISSION_ROUTES,
    PUBLIC,
    SIGNED_IN,
    Call,
    list_calls,
    object_calls,
)
from tests.security.access_world import ROLE_USERS, SIDES, Matrix, build_targets


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
