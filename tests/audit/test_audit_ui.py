"""The auditor's page: the log read through filters, page by page and as CSV; the auditor reads
the log and nothing else, nobody else reads the log, and every refusal leaves an audit row."""
import csv
import io
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from enforcement.audit import services as audit
from enforcement.audit.models import AuditEntry
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from tests.conftest import case_in_state, user
from tests.web import ApiUser, fresh_client, logged_in

SEQ_RE = re.compile(r'<tr data-seq="(\d+)"')
NEXT_RE = re.compile(r'<a class="page-link" rel="next" href="([^"]+)"')


def shown(response) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [int(seq) for seq in SEQ_RE.findall(response.get_data(as_text=True))]


def unit_id(code: str) -> int:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


@pytest.fixture
def auditor(app):
    return logged_in(app, "auditor").client


@pytest.fixture
def entries(app):
    """Three rows told apart by every filter; their sequence numbers by name."""
    made = {
        "alpha": audit.record("probe.alpha", actor=user("linhe_inspector1"), obj_type="case",
                              obj_id=987654, unit_id=unit_id("linhe_amr"), ip="10.9.8.7"),
        "beta": audit.record("probe.beta", actor=user("police_linhe"), obj_type="referral",
                             obj_id=987654, unit_id=unit_id("linhe_police"), ip="10.9.8.8"),
        "gamma": audit.record("other.gamma", actor=user("linhe_inspector1"), obj_type="case",
                              obj_id=987653, unit_id=unit_id("linhe_amr"), ip="2001:db8::1"),
    }
    db.session.commit()
    return {name: entry.seq for name, entry in made.items()}


def test_the_page_shows_the_newest_entries_first(auditor, entries):
    seqs = shown(auditor.get("/audit/"))
    assert seqs[:3] == [entries["gamma"], entries["beta"], entries["alpha"]]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("action=probe.", {"alpha", "beta"}),
    ("action=probe.al", {"alpha"}),
    ("actor=linhe_inspector1&action=probe", {"alpha"}),
    ("actor=linhe_inspector1&object_type=case&object_id=987653", {"gamma"}),
    ("object_type=case&object_id=987654", {"alpha"}),
    ("object_type=referral&object_id=987654", {"beta"}),
    ("ip=10.9.8.8", {"beta"}),
    ("ip=2001:0db8:0000::0001", {"gamma"}),  # the same address, written out long
    ("action=probe&unit={linhe_police}", {"beta"}),
    ("action=probe_", set()),  # "_" is a character here, not a wildcard
])
def test_filters_narrow_the_log(auditor, entries, query, expected):
    query = query.format(linhe_police=unit_id("linhe_police"))
    assert set(shown(auditor.get(f"/audit/?{query}"))) == {entries[n] for n in expected}


def test_date_range_counts_china_days(app, auditor, monkeypatch):
    """2031-03-02 in Beijing runs from 03-01 16:00 to 03-02 16:00 UTC, both ends checked."""
    moments = {
        "before": datetime(2031, 3, 1, 15, 59, 59, tzinfo=UTC),
        "first": datetime(2031, 3, 1, 16, 0, 0, tzinfo=UTC),
        "last": datetime(2031, 3, 2, 15, 59, 59, tzinfo=UTC),
        "after": datetime(2031, 3, 2, 16, 0, 0, tzinfo=UTC),
    }
    made = {}
    for name, moment in moments.items():
        monkeypatch.setattr(audit, "utcnow", lambda moment=moment: moment)
        made[name] = audit.record("probe.day", obj_type="probe", obj_id=name)
    db.session.commit()  # the entries join the chain (and get their numbers) at the commit
    monkeypatch.undo()
    seqs = {name: entry.seq for name, entry in made.items()}
    one_day = set(shown(auditor.get("/audit/?date_from=2031-03-02&date_to=2031-03-02")))
    assert one_day == {seqs["first"], seqs["last"]}
    from_only = set(shown(auditor.get("/audit/?date_from=2031-03-02&action=probe.day")))
    assert from_only == {seqs["first"], seqs["last"], seqs["after"]}
    to_only = set(shown(auditor.get("/audit/?date_to=2031-03-01&action=probe.day")))
    assert to_only == {seqs["before"]}


def test_the_calendars_first_and_last_days_bound_nothing(auditor, entries):
    """Both overflowed a datetime when turned into China's midnight in UTC (a 500)."""
    everything = shown(auditor.get("/audit/?action=probe"))
    assert shown(auditor.get("/audit/?action=probe&date_from=0001-01-01&date_to=9999-12-31")) \
        == everything == [entries["beta"], entries["alpha"]]
    export = auditor.get("/audit/export.csv?action=probe&date_from=0001-01-01&date_to=9999-12-31")
    assert export.status_code == 200 and len(export.get_data(as_text=True).splitlines()) == 3


def test_pages_keep_the_filters(auditor, app):
    inspector = user("linhe_inspector1")
    made = [audit.record("probe.page", actor=inspector, obj_type="case", obj_id=n)
            for n in range(61)]
    db.session.commit()
    made = [entry.seq for entry in made]
    first = auditor.get("/audit/?action=probe.page&actor=linhe_inspector1")
    html = first.get_data(as_text=True)
    assert "共 61 条" in html and "1 / 2" in html
    link = NEXT_RE.search(html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {
        "action": ["probe.page"], "actor": ["linhe_inspector1"], "page": ["2"]}
    second = shown(auditor.get(link))
    assert sorted(shown(first) + second) == sorted(made)
    assert len(second) == 11


@pytest.mark.parametrize(("query", "field", "message"), [
    ("date_from=2026-13-01", "date_from", "日期格式应为 YYYY-MM-DD"),
    ("date_to=yesterday", "date_to", "日期格式应为 YYYY-MM-DD"),
    ("date_from=2026-11-02&date_to=2026-11-01", "date_to", "截止日期不能早于起始日期"),
    ("unit=abc", "unit", "所选单位不存在"),
    ("unit=99999999999999999999", "unit", "所选单位不存在"),
    ("ip=999.1.1.1", "ip", "IP 地址格式不正确"),
    ("ip=' OR 1=1 --", "ip", "IP 地址格式不正确"),
    ("object_id=5", "object_type", "按对象编号查询时请同时填写对象类型"),
    ("object_type=Case%3Bdrop", "object_type", "对象类型只含小写字母和下划线"),
    ("actor=" + "x" * 65, "actor", "最多 64 个字符"),
    ("actor=a%01b", "actor", "含有不可见的控制字符"),  # (NUL: the app-wide input guard)
    ("unit=%C2%B2", "unit", "所选单位不存在"),  # "²": a digit to Python, not a number
])
def test_bad_filter_values_give_a_form_error(auditor, query, field, message):
    response = auditor.get(f"/audit/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'data-error="{field}"' in html and message in html
    assert "查询条件有误" in html and SEQ_RE.search(html) is None
    assert "导出 CSV" not in html
    assert auditor.get(f"/audit/export.csv?{query}").status_code == 400


def test_a_malformed_page_number_is_the_first_page(auditor):
    assert shown(auditor.get("/audit/?page=abc")) == shown(auditor.get("/audit/"))
    assert shown(auditor.get("/audit/?page=999999999999")) == shown(auditor.get("/audit/"))
    assert shown(auditor.get("/audit/?page=%C2%B2")) == shown(auditor.get("/audit/"))


def test_csv_export_is_filtered_and_audited(auditor, entries, app):
    formula = audit.record("probe.alpha", actor=user("linhe_inspector1"), obj_type="case",
                           obj_id="=HYPERLINK(1)")
    db.session.commit()
    formula = formula.seq
    response = auditor.get("/audit/export.csv?action=probe.al")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [int(r["seq"]) for r in rows] == [formula, entries["alpha"]]
    assert rows[0]["object_id"] == "'=HYPERLINK(1)"  # shown as text, never run
    assert rows[1]["ip"] == "10.9.8.7" and rows[1]["actor"] == "linhe_inspector1"
    export = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.export"))
    assert export.actor_name == "auditor"
    assert export.detail == {"filters": {"action": "probe.al"}, "rows": 2}
    assert audit.verify_chain().ok


def _refusals(username: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "access.denied", AuditEntry.object_type == "audit_log",
        AuditEntry.actor_name == username))


@pytest.mark.parametrize("username", ["admin", "supervisor", "linhe_head", "linhe_inspector1",
                                      "police_linhe", "court_linhe", "holder_hetao"])
def test_others_are_refused_the_log_and_each_refusal_is_audited(app, username):
    client = logged_in(app, username).client
    for path in ("/audit/", "/audit/?action=auth.", "/audit/export.csv"):
        response = client.get(path)
        assert response.status_code == 403, (path, response.status_code)
        assert "审计日志" not in response.get_data(as_text=True)
    assert _refusals(username) == 3
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last.detail == {"reason": "no_permission", "path": "/audit/export.csv"}
    assert last.unit_id == user(username).unit_id


def test_anonymous_visitors_are_sent_to_the_login(app):
    response = fresh_client(app).get("/audit/export.csv")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"


def _case_numbers() -> set[str]:
    from enforcement.cases.models import Case

    return {n for n in db.session.scalars(select(Case.report_no)) if n}


def test_the_auditor_reads_nothing_but_the_log(app, auditor):
    case = case_in_state("decided")
    document = db.session.scalar(select(Document).where(Document.case_id == case.id)
                                 .order_by(Document.id))
    numbers = _case_numbers()
    refused = ["/cases/", f"/cases/{case.id}", f"/cases/{case.id}/actions/assign",
               f"/documents/{document.id}/pdf", "/queues/assign", "/inbox/",
               "/stats/", "/campaigns/", "/penalties/staff", "/admin/calendar", "/rules/",
               "/holder/"]
    for path in refused:
        response = auditor.get(path, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert not any(number in html for number in numbers), path
    # the home page and the workbench both open the log (which names the cases its entries
    # are about, as the log must; the case files themselves are refused above)
    for path in ("/", "/dashboard"):
        landing = auditor.get(path, follow_redirects=True)
        assert landing.status_code == 200 and landing.request.path == "/audit/", path
    api = ApiUser(app, "auditor")
    assert api.get("/api/v1/cases").get_json().get("items", []) == []
    assert api.get(f"/api/v1/cases/{case.id}").status_code in (403, 404)
    assert api.get(f"/api/v1/documents/{document.id}").status_code in (403, 404)
    assert auditor.get("/audit/").status_code == 200


def test_details_read_as_written(auditor):
    """Chinese in an entry's detail (a document's title, a typed name) reads as Chinese, not
    as \\u escapes; markup in it stays text; the unit reads by its name."""
    entry = audit.record("probe.detail", detail={"title": "行政处罚决定书", "typed": "<b>x</b>"},
                         unit_id=unit_id("linhe_amr"))
    db.session.commit()
    html = auditor.get("/audit/?action=probe.detail").get_data(as_text=True)
    row = html[html.index(f'<tr data-seq="{entry.seq}"'):]
    row = row[:row.index("</tr>")]
    assert "行政处罚决定书" in row and db.session.get(OrgUnit, unit_id("linhe_amr")).name in row
    assert "&lt;b&gt;x&lt;/b&gt;" in row and "<b>x</b>" not in row


@pytest.mark.parametrize(("username", "offered"), [("auditor", False), ("holder_hetao", False),
                                                   ("linhe_inspector1", True),
                                                   ("police_linhe", True)])
def test_the_navigation_offers_case_files_only_to_who_opens_them(app, username, offered):
    html = logged_in(app, username).client.get("/workflow").get_data(as_text=True)
    assert ('href="/cases/"' in html) == offered
