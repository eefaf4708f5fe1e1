"""Workflow actions taken through their web forms with XSS payloads, and what shows them.

:class:`ActionDesk` posts an action's web form, with its CSRF token, as a user who may take the
action (``USER_FOR``), a payload of the XSS corpus (``xss_support``) in every free-text field
and table cell and valid values elsewhere: first with payloads in the fields with a format (a
date, an amount, a quantity, an identifier), which must be refused with a Chinese message and
change nothing, then as it should be. :meth:`ActionDesk.check` reads the case page with its
history (and the receiver's or the rights holder's page, where they see the action): each
payload shown as text only; and every document the action issued: each payload it shows
written literally, having fetched nothing. The tables say which fields a format refuses, which
are shown on no page, and which a document does not print, and why.
"""
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from enforcement.cases.models import Case, CaseEvent
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.referrals.models import Referral, ReferralKind
from tests.conftest import CSRF_RE, Browser, user
from tests.documents.helpers import pdf_text as running_text
from tests.security.xss_support import (
    MARKER_RE,
    Corpus,
    FetchCounter,
    assert_inert_html,
    squeeze,
)
from workflows.definition import ACTIONS_BY_NAME

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
