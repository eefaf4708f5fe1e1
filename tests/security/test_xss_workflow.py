"""The workflow actions' own text fields stay inert: the XSS corpus through every action form.

Every free-text field of every action (facts, reasons, opinions, places, names in the rows of
a table) is posted through the action's web form, with its CSRF token, by a user who may take
the action, with a payload of the corpus of ``test_xss`` and valid values elsewhere. Then the
case page with its history (and the receiver's or the rights holder's page, where they see
the action) shows each payload as text only, and every document the action issued shows it
literally, having fetched nothing. A field with a format (a date, an amount, a quantity, an
identifier) refuses a payload with a Chinese message, and the action changes nothing.

The actions are taken along the paths of the demo cases (``case_in_state``), several per test.
"""
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from enforcement.cases.models import Case, CaseEvent
from enforcement.clocks import holidays
from enforcement.clocks.calendar import add_working_days
from enforcement.clocks.models import Clock
from enforcement.db import acting_as_of, local_today
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.referrals.models import Referral, ReferralKind
from tests.conftest import CSRF_RE, Browser, case_in_state, user
from tests.documents.helpers import pdf_text as running_text
from tests.security.test_xss import (
    MARKER_RE,
    Corpus,
    FetchCounter,
    assert_inert_html,
    squeeze,
)
from workflows.definition import ACTIONS, ACTIONS_BY_NAME

VERSION_RE = re.compile(r'name="version" value="(\d+)"')
ROW_CELL = re.compile(r"^(\w+)-(\d+)-(\w+)$")
TEXT_KINDS = ("text", "textarea")
#: kinds whose value has a format: a payload there is refused by the form
FORMAT_KINDS = ("date", "money", "integer", "decimal")

#: text fields checked against a format (after the form's own checks): a payload is refused
REFUSED_BY_FORMAT = {
    "record_inquiry.person_id": "居民身份证号码, with its check digit (parties.identifiers)",
    "decide_no_penalty.supplier_credit_code": "统一社会信用代码, with its check character",
}
#: text fields stored on the event but shown on no page
NOT_SHOWN_ON_PAGES: dict[str, str] = {}
#: actions with text fields this test does not take (none: every one is reached)
NOT_REACHED: dict[str, str] = {}
#: payloads in the data a document is rendered from that its template does not print
NOT_PRINTED = {
    ("coercive_measure_decision", "impose_measure.place"):
        "the decision names where the goods were found (the case's place); 实施地点 is kept "
        "with the measure",
    ("hearing_record", "conclude_hearing.report"): "the report is the 听证报告's",
    ("hearing_report", "conclude_hearing.record"): "the record is the 听证笔录's",
    ("transfer_letter", "approve_transfer.opinion"): "a cover letter: the opinion stays inside",
}

#: who takes an action, by the permission it needs
USER_FOR = {
    "case.investigate": "linhe_inspector1", "case.assign": "linhe_unit_head",
    "case.approve_filing": "linhe_head", "case.review": "linhe_reviewer",
    "case.decide": "linhe_head", "case.approve_transfer": "linhe_head",
    "case.close": "linhe_head", "referral.receive": "police_linhe",
    "referral.decide": "police_linhe", "court.handle": "court_linhe",
    "referral.supervise": "procurator_city",
}
#: the bureau reader whose case page is checked
READER = "linhe_head"
#: users of receiving units: they act on a referred case from its referral page
RECEIVERS = frozenset({"police_linhe", "police_city", "court_linhe", "procurator_city"})


def text_fields(action) -> list[str]:
    """``action.field`` of every free-text field, ``action.field.column`` in tables."""
    found = []
    for spec in action.fields:
        if spec.kind in TEXT_KINDS:
            found.append(f"{action.name}.{spec.name}")
        found += [f"{action.name}.{spec.name}.{c.name}" for c in spec.columns
                  if c.kind in TEXT_KINDS]
    return found


@dataclass
class Taken:
    case_id: int
    action: str
    who: str
    payloads: dict[str, str] = field(default_factory=dict)  # field -> payload
    documents: list[Document] = field(default_factory=list)


class _Invalid(HTMLParser):
    """The names of the form controls marked invalid."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "is-invalid" in (a.get("class") or "").split() and a.get("name"):
            self.names.add(a["name"])


def invalid_names(html: str) -> set[str]:
    parser = _Invalid()
    parser.feed(html)
    return parser.names


class ActionDesk:
    """Each user in their own logged-in browser; takes actions through the forms."""

    def __init__(self, app, fetch: FetchCounter):
        self.app, self.fetch, self.corpus = app, fetch, Corpus(fetch.url)
        self.browsers: dict[str, Browser] = {}

    def browser(self, username: str) -> Browser:
        if username not in self.browsers:
            browser = Browser(self.app.test_client())
            assert browser.login(username).status_code in (302, 303), username
            self.browsers[username] = browser
        return self.browsers[username]

    def page(self, username: str, path: str) -> str:
        response = self.browser(username).client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        return response.get_data(as_text=True)

    def form_path(self, case_id: int, action: str, who: str) -> str:
        if who.startswith("holder_"):
            assert action == "request_mediation", action
            return f"/holder/cases/{case_id}/mediation"
        if who in RECEIVERS:
            return f"/referrals/{referral_of(case_id, who).id}/actions/{action}"
        return f"/cases/{case_id}/actions/{action}"

    def take(self, case_id: int, name: str, who: str | None = None, *, refuse: bool = True,
             **valid) -> Taken:
        """Post the action with a payload in each free-text field and ``valid`` elsewhere:
        first (``refuse``) with payloads in the fields with a format, which must be refused,
        then as it should be; it must succeed. Returns what was posted and issued."""
        action = ACTIONS_BY_NAME[name]
        who = who or USER_FOR[action.actors[0].permission]
        path = self.form_path(case_id, name, who)
        taken = Taken(case_id, name, who)
        free = self._free_text(action, valid, taken)
        if refuse:
            self._refused(case_id, action, who, path, free, valid)
        before = counts(case_id)
        response = self._post(who, path, {**flat_rows(valid), **free})
        assert response.status_code == 303, (name, response.status_code,
                                              feedback(response.get_data(as_text=True)))
        assert counts(case_id)[0] == before[0] + 1, (name, "not taken")
        taken.documents = [d for d in case_documents(case_id) if d.id > before[3]]
        return taken

    def _free_text(self, action, valid, taken) -> dict:
        """Payloads for the free-text fields (and the text cells of table rows)."""
        free = {}
        for spec in action.fields:
            key = f"{action.name}.{spec.name}"
            if spec.kind in TEXT_KINDS and key not in REFUSED_BY_FORMAT:
                free[spec.name] = taken.payloads[key] = self.corpus.payload(key, spec.max_length)
            for i, _row in enumerate(valid.get(spec.name, ()) if spec.kind == "rows" else ()):
                for column in spec.columns:
                    if column.kind in TEXT_KINDS:
                        value = self.corpus.payload(f"{key}.{column.name}", column.max_length)
                        free[f"{spec.name}-{i}-{column.name}"] = value
                        taken.payloads.setdefault(f"{key}.{column.name}", value)
                        taken.payloads[f"{key}.{column.name}#{i}"] = value
        return free

    def _refused(self, case_id, action, who, path, free, valid):
        """Payloads in the fields with a format: refused, with a Chinese message each, and
        the case, its history and its documents unchanged."""
        formatted, checked = {}, {}
        for spec in action.fields:
            if spec.kind in FORMAT_KINDS:
                formatted[spec.name] = self.corpus.payload(f"{action.name}.{spec.name}", 40)
            if f"{action.name}.{spec.name}" in REFUSED_BY_FORMAT:
                checked[spec.name] = self.corpus.payload(f"{action.name}.{spec.name}",
                                                         spec.max_length)
            for i, _row in enumerate(valid.get(spec.name, ()) if spec.kind == "rows" else ()):
                for column in spec.columns:
                    if column.kind in FORMAT_KINDS:
                        formatted[f"{spec.name}-{i}-{column.name}"] = self.corpus.payload(
                            f"{action.name}.{spec.name}.{column.name}", 40)
        for bad in (formatted, checked):
            if not bad:
                continue
            before = counts(case_id)
            response = self._post(who, path, {**flat_rows(valid), **free, **bad})
            html = response.get_data(as_text=True)
            assert response.status_code == 422, (action.name, sorted(bad),
                                                 response.status_code)
            assert_inert_html(html, self.corpus, f"{action.name} refused")
            messages = feedback(html)
            for name in bad:  # a table's cell is named in its field's message
                if (cell := ROW_CELL.match(name)) is not None:
                    label = next(c.label for c in action.field(cell[1]).columns
                                 if c.name == cell[3])
                    assert any(f"第{int(cell[2]) + 1}行“{label}”" in m for m in messages), \
                        (action.name, name, messages)
                else:
                    assert name in invalid_names(html), (action.name, name, "not marked")
            assert messages and all(re.search(r"[\u4e00-\u9fff]", m) for m in messages), \
                (action.name, messages)
            assert counts(case_id) == before, (action.name, "changed by a refused form")

    def _post(self, who, path, values):
        browser = self.browser(who)
        response = browser.client.get(path, follow_redirects=True)
        html = response.get_data(as_text=True)
        token, version = CSRF_RE.search(html), VERSION_RE.search(html)
        assert token and version, (who, path, "not offered", alerts(html))
        data = [("csrf_token", token.group(1)), ("version", version.group(1))]
        for key, value in values.items():
            data += [(key, v if isinstance(v, tuple) else str(v))
                     for v in (value if isinstance(value, list) else [value]) if v is not None]
        return browser.client.post(path, data=MultiDict(data),
                                   content_type="multipart/form-data")

    # -- what the pages and documents show ------------------------------------------------
    def check(self, *taken: Taken, also=()) -> None:
        """The case pages (and ``also``: (user, path) pairs) inert, each payload shown; each
        document with every payload it shows written literally."""
        shown = set()
        for case_id in {t.case_id for t in taken}:
            shown |= assert_inert_html(self.page(READER, f"/cases/{case_id}"), self.corpus,
                                       f"case {case_id}")
        for t in taken:
            if t.who in RECEIVERS:
                path = f"/referrals/{referral_of(t.case_id, t.who).id}"
                shown |= assert_inert_html(self.page(t.who, path), self.corpus, path)
        for who, path in also:
            shown |= assert_inert_html(self.page(who, path), self.corpus, path)
        for t in taken:
            for key, value in t.payloads.items():
                name = key.split("#")[0]
                if name not in NOT_SHOWN_ON_PAGES:
                    assert marker(value) in shown, f"{key} shown on no page"
            for document in t.documents:
                self.check_document(document, t)
        assert self.fetch.hits == [], "a page or a render fetched a URL"

    def check_document(self, document: Document, taken: Taken) -> None:
        assert document.pdf[:5] == b"%PDF-", document.doc_type
        text = squeeze(running_text(document.pdf))  # without page numbers and footers
        found = []
        for mark, (name, value) in self.corpus.by_marker.items():
            if mark not in text and mark[::-1] not in text:
                continue
            found.append(name)
            assert f"49{mark}" not in text, (document.doc_type, name, "evaluated")
            if "\u202e" in value:  # an override lays its own value out right to left
                continue
            expected = comparable(squeeze(value))[:100]
            if name.count(".") == 2:  # a table cell: its lines come between its neighbours'
                assert in_order(expected, comparable(text)), (document.doc_type, name, expected)
            else:
                assert expected in comparable(text), (document.doc_type, name, expected)
        # the action's text the document was rendered from, it shows (markup would hide it)
        data = json.dumps(document.data, ensure_ascii=False)
        for key, value in taken.payloads.items():
            name = key.split("#")[0]
            if (json.dumps(value, ensure_ascii=False)[1:-1] in data
                    and (document.doc_type, name) not in NOT_PRINTED):
                assert name in found, (document.doc_type, key, "not shown")


def flat_rows(values: dict) -> dict:
    """A ``rows`` value (a list of dicts) as a browser posts it: <name>-<i>-<column>."""
    flat = {}
    for key, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            flat.update({f"{key}-{i}-{k}": v for i, row in enumerate(value)
                         for k, v in row.items()})
        else:
            flat[key] = value
    return flat


def alerts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", "", m) for m in
            re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)]


#: a glyph drawn mirrored in a right-to-left run is extracted as its mirror everywhere in
#: the same PDF (one text mapping per glyph): compare brackets without their side
MIRRORED = str.maketrans(">)]}»）", "<([{«（")


def comparable(text: str) -> str:
    return text.translate(MIRRORED)


def in_order(part: str, text: str) -> bool:
    """Every character of ``part`` in ``text``, in order (other text between them)."""
    rest = iter(text)
    return all(char in rest for char in part)


def marker(value: str) -> str:
    return MARKER_RE.search(value).group(0)


def feedback(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", "", m) for m in
            re.findall(r'class="invalid-feedback[^"]*">(.*?)</div>', html, re.S)]


def counts(case_id: int) -> tuple[int, int, int, int]:
    """Version, events, documents and the last document id of a case."""
    db.session.rollback()
    version = db.session.get(Case, case_id).version
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id))
    documents = db.session.scalar(select(func.count()).select_from(Document).where(
        Document.case_id == case_id))
    last = db.session.scalar(select(func.max(Document.id)).where(
        Document.case_id == case_id)) or 0
    return version, events, documents, last


def case_documents(case_id: int) -> list[Document]:
    db.session.rollback()
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id)
                                   .order_by(Document.id)))


def latest(case_id: int, doc_type: str) -> Document:
    return [d for d in case_documents(case_id) if d.doc_type == doc_type][-1]


def referral_of(case_id: int, who: str) -> Referral:
    """The latest referral of the case that the receiver's unit got; for the procuratorate
    (copied on the transfers of the city), the latest transfer to the police."""
    query = select(Referral).where(Referral.case_id == case_id).order_by(Referral.id.desc())
    if who == "procurator_city":
        query = query.where(Referral.kind == ReferralKind.police)
    else:
        query = query.where(Referral.unit_id == user(who).unit_id)
    db.session.rollback()
    return db.session.scalars(query).first()


def unit_id(code: str) -> int:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def D(text: str) -> date:  # noqa: N802 (as in the clock tests)
    return date.fromisoformat(text)


def working_days_ahead(n: int):
    return add_working_days(local_today(), n, holidays.current())


def due_on(case_id: int, kind: str):
    db.session.rollback()
    return db.session.scalars(select(Clock.due_on).where(
        Clock.case_id == case_id, Clock.kind == kind).order_by(Clock.id)).all()[-1]


def png_file():
    from tests.security.test_xss import png

    return (io.BytesIO(png()), "evidence.png")


@pytest.fixture
def fetch():
    counter = FetchCounter()
    yield counter
    counter.close()


@pytest.fixture
def desk(app, fetch):
    return ActionDesk(app, fetch)


def serve(desk, case_id, doc_type, on=None) -> Taken:
    return desk.take(case_id, "record_service", document=latest(case_id, doc_type).id,
                     method="direct", served_on=(on or local_today()).isoformat(),
                     refuse=doc_type == "penalty_notice")


# -- the actions, along the demo cases' paths -----------------------------------------------

def test_report_and_acceptance_actions(desk):
    today = local_today()
    case = case_in_state("registered").id
    taken = [desk.take(case, "assign", inspectors=[user("linhe_inspector1").id,
                                                   user("linhe_inspector2").id])]
    asked = desk.take(case, "request_identification",
                      reply_by=(today + timedelta(days=5)).isoformat())
    holder = "holder_weixin"  # the demo case's mark is 维信's
    desk.check(asked, also=[(holder, f"/holder/identification/{case}"), (holder, "/holder/")])
    taken += [desk.take(case, "record_identification", genuine="counterfeit"),
              desk.take(case, "extend_verification"),
              desk.take(case, "propose_filing", proposal="file"),
              desk.take(case, "return_to_verification"),
              desk.take(case, "propose_filing", proposal="file", refuse=False),
              desk.take(case, "approve_filing")]
    rejected = desk.take(case_in_state("filing_review").id, "reject_filing")
    moved = desk.take(case_in_state("verifying").id, "transfer_jurisdiction",
                      target_unit=unit_id("wuyuan_amr"))
    desk.check(*taken, rejected, moved)


def test_investigation_actions(desk):
    today = local_today().isoformat()
    case = case_in_state("investigating").id
    taken = [desk.take(case, "record_inquiry", held_on=today),
             desk.take(case, "record_inspection", held_on=today),
             desk.take(case, "record_evidence", files=png_file()),
             desk.take(case, "record_sampling", held_on=today),
             desk.take(case, "impose_measure", measure="seize",
                       goods=[{"quantity": "28"}, {"quantity": "40"}])]
    measure = latest(case, "coercive_measure_decision").id
    taken += [desk.take(case, "extend_measure", measure_document=measure),
              desk.take(case, "release_measure", measure_document=measure),
              desk.take(case, "order_correction",
                        correct_by=(local_today() + timedelta(days=3)).isoformat()),
              desk.take(case, "compute_business_volume", lines=[
                  {"status": "sold", "quantity": "12", "price": "85",
                   "price_basis": "actual_price"},
                  {"status": "unsold", "quantity": "28", "price": "88",
                   "price_basis": "marked_price"}]),
              desk.take(case, "record_collective_discussion", subject="extend_decision",
                        held_on=today),
              desk.take(case, "extend_decision", extension_days="30"),
              desk.take(case, "suspend"), desk.take(case, "resume"),
              desk.take(case, "propose_transfer", suspected_crime="sell_counterfeit"),
              desk.take(case, "reject_transfer"),
              desk.take(case, "finish_investigation", outcome="penalty", proposed_fine="20000")]
    desk.check(*taken)


def test_review_mediation_and_no_penalty_actions(desk):
    case = case_in_state("legal_review").id  # its mark is 河套's
    holder = "holder_hetao"
    asked = desk.take(case, "request_mediation", holder, amount="50000")
    answered = desk.take(case, "record_mediation", outcome="failed")
    desk.check(asked, answered, also=[(holder, f"/holder/cases/{case}/mediation"),
                                      (holder, "/holder/messages")])
    taken = [desk.take(case, "return_for_investigation"),
             desk.take(case, "finish_investigation", outcome="no_penalty", refuse=False),
             desk.take(case, "pass_review")]
    taken += [serve(desk, case, "penalty_notice"),
              desk.take(case, "record_statement", kind="statement")]
    with acting_as_of(due_on(case, "statement") + timedelta(days=1)):
        taken += [desk.take(case, "submit_for_decision"),
                  desk.take(case, "decide_no_penalty", ground="seller_exemption",
                            supplier_unit=0)]
    desk.check(*taken)


def test_hearing_decision_and_publicity_actions(desk):
    case = case_in_state("notified").id  # the hearing right was given
    taken = [serve(desk, case, "penalty_notice"),
             desk.take(case, "request_hearing", hearing_on=working_days_ahead(10).isoformat())]
    day = working_days_ahead(12)
    taken.append(desk.take(case, "reschedule_hearing", hearing_on=day.isoformat()))
    taken.append(serve(desk, case, "hearing_notice"))
    with acting_as_of(day):
        taken += [desk.take(case, "conclude_hearing"),
                  desk.take(case, "decide_penalty", fine="20000", order_to_stop="y"),
                  serve(desk, case, "penalty_decision", on=day),
                  desk.take(case, "publish", refuse=False),
                  desk.take(case, "withdraw_publication", refuse=False),
                  desk.take(case, "record_payment", amount="5000", paid_on=day.isoformat())]
    desk.check(*taken)


def test_enforcement_and_closing_actions(desk):
    from tests.clocks.helpers import act, filed

    # decided and served in January, unpaid: by July the remedies have lapsed (the dates of
    # tests/clocks/test_lifecycle.py, whose calendar year is seeded)
    case = filed(D("2026-01-05"))
    act(case, "finish_investigation", "linhe_inspector1", D("2026-01-06"), findings="事实清楚。",
        outcome="penalty", proposed_fine="20000", penalty_items="罚款贰万元")
    act(case, "pass_review", "linhe_reviewer", D("2026-01-06"), opinion="同意。",
        hearing_rights="y")
    with acting_as_of(D("2026-01-06")):
        taken = [serve(desk, case, "penalty_notice", on=D("2026-01-06"))]
    act(case, "record_statement", "linhe_inspector1", D("2026-01-06"), kind="waiver",
        content="放弃。")
    act(case, "submit_for_decision", "linhe_inspector1", D("2026-01-06"))
    act(case, "decide_penalty", "linhe_head", D("2026-01-07"), violation="销售侵权商品。",
        legal_basis="《商标法》第六十条", fine="20000")
    with acting_as_of(D("2026-01-07")):
        taken.append(serve(desk, case, "penalty_decision", on=D("2026-01-07")))
    with acting_as_of(D("2026-01-08")):
        taken.append(desk.take(case, "publish"))
    with acting_as_of(D("2026-07-09")):
        taken += [desk.take(case, "serve_payment_demand"),
                  serve(desk, case, "payment_demand", on=D("2026-07-09"))]
    with acting_as_of(D("2026-07-24")):
        taken.append(desk.take(case, "apply_court_enforcement", court=unit_id("linhe_court")))
    with acting_as_of(D("2026-07-27")):
        taken.append(desk.take(case, "accept_enforcement", hears_parties="y"))
    with acting_as_of(D("2026-07-30")):
        taken.append(desk.take(case, "rule_enforcement", ruling="enforce"))

    paid = case_in_state("publicized").id
    taken += [desk.take(paid, "record_payment", amount="20000",
                        paid_on=local_today().isoformat()),
              desk.take(paid, "close")]
    desk.check(*taken)


def test_referral_actions(desk):
    case, referred, declined = (case_in_state(state).id for state in (
        "referral_review", "referred", "referral_declined"))
    taken = [desk.take(case, "approve_transfer", police_unit=unit_id("linhe_police")),
             desk.take(case, "acknowledge_transfer")]
    forwarded = desk.take(case, "forward_transfer", police_unit=unit_id("city_police"))
    desk.check(*taken, forwarded)

    case = referred
    taken = [desk.take(case, "acknowledge_transfer", refuse=False),
             desk.take(case, "request_supplement"), desk.take(case, "supply_materials"),
             desk.take(case, "decline_transfer", ground="no_crime"),
             desk.take(case, "resume_administrative")]
    case = declined
    taken += [desk.take(case, "request_supervision"),
              desk.take(case, "record_supervision", kind="opinion"),
              desk.take(case, "request_reconsideration"),
              desk.take(case, "accept_transfer")]
    taken.append(desk.take(case, "hand_over_goods", handed_on=local_today().isoformat()))
    desk.check(*taken)


# -- the tables ----------------------------------------------------------------------------

def taken_in_this_file() -> set[str]:
    """The action names this file's tests pass to ``take`` (and ``serve``: record_service)."""
    import ast
    from pathlib import Path

    names = {"record_service"}
    for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "take" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)):
            names.add(node.args[1].value)
    return names


def test_every_action_text_field_is_taken_or_listed():
    """A new text field fails here until a test above takes its action (which fills every
    free-text field) or a table says why not."""
    every = {name for action in ACTIONS for name in text_fields(action)}
    with_text = {name.split(".")[0] for name in every}
    taken = taken_in_this_file()
    assert taken <= set(ACTIONS_BY_NAME), taken - set(ACTIONS_BY_NAME)
    assert with_text - taken - set(NOT_REACHED) == set(), "actions with text fields not taken"
    assert set(NOT_REACHED) <= with_text - taken, "listed as not reached, but taken"
    listed = {*REFUSED_BY_FORMAT, *NOT_SHOWN_ON_PAGES, *(name for _doc, name in NOT_PRINTED)}
    assert listed <= every, f"stale table entries: {listed - every}"
