"""What the public and portal accounts type, and what search boxes echo, stays inert.

The portal's report form (every text input the page offers), registration and mandates, and
the search boxes and filters of the public and staff lists and the login each get payloads of
the XSS corpus (``xss_support``): every page shows them as text only, the receipt PDF writes
them literally, and nothing was fetched. A field whose validation refuses a payload must say
why in Chinese and store nothing.
"""
import re

import pytest
from sqlalchemy import func, select

from enforcement.extensions import db
from tests.conftest import Browser
from tests.security.xss_support import (
    MARKER_RE,
    Corpus,
    _form_errors,
    assert_inert_html,
    form_fields,
    pdf_text,
    squeeze,
)

#: portal report fields with a format (dates, numbers, codes, contacts): a payload is
#: refused there with a message; the others take any text
REPORT_FORMAT_FIELDS = {"trademark-registration_no", "infringer-credit_code",
                        "infringer-id_number", "infringer-shop_url", "found_on",
                        "reporter-phone", "reporter-email", "principal-contact",
                        "goods-0-quantity"}


def test_portal_report_fields_stay_inert(app, client, fetch):
    from enforcement.reports.models import Report
    from tests.reports.test_web import TOKEN_RE, form_data

    corpus = Corpus(fetch.url)
    html = client.get("/portal/report").get_data(as_text=True)
    fields = form_fields(html)
    free = [n for n in fields.text if n not in REPORT_FORMAT_FIELDS]
    assert {"infringer-name", "infringer-address", "description", "location",
            "reporter-name", "goods-0-name", "trademark-name"} <= set(free)
    browser = Browser(client)
    before = db.session.scalar(select(func.count()).select_from(Report))
    free = [n for n in free if not n.endswith("-quantity")]  # of rows left empty: ignored
    for name in sorted(REPORT_FORMAT_FIELDS & set(fields.text)):
        token = TOKEN_RE.search(client.get("/portal/report").get_data(as_text=True)).group(1)
        response = browser.post("/portal/report", {"form_token": token, **form_data(
            **{name: corpus.payload(name, 40)})}, token_from="/portal/report")
        assert response.status_code in (400, 422), name
        assert_inert_html(response.get_data(as_text=True), corpus, f"refused {name}")
        assert re.search(r"[\u4e00-\u9fff]", response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Report)) == before

    # short payloads: names and addresses have length limits of their own
    values = {name: corpus.payload(name, 30 if name != "description" else 2000)
              for name in free}
    values["infringer-district"] = "linhe"
    token = TOKEN_RE.search(client.get("/portal/report").get_data(as_text=True)).group(1)
    response = browser.post("/portal/report", {"form_token": token,
                                               **form_data(**values)},
                            token_from="/portal/report")
    if response.status_code == 422:
        pytest.fail(f"free text refused: {_form_errors(response)}")
    assert response.status_code == 303, response.status_code
    receipt = client.get("/portal/report/receipt")
    shown = assert_inert_html(receipt.get_data(as_text=True), corpus, "receipt")
    pdf = client.get("/portal/report/receipt.pdf")
    assert pdf.status_code == 200
    text = squeeze(pdf_text(pdf.data))
    in_pdf = [m for m in corpus.by_marker if m in text]
    for marker in in_pdf:
        assert squeeze(corpus.by_marker[marker][1])[:60] in text
    report = db.session.scalar(select(Report).order_by(Report.id.desc()))
    assert report.case_id is not None
    browser.login("linhe_head")
    page = client.get(f"/cases/{report.case_id}")
    assert page.status_code == 200
    shown |= assert_inert_html(page.get_data(as_text=True), corpus, "the case of the report")
    for name in ("infringer-name", "description", "infringer-address"):
        marker = MARKER_RE.search(values[name]).group(0)
        assert marker in shown, f"{name} shown nowhere"
    assert in_pdf, "the receipt shows none of the report's text"
    assert fetch.hits == []


def test_reflected_search_values_stay_inert(app, client, fetch):
    """Search boxes and filters echo what was typed: escaped, in every list that does."""
    corpus = Corpus(fetch.url)
    pages = [
        (None, "/penalties/", ("party", "code", "mark", "district")),
        (None, "/verify", ("code",)),
        ("linhe_head", "/cases/", ("q", "number", "party", "credit_code", "mark", "state",
                                   "sort")),
        ("auditor", "/audit/", ("actor", "action", "object_type", "object_id", "ip")),
        ("police_linhe", "/inbox/police", ("filter",)),
        ("supervisor", "/stats/cases", ("figure", "dim", "key")),
    ]
    browser = Browser(client)
    echoed = 0
    for who, path, params in pages:
        if who:
            browser.login(who)
        for name in params:
            response = client.get(path, query_string={name: corpus.payload(name, 100)})
            assert response.status_code < 500, (path, name)
            echoed += len(assert_inert_html(response.get_data(as_text=True), corpus,
                                            f"{path}?{name}"))
        if who:
            browser.logout()
    assert echoed >= 5, "the search pages echo nothing: the check proves nothing"
    response = client.post("/login", data={"username": corpus.payload("username", 64),
                                           "password": "x" * 10,
                                           "csrf_token": browser.csrf("/login")})
    assert_inert_html(response.get_data(as_text=True), corpus, "login")
    response = client.get("/portal/marks", query_string={"q": "<script>河套"})
    assert response.is_json


def test_account_fields_stay_inert_or_are_refused(app, client, fetch):
    from enforcement.auth.models import User

    corpus = Corpus(fetch.url)
    browser = Browser(client)
    users_before = db.session.scalar(select(func.count()).select_from(User))
    valid = {"username": "holder_xss", "full_name": "某公司", "phone": "13904780009",
             "email": "", "password": "correct horse battery staple 7"}
    for name in ("username", "phone", "email"):
        response = browser.post("/portal/register", {**valid, name: corpus.payload(name, 60)},
                                token_from="/portal/register")
        assert response.status_code == 422, name
        html = response.get_data(as_text=True)
        assert_inert_html(html, corpus, f"register {name}")
        assert re.search(r"[\u4e00-\u9fff]", html)
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    full_name = corpus.payload("full_name", 80)
    response = browser.post("/portal/register", {**valid, "full_name": full_name},
                            token_from="/portal/register")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    marker = MARKER_RE.search(full_name).group(0)
    shown = set()
    for path in ("/portal/mine", "/portal/report", "/portal/mandates"):
        shown |= assert_inert_html(client.get(path).get_data(as_text=True), corpus, path)
    assert marker in shown
    principal = corpus.payload("principal_name", 120)
    response = browser.post("/portal/mandates", {
        "principal_name": principal, "principal_credit_code": corpus.payload("code", 30),
        "mark_numbers": corpus.payload("mark_numbers", 60), "valid_until": "2027-12-31"},
        token_from="/portal/mandates")
    assert response.status_code == 422
    assert_inert_html(response.get_data(as_text=True), corpus, "mandate refused")
    assert MARKER_RE.search(principal).group(0) in response.get_data(as_text=True)
