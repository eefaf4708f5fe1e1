"""Court enforcement of an unpaid fine from the court's side: acceptance within 5 working days,
the ruling within 7 (30 when the parties are heard, 行政强制法 Art. 56–58), the ruling back on
the bureau's case."""
import pytest

from enforcement.clocks.models import ClockStatus
from enforcement.errors import NotFound
from enforcement.referrals.models import CourtRuling, ReferralKind
from tests.conftest import case_in_state
from tests.referrals.helpers import act, clock, messages, referral

RUNNING, MET, CANCELLED = ClockStatus.running, ClockStatus.met, ClockStatus.cancelled


def test_accept_and_rule_in_seven_working_days(app):
    case_id = case_in_state("court_enforcement").id
    assert clock(case_id, "court_acceptance").status is RUNNING
    act(case_id, "accept_enforcement", "court_linhe", court_case_no="（2026）内0802执1号")
    r = referral(case_id, ReferralKind.court)
    assert r.receiver_case_no == "（2026）内0802执1号" and not r.hears_parties
    ruling = clock(case_id, "court_ruling")
    assert (ruling.status, ruling.length, ruling.unit) == (RUNNING, 7, "working_days")
    act(case_id, "rule_enforcement", "court_linhe", ruling="enforce",
        reasons="行政处罚决定认定事实清楚，准予强制执行。")
    r = referral(case_id, ReferralKind.court)
    assert r.ruling is CourtRuling.enforce and r.ruled_at is not None
    assert r.ruling_reasons == "行政处罚决定认定事实清楚，准予强制执行。"
    assert clock(case_id, "court_ruling").status is MET
    assert "准予执行" in messages(case_id)[-1].body  # the bureau is told
    # the case may now close: enforcement concluded
    act(case_id, "close", "linhe_head", summary="经人民法院裁定准予强制执行，予以结案。")


def test_hearing_the_parties_gives_thirty_days(app):
    case_id = case_in_state("court_enforcement").id
    act(case_id, "accept_enforcement", "court_linhe", court_case_no="（2026）内0802执2号",
        hears_parties="y")
    assert referral(case_id, ReferralKind.court).hears_parties
    assert clock(case_id, "court_ruling").status is CANCELLED
    hearing = clock(case_id, "court_ruling_hearing")
    assert (hearing.status, hearing.length, hearing.unit) == (RUNNING, 30, "days")
    act(case_id, "rule_enforcement", "court_linhe", ruling="refuse",
        reasons="被执行人提出的异议成立。")
    assert clock(case_id, "court_ruling_hearing").status is MET
    assert referral(case_id, ReferralKind.court).ruling is CourtRuling.refuse


def test_police_and_other_courts_cannot_act_on_the_application(app):
    from tests.referrals.helpers import receiver

    case_id = case_in_state("court_enforcement").id
    receiver("court_wuyuan", "court", "wuyuan_court")
    for username in ("court_wuyuan", "police_linhe"):
        # not visible at all: as if it did not exist
        with pytest.raises(NotFound):
            act(case_id, "accept_enforcement", username, court_case_no="（2026）执3号")
    assert referral(case_id, ReferralKind.court).receiver_case_no is None
