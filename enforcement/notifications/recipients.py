"""Who is told: the reporter(s) of a case, and the rights-holder side of it."""
from dataclasses import dataclass

from sqlalchemy import select

from enforcement.auth.models import User
from enforcement.cases.models import Case, CaseMark
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.reports.models import Report


@dataclass(frozen=True)
class Recipient:
    #: portal | email | sms
    channel: str
    address: str


def portal(user_id: int) -> Recipient:
    return Recipient("portal", f"user:{user_id}")


def by_contact(contact: str | None) -> Recipient | None:
    """A phone number or an e-mail address as typed by the reporter or a clerk."""
    contact = (contact or "").strip()
    if "@" in contact:
        return Recipient("email", contact)
    digits = contact.replace(" ", "").replace("-", "")
    if digits.lstrip("+").isdigit() and len(digits) >= 7:
        return Recipient("sms", digits)
    return None


def _account(user: User | None) -> list[Recipient]:
    if user is None or not user.active:
        return []
    found = [portal(user.id)]
    if user.email:
        found.append(Recipient("email", user.email))
    return found


def _unique(found) -> list[Recipient]:
    return list(dict.fromkeys(r for r in found if r is not None))


def reporters(case: Case) -> list[tuple[str, list[Recipient]]]:
    """Each named reporter of the case with the tracking number it follows (投诉举报办法
    Art. 31: anonymous ones are not told): the portal inbox of its account and the phone or
    e-mail it left. A case reported through the portal has one report per reporter (several
    when reports joined an open case); a case registered by staff has the case's fields."""
    reports = db.session.scalars(select(Report).where(Report.case_id == case.id)
                                 .order_by(Report.id)).all()
    if not reports:
        if not case.reporter_is_named:
            return []
        found = []
        if case.reporter_user_id:
            found += _account(db.session.get(User, case.reporter_user_id))
        found.append(by_contact(case.reporter_contact))
        return [(case.report_no, _unique(found))]
    told = []
    for report in reports:
        if report.anonymous:
            continue
        found = _account(report.submitted_by) if report.submitted_by_user_id else []
        if report.filed_by_unit_id is not None:  # a station helped: tell the farmer too
            found.append(by_contact(report.principal_contact))
        elif report.reporter_name or report.submitted_by_user_id:
            found += [by_contact(report.reporter_phone), by_contact(report.reporter_email)]
        found = _unique(found)
        if found:
            told.append((report.tracking_no, found))
    return told


def holder_users(case: Case) -> list[User]:
    """The accounts of the rights-holder side: the reporting account, the marks' owners."""
    owners = select(Trademark.owner_user_id).join(CaseMark, CaseMark.trademark_id == Trademark.id) \
        .where(CaseMark.case_id == case.id, Trademark.owner_user_id.is_not(None))
    ids = set(db.session.scalars(owners))
    if case.reporter_user_id:
        ids.add(case.reporter_user_id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def holders(case: Case) -> list[Recipient]:
    """Requests addressed to the rights holder: its accounts; without one, a named reporter's
    phone or e-mail (the holder's agent who reported without an account)."""
    found = [r for user in holder_users(case) for r in _account(user)]
    if not found and case.reporter_is_named:
        found.append(by_contact(case.reporter_contact))
    return _unique(found)


def inspectors(case: Case) -> list[Recipient]:
    return [portal(user.id) for user in case.inspectors if user.active]
