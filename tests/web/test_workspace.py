"""The workspace: each role's queue with its count, the search page, evidence thumbnails, and
the number of queries a page costs."""
import io
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import event, select, update
from werkzeug.datastructures import FileStorage, MultiDict

from enforcement.cases import services
from enforcement.cases.intake import CaseData, GoodsData, PartyData, register_case
from enforcement.cases.models import Case, case_inspectors
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import local_today
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import get_storage
from enforcement.evidence.thumbnails import EvidenceThumbnail
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.identifiers import credit_code_check_char
from enforcement.parties.models import PartyKind
from tests.conftest import case_in_state, user
from tests.web import logged_in
from workflows.states import END_STATES, CaseState

ROW_RE = re.compile(r'data-case-id="(\d+)" data-status="(\w+)"')
LIST_ROW_RE = re.compile(r'<tr data-case-id="(\d+)"')
COUNT_RE = re.compile(r'data-queue-count="(\w+)">(\d+)<')
FOREIGN_CODE = "91150821MA0F00001"
FOREIGN_CODE += credit_code_check_char(FOREIGN_CODE)


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def unit(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def linhe_ids(*states) -> set[int]:
    return set(db.session.scalars(select(Case.id).where(
        Case.unit_id == unit("linhe_amr").id, Case.state.in_(states))))


def queue_rows(client, code) -> list[tuple[int, str]]:
    return [(int(i), s) for i, s in ROW_RE.findall(page(client, f"/queues/{code}"))]


def counts(client) -> dict[str, int]:
    return {k: int(v) for k, v in COUNT_RE.findall(page(client, "/dashboard"))}


@pytest.fixture
def foreign_case(app):
    """A registered 五原县 case with a party, a mark and goods no 临河区 case has."""
    registrar = user("wuyuan_inspector1")
    case = register_case(registrar, registrar.unit, CaseData(
        cause="涉嫌销售假冒“五原向日葵”商标的葵花籽（外单位测试）", summary="外单位测试案件。",
        district=registrar.unit.district,
        parties=[PartyData(PartyKind.organisation, "五原县外单位测试商行",
                           credit_code=FOREIGN_CODE, address="五原县测试路1号")],
        mark_numbers=["90000001"], goods=[GoodsData("葵花籽", "10", "袋", "30")]))
    return case.id


# -- queues -------------------------------------------------------------------------------------
def test_the_unit_head_assigns_new_reports_oldest_first(app, foreign_case):
    later = register_case(user("linhe_unit_head"), unit("linhe_amr"), CaseData(
        cause="新登记的举报（测试）", summary="测试。", district="linhe"))
    client = logged_in(app, "linhe_unit_head").client
    rows = queue_rows(client, "assign")
    ids = [i for i, _s in rows]
    assert set(ids) == linhe_ids(CaseState.registered) and later.id in ids
    assert foreign_case not in ids  # another unit's report is never offered
    created = {c.id: c.created_at for c in db.session.scalars(select(Case).where(Case.id.in_(ids)))}
    assert [created[i] for i in ids] == sorted(created[i] for i in ids)
    # each row shows its verification clock, and the dashboard's count links to the queue
    assert all(s != "none" for _i, s in rows)
    assert "核查" in page(client, "/queues/assign")
    assert counts(client)["assign"] == len(ids)
    assert 'href="/queues/assign"' in page(client, "/dashboard")


def test_the_inspector_sees_own_cases_overdue_first_then_by_deadline(app):
    me = user("linhe_inspector1")
    overdue_case = case_in_state("legal_review")
    db.session.execute(update(Clock).where(
        Clock.case_id == overdue_case.id, Clock.status == ClockStatus.running)
        .values(due_on=local_today() - timedelta(days=2), unknown_year=None))
    db.session.commit()
    client = logged_in(app, "linhe_inspector1").client
    rows = queue_rows(client, "deadlines")
    mine = set(db.session.scalars(select(case_inspectors.c.case_id).join(
        Case, Case.id == case_inspectors.c.case_id).where(
        case_inspectors.c.user_id == me.id, Case.state.not_in(END_STATES))))
    assert {i for i, _s in rows} == mine
    # overdue first (the demo has other overdue cases besides the one made so here)
    overdue = [i for i, status in rows if status == "overdue"]
    assert overdue_case.id in overdue and rows[:len(overdue)] == [(i, "overdue") for i in overdue]
    html = page(client, "/queues/deadlines")
    assert "queue-overdue" in html and "已超期" in html
    due_days = re.findall(r'data-status="(?:running|due_soon)".*?data-due>(\d{4}-\d\d-\d\d)<',
                          html, re.S)
    assert len(due_days) >= 3 and due_days == sorted(due_days)
    assert counts(client)["deadlines"] == len(mine)


def test_the_reviewer_sees_legal_review_and_hearings(app):
    client = logged_in(app, "linhe_reviewer").client
    ids = {i for i, _s in queue_rows(client, "review")}
    assert ids == linhe_ids(CaseState.legal_review, CaseState.hearing) and ids
    assert counts(client) == {"review": len(ids)}
    html = page(client, "/queues/review")
    assert "审核通过并告知" in html or "听证结束" in html


def test_the_bureau_head_sees_every_approval_waiting(app):
    client = logged_in(app, "linhe_head").client
    ids = {i for i, _s in queue_rows(client, "approvals")}
    expected = linhe_ids(CaseState.filing_review, CaseState.decision_review,
                         CaseState.referral_review)
    assert expected <= ids
    # an extension becomes due: the verification clock of a verifying case runs out soon
    verifying = case_in_state("verifying")
    assert verifying.id not in ids
    db.session.execute(update(Clock).where(Clock.case_id == verifying.id,
                                           Clock.kind == "verification")
                       .values(due_on=local_today() + timedelta(days=2), unknown_year=None))
    db.session.commit()
    html = page(client, "/queues/approvals")
    assert f'data-case-id="{verifying.id}"' in html and "延长核查期限" in html
    assert counts(client)["approvals"] == len(ROW_RE.findall(html))


@pytest.mark.parametrize("username,forbidden", [
    ("linhe_inspector1", "approvals"), ("linhe_reviewer", "assign"), ("supervisor", "review"),
])
def test_a_queue_not_of_ones_role_is_not_found(app, username, forbidden):
    client = logged_in(app, username).client
    assert client.get(f"/queues/{forbidden}").status_code == 404
    assert client.get("/queues/nonsense").status_code == 404


# -- search -------------------------------------------------------------------------------------
def search(client, **params) -> set[int]:
    return {int(i) for i in LIST_ROW_RE.findall(page(client, "/cases/?" + "&".join(
        f"{k}={v}" for k, v in params.items())))}


def test_each_search_field_finds_its_case_and_nothing_foreign(app, foreign_case):
    case = case_in_state("investigating")
    party = case.parties[0].party
    mark = case.marks[0]
    client = logged_in(app, "linhe_inspector1").client
    assert case.id in search(client, number=case.case_no[-4:])
    assert case.id in search(client, number=case.report_no)
    assert case.id in search(client, party=party.name[2:6])
    code = party.credit_code or party.id_number
    assert search(client, credit_code=code.lower()) >= {case.id}
    assert case.id in search(client, mark=mark.reg_no) and case.id in search(client, mark=mark.name)
    assert search(client, state="investigating") == linhe_ids(CaseState.investigating)
    linhe = unit("linhe_amr").id
    assert case.id in search(client, unit=linhe)
    assert case.id in search(client, inspector=user("linhe_inspector2").id)
    assert search(client, inspector=user("wuyuan_inspector1").id) == set()
    today = local_today().isoformat()
    assert case.id in search(client, date_from=today, date_to=today)
    assert search(client, date_to=(local_today() - timedelta(days=400)).isoformat()) == set()

    # the 五原县 case answers every one of its fields, but never to a 临河区 user
    foreign = {"party": "外单位测试商行", "credit_code": FOREIGN_CODE,
               "number": db.session.get(Case, foreign_case).report_no,
               "unit": unit("wuyuan_amr").id, "q": "外单位测试"}
    for name, value in foreign.items():
        assert search(client, **{name: value}) == set(), name
    supervisor = logged_in(app, "supervisor").client
    for name, value in foreign.items():
        assert foreign_case in search(supervisor, **{name: value}), name
    assert foreign_case in search(logged_in(app, "wuyuan_inspector1").client, mark="90000001")


def test_search_text_is_literal_and_sort_keys_are_an_allowlist(app):
    client = logged_in(app, "linhe_inspector1").client
    assert search(client, party="%") == set() and search(client, number="_") == set()
    # a filter that fits on one page: each sort must give the same cases, in its own order
    everything = search(client, stage="investigation")
    assert 1 < len(everything) < 25
    for sort in ("updated", "created", "oldest", "number", "state", "id;DROP TABLE cases"):
        assert search(client, stage="investigation", sort=sort) == everything
    html = page(client, "/cases/?sort=oldest&date_from=not-a-date&unit=x&inspector=")
    assert LIST_ROW_RE.findall(html)
    # the unit list offers only the user's jurisdiction
    assert "五原县" not in html.split('id="unit"')[1].split("</select>")[0]


def test_search_pages_keep_their_filters(app):
    client = logged_in(app, "supervisor").client
    html = page(client, "/cases/?party=演示&sort=oldest")
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    if total > 25:
        assert "party=%E6%BC%94%E7%A4%BA" in html and "page=2" in html
    assert len(LIST_ROW_RE.findall(html)) == min(total, 25)


# -- thumbnails ---------------------------------------------------------------------------------
def photo_with_exif() -> bytes:
    image = Image.new("RGB", (1200, 900), (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "EvidenceCam"  # Make
    exif[0x0110] = "Model-X"  # Model
    exif[0x0112] = 1  # Orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def upload_photo(case, data):
    items = [("title", "现场照片"), ("files", FileStorage(io.BytesIO(data), filename="现场.jpg"))]
    services.perform(case.id, "record_evidence", user("linhe_inspector1"), MultiDict(items),
                     expected_version=case.version)
    return db.session.scalar(select(Evidence).where(Evidence.case_id == case.id)
                             .order_by(Evidence.id.desc()))


def test_thumbnails_carry_no_exif_while_the_original_keeps_it(app):
    case = case_in_state("investigating")
    original = photo_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == "EvidenceCam"
    evidence = upload_photo(case, original)
    client = logged_in(app, "linhe_inspector2").client
    html = page(client, f"/cases/{case.id}")
    thumb_url = f"/cases/{case.id}/evidence/{evidence.id}/thumbnail"
    assert thumb_url in html and evidence.sha256 in html

    response = client.get(thumb_url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    thumb = Image.open(io.BytesIO(response.data))
    assert max(thumb.size) == 320 and len(response.data) < len(original)
    assert not thumb.getexif() and b"Exif" not in response.data
    assert b"EvidenceCam" not in response.data
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"  # not left in a shared PC's cache

    download = client.get(f"/cases/{case.id}/evidence/{evidence.id}")
    assert download.data == original
    assert Image.open(io.BytesIO(download.data)).getexif()[0x010F] == "EvidenceCam"
    # made once, then served from storage
    assert client.get(thumb_url).data == response.data
    assert len(db.session.scalars(select(EvidenceThumbnail)).all()) == 1


def test_thumbnails_follow_jurisdiction_and_their_hash(app):
    case = case_in_state("investigating")
    evidence = upload_photo(case, photo_with_exif())
    url = f"/cases/{case.id}/evidence/{evidence.id}/thumbnail"
    assert logged_in(app, "wuyuan_inspector1").client.get(url).status_code == 404
    client = logged_in(app, "linhe_inspector1").client
    assert client.get(url).status_code == 200
    thumbnail = db.session.get(EvidenceThumbnail, evidence.id)
    path = get_storage()._path(thumbnail.storage_key)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    assert client.get(url).status_code == 404  # altered bytes are never shown


# -- query counts -------------------------------------------------------------------------------
@contextmanager
def counting_queries():
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_assigned_cases(n: int):
    head, inspectors = user("linhe_unit_head"), [user("linhe_inspector1"),
                                                 user("linhe_inspector2")]
    for i in range(n):
        case = register_case(head, head.unit, CaseData(
            cause=f"批量测试案件{i}", summary="测试。", district="linhe",
            parties=[PartyData(PartyKind.organisation, f"批量测试商行{i}")],
            mark_numbers=["90000001"], goods=[GoodsData("面粉", "5", "袋", "80")]))
        services.perform(case.id, "assign", head, MultiDict(
            [("inspectors", str(u.id)) for u in inspectors]), expected_version=case.version)


@pytest.mark.parametrize("path", ["/queues/deadlines", "/cases/?party=商行&sort=oldest",
                                  "/dashboard"])
def test_work_lists_and_search_cost_the_same_queries_however_many_rows(app, path):
    client = logged_in(app, "linhe_inspector1").client
    page(client, path)  # warm caches (holiday calendar, rules)
    with counting_queries() as before:
        page(client, path)
    add_assigned_cases(12)
    page(client, path)
    with counting_queries() as after:
        html = page(client, path)
    assert "批量测试" in html or "/dashboard" == path
    assert len(after) == len(before), (len(before), len(after))
    assert len(after) <= 40
