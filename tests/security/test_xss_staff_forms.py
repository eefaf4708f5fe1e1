"""What staff type outside the workflow stays inert; spreadsheet exports neutralise formulas.

Campaigns (their cases' notes) and field work, with the CSV, XLSX and PDF exports; rule data
and the holiday calendar; a staff user's name; a document's correction and the publicity
notes: each gets payloads of the XSS corpus (``xss_support``), every page shows them as text
only and nothing was fetched; a field whose validation refuses a payload stores nothing. A
formula typed as a campaign's name is exported as text.
"""
import io

from sqlalchemy import func, select

from enforcement.extensions import db
from tests.conftest import Browser
from tests.security.xss_support import (
    MARKER_RE,
    Corpus,
    _form_errors,
    _FormValues,
    assert_inert_html,
    form_fields,
    pdf_text,
    squeeze,
    submit_page_form,
)


def test_campaign_fields_stay_inert_and_exports_neutralise_formulas(app, client, fetch):
    from openpyxl import load_workbook

    from enforcement.campaigns.models import Campaign
    from enforcement.cases.models import Case
    from enforcement.orgs.models import OrgUnit

    corpus = Corpus(fetch.url)
    browser = Browser(client)
    browser.login("supervisor")
    html = client.get("/campaigns/new").get_data(as_text=True)
    assert {"name", "goals", "nice_classes"} <= set(form_fields(html).text)
    parser = _FormValues()
    parser.feed(html)
    shown_values = dict(parser.values)
    refused = browser.post("/campaigns/new", {
        **shown_values, "name": "x", "starts_on": "2026-10-01", "ends_on": "2026-12-31",
        "nice_classes": corpus.payload("nice_classes", 60)}, token_from="/campaigns/new")
    assert refused.status_code in (200, 422)
    assert_inert_html(refused.get_data(as_text=True), corpus, "nice_classes refused")
    assert db.session.scalar(select(func.count()).select_from(Campaign).where(
        Campaign.name == "x")) == 0
    formula = "=cmd|' /C calc'!A0" + corpus.payload("name", 60)[:40]
    response = browser.post("/campaigns/new", {
        **shown_values, "name": formula, "starts_on": "2026-10-01", "ends_on": "2026-12-31",
        "goals": corpus.payload("goals", 2000)}, token_from="/campaigns/new")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:3000]
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))
    assert campaign.name == formula
    detail = f"/campaigns/{campaign.id}"
    number = db.session.scalar(select(Case.report_no).join(OrgUnit, OrgUnit.id == Case.unit_id)
                               .where(OrgUnit.code == "linhe_amr").order_by(Case.id))
    for data in ({"number": number, "note": corpus.payload("note", 200)},
                 {"number": corpus.payload("number", 40), "note": ""}):  # not found: echoed
        add = browser.post(f"{detail}/cases", data, token_from=detail)
        assert add.status_code == 303
        shown = assert_inert_html(client.get(detail).get_data(as_text=True), corpus, detail)
        if data["note"]:
            assert MARKER_RE.search(data["note"]).group(0) in shown
    shown = set()
    for path in (detail, "/campaigns/", f"{detail}/edit"):
        shown |= assert_inert_html(client.get(path).get_data(as_text=True), corpus, path)
    assert MARKER_RE.search(campaign.goals).group(0) in shown
    browser.logout()

    browser.login("linhe_unit_head")
    note = corpus.payload("field_work.note", 300)
    saved = browser.post("/campaigns/field-work", {
        "year": "2026", "quarter": "4", "campaign_id": "0", "officers": "1", "businesses": "1",
        "markets": "0", "online_shops": "0", "note": note}, token_from="/campaigns/field-work")
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    assert_inert_html(client.get("/campaigns/field-work").get_data(as_text=True), corpus,
                      "field work")
    browser.logout()
    browser.login("supervisor")

    export = client.get("/stats/export.csv", query_string={"campaign_id": campaign.id})
    assert export.status_code == 200
    cells = [c for line in export.get_data(as_text=True).lstrip("\ufeff").splitlines()
             for c in line.split(",")]
    assert not any(c.lstrip('"')[:1] in "=+-@" and c.strip('"') for c in cells), cells[:5]
    assert any(c.lstrip('"').startswith("'=cmd") for c in cells)
    workbook = load_workbook(io.BytesIO(client.get("/stats/export.xlsx", query_string={
        "campaign_id": campaign.id}).data))
    values = [cell.value for ws in workbook for row in ws.iter_rows() for cell in row
              if isinstance(cell.value, str)]
    assert any(v.startswith("'=cmd") for v in values)
    assert not any("cmd|" in v and v.startswith("=") for v in values)
    pdf = client.get("/stats/export.pdf", query_string={"campaign_id": campaign.id})
    assert pdf.status_code == 200
    assert "=cmd|'/Ccalc'!A0" in squeeze(pdf_text(pdf.data))
    assert fetch.hits == []


def test_admin_forms_stay_inert(app, client, fetch):
    """Rule data and the holiday calendar (admin): sources, notes, holiday names, notices."""
    from datetime import timedelta

    from enforcement.db import local_today
    from enforcement.rules.models import Rule

    corpus = Corpus(fetch.url)
    browser = Browser(client)
    browser.login("admin")
    rules_before = db.session.scalar(select(func.count()).select_from(Rule))
    code = next(iter(_rule_kinds()))
    response, payloads = submit_page_form(browser, f"/rules/{code}/new", corpus)
    assert response.status_code in (200, 422), "figures took a payload"
    assert_inert_html(response.get_data(as_text=True), corpus, "rule refused")
    assert db.session.scalar(select(func.count()).select_from(Rule)) == rules_before
    response, payloads = submit_page_form(
        browser, f"/rules/{code}/new", corpus, only=r"^(source|note)$",
        fixed={"effective_from": (local_today() + timedelta(days=400)).isoformat()})
    assert set(payloads) == {"source", "note"}
    assert response.status_code == 303, _form_errors(response)
    shown = assert_inert_html(client.get("/rules/").get_data(as_text=True), corpus, "rules")
    assert MARKER_RE.search(payloads["source"]).group(0) in shown

    year = local_today().year + 1
    response, payloads = submit_page_form(browser, f"/admin/calendar/{year}", corpus,
                                          only=r"notice|name$")
    assert {"notice", "holidays-0-name", "workdays-0-name"} <= set(payloads)
    page = response.get_data(as_text=True) if response.status_code != 303 else \
        client.get(f"/admin/calendar/{year}").get_data(as_text=True)
    assert_inert_html(page, corpus, "calendar")
    assert fetch.hits == []


def _rule_kinds():
    from enforcement.rules.catalogue import RULE_KINDS

    return RULE_KINDS


def test_user_full_name_stays_inert(app, client, runner, fetch):
    """A staff user's name (created by the administrator's command) on the pages listing it."""
    from enforcement.cases.models import Case
    from tests.conftest import case_in_state

    corpus = Corpus(fetch.url)
    name = corpus.payload("full_name", 80)
    result = runner.invoke(args=["users", "create", "inspector_xss", "--name", name,
                                 "--role", "inspector", "--unit", "linhe_amr",
                                 "--credential", "15080099999",
                                 "--password", "correct horse battery staple 7"])
    assert result.exit_code == 0, result.output
    case = case_in_state("registered")
    browser = Browser(client)
    browser.login("linhe_unit_head")
    page = client.get(f"/cases/{case.id}/actions/assign").get_data(as_text=True)
    assert MARKER_RE.search(name).group(0) in assert_inert_html(page, corpus, "assign form")
    assert isinstance(case, Case)


def test_document_correction_and_publicity_notes_stay_inert(app, client, fetch):
    from enforcement.documents.models import Document
    from enforcement.publicity.models import PublicationEntry

    corpus = Corpus(fetch.url)
    browser = Browser(client)
    browser.login("supervisor")  # typical cases are chosen by the city bureau
    from enforcement.orgs.models import OrgUnit
    from enforcement.publicity.queries import public_clause

    entry = db.session.scalar(select(PublicationEntry).join(
        OrgUnit, OrgUnit.id == PublicationEntry.unit_id).where(
        public_clause(), OrgUnit.code == "linhe_amr").order_by(PublicationEntry.id))
    staff = f"/penalties/staff/{entry.id}"
    note = corpus.payload("typical.note", 200)
    response = browser.post(f"{staff}/typical", {"typical": "1", "note": note},
                            token_from=staff)
    assert response.status_code in (302, 303)
    shown = assert_inert_html(client.get(staff).get_data(as_text=True), corpus, staff)
    for path in ("/penalties/", f"/penalties/{entry.id}", "/penalties/staff"):
        shown |= assert_inert_html(client.get(path).get_data(as_text=True), corpus, path)
    browser.logout()
    browser.login("linhe_head")
    reason = corpus.payload("withdraw.reason", 500)
    response = browser.post(f"{staff}/withdraw", {"reason": reason}, token_from=staff)
    assert response.status_code in (302, 303)
    shown |= assert_inert_html(client.get(staff).get_data(as_text=True), corpus, staff)
    assert MARKER_RE.search(reason).group(0) in shown

    document = db.session.scalar(select(Document).join(Document.case).where(
        Document.number.is_not(None)).order_by(Document.id.desc()))
    case_page = f"/cases/{document.case_id}"
    reason = corpus.payload("correct.reason", 200)
    response = browser.post(f"/documents/{document.id}/correct", {"reason": reason},
                            token_from=case_page)
    assert response.status_code in (302, 303)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert_inert_html(page, corpus, "after a correction")
    assert fetch.hits == []
