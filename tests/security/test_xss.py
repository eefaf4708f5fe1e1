"""Every text field a user fills stays inert: an XSS corpus through forms, pages and PDFs.

Each payload carries a unique marker (the corpus and its checks: ``xss_support``). A page
passes when every marker it shows is text: never an element, an attribute, an event handler, a
URL or a style, never the raw payload, never a template evaluated (``{{7*7}}`` shown as 49). A
document passes when the payload appears in its text literally and the render fetched nothing
(a local server counts requests). Spreadsheet exports neutralise formulas. A field whose
validation refuses a payload must say why in Chinese and store nothing.

Here: the checks find what they look for, a NUL is refused, and every text field is covered.
The fields are enumerated from the code (form classes, names views read), each with the test
that fills it (``COVERED``): the forms outside the workflow are filled in
``test_xss_portal_and_searches.py`` (the portal's report and accounts, search boxes, the login)
and ``test_xss_staff_forms.py`` (campaigns, field work and the exports, rules, the calendar,
staff names, corrections and publicity notes). The workflow actions' own text fields (facts,
reasons, opinions, places, the rows of tables) go through the same corpus in
``test_xss_workflow.py``; that a bidi control in one value reorders nothing around it is
``tests/documents/test_bidi.py``.
"""
import pytest
from sqlalchemy import func, select

from enforcement.extensions import db
from tests.conftest import Browser
from tests.security.xss_support import MARKER_RE, NUL_PAYLOAD, Corpus, assert_inert_html


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


_CAMPAIGNS = "test_campaign_fields_stay_inert_and_exports_neutralise_formulas"
#: every text field outside the workflow definition, and the test that fills it (in
#: ``test_xss_portal_and_searches.py`` or ``test_xss_staff_forms.py``)
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
