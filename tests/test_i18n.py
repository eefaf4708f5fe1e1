"""Translations: the en catalog is complete, current with the sources, and used by the app.

Every user-facing msgid is Simplified Chinese; English comes from
enforcement/translations/en/LC_MESSAGES/messages.po (maintained with ``scripts/translations``).
The compiled .mo files are git-ignored, so this module compiles them when they are missing or
older than their .po.
"""
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from enforcement import create_app
from enforcement.extensions import db
from tests.conftest import Browser, case_in_state

REPO = Path(__file__).resolve().parent.parent
TRANSLATIONS = REPO / "enforcement" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
BABEL_CFG = REPO / "babel.cfg"
SCRIPT = REPO / "scripts" / "translations"

#: Han characters, CJK punctuation (《》、。「」) and full-width forms (（），：；)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: printf-style placeholders: %(name)s, %(n)d, %s, %%
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _read_catalog(path: Path = EN_PO):
    with path.open("rb") as f:
        return read_po(f)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _strings(message) -> tuple[list[str], list[str]]:
    """msgid and msgstr forms of a message (plural messages have several)."""
    ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    strings = (list(message.string) if isinstance(message.string, tuple | list)
               else [message.string])
    return ids, strings


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    """Compile every .po whose .mo is missing or stale, then drop Flask-Babel's cache.

    Flask-Babel caches loaded catalogs per process on the shared ``Babel`` instance; an earlier
    test may have cached an empty catalog before the .mo existed.
    """
    from enforcement.extensions import babel

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = _read_catalog(po)
        fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; the app may run as another user
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    domain = vars(babel).get("domain_instance")  # a cached property, set on first use
    if domain is not None:
        domain.cache.clear()
    yield


# -- (a) the catalog itself ------------------------------------------------------------------


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = _read_catalog()
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    untranslated = [m.id for m in catalog if m.id and not all(_strings(m)[1])]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [], f"untranslated msgids: {untranslated}"
    assert fuzzy == [], f"fuzzy msgids: {fuzzy}"


def test_placeholders_match_between_msgid_and_msgstr():
    catalog = _read_catalog()
    mismatched = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _strings(message)
        expected = _placeholders(ids[-1])
        for string in strings:
            if _placeholders(string) != expected:
                mismatched.append((message.id, string))
    assert mismatched == []
    # babel's own checkers (python-format, plural forms) agree
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


def test_english_strings_contain_no_chinese_characters_or_full_width_punctuation():
    catalog = _read_catalog()
    leftovers = [(m.id, s) for m in catalog if m.id for s in _strings(m)[1] if CJK.search(s)]
    assert leftovers == []


# -- (b) the catalog is current with the sources ---------------------------------------------


def _mapping():
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as f:
        return parse(f)


def _keywords():
    """The keywords the extraction script passes to pybabel (``-k``), plus babel's defaults."""
    specs = re.findall(r"-k\s+(\S+)", SCRIPT.read_text(encoding="utf-8"))
    assert {"_", "_l", "N_"} <= {s.split(":")[0] for s in specs}, specs
    return {**DEFAULT_KEYWORDS, **frontend.parse_keywords(specs)}


def _extracted():
    method_map, options_map = _mapping()
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=_keywords(),
    ):
        msgid = message[0] if isinstance(message, tuple | list) else message
        if msgid:
            found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    return found


def test_the_mapping_covers_python_workflows_and_templates():
    found = _extracted()
    places = {where.split("/")[0] for wheres in found.values() for where in wheres}
    assert {"enforcement", "workflows", "templates"} <= places, places


def test_every_message_in_the_sources_is_in_the_catalog():
    catalog = _read_catalog()
    missing = {
        (message, context): wheres for (message, context), wheres in _extracted().items()
        if catalog.get(message, context=context) is None
    }
    assert not missing, (
        "messages missing from the en catalog; run `scripts/translations update`, translate "
        "them and run `scripts/translations compile`:\n"
        + "\n".join(f"  {m!r} ({', '.join(w)})" for (m, _c), w in sorted(missing.items())))


# -- (c) the workflow vocabulary in both languages -------------------------------------------


def _workflow_messages() -> dict[str, str]:
    """Every label and reason the workflow definition hands to the UI: message -> where."""
    from workflows import guards
    from workflows.definition import ACTIONS, STAGE_LABELS, STATE_LABELS
    from workflows.spec import Guard

    messages = {}
    for action in ACTIONS:
        messages[action.label] = f"action {action.name}"
        if action.basis:
            messages[action.basis] = f"basis of {action.name}"
        for field in action.fields:
            messages[field.label] = f"field {action.name}.{field.name}"
            for value, label in field.choices:
                messages[label] = f"choice {action.name}.{field.name}={value}"
        for guard in action.guards:
            messages[guard.reason] = f"guard {guard.code}"
    for state, label in STATE_LABELS.items():
        messages[label] = f"state {state.value}"
    for stage, label in STAGE_LABELS.items():
        messages[label] = f"stage {stage.value}"
    for guard in vars(guards).values():
        if isinstance(guard, Guard):
            messages[guard.reason] = f"guard {guard.code}"
    return messages


def test_workflow_vocabulary_is_english_under_en_and_chinese_under_zh(app):
    messages = _workflow_messages()
    assert len(messages) > 100
    with force_locale("en"):
        english = {m: gettext(m) for m in messages}
    with force_locale("zh"):
        chinese = {m: gettext(m) for m in messages}
    not_english = {messages[m]: (m, t) for m, t in english.items() if not t or CJK.search(t)}
    assert not_english == {}
    assert chinese == {m: m for m in messages}
    assert all(CJK.search(m) for m in messages)


def test_lazy_catalogues_follow_the_locale(app):
    from enforcement.auth.permissions import PERMISSIONS, ROLES
    from enforcement.clocks.kinds import CLOCK_KINDS
    from enforcement.documents.types import DOC_TYPES

    lazy = ([*PERMISSIONS.values()] + [label for label, _perms in ROLES.values()]
            + [k.label for k in CLOCK_KINDS.values()] + [k.basis for k in CLOCK_KINDS.values()]
            + [t.title for t in DOC_TYPES.values()])
    with force_locale("en"):
        english = [str(s) for s in lazy]
    with force_locale("zh"):
        chinese = [str(s) for s in lazy]
    assert [s for s in english if CJK.search(s)] == []
    assert all(CJK.search(s) for s in chinese)
    with force_locale("en"):
        assert str(CLOCK_KINDS["decision"].basis) == (
            "SAMR Provisions on Administrative Penalty Procedures, Art. 64")


def test_refusal_messages_keep_their_parameters_in_english(app):
    with force_locale("en"):
        text = gettext("案件当前状态为“%(state)s”，不能进行此操作", state="Closed")
    assert "Closed" in text and not CJK.search(text)


# -- (d) pages in English --------------------------------------------------------------------


class _UIText(HTMLParser):
    """Text nodes and human-readable attributes of a page."""

    ATTRIBUTES = {"aria-label", "placeholder", "alt", "title"}

    def __init__(self):
        super().__init__()
        self.texts = []

    def handle_starttag(self, tag, attrs):
        self.texts += [v.strip() for k, v in attrs if k in self.ATTRIBUTES and v]

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data.strip())


def _untranslated_ui(html: str) -> list[str]:
    """Pieces of a page that are exactly a catalog msgid, i.e. UI text left in Chinese."""
    msgids = {m.id for m in _read_catalog() if m.id and isinstance(m.id, str)}
    parser = _UIText()
    parser.feed(html)
    return [t for t in parser.texts if t in msgids]


@pytest.fixture
def web(database_url):
    """A :class:`Browser` on an app whose requests each get their own application context.

    The conftest ``app`` fixture keeps one application context open for the whole test, so all
    test-client requests made under it share ``g``, where Flask-Babel caches the request's
    locale (and Flask-WTF its CSRF token): a language switch would not show on the next page.
    """
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url)
    yield Browser(app.test_client())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _switch_to(browser, code: str, next_path: str = "/dashboard"):
    response = browser.post(f"/lang/{code}", {"next": next_path}, token_from="/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(next_path)


def test_pages_render_in_english_after_choosing_english(web):
    browser = web
    assert browser.login("linhe_inspector1").status_code == 302
    dashboard = browser.client.get("/dashboard").get_data(as_text=True)
    assert "工作台" in dashboard  # Chinese first

    _switch_to(browser, "en")
    dashboard = browser.client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="en">' in dashboard
    for text in ("Trademark Infringement Enforcement Case System", "Dashboard", "Cases",
                 "Workflow", "Log out", "Visible cases", "My cases", "By status"):
        assert text in dashboard, text
    assert _untranslated_ui(dashboard) == []

    cases = browser.client.get("/cases/").get_data(as_text=True)
    for text in ("Cause of action", "Handling unit", "All statuses", "Investigating",
                 "Recently updated"):
        assert text in cases, text
    assert _untranslated_ui(cases) == []


def test_case_pages_render_the_workflow_in_english(web):
    browser = web
    with browser.client.application.app_context():
        case_id = case_in_state("investigating").id
    browser.login("linhe_inspector1")
    _switch_to(browser, "en", f"/cases/{case_id}")

    detail = browser.client.get(f"/cases/{case_id}").get_data(as_text=True)
    for text in ("Investigating", "Case stages", "Investigation", "Penalty", "Available actions",
                 "Make inquiry record", "Deadlines", "Case decision",
                 "SAMR Provisions on Administrative Penalty Procedures, Art. 64"):
        assert text in detail, text
    for text in ("可进行的操作", "办案阶段", "制作询问笔录", "调查取证"):
        assert text not in detail, text

    form = browser.client.get(f"/cases/{case_id}/actions/record_inquiry")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    for text in ("Make inquiry record", "Person questioned", "Inquiry date", "Inquiry content",
                 "Confirm", "Cancel"):
        assert text in page, text
    assert _untranslated_ui(page) == []


def test_switching_back_to_chinese(web):
    browser = web
    browser.login("linhe_inspector1")
    _switch_to(browser, "en")
    _switch_to(browser, "zh")
    dashboard = browser.client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="zh-CN">' in dashboard
    assert "工作台" in dashboard and "Dashboard" not in dashboard
