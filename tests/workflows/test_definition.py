"""The workflow definition read as the table of DESIGN §2: pure, no app, no database."""
import re
from collections import deque
from types import SimpleNamespace

import pytest

from enforcement.auth.permissions import PERMISSIONS
from enforcement.clocks.kinds import CLOCK_KINDS
from enforcement.documents.types import DOC_TYPES
from enforcement.orgs.models import UnitKind
from workflows import engine
from workflows.definition import ACTIONS, ACTIONS_BY_NAME, STAGE_LABELS, STATE_LABELS
from workflows.diagram import graphviz, mermaid
from workflows.spec import FIELD_KINDS, Side
from workflows.states import END_STATES, STAGES, CaseState, Stage

S = CaseState
CHINESE = re.compile(r"[\u4e00-\u9fff]")
BEFORE_DECISION = {S.investigating, S.suspended, S.legal_review, S.notified, S.hearing,
                   S.decision_review}
LOOP = None
#: sources given by the design table as prose ("any state with a served document", "(loop)")
ANY = "any"

#: DESIGN §2 action table: name -> (sources, destination or LOOP, permissions)
DESIGN_TABLE = {
    "assign": ({S.registered}, S.verifying, {"case.assign"}),
    "request_identification": ({S.verifying, S.investigating}, LOOP, {"case.investigate"}),
    "record_identification": (ANY, LOOP, {"case.investigate", "identification.answer"}),
    "extend_verification": ({S.verifying}, LOOP, {"case.approve_filing"}),
    "propose_filing": ({S.verifying}, S.filing_review, {"case.investigate"}),
    "approve_filing": ({S.filing_review}, S.investigating, {"case.approve_filing"}),
    "reject_filing": ({S.filing_review}, S.not_filed, {"case.approve_filing"}),
    "return_to_verification": ({S.filing_review}, S.verifying, {"case.approve_filing"}),
    "transfer_jurisdiction": ({S.verifying}, S.transferred_out, {"case.approve_filing"}),
    "suspend": ({S.investigating}, S.suspended, {"case.approve_filing"}),
    "resume": ({S.suspended}, S.investigating, {"case.approve_filing"}),
    "extend_decision": (BEFORE_DECISION, LOOP, {"case.approve_filing"}),
    "finish_investigation": ({S.investigating}, S.legal_review, {"case.investigate"}),
    "return_for_investigation": ({S.legal_review, S.decision_review}, S.investigating,
                                 {"case.review", "case.decide"}),
    "pass_review": ({S.legal_review}, S.notified, {"case.review"}),
    "record_statement": ({S.notified}, LOOP, {"case.investigate"}),
    "request_hearing": ({S.notified}, S.hearing, {"case.investigate"}),
    "conclude_hearing": ({S.hearing}, S.decision_review, {"case.review"}),
    "submit_for_decision": ({S.notified}, S.decision_review, {"case.investigate"}),
    "decide_penalty": ({S.decision_review}, S.decided, {"case.decide"}),
    "decide_no_penalty": ({S.decision_review}, S.decided, {"case.decide"}),
    "record_service": (ANY, LOOP, {"case.investigate"}),
    "record_payment": ({S.decided, S.publicized}, LOOP, {"case.investigate"}),
    "publish": ({S.decided}, S.publicized, {"case.decide"}),
    "withdraw_publication": ({S.publicized}, LOOP, {"case.decide"}),
    "serve_payment_demand": ({S.decided, S.publicized}, LOOP, {"case.investigate"}),
    "apply_court_enforcement": ({S.decided, S.publicized}, S.court_enforcement,
                                {"case.decide"}),
    "accept_enforcement": ({S.court_enforcement}, LOOP, {"court.handle"}),
    "rule_enforcement": ({S.court_enforcement}, LOOP, {"court.handle"}),
    "propose_transfer": ({S.investigating, S.legal_review, S.decision_review},
                         S.referral_review, {"case.investigate"}),
    "approve_transfer": ({S.referral_review}, S.referred, {"case.approve_transfer"}),
    "reject_transfer": ({S.referral_review}, S.investigating, {"case.approve_transfer"}),
    "acknowledge_transfer": ({S.referred}, LOOP, {"referral.receive"}),
    "request_supplement": ({S.referred}, LOOP, {"referral.receive"}),
    "supply_materials": ({S.referred}, LOOP, {"case.investigate"}),
    "forward_transfer": ({S.referred}, LOOP, {"referral.receive"}),
    "accept_transfer": ({S.referred}, S.police_filed, {"referral.decide"}),
    "decline_transfer": ({S.referred}, S.referral_declined, {"referral.decide"}),
    "request_reconsideration": ({S.referral_declined}, S.referred, {"case.approve_transfer"}),
    "request_supervision": ({S.referral_declined}, LOOP, {"case.approve_transfer"}),
    "resume_administrative": ({S.referral_declined}, S.investigating,
                              {"case.approve_transfer"}),
    "record_supervision": ({S.referred, S.referral_declined}, LOOP, {"referral.supervise"}),
    "hand_over_goods": ({S.police_filed}, LOOP, {"case.investigate"}),
    "close": ({S.decided, S.publicized, S.police_filed, S.court_enforcement}, S.closed,
              {"case.close"}),
}


def transitions_graph() -> dict[CaseState, set[CaseState]]:
    graph: dict[CaseState, set[CaseState]] = {state: set() for state in CaseState}
    for action in ACTIONS:
        if not action.is_loop:
            for source in action.sources:
                graph[source].add(action.dest)
    return graph


def reachable(start: CaseState, graph) -> set[CaseState]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in graph[queue.popleft()] - seen:
            seen.add(nxt)
            queue.append(nxt)
    return seen


def all_fields():
    return [(action, spec) for action in ACTIONS for spec in action.fields]


def test_action_names_are_unique():
    assert len(ACTIONS_BY_NAME) == len(ACTIONS)


def test_every_state_is_reachable_from_registered():
    unreachable = set(CaseState) - reachable(S.registered, transitions_graph())
    assert unreachable == set()


def test_every_open_state_can_still_end():
    graph = transitions_graph()
    stuck = {state for state in CaseState
             if state not in END_STATES and not reachable(state, graph) & END_STATES}
    assert stuck == set()


def test_end_states_are_the_designs():
    assert END_STATES == {S.not_filed, S.transferred_out, S.closed}


@pytest.mark.parametrize("state", sorted(END_STATES, key=lambda s: s.value), ids=str)
def test_nothing_leaves_an_end_state(state):
    # the design table lists no action, loop or not, from 不予立案, 已移送管辖 or 已结案
    assert [a.name for a in engine.actions_from(state)] == []
    assert state not in {source for a in ACTIONS if not a.is_loop for source in a.sources}


def test_every_state_has_a_chinese_label_and_a_stage():
    for state in CaseState:
        assert CHINESE.search(STATE_LABELS[state]), state
        assert state in STAGES
    assert set(STAGE_LABELS) == set(Stage)
    assert STAGES[S.closed] is None


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_action_has_a_chinese_label(action):
    assert action.label.strip()
    assert CHINESE.search(action.label), action.label


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_action_permissions_exist(action):
    assert action.actors, "an action nobody may take"
    unknown = {actor.permission for actor in action.actors} - set(PERMISSIONS)
    assert unknown == set()


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_actor_states_are_sources_of_the_action(action):
    for actor in action.actors:
        assert actor.states is None or actor.states <= set(action.sources)
        assert isinstance(actor.side, Side)


@pytest.mark.parametrize("action,spec", all_fields(), ids=lambda x: getattr(x, "name", ""))
def test_field_is_well_formed(action, spec):
    assert spec.kind in FIELD_KINDS
    assert CHINESE.search(spec.label), (action.name, spec.name)
    if spec.kind == "choice":
        assert spec.choices, (action.name, spec.name)
        values = [value for value, _label in spec.choices]
        assert len(values) == len(set(values))
        assert all(CHINESE.search(label) for _value, label in spec.choices)
    if spec.kind == "unit":
        # "supplier": any bureau of the city, or outside it (decide_no_penalty)
        assert spec.option == "supplier" or UnitKind(spec.option)
    if spec.kind == "users":
        assert int(spec.option) >= 1
    if spec.kind == "rows":
        assert spec.columns and 1 <= spec.min_rows <= spec.max_rows
        for column in spec.columns:
            assert column.kind in FIELD_KINDS - {"rows", "files", "users", "unit", "document"}
            assert CHINESE.search(column.label), (action.name, spec.name, column.name)
    else:
        assert not spec.columns


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_field_names_are_unique_within_an_action(action):
    names = [spec.name for spec in action.fields]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_documents_issued_are_known_types(action):
    assert set(action.documents) <= set(DOC_TYPES)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_clocks_touched_are_known_kinds(action):
    c = action.clocks
    named = (set(c.start) | set(c.stop) | set(c.pause) | set(c.resume) | set(c.extend)
             | set(c.cancel))
    assert named <= set(CLOCK_KINDS)


def test_extended_clocks_have_an_extension_length():
    extended = {code for action in ACTIONS for code in action.clocks.extend}
    assert extended
    assert all(CLOCK_KINDS[code].extension > 0 for code in extended)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_guards_give_a_chinese_reason(action):
    for guard in action.guards:
        assert guard.code and callable(guard.check)
        assert CHINESE.search(guard.reason), guard.code


def test_machine_has_one_event_per_action_and_no_models():
    assert set(engine.MACHINE.events) == set(ACTIONS_BY_NAME)
    assert len(engine.MACHINE.events) == len(ACTIONS)
    assert engine.MACHINE.models == []


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_machine_event_matches_the_definition(action):
    event = engine.MACHINE.events[action.name]
    assert set(event.transitions) == {source.name for source in action.sources}
    for source in action.sources:
        (transition,) = event.transitions[source.name]
        expected = source.name if action.is_loop else action.dest.name
        assert (transition.dest or source.name) == expected


def test_design_table_actions_are_all_defined():
    assert set(DESIGN_TABLE) - set(ACTIONS_BY_NAME) == set()


@pytest.mark.parametrize("name", sorted(DESIGN_TABLE))
def test_action_matches_the_design_table(name):
    sources, dest, permissions = DESIGN_TABLE[name]
    action = ACTIONS_BY_NAME[name]
    assert action.dest == dest
    if sources is not ANY:
        assert set(action.sources) == sources
    assert action.permissions == permissions


def test_record_service_is_open_wherever_a_document_may_await_service():
    sources = set(ACTIONS_BY_NAME["record_service"].sources)
    assert sources == set(CaseState) - {S.registered} - END_STATES


def test_actions_from_a_state_keep_table_order():
    # actions_from keeps table order: the buttons of a state come in the order of the table
    names = [a.name for a in engine.actions_from(S.filing_review)]
    assert names == ["approve_filing", "reject_filing", "return_to_verification",
                     "record_service"]


# -- the engine's refusals, with fake facts ------------------------------------------------
def facts(**values):
    base = dict(count=lambda action: 0, discussions=lambda subject: 0, team_size=2,
                credentialed_colleagues=2, identification_pending=False)
    base.update(values)
    return SimpleNamespace(**base)


def codes(name, state, permissions, *, own_side=True, **fact_values):
    refusals = engine.refusals(ACTIONS_BY_NAME[name], state, permissions.__contains__,
                               lambda side: own_side, facts(**fact_values))
    return [r.code for r in refusals]


def test_refusals_check_state_before_permission():
    assert codes("assign", S.verifying, set()) == ["state"]


def test_refusals_check_permission_then_jurisdiction():
    assert codes("assign", S.registered, {"case.investigate"}) == ["permission"]
    assert codes("assign", S.registered, {"case.assign"}, own_side=False) == ["jurisdiction"]


def test_refusals_list_failing_guards_only_once_allowed():
    assert codes("assign", S.registered, {"case.assign"}, credentialed_colleagues=1) == [
        "unit_has_team"]
    assert codes("assign", S.registered, {"case.assign"}) == []


def test_state_restricted_actor_is_refused_in_the_other_state():
    # a reviewer returns from 审核中, never from 待决定
    assert codes("return_for_investigation", S.legal_review, {"case.review"}) == []
    assert codes("return_for_investigation", S.decision_review, {"case.review"}) == [
        "jurisdiction"]


def test_second_decision_extension_needs_a_discussion():
    once = dict(count=lambda a: 1 if a == "extend_decision" else 0)
    assert codes("extend_decision", S.investigating, {"case.approve_filing"}, **once) == [
        "decision_extension_discussed"]
    assert codes("extend_decision", S.investigating, {"case.approve_filing"},
                 discussions=lambda s: 1, **once) == []


def test_unknown_action_is_a_lookup_error():
    with pytest.raises(engine.UnknownAction):
        engine.get_action("delete_case")


def test_diagrams_mention_every_state():
    for source in (mermaid(), graphviz(), mermaid(include_loops=False)):
        missing = [state.value for state in CaseState if state.value not in source]
        assert missing == []
        assert all(STATE_LABELS[state] in source for state in CaseState)


def test_mermaid_draws_every_transition_and_hides_loops_on_request():
    full, bare = mermaid(), mermaid(include_loops=False)
    assert "    registered --> verifying: 指派办案人员" in full
    assert "    filing_review --> not_filed: 不予立案" in full
    assert "    verifying --> verifying: 延长核查期限" in full
    assert "延长核查期限" not in bare
    for action in ACTIONS:
        if not action.is_loop:
            for source in action.sources:
                assert f"{source.value} --> {action.dest.value}: {action.label}" in bare


def test_graphviz_draws_transitions_as_edges():
    dot = graphviz()
    assert dot.startswith("digraph workflow {") and dot.rstrip().endswith("}")
    assert 'registered -> verifying [label="指派办案人员"];' in dot
    assert "verifying -> verifying" not in dot  # loops are listed inside the box
