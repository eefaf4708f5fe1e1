"""Small helpers of the referral tests: act through the real service, find rows."""
from sqlalchemy import select

from enforcement.auth.services import create_user
from enforcement.clocks.models import Clock
from enforcement.extensions import db
from enforcement.outbox.models import OutboxMessage
from enforcement.referrals.models import Referral, ReferralKind

# the case-service helpers every workflow test uses
from tests.cases.test_services import act, form, unit  # noqa: E402, F401
from tests.conftest import DEMO_PASSWORD, case_in_state, user


def referral(case_id, kind=ReferralKind.police) -> Referral:
    return db.session.scalar(select(Referral).where(Referral.case_id == case_id,
                                                    Referral.kind == kind)
                             .order_by(Referral.id.desc()))


def clock(case_id, kind) -> Clock | None:
    return db.session.scalar(select(Clock).where(Clock.case_id == case_id, Clock.kind == kind)
                             .order_by(Clock.id.desc()))


def messages(case_id, topic="referral") -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.case_id == case_id, OutboxMessage.topic == topic)
        .order_by(OutboxMessage.id)))


def referred() -> int:
    """A 临河区 case just transferred to the 临河 police, not yet signed for."""
    return case_in_state("referred").id


def acknowledged() -> int:
    case_id = referred()
    act(case_id, "acknowledge_transfer", "police_linhe", note="已签收。")
    return case_id


def declined(ground="no_crime") -> int:
    case_id = acknowledged()
    act(case_id, "decline_transfer", "police_linhe", ground=ground,
        reason="现有证据不足以证明涉嫌犯罪。")
    return case_id


def receiver(username, role, unit_code):
    """A further receiver account (the demo has one per kind)."""
    found = user(username)
    if found is None:
        found = create_user(username, username, DEMO_PASSWORD, roles=[role],
                            unit=unit(unit_code))
        db.session.commit()
    return found
