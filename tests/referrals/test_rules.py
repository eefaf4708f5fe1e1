"""The referral rules of the workflow table, without the app: who may refuse, when, why."""
from workflows import guards as g
from workflows.definition import ACTIONS_BY_NAME, DECLINE_GROUNDS


class FakeFacts:
    def __init__(self, counts=None, **values):
        self.counts = counts or {}
        self.decision_kind = None
        self.supplement_pending = False
        self.__dict__.update(values)

    def count(self, action):
        return self.counts.get(action, 0)


def test_no_decline_for_incomplete_materials():
    decline = ACTIONS_BY_NAME["decline_transfer"]
    grounds = dict(decline.field("ground").choices)
    assert set(grounds) == {code for code, _label in DECLINE_GROUNDS}
    assert not any("材料" in label for label in grounds.values())
    assert g.no_supplement_pending in decline.guards
    assert not g.no_supplement_pending.check(FakeFacts(supplement_pending=True))


def test_supplement_and_forward_clocks():
    assert ACTIONS_BY_NAME["request_supplement"].clocks.start == ("supplement",)
    assert ACTIONS_BY_NAME["supply_materials"].clocks.stop == ("supplement",)
    forward = ACTIONS_BY_NAME["forward_transfer"]
    assert forward.clocks.start == ("transfer_delivery",)
    assert "police_decision" in forward.clocks.cancel


def test_reconsideration_once_per_transfer():
    once = g.reconsideration_once.check
    assert once(FakeFacts({"approve_transfer": 1}))
    assert not once(FakeFacts({"approve_transfer": 1, "request_reconsideration": 1}))
    # transferred again after being taken back: a new reconsideration may follow
    assert once(FakeFacts({"approve_transfer": 2, "request_reconsideration": 1}))


def test_resumed_case_closes_only_through_its_own_decision():
    # after resume_administrative the case investigates again; close starts only from a
    # decided case, or from one the police filed (Decree 310 Art. 10)
    assert ACTIONS_BY_NAME["resume_administrative"].dest.value == "investigating"
    assert {s.value for s in ACTIONS_BY_NAME["close"].sources} == {
        "decided", "publicized", "police_filed", "court_enforcement"}


def test_ruling_clock_when_the_parties_are_heard():
    from enforcement.clocks.kinds import CLOCK_KINDS

    assert ACTIONS_BY_NAME["accept_enforcement"].field("hears_parties").kind == "bool"
    kind = CLOCK_KINDS["court_ruling_hearing"]
    assert (kind.length, kind.unit) == (30, "days") and "第五十八条" in str(kind.basis)
    assert "court_ruling_hearing" in ACTIONS_BY_NAME["rule_enforcement"].clocks.stop
