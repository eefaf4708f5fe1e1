"""Concurrent actions: one winner per case, and gapless numbers across cases (DESIGN §2, §4).

Each thread runs in its own app context, hence its own session and connection, and loads its
actor there; a barrier releases them together. Runs on SQLite and on PostgreSQL.
"""
import re
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from enforcement.audit.models import AuditEntry
from enforcement.audit.services import verify_chain
from enforcement.auth.models import User
from enforcement.cases import services
from enforcement.cases.models import Case, CaseEvent
from enforcement.db import local_today
from enforcement.demo.seed import DemoCases
from enforcement.documents.models import Document
from enforcement.errors import Refused, Stale
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from tests.conftest import case_in_state, user

THREADS = 8


def run_together(app, jobs):
    """Run ``jobs`` (each ``(username, fn(actor))``) in threads released at once by a barrier.

    Returns one ``(kind, value)`` per job: ``("won", version)``, ``("stale", exc)``,
    ``("refused", exc)`` or ``("error", repr)``.
    """
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, username, fn):
        with app.app_context():
            try:
                actor = user(username)
                assert actor.permissions  # load the roles now, then end the read transaction
                db.session.commit()
                barrier.wait(timeout=60)
                results[i] = ("won", fn(actor).case.version)
            except Stale as exc:
                results[i] = ("stale", exc)
            except Refused as exc:
                results[i] = ("refused", exc)
            except Exception as exc:  # noqa: BLE001 — any other outcome fails the test
                results[i] = ("error", repr(exc))

    db.session.commit()  # the test's own session holds no transaction while threads run
    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def audit_rows(action, case_id) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_id == str(case_id)))


def events(action, case_id) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.action == action, CaseEvent.case_id == case_id))


def filing_numbers() -> list[int]:
    year = local_today().year
    pattern = re.compile(rf"^临市监立〔{year}〕(\d+)号$")
    found = db.session.scalars(select(Document.number).where(
        Document.doc_type == "filing_approval"))
    return sorted(int(m.group(1)) for n in found if n and (m := pattern.match(n)))


def assign_form():
    return MultiDict([("inspectors", str(user("linhe_inspector1").id)),
                      ("inspectors", str(user("linhe_inspector2").id))])


SAME_CASE = [
    ("assign", "registered", "linhe_unit_head", assign_form),
    ("approve_filing", "filing_review", "linhe_head",
     lambda: MultiDict({"opinion": "同意立案。"})),
]


@pytest.mark.parametrize("action,state,username,make_form", SAME_CASE,
                         ids=[row[0] for row in SAME_CASE])
def test_one_winner_among_concurrent_writers(app, action, state, username, make_form):
    case = case_in_state(state)
    case_id, version, formdata = case.id, case.version, make_form()
    numbers_before = filing_numbers()
    results = run_together(app, [
        (username, lambda actor: services.perform(case_id, action, actor, formdata,
                                                  expected_version=version))
    ] * THREADS)

    kinds = [kind for kind, _ in results]
    assert [r for r in results if r[0] == "error"] == []
    assert kinds.count("won") == 1, results
    for kind, exc in results:
        if kind == "refused":
            assert [r.code for r in exc.refusals] == ["state"]
        if kind in ("stale", "refused"):
            assert exc.status == 409
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    (won_version,) = [value for kind, value in results if kind == "won"]
    assert case.version == won_version
    assert events(action, case_id) == 1
    assert audit_rows(f"case.{action}", case_id) == 1
    # losers allocate no number: the filing numbers stay consecutive
    added = 1 if action == "approve_filing" else 0
    assert filing_numbers() == list(range(1, len(numbers_before) + added + 1))
    assert verify_chain().ok
    # one action, one version: what the case page shows as 版本 and the API as its ETag
    assert case.version == version + 1


def cases_in_filing_review(n) -> list[int]:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "linhe_amr"))
    demo = DemoCases(unit, {u.username: u for u in db.session.scalars(select(User))})
    return [demo.to_filing_review(demo.new_case(40 + i)).id for i in range(n)]
