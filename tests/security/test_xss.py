"""Every text field a user fills stays inert: an XSS corpus through forms, pages and PDFs.

Each payload carries a unique marker. A page passes when every marker it shows is text: never
an element, an attribute, an event handler, a URL or a style, never the raw payload, never a
template evaluated (``{{7*7}}`` shown as 49). A document passes when the payload appears in its
text literally and the render fetched nothing (a local server counts requests). Spreadsheet
exports neutralise formulas. A field whose validation refuses a payload must say why in
Chinese and store nothing.

The workflow actions' own text fields (facts, reasons, opinions, places, the rows of tables)
go through the same corpus in ``test_xss_workflow.py``; that a bidi control in one value
reorders nothing around it is ``tests/documents/test_bidi.py``.
"""
import io
import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from enforcement.extensions import db
from tests.conftest import Browser

#: payload templates: ``M`` is replaced by a unique marker, ``U`` by the fetch-counting
#: server's address. Each is a way a value could escape its text node.
TEMPLATES = (
    ("script", '<script>alert("M")</script>'),
    ("event", "<img src=x onerror=alert('M')>"),
    ("quote-break", "\"'><svg/onload=alert('M')>"),
    ("js-url", "<a href=\"javascript:alert('M')\">M</a>"),
    ("mathml", "<math><mtext><table><mglyph><style><img src=x onerror=alert('M')>"),
    ("css", "<div style=\"width:expression(alert('M'));background:url(javascript:M)\">M</div>"),
    ("template", "{{7*7}}M${7*7}#{7*7}{% print 7*7 %}"),
    ("rtl", "\u202eM\u200f<iframe src=javascript:alert('M')>\u2066"),
    ("fetch", '<img src="U/M.png"><link rel=stylesheet href="U/M.css">M'),
    ("css-import", '<style>@import "U/M.css";</style>M'),
)
#: a NUL character is refused for the whole request (enforcement.inputs): see its own test
NUL_PAYLOAD = "M\x00<script>M</script>"
#: what fits a short field (a name, a place): still breaks out of an attribute if unescaped
SHORT = (("short", "\"><b onmouseover=M>"), ("short-template", "{{7*7}}M"))
#: a very long value (fields of 2000 characters)
LONG_TEXT = 1900

MARKER_RE = re.compile(r"Xz\d{4}q")
#: attributes whose value is a URL, a style or script: user data must never reach them
ACTIVE_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcdoc",
                               "style", "background", "poster", "data", "srcset"})


class Corpus:
    """Hands out payloads with unique markers and remembers which field got which."""

    def __init__(self, fetch_url: str, long_text: int = LONG_TEXT):
        self.fetch_url = fetch_url
        self.long = ("long", "<b>M</b>" + "长" * long_text)
        self.count = 0
        self.by_marker: dict[str, tuple[str, str]] = {}  # marker -> (field, payload)

    def payload(self, field: str, max_length: int = 2000) -> str:
        self.count += 1
        marker = f"Xz{self.count:04d}q"
        choices = [t for _n, t in (*TEMPLATES, self.long) if len(self._fill(t, marker)) <= max_length]
        choices = choices or [t for _n, t in SHORT if len(self._fill(t, marker)) <= max_length]
        if not choices:
            return marker
        value = self._fill(choices[self.count % len(choices)], marker)
        self.by_marker[marker] = (field, value)
        return value

    def _fill(self, template: str, marker: str) -> str:
        return template.replace("U", self.fetch_url).replace("M", marker)


def _active(name: str, value: str) -> bool:
    """User text in an attribute that runs: a handler, a style, or a URL that is not a plain
    same-site or http(s) link with the text URL-encoded in it."""
    if name.startswith("on") or name in ("style", "srcdoc"):
        return True
    if name not in ACTIVE_ATTRIBUTES:
        return False
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return True
    return any(c in value for c in "<>\" ")


class _Inspector(HTMLParser):
    """Collects where markers ended up: in text (fine) or in markup (an injection)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.raw_text: list[str] = []  # inside <script>/<style>

    def handle_starttag(self, tag, attrs):
        if MARKER_RE.search(tag):
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if MARKER_RE.search(name):
                self.problems.append(f"attribute {name} on <{tag}>")
            elif value and MARKER_RE.search(value) and _active(name, value):
                self.problems.append(f"{name}={value[:80]!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.lasttag in ("script", "style") and self.cdata_elem and MARKER_RE.search(data):
            self.problems.append(f"inside <{self.lasttag}>: {data[:80]!r}")


def assert_inert_html(html: str, corpus: Corpus, where: str) -> set[str]:
    """The markers shown on the page, each only as text; returns them."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert inspector.problems == [], f"{where}: injected markup {inspector.problems[:5]}"
    shown = set(MARKER_RE.findall(html))
    for marker in shown & set(corpus.by_marker):
        field, value = corpus.by_marker[marker]
        if any(c in value for c in "<>\"'"):
            assert value not in html, f"{where}: {field} shown unescaped"
        assert f"49{marker}" not in html, f"{where}: {field} evaluated as a template"
    return shown


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Text without white space and invisible controls (PDF extraction loses them)."""
    return re.sub(r"[\s\x00\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", text)


class FetchCounter:
    """A local HTTP server that counts every request: a render that fetches shows up."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# -- the text fields users fill, enumerated from the code -----------------------------------

FORM_MODULES = ("enforcement.auth.forms", "enforcement.rules.forms", "enforcement.clocks.forms",
                "enforcement.campaigns.forms")


def wtforms_text_fields() -> set[str]:
    """``module.Form.field`` of every StringField/TextAreaField of the form modules."""
    import importlib
    import inspect

    from wtforms import Form, StringField, TextAreaField
    from wtforms.fields.core import UnboundField

    found = set()
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for cls_name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, Form)
                    and cls.__module__ == module.__name__):
                continue
            for attr, value in vars(cls).items():
                if isinstance(value, UnboundField) and issubclass(
                        value.field_class, (StringField, TextAreaField)):
                    found.add(f"{name.split('.')[1]}.{cls_name}.{attr}")
    return found


def png() -> bytes:
    from tests.reports.helpers import png as make_png

    return make_png()


@pytest.fixture
def fetch():
    counter = FetchCounter()
    yield counter
    counter.close()


def test_the_fetch_counter_counts(fetch):
    """The proof of "nothing fetched" relies on this server seeing a request when one is made."""
    from urllib.request import urlopen

    with urlopen(f"{fetch.url}/probe.css", timeout=5) as response:
        assert response.status == 200
    assert fetch.hits == ["/probe.css"]


def test_the_html_check_finds_injections():
    corpus = Corpus("http://127.0.0.1:1")
    value = corpus.payload("x", 2000)
    marker = MARKER_RE.search(value).group(0)
    for page in (f"<p>{value}</p>", f'<input value="{value}">' if '"' in value else
                 f"<p><img src=x onerror={marker}></p>", f"<script>var a='{marker}'</script>",
                 f"<p>49{marker}</p>"):
        with pytest.raises(AssertionError):
            assert_inert_html(page, corpus, "sample")
    from markupsafe import escape

    assert assert_inert_html(f"<p>{escape(value)}</p>", corpus, "sample") == {marker}


# -- forms outside the workflow: every text input a page offers is filled -------------------

class _FormFields(HTMLParser):
    """The text inputs and textareas of the page's forms (by name), and hidden values."""

    TEXT_TYPES = {"text", "search", "email", "tel", "url", None}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "textarea" and a.get("name"):
            self.text.append(a["name"])
        elif tag == "input" and a.get("name"):
            if a.get("type") == "hidden":
                self.hidden[a["name"]] = a.get("value") or ""
            elif a.get("type") in self.TEXT_TYPES:
                self.text.append(a["name"])


def form_fields(html: str) -> _FormFields:
    parser = _FormFields()
    parser.feed(html)
    return parser


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


class _FormValues(HTMLParser):
    """Every field of the page's first POST form with the value it shows (a browser's
    submission), and which of them take free text (with their maxlength)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: list[tuple[str, str]] = []
        self.text: dict[str, int] = {}
        self._select = self._textarea = None
        self._first_option = None
        self._in_form = self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self._done and (a.get("method") or "").lower() == "post" \
                and not (a.get("action") or "").startswith(("/logout", "/lang")):
            self._in_form = True
        if not self._in_form or not a.get("name") and tag in ("input", "select", "textarea"):
            return
        if tag == "input":
            kind = a.get("type") or "text"
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.append((a["name"], a.get("value") or "y"))
            elif kind not in ("submit", "button", "file"):
                self.values.append((a["name"], a.get("value") or ""))
                if kind in _FormFields.TEXT_TYPES | {"text"}:
                    self.text[a["name"]] = int(a.get("maxlength") or 2000)
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values.append((a["name"], ""))
            self.text[a["name"]] = int(a.get("maxlength") or 2000)
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.values.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.values[-1]
            self.values[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not any(n == self._select for n, _v in self.values):
                self.values.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def submit_page_form(browser, path, corpus, only=None, skip=(), fixed=None):
    """Submit the page's form as shown, with payloads in its free-text fields (``only`` those
    whose name matches, none of ``skip``). Returns the response and {field: payload}."""
    parser = _FormValues()
    parser.feed(browser.client.get(path).get_data(as_text=True))
    assert parser.text, f"{path}: no text field found"
    payloads = {}
    data = []
    for name, value in parser.values:
        if name in parser.text and name not in skip and (only is None or re.search(only, name)):
            value = payloads[name] = corpus.payload(f"{path}:{name}", parser.text[name])
        data.append((name, (fixed or {}).get(name, value)))
    from werkzeug.datastructures import MultiDict

    return browser.client.post(path, data=MultiDict(data)), payloads


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


def _form_errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'(?:invalid-feedback|text-danger|alert-danger)[^>]*>([^<]{1,200})', html)


def _rule_kinds():
    from enforcement.rules.catalogue import RULE_KINDS

    return RULE_KINDS


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


_CAMPAIGNS = "test_campaign_fields_stay_inert_and_exports_neutralise_formulas"
#: every text field outside the workflow definition, and the test that fills it
COVERED = {
    "auth.LoginForm.username": "test_reflected_search_values_stay_inert",
    "auth.LoginForm.password": "never shown (a password field)",
    "auth.TotpCodeForm.code": "never shown (six digits, checked)",
    "campaigns.CampaignForm.name": _CAMPAIGNS,
    "campaigns.CampaignForm.goals": _CAMPAIGNS,
    "campaigns.CampaignForm.nice_classes": _CAMPAIGNS,
    "campaigns.AddCaseForm.number": _CAMPAIGNS,
    "campaigns.AddCaseForm.note": _CAMPAIGNS,
    "campaigns.RemoveCaseForm.reason": "same template and escaping as AddCaseForm.note",
    "campaigns.FieldWorkForm.note": _CAMPAIGNS,
    "clocks.NoticeForm.notice": "test_admin_forms_stay_inert",
    "clocks.HolidayRow.name": "test_admin_forms_stay_inert",
    "clocks.WorkdayRow.name": "test_admin_forms_stay_inert",
    "rules.RuleForm.source": "test_admin_forms_stay_inert",
    "rules.RuleForm.note": "test_admin_forms_stay_inert",
    "rules.figure": "test_admin_forms_stay_inert (refused)",
    # plain request.form fields (views read them by name)
    "accounts.register.username": "test_account_fields_stay_inert_or_are_refused",
    "accounts.register.full_name": "test_account_fields_stay_inert_or_are_refused",
    "accounts.register.phone": "test_account_fields_stay_inert_or_are_refused",
    "accounts.register.email": "test_account_fields_stay_inert_or_are_refused",
    "accounts.mandates.principal_name": "test_account_fields_stay_inert_or_are_refused",
    "accounts.mandates.principal_credit_code": "test_account_fields_stay_inert_or_are_refused",
    "accounts.mandates.mark_numbers": "test_account_fields_stay_inert_or_are_refused",
    "reports.form.*": "test_portal_report_fields_stay_inert (every text input of the page)",
    "reports.status.tracking_no": "test_reflected_search_values_stay_inert",
    "reports.status.access_code": "never echoed (a secret)",
    "publicity.preview.extra_masks": "workflow field publish.extra_masks",
    "publicity.preview.note": "workflow field publish.note",
    "publicity.typical.note": "test_document_correction_and_publicity_notes_stay_inert",
    "publicity.withdraw.reason": "test_document_correction_and_publicity_notes_stay_inert",
    "publicity.revocation.reason": "same entry page and escaping as withdraw.reason",
    "publicity.repair.note": "same entry page and escaping as typical.note",
    "documents.correct.reason": "test_document_correction_and_publicity_notes_stay_inert",
    "users.full_name": "test_user_full_name_stays_inert (flask users create)",
}

#: names views read from request.form that are not free text
NOT_TEXT = {"version", "next", "csrf_token", "confirm", "typical", "kind", "decided_on",
            "applied_on", "mandate_id", "reporter-anonymous", "report", "password"}
#: free-text names views read from request.form → their entry in COVERED
PLAIN_NAMES = {"reason": "documents.correct.reason", "extra_masks": "publicity.preview.extra_masks",
               "note": "publicity.typical.note", "tracking_no": "reports.status.tracking_no",
               "access_code": "reports.status.access_code"}


def _request_form_names() -> set[str]:
    """Literal names read with ``request.form.get`` (or ``form.get``) in the views."""
    import ast
    from pathlib import Path

    names = set()
    for path in Path(__file__).resolve().parents[2].joinpath("enforcement").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "getlist") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and ast.unparse(node.func.value) in ("request.form", "form")):
                names.add(node.args[0].value)
    return names


def test_every_text_field_is_covered(app):
    """A new text field (a form class, a workflow field, a name a view reads) fails this test
    until it is added to a table above and to the test that fills it."""
    missing = wtforms_text_fields() - set(COVERED)
    assert missing == set(), f"text fields without an XSS test: {missing}"
    unknown = _request_form_names() - NOT_TEXT - set(PLAIN_NAMES)
    assert unknown == set(), f"form names read by views, not classified: {unknown}"
    assert set(PLAIN_NAMES.values()) <= set(COVERED)


def test_a_nul_character_is_refused_with_a_message(app, client):
    """A NUL cannot be stored (PostgreSQL text refuses it): the request is refused, in
    Chinese, and nothing is written."""
    from enforcement.campaigns.models import Campaign

    browser = Browser(client)
    browser.login("supervisor")
    before = db.session.scalar(select(func.count()).select_from(Campaign))
    response = browser.post("/campaigns/new", {"name": NUL_PAYLOAD.replace("M", "行动"),
                                               "starts_on": "2026-10-01",
                                               "ends_on": "2026-12-31"},
                            token_from="/campaigns/new")
    assert response.status_code == 400
    assert "空字符" in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == before
