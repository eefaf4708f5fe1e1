"""The workflow under random use: a Hypothesis state machine in which anyone tries anything.

Random demo users (own and foreign unit staff, holders, police, procuratorate, court, auditor)
take random actions (legal now or not, known or not) with random fields (valid ones built from
the action's own form, and broken ones: missing, wrong type, too long, impossible dates,
negative amounts, foreign ids) and random stale versions, on the demo cases (one in every
state) and on cases registered during the run. What must hold, without re-implementing the
workflow: a refused step leaves the case file, its clocks, documents, evidence, outbox and every
table's row count as they were, with the refusal audited as the service promises; an accepted
step is one the workflow allows, raises the version by one and adds one event; throughout, the
audit chain verifies, documents and evidence match their hashes, states are the workflow's and
a closed case owes no deadline.

Isolation: each example runs on the test's demo database inside one outer transaction that is
rolled back at its end. The services' commits end savepoints of that transaction (the session
is bound to its connection with ``join_transaction_mode="create_savepoint"``), so every
example starts from the same demo data in milliseconds: Hypothesis can shrink and replay a
failure, which copying a 60 MB database per example (or creating one on PostgreSQL) would
make too slow, and cases created per example could not reach the later states in time.
"""
import functools
import hashlib
import os

from flask_sqlalchemy.session import Session as FlaskSession
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import LargeBinary, String, cast, func, select
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.datastructures import MultiDict

from enforcement.audit.models import AuditEntry
from enforcement.audit.services import verify_chain
from enforcement.auth.models import User
from enforcement.cases import services
from enforcement.cases.intake import CaseData, PartyData, register_case
from enforcement.cases.models import Case, CaseEvent
from enforcement.cases.scope import can_read
from enforcement.clocks.models import Clock, ClockEvent
from enforcement.clocks.services import OPEN_STATUSES, is_deadline
from enforcement.documents.models import Document
from enforcement.errors import Invalid, NotFound, Refused, Stale
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import get_storage
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.parties.models import PartyKind
from tests.workflows.stateful_fields import TEXT, action_fields
from workflows import engine
from workflows.definition import ACTIONS, ACTIONS_BY_NAME
from workflows.states import CaseState

#: bounded so that a run takes well under a minute on SQLite and two on PostgreSQL; no example
#: database is written (CI runs from a clean clone); print_blob lets a failure be replayed
#: with @reproduce_failure. ``STATEFUL_EXAMPLES=300 scripts/test tests/workflows`` hunts longer.
SETTINGS = settings(max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "25")),
                    stateful_step_count=15, deadline=None, database=None,
                    derandomize=False, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

#: what a service raises when it refuses; anything else escaping it is a bug (an HTTP 500)
REFUSALS = (Refused, Invalid, Stale, NotFound)


# -- one outer transaction per example -------------------------------------------------------
class _ExampleSession(FlaskSession):
    """The app's session class, kept on the example's connection (Flask-SQLAlchemy's own
    ``get_bind`` would pick the engine and step out of the outer transaction)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


class RolledBack:
    """``db.session`` bound to one connection whose outer transaction is rolled back at the
    end; the services' commits and rollbacks end savepoints inside it."""

    def __enter__(self):
        db.session.remove()
        self.connection = db.engine.connect()
        self.outer = self.connection.begin()
        self.saved = db.session
        factory = sessionmaker(class_=_ExampleSession, db=db, query_cls=db.Query,
                               bind=self.connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, _app_ctx_id)
        return self

    def __exit__(self, *exc):
        db.session.remove()
        db.session = self.saved
        self.outer.rollback()
        self.connection.close()


# -- what the database holds about a case, and in total ---------------------------------------
@functools.cache
def _tables():
    return tuple(db.metadata.sorted_tables)


def _case_tables():
    """Every table with a ``case_id`` column (new ones are covered without editing this)."""
    return [t for t in _tables() if "case_id" in t.c]


def _rows(table, *where):
    # a stored PDF by its length here (its bytes against its hash: the invariant below)
    columns = [func.length(c) if isinstance(c.type, LargeBinary) else c for c in table.c]
    return db.session.execute(select(*columns).where(*where)
                              .order_by(*table.primary_key)).all()


def case_snapshot(case_id: int) -> dict:
    """Every row about the case, read afresh: the case, and each table that refers to it."""
    db.session.rollback()
    cases = Case.__table__
    clocks = select(Clock.id).where(Clock.case_id == case_id)
    snap = {"cases": _rows(cases, cases.c.id == case_id),
            "clock_events": _rows(ClockEvent.__table__, ClockEvent.clock_id.in_(clocks))}
    for table in _case_tables():
        snap[table.name] = _rows(table, table.c.case_id == case_id)
    return snap


def table_counts() -> dict[str, int]:
    """The row count of every table, in one query."""
    counts = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name)
                      for t in _tables()))
    return dict(db.session.execute(counts).one()._mapping)


def stored_files() -> set[str]:
    root = get_storage().root
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} \
        if root.exists() else set()


def new_audit(after_seq: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.seq > after_seq)
                                   .order_by(AuditEntry.seq)))


def last_seq() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))


# -- the machine ------------------------------------------------------------------------------
ACTION_NAMES = [a.name for a in ACTIONS]


class WorkflowMachine(RuleBasedStateMachine):
    """Anyone tries anything on the demo cases; see the module docstring for what must hold."""

    #: set by the test: the app whose demo database the examples use
    app = None

    def __init__(self):
        super().__init__()
        self.context = self.app.app_context()
        self.context.push()
        self.transaction = RolledBack().__enter__()
        self.usernames = sorted(db.session.scalars(select(User.username)))
        self.case_ids = sorted(db.session.scalars(select(Case.id)))
        self.first_new_document = db.session.scalar(select(func.max(Document.id))) or 0
        self.first_new_evidence = db.session.scalar(select(func.max(Evidence.id))) or 0
        self.registered = 0

    def teardown(self):
        try:
            self.transaction.__exit__(None, None, None)
        finally:
            self.context.pop()

    # -- rules -----------------------------------------------------------------------------
    @rule(data=st.data())
    def act(self, data):
        case_id = data.draw(st.sampled_from(self.case_ids), label="case")
        case = db.session.get(Case, case_id)
        users = list(db.session.scalars(select(User).order_by(User.username)))
        action_name, username = self._draw_attempt(data, case, users)
        actor = next(u for u in users if u.username == username)
        action = ACTIONS_BY_NAME.get(action_name)
        foreign = self._foreign_ids(case)
        formdata = data.draw(action_fields(action, case, foreign), label="fields") \
            if action is not None else MultiDict()
        # mostly the version the user saw; sometimes an older or a newer one, or none at all
        offset = data.draw(st.sampled_from([0, 0, 0, 0, 0, -1, 1, None]), label="version")
        version = None if offset is None else case.version + offset
        self._attempt(case, action_name, action, actor, formdata, version)

    @precondition(lambda self: self.registered < 2)  # a few a run: acting is the point
    @rule(data=st.data())
    def register(self, data):
        """Anyone tries to register a lead in a unit; only that unit's case.create may."""
        self.registered += 1
        actor = db.session.scalar(select(User).where(
            User.username == data.draw(st.sampled_from(self.usernames), label="registrar")))
        units = list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.id)))
        unit = data.draw(st.sampled_from(units), label="unit")
        before, seq = table_counts(), last_seq()
        case_data = CaseData(cause=data.draw(TEXT, label="cause"), summary="随机测试登记",
                             district=unit.district or "临河区",
                             parties=[PartyData(PartyKind.organisation, "测试商行（随机）")])
        try:
            case = register_case(actor, unit, case_data)
        except REFUSALS:
            db.session.rollback()
            assert table_counts() | {"audit_log": 0} == before | {"audit_log": 0}
            assert last_seq() - seq <= 1
            return
        assert actor.can("case.create") and actor.unit_id == unit.id
        assert case.state is CaseState.registered and case.version == 1
        self.case_ids.append(case.id)

    def _draw_attempt(self, data, case, users):
        """Half the time an action open in the case's state by someone who holds its
        permission and sees the case (so the run gets somewhere); otherwise anything by
        anyone."""
        open_now = engine.actions_from(case.state)
        if open_now and data.draw(st.booleans(), label="plausible"):
            action = ACTIONS_BY_NAME[data.draw(st.sampled_from([a.name for a in open_now]),
                                               label="action")]
            able = [u for u in users if any(u.can(p) for p in action.permissions)
                    and can_read(u, case)] or users
            return action.name, data.draw(st.sampled_from(able), label="actor").username
        name = data.draw(st.sampled_from([*ACTION_NAMES, "no_such_action", "__init__"]),
                         label="action")
        return name, data.draw(st.sampled_from(users), label="actor").username

    def _foreign_ids(self, case) -> list[int]:
        """Ids that belong elsewhere: another case's document, another unit's people, this
        case's own unit (never a receiving unit)."""
        other_doc = db.session.scalar(select(Document.id).where(Document.case_id != case.id)
                                      .order_by(Document.id).limit(1))
        other_users = db.session.scalars(select(User.id).where(
            User.unit_id != case.unit_id).order_by(User.id).limit(2))
        return [i for i in (other_doc, case.unit_id, *other_users, 10**9) if i is not None]

    # -- the check of one step ----------------------------------------------------------------
    def _attempt(self, case, action_name, action, actor, formdata, version):
        case_id, old_state, old_version = case.id, case.state, case.version
        allowed = {a.name for a in services.allowed_actions(case, actor)}
        before, counts, files, seq = case_snapshot(case_id), table_counts(), stored_files(), \
            last_seq()
        try:
            services.perform(case_id, action_name, actor, formdata, expected_version=version)
        except REFUSALS as refusal:
            event(f"refused: {type(refusal).__name__}")
            self._check_refused(refusal, case_id, action_name, action, allowed, version,
                                old_version, before, counts, files, seq)
            return
        event("accepted")
        event(f"accepted: {action_name}")
        # accepted: a step the workflow allows, taken by someone it was offered to
        assert action is not None, action_name
        assert action_name in allowed, f"{action_name} succeeded but was not offered"
        assert version in (None, old_version), "a stale version was accepted"
        after = db.session.get(Case, case_id, populate_existing=True)
        assert old_state in action.sources
        assert after.state is (action.dest or old_state)
        assert after.version == old_version + 1
        events = case_snapshot(case_id)["case_events"]
        assert len(events) == len(before["case_events"]) + 1
        last = db.session.get(CaseEvent, events[-1][0])
        assert (last.action, last.from_state, last.to_state) == \
            (action_name, old_state, after.state)
        issued = db.session.scalars(select(Document.doc_type).where(Document.event_id == last.id))
        assert set(action.documents) <= set(issued), "a document of the action is missing"
        assert [e.action for e in new_audit(seq)][-1:] == [f"case.{action_name}"]

    def _check_refused(self, refusal, case_id, action_name, action, allowed, version,
                       old_version, before, counts, files, seq):
        db.session.rollback()
        # nothing about the case changed, no other row appeared, no file was left behind
        assert case_snapshot(case_id) == before, f"{action_name} refused but changed the case"
        now = table_counts()
        assert now | {"audit_log": 0} == counts | {"audit_log": 0}, \
            {k: (counts[k], v) for k, v in now.items() if counts[k] != v}
        assert stored_files() == files, "a refused action left a file in storage"
        audit = new_audit(seq)
        if isinstance(refusal, Refused):
            # the same guards decide the offer and the refusal; the refusal is audited
            assert action_name not in allowed
            assert [(a.action, a.object_id, a.detail.get("action")) for a in audit] == \
                [("case.refused", str(case_id), action_name)]
        elif isinstance(refusal, NotFound):
            # out of sight (audited), or no such action
            assert [a.action for a in audit] in (["access.denied"], [])
            assert audit or action is None
        elif isinstance(refusal, Stale):
            assert version is not None and version != old_version and not audit
        else:  # Invalid: offered, but the form was wrong
            assert action_name in allowed and not audit
            assert refusal.errors and all(refusal.errors.values())

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def audit_chain_verifies(self):
        report = verify_chain()
        assert report.ok, report

    @invariant()
    def states_are_the_workflows(self):
        raw = set(db.session.scalars(select(cast(Case.__table__.c.state, String)).distinct()))
        assert raw <= {s.value for s in CaseState}, raw

    @invariant()
    def closed_cases_owe_no_deadline(self):
        open_clocks = db.session.scalars(
            select(Clock).join(Case, Case.id == Clock.case_id)
            .where(Case.state == CaseState.closed, Clock.status.in_(OPEN_STATUSES)))
        owed = [(c.case_id, c.kind) for c in open_clocks if is_deadline(c)]
        assert not owed, owed

    @invariant()
    def new_documents_and_files_match_their_hashes(self):
        for document in db.session.scalars(select(Document).where(
                Document.id > self.first_new_document)):
            if document.render_pending:  # made after the commit (documents.ensure_rendered)
                assert document.pdf is None and document.sha256 is None
            else:
                assert hashlib.sha256(document.pdf).hexdigest() == document.sha256, document.id
        storage = get_storage()
        for evidence in db.session.scalars(select(Evidence).where(
                Evidence.id > self.first_new_evidence)):
            assert hashlib.sha256(storage.read(evidence.storage_key)).hexdigest() == \
                evidence.sha256, evidence.id


def test_anyone_trying_anything_never_breaks_a_case(app, tmp_path):
    machine = type("DemoWorkflowMachine", (WorkflowMachine,), {"app": app})
    # Hypothesis keeps caches (literals of the code under test) besides its example
    # database: in the test's temporary directory, never in the repository
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    try:
        run_state_machine_as_test(machine, settings=SETTINGS)
    finally:
        set_hypothesis_home_dir(None)
