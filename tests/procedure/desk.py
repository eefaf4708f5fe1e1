"""The bureau's desk through HTTP: each user logs in and posts the action forms, as a browser."""
import html
import re
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.cases.intake import CaseData, PartyData, register_case
from enforcement.cases.models import Case
from enforcement.clocks import holidays
from enforcement.clocks.calendar import add_working_days
from enforcement.clocks.models import Clock
from enforcement.db import local_today
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.identifiers import credit_code_check_char
from enforcement.parties.models import PartyKind
from tests.conftest import CSRF_RE, Browser, user

VERSION_RE = re.compile(r'name="version" value="(\d+)"')
FLASH_RE = re.compile(r'class="alert[^"]*"[^>]*>(.*?)</div>', re.S)


class Desk:
    """One browser, used by the bureau's people in turn."""

    def __init__(self, client):
        self.browser = Browser(client)
        self.client = client
        self.who = None

    def as_(self, username: str) -> "Desk":
        if self.who != username:
            if self.who is not None:
                self.browser.logout()
            response = self.browser.login(username)
            assert response.status_code in (302, 303), response.status_code
            self.who = username
        return self

    def form(self, case_id: int, action: str):
        """GET the action's form page: (response, csrf token, version)."""
        response = self.client.get(f"/cases/{case_id}/actions/{action}")
        text = response.get_data(as_text=True)
        token, version = CSRF_RE.search(text), VERSION_RE.search(text)
        return response, token and token.group(1), version and int(version.group(1))

    def post(self, case_id: int, action: str, **fields):
        """Open the form and submit it: returns the response to the POST."""
        response, token, version = self.form(case_id, action)
        if response.status_code != 200:
            # the form is not offered now (a guard says no): post from the case page, as a
            # stale page or a hand-made request would, to see the same refusal
            token = self.browser.csrf(f"/cases/{case_id}")
            version = state(case_id)[1]
        data = [("csrf_token", token), ("version", str(version))]
        for key, value in fields.items():
            for v in value if isinstance(value, list) else [value]:
                if v is not None and v is not False:
                    data.append((key, str(v)))
        return self.client.post(f"/cases/{case_id}/actions/{action}", data=MultiDict(data))

    def do(self, case_id: int, action: str, **fields) -> list[Document]:
        """Take the action; it must succeed. Returns the documents it issued."""
        before = {d.id for d in documents(case_id)}
        version = state(case_id)[1]
        response = self.post(case_id, action, **fields)
        assert response.status_code == 303, (action, response.status_code, errors(response))
        assert state(case_id)[1] == version + 1, (action, flashes(self))
        return [d for d in documents(case_id) if d.id not in before]

    def page(self, path: str) -> str:
        return self.client.get(path).get_data(as_text=True)


def errors(response) -> list[str]:
    text = response.get_data(as_text=True)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r'class="invalid-feedback[^"]*">(.*?)</div>', text, re.S)]


def flashes(desk: Desk, path="/dashboard") -> str:
    return html.unescape(" ".join(FLASH_RE.findall(desk.page(path))))


def state(case_id: int):
    db.session.rollback()
    case = db.session.get(Case, case_id)
    return case.state.value, case.version


def documents(case_id: int) -> list[Document]:
    db.session.rollback()
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id)
                                   .order_by(Document.id)))


def document(case_id: int, doc_type: str) -> Document | None:
    found = [d for d in documents(case_id) if d.doc_type == doc_type and d.revoked_at is None]
    return found[-1] if found else None


def clocks(case_id: int, kind: str) -> list[Clock]:
    db.session.rollback()
    return list(db.session.scalars(select(Clock).where(Clock.case_id == case_id,
                                                       Clock.kind == kind).order_by(Clock.id)))


def status(case_id: int, kind: str) -> str | None:
    found = clocks(case_id, kind)
    return found[-1].status.value if found else None


def unit_id(code: str) -> int:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def working_days_ahead(start: date, n: int) -> date:
    return add_working_days(start, n, holidays.current())


def credit_code(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


def register(name="临河区程序测试粮油店", code_body="92150802MA0P0001") -> int:
    """A report registered by the unit head: the start of the procedure."""
    body = code_body + "0" * (17 - len(code_body))
    data = CaseData(cause="涉嫌销售侵犯“河套”注册商标专用权的面粉",
                    summary="举报人反映该店销售假冒“河套”雪花粉。", district="linhe",
                    occurred_on=local_today() - timedelta(days=7), occurred_place=name,
                    parties=[PartyData(PartyKind.organisation, name, credit_code=credit_code(body),
                                       address="临河区解放街9号")],
                    mark_numbers=["90000001"], reporter_name="权利人代理人",
                    reporter_contact="13800000001")
    case = register_case(user("linhe_unit_head"), _unit("linhe_amr"), data)
    return case.id


def _unit(code):
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def rows(name: str, *lines: dict) -> dict:
    """A ``rows`` field as a browser posts it: <name>-<i>-<column>."""
    return {f"{name}-{i}-{k}": v for i, line in enumerate(lines) for k, v in line.items()}
