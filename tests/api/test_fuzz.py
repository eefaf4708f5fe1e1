"""The JSON API fuzzed from its own OpenAPI document with schemathesis (issue 10, item 4).

Every operation of /api/v1/openapi.json is called with data that fits its schema and with
data that does not: no answer is a server error, and every answer is one the document
promises (status code, content type, body schema). Then every operation that needs a token,
with a foreign unit's token and with none: refused, never a 5xx, never another unit's case.
Afterwards no case is half-written (its version counts its events, its state is its last
event's) and the audit chain verifies.

Half of the examples aim at real objects — a case on which the action may be taken now, by
the user who may take it, with the case's current version in If-Match — so that bodies reach
the services' validation rather than stopping at "not found" or "stale".

Bounded for CI: ``EXAMPLES`` per operation (``FUZZ_EXAMPLES=200 scripts/test
tests/api/test_fuzz.py`` for a longer hunt; the refused callers get a third as many), no Hypothesis database (CI runs from a clean
clone), the public rate limits raised (``FUZZ_RATE_LIMITS``) so that the report endpoints
are fuzzed rather than answering 429. Failures are collected over all operations and listed
together, each with a curl command that reproduces it.
"""
import os
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from enforcement.audit.services import verify_chain
from enforcement.auth.services import issue_token
from enforcement.cases.facts import Facts
from enforcement.cases.models import Case, CaseEvent
from enforcement.cases.services import allowed_actions
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.referrals.models import Referral
from enforcement.reports.models import Report
from tests.conftest import user
from tests.web import ApiUser

#: examples per operation (positive and negative data together)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
#: fewer where each call is slow on purpose: every token request hashes a password (argon2)
EXAMPLES_OF = {"/api/v1/auth/token": 8}
#: examples per operation for the refused callers (a foreign unit's token, or none)
REFUSED_EXAMPLES = max(6, EXAMPLES // 3)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: per client address: the fuzz files hundreds of reports and looks them up as often
FUZZ_RATE_LIMITS = {"report_file": (100_000, 3600), "report_status": (100_000, 600),
                    "login": (100_000, 600)}
STAFF = "linhe_inspector1"
FOREIGN = "wuyuan_inspector1"
#: who calls the operations that are not a case action (an action: whoever may take it)
CALLER = {"/api/v1/referrals": "police_linhe",
          "/api/v1/referrals/{referral_id}/packet": "police_linhe",
          "/api/v1/stats/quarterly": "linhe_head"}
#: who may take some action on a 临河区 case: the bureau's staff, the receivers, reporters
ACTORS = ("linhe_inspector1", "linhe_unit_head", "linhe_reviewer", "linhe_head", "supervisor",
          "police_linhe", "procurator_city", "court_linhe", "holder_hetao", "station_linhe")


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],  # failures are listed, not shrunk
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


@dataclass
class Findings:
    """Failures by operation: the first few distinct ones of each, with a curl to replay."""

    by_operation: dict[str, list[str]] = field(default_factory=dict)
    calls: int = 0

    def add(self, label: str, case, exc: BaseException):
        found = self.by_operation.setdefault(label, [])
        text = str(exc).strip() or repr(exc)
        if len(found) < 3 and all(text[:200] not in f for f in found):
            found.append(f"{type(exc).__name__}: {text[:1500]}\n    {case.as_curl_command()}")

    def report(self) -> str:
        return "\n".join(f"== {label}\n" + "\n".join(items)
                         for label, items in sorted(self.by_operation.items()))


class OwnContext:
    """The app as a server runs it: each request in its own app context and database session
    (Flask would reuse the test's context; see conftest.IsolatedClient)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app.wsgi_app(environ, start_response)


@pytest.fixture
def fuzz_app(app):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], **FUZZ_RATE_LIMITS}
    return app


@pytest.fixture
def schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", OwnContext(fuzz_app))


def _bearer(app, username: str) -> dict:
    with app.app_context():
        raw, _row = issue_token(user(username))
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}


def _action_targets(app) -> dict[str, tuple[int, str]]:
    """For each workflow action: a 临河区 demo case it may be taken on now, and who may."""
    with app.app_context():
        linhe = select(OrgUnit.id).where(OrgUnit.code == "linhe_amr").scalar_subquery()
        actors = [user(name) for name in ACTORS]
        targets = {}
        for case in db.session.scalars(select(Case).where(Case.unit_id == linhe)
                                       .order_by(Case.id)):
            facts = Facts(case)
            for actor in actors:
                for action in allowed_actions(case, actor, facts):
                    targets.setdefault(action.name, (case.id, actor.username))
        return targets


def _real_ids(app) -> dict:
    """Real objects of 临河区 to aim at, next to the generated ids."""
    with app.app_context():
        return {"document_id": db.session.scalar(select(func.min(Document.id))),
                "referral_id": db.session.scalar(select(func.min(Referral.id))),
                "tracking_no": db.session.scalar(select(func.min(Report.tracking_no)))}


def _case_version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).version


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CaseEvent.id)))


def _cases(operation, path_parameters=None, modes=tuple(GenerationMode)):
    """(mode, case): positive and negative data, the path aimed at real objects half of the
    time."""
    aims = [{}, {"path_parameters": path_parameters}] if path_parameters else [{}]
    return st.one_of([operation.as_strategy(generation_mode=mode, **aim).map(
        lambda case, mode=mode: (mode, case)) for mode in modes for aim in aims])


def _fuzz(operation, strategy, examples, findings, *, prepare=None, judge=None):
    """Run one operation's examples, drawn as (mode, case, headers); failures are recorded,
    and the run goes on to the next example and operation."""

    @fuzz_settings(EXAMPLES_OF.get(operation.path, examples))
    @given(example=strategy)
    def run(example):
        mode, case, headers = example
        if prepare:
            prepare(mode, case)
        findings.calls += 1
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # collected, listed at the end
            findings.add(operation.label, case, exc)
            return
        if judge:
            problem = judge(case, headers, response)
            if problem:
                findings.add(operation.label, case, AssertionError(problem))

    run()


def _action_name(operation) -> str | None:
    if operation.path.endswith("/evidence"):
        return "record_evidence"
    if "/actions/" in operation.path:
        return operation.path.rsplit("/", 1)[1]
    return None


def _public(operation) -> bool:
    security = operation.definition.raw.get("security")
    return not security or {} in security


def _aimed_at(operation, targets, ids) -> dict:
    action = _action_name(operation)
    if action:
        return {"case_id": targets[action][0]} if action in targets else {}
    return {k: v for k, v in ids.items() if "{" + k + "}" in operation.path}


def test_every_operation_answers_as_documented(fuzz_app, schema):
    """Each operation as the user who may call it: zero 5xx, and status, content type and
    body as the document says; no half-written case, and the audit chain still verifies."""
    tokens = {STAFF: ApiUser(fuzz_app, STAFF).headers}  # a token from the token endpoint
    targets, ids = _action_targets(fuzz_app), _real_ids(fuzz_app)
    events_before = _events(fuzz_app)
    findings = Findings()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60, "the document lists every action and endpoint"
    for operation in operations:
        action, aim = _action_name(operation), _aimed_at(operation, targets, ids)
        username = targets[action][1] if action in targets else \
            CALLER.get(operation.path, STAFF)
        if username not in tokens:
            tokens[username] = _bearer(fuzz_app, username)
        headers = {} if _public(operation) else tokens[username]
        strategy = _cases(operation, aim).map(lambda pair, h=headers: (*pair, h))

        def current_version(mode, case, case_id=aim.get("case_id")):
            # the version the caller saw, so that the body is judged rather than refused
            # as stale (negative data keeps its generated header)
            if case_id and mode.is_positive and case.path_parameters.get("case_id") == case_id:
                case.headers = {**(case.headers or {}),
                                "If-Match": f'"{_case_version(fuzz_app, case_id)}"'}

        _fuzz(operation, strategy, EXAMPLES, findings, prepare=current_version)
    assert not findings.by_operation, findings.report()
    assert findings.calls >= 10 * len(operations)
    _assert_consistent(fuzz_app)
    # the fuzz got past validation into the services: actions were taken
    assert _events(fuzz_app) > events_before


def test_foreign_and_anonymous_callers_are_refused(fuzz_app, schema):
    """Every operation that needs a token, aimed at 临河区's objects: with a 五原县 token or
    with none, refused as documented, never a 5xx, never one of those objects."""
    targets, ids = _action_targets(fuzz_app), _real_ids(fuzz_app)
    callers = st.sampled_from([_bearer(fuzz_app, FOREIGN), {}])
    findings = Findings()
    guarded = [r.ok() for r in schema.get_all_operations() if not _public(r.ok())]
    assert len(guarded) > 55
    for operation in guarded:
        aim = _aimed_at(operation, targets, ids)
        # data that fits: the refusal, not the validation, is under test here
        strategy = st.tuples(_cases(operation, aim, [GenerationMode.POSITIVE]), callers).map(
            lambda pair: (*pair[0], pair[1]))

        def not_theirs(case, headers, response, aim=aim):
            aimed = aim and all(case.path_parameters.get(k) == v for k, v in aim.items())
            # without a token: 401; or 404 when the path names no route ("null"), 400 when
            # the input guard refuses a NUL before anything else is looked at
            if not headers and response.status_code not in (401, 400) and (
                    aimed or response.status_code != 404):
                return f"{response.status_code} without a token (401 expected)"
            if aimed and response.status_code < 300:
                return f"{response.status_code}: a 五原县 token reached a 临河区 object"
            return None

        _fuzz(operation, strategy, REFUSED_EXAMPLES, findings, prepare=_no_generated_token,
              judge=not_theirs)
    assert not findings.by_operation, findings.report()
    assert findings.calls >= 3 * len(guarded)
    _assert_consistent(fuzz_app)


def _no_generated_token(mode, case):
    """The caller's token, or none: never one the generator made up."""
    if case.headers and "Authorization" in case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k != "Authorization"}


def _assert_consistent(app):
    """No half-written case: each case's version counts its events, its state is its last
    event's; and the audit chain verifies."""
    with app.app_context():
        events = (select(func.count(CaseEvent.id)).where(CaseEvent.case_id == Case.id)
                  .correlate(Case).scalar_subquery())
        torn = db.session.execute(select(Case.id, Case.version, events)
                                  .where(Case.version != events + 1)).all()
        assert torn == [], "cases whose version does not count their events"
        for case in db.session.scalars(select(Case)):
            last = case.events[-1].to_state if case.events else case.state
            assert last == case.state, f"case {case.id}: its state is not its last event's"
        report = verify_chain()
        assert report.ok, report.problem
