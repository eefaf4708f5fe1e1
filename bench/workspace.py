"""Benchmark: the workspace at 100,000 cases on PostgreSQL (issue 6).

Measured in one run, through the app's own request handling (in-process WSGI client, so the
time is the server's: routing, queries, templates), each the median of N requests:

* the inspector's work list (``/queues/deadlines``, and the dashboard with its 我的待办);
* the search page (``/cases/?...``) with a different query each time (number, party name,
  credit code, mark, state + unit, date range, inspector), as a 临河区 inspector and as the
  city supervisor who sees every bureau;
* firing an action (``services.perform``: ``record_collective_discussion`` on investigating
  cases, ``assign`` on registered ones) side by side with a bare single-row
  ``UPDATE cases … WHERE id = …`` + COMMIT through the same engine and settings.

Targets: work list and search medians < 100 ms; action ≤ 3 × the bare update.

    .venv/bin/python bench/workspace.py --database postgresql://postgres@127.0.0.1/bench \\
        [--create --cases 100000] [--repeat 50]

``--create`` drops and recreates that database, migrates it, seeds the demo and adds the
bench cases (``flask bench-data``). Figures go to stdout and bench/results/workspace.txt.
"""
import argparse
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "demo-pass-2026"


def create_database(url: str, cases: int) -> None:
    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    from enforcement import create_app
    from enforcement.bench.data import generate
    from enforcement.demo.seed import seed
    from enforcement.extensions import db

    target = make_url(url)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    admin = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        seed(PASSWORD)
        generate(cases, batch=10_000, echo=lambda line: print(line, flush=True))
        db.session.remove()
        db.engine.dispose()


def login(app, username):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(html).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def timed_gets(client, paths, repeat) -> list[float]:
    for path in paths[:3]:  # warm: templates compiled, holiday table cached
        client.get(path)
    times = []
    for i in range(repeat):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


def search_paths(app, username) -> list[str]:
    """Queries a clerk would type, drawn from the data the user can see."""
    from sqlalchemy import select

    from enforcement.auth.models import User
    from enforcement.cases.models import Case, CaseParty
    from enforcement.cases.scope import visible_cases
    from enforcement.db import local_today
    from enforcement.extensions import db
    from enforcement.parties.models import Party

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        rows = db.session.execute(
            select(Case.report_no, Case.case_no, Party.name, Party.credit_code, Case.unit_id)
            .join(CaseParty, CaseParty.case_id == Case.id).join(Party)
            .where(visible_cases(user), Party.credit_code.is_not(None))
            .order_by(Case.id.desc()).limit(400)).all()
        inspector = db.session.scalar(select(User.id).where(User.username == "linhe_inspector1"))
        today = local_today()
    paths = []
    for i, (report_no, case_no, party, code, unit_id) in enumerate(rows[::20]):
        paths += [f"/cases/?number={report_no}", f"/cases/?party={party[2:6]}",
                  f"/cases/?credit_code={code}", f"/cases/?q={(case_no or report_no)[-6:]}",
                  f"/cases/?state=investigating&unit={unit_id}",
                  f"/cases/?mark={'河套' if i % 2 else '90000004'}&sort=oldest",
                  f"/cases/?date_from={today - timedelta(days=30 + i)}&date_to={today}",
                  f"/cases/?inspector={inspector}&sort=created"]
    return paths


def median_ms(times) -> float:
    return statistics.median(times) * 1000


def actions_side_by_side(app, repeat) -> dict:
    """services.perform against a bare one-row UPDATE + COMMIT, alternating, same engine."""
    from sqlalchemy import event, select, update
    from werkzeug.datastructures import MultiDict

    from enforcement.auth.models import User
    from enforcement.cases import services
    from enforcement.cases.models import Case
    from enforcement.db import local_today, utcnow
    from enforcement.extensions import db
    from enforcement.orgs.models import OrgUnit
    from workflows.states import CaseState

    results, statements = {}, []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        linhe = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "linhe_amr"))

        def actor(name):
            return db.session.scalar(select(User).where(User.username == name))

        def cases(state):
            return list(db.session.scalars(select(Case.id).where(
                Case.unit_id == linhe, Case.state == state).order_by(Case.id.desc())
                .limit(repeat)))

        discussion = MultiDict({"subject": "other", "held_on": local_today().isoformat(),
                                "participants": "杨局长、吴队长、周法制", "conclusion": "同意。"})
        team = [u.id for u in db.session.scalars(select(User).where(
            User.unit_id == linhe, User.credential_no.is_not(None),
            User.roles.any(code="inspector")).order_by(User.id).limit(2))]
        assignment = MultiDict([("inspectors", str(i)) for i in team])
        plans = {"record_collective_discussion (self-loop)":
                 ("linhe_head", CaseState.investigating, discussion),
                 "assign (registered → verifying)":
                 ("linhe_unit_head", CaseState.registered, assignment)}
        for label, (username, state, form) in plans.items():
            counts: list[int] = []
            ids = cases(state)
            if state is CaseState.registered and len(ids) < repeat:
                _register_reports(actor("linhe_unit_head"), repeat - len(ids))
                ids = cases(state)
            assert len(ids) >= repeat, f"not enough {state.value} cases"
            action_times, update_times = [], []
            for case_id in ids[:repeat]:
                version = db.session.get(Case, case_id).version
                db.session.commit()
                # loaded as a request's login would, outside the timing (after the commit,
                # which would expire it and put its reload inside the timing)
                who = actor(username)
                statements.clear()
                started = time.perf_counter()
                services.perform(case_id, label.split()[0], who, form,
                                 expected_version=version)
                spent = time.perf_counter() - started
                counts.append(len(statements))
                db.session.remove()
                started = time.perf_counter()
                db.session.execute(update(Case).where(Case.id == case_id)
                                   .values(version=Case.version + 1, updated_at=utcnow()))
                db.session.commit()
                bare = time.perf_counter() - started
                db.session.remove()
                action_times.append(spent)
                update_times.append(bare)
            results[label] = (median_ms(action_times), median_ms(update_times),
                              statistics.median(counts))
        event.remove(db.engine, "before_cursor_execute", count)
    return results


def _register_reports(registrar, n) -> None:
    """New reports to assign (earlier runs assigned the registered ones)."""
    from enforcement.cases.intake import CaseData, register_case

    for i in range(n):
        register_case(registrar, registrar.unit, CaseData(
            cause=f"涉嫌销售假冒“河套”商标的面粉（压测数据{i}）", summary="压测用举报。",
            district=registrar.unit.district))


def add_bare_update_route(app) -> None:
    """A benchmark-only endpoint (this process only): the same token check as the API, then
    one UPDATE of one case row and COMMIT — the floor an action is compared with."""
    from flask import jsonify
    from sqlalchemy import update

    from enforcement.api.views import token_required
    from enforcement.cases.models import Case
    from enforcement.db import utcnow
    from enforcement.extensions import csrf, db

    @token_required
    def bare_update(case_id):
        db.session.execute(update(Case).where(Case.id == case_id)
                           .values(version=Case.version + 1, updated_at=utcnow()))
        db.session.commit()
        return jsonify({"id": case_id})

    app.add_url_rule("/bench/bare-update/<int:case_id>", "bench_bare_update", bare_update,
                     methods=["POST"])
    csrf.exempt(bare_update)


def api_side_by_side(app, repeat, prefer: str | None = None) -> tuple[float, float]:
    """POST /api/v1/cases/{id}/actions/record_collective_discussion against the bare-update
    endpoint, alternating, same server and token; ``prefer`` is sent as the Prefer header
    (``return=minimal``: the answer is what the action did, not the whole case)."""
    from sqlalchemy import select

    from enforcement.cases.models import Case
    from enforcement.db import local_today
    from enforcement.extensions import db
    from enforcement.orgs.models import OrgUnit
    from workflows.states import CaseState

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "linhe_head",
                                                    "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"subject": "other", "held_on": local_today().isoformat(),
            "participants": "杨局长、吴队长、周法制", "conclusion": "同意。"}
    with app.app_context():
        linhe = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "linhe_amr"))
        ids = list(db.session.scalars(select(Case.id).where(
            Case.unit_id == linhe, Case.state == CaseState.investigating)
            .order_by(Case.id).limit(repeat)))
        db.session.remove()
    action_times, update_times = [], []
    for case_id in ids:
        version = client.get(f"/api/v1/cases/{case_id}", headers=headers).headers["ETag"]
        started = time.perf_counter()
        response = client.post(f"/api/v1/cases/{case_id}/actions/record_collective_discussion",
                               json=body, headers={**headers, "If-Match": version,
                                                   **({"Prefer": prefer} if prefer else {})})
        action_times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_json()
        started = time.perf_counter()
        response = client.post(f"/bench/bare-update/{case_id}", headers=headers)
        update_times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return median_ms(action_times), median_ms(update_times)


def _api_lines(app, repeat) -> list[str]:
    """The action through the HTTP API, answered with what it did (Prefer: return=minimal —
    firing the action) and with the whole case (the default, which adds reading the case
    page: clocks, allowed actions, documents, timeline)."""
    action, bare = api_side_by_side(app, repeat, prefer="return=minimal")
    full, bare_full = api_side_by_side(app, repeat)
    return [_ratio_line("HTTP API POST, record_collective_discussion", action, bare)
            + "  (Prefer: return=minimal)",
            _ratio_line("HTTP API POST, same, answered with the whole case", full, bare_full,
                        verdict=False) + "  (reference: the action plus a read of the case)"]


def _ratio_line(label, action, bare, verdict=True) -> str:
    ratio = action / bare
    judged = ('OK (≤ 3×)' if ratio <= 3 else 'FAIL (> 3×)') if verdict else ''
    return (f"  {label:<50} action {action:6.1f} ms, bare update {bare:6.2f} ms, "
            f"ratio {ratio:4.1f}×  {judged}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL")
    parser.add_argument("--create", action="store_true",
                        help="drop, recreate, migrate, seed and fill the database first")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--actions-only", action="store_true",
                        help="only the action-against-bare-update part (results not written)")
    args = parser.parse_args(argv)

    from config import database_url
    from enforcement import create_app
    from enforcement.extensions import db

    url = database_url(args.database)
    if args.create:
        create_database(url, args.cases)
    # the benchmark times the API as linhe_head, whom production asks for a TOTP code
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url, TOTP_REQUIRED_ROLES=())
    add_bare_update_route(app)
    with app.app_context():
        from sqlalchemy import func, select

        from enforcement.cases.models import Case

        total = db.session.scalar(select(func.count(Case.id)))
        dialect = db.engine.dialect.name
        synchronous = (db.session.execute(db.text("SHOW synchronous_commit")).scalar()
                       if dialect == "postgresql" else "n/a")
        db.session.remove()

    lines = [f"workspace benchmark — {total} cases on {dialect} "
             f"(synchronous_commit={synchronous}), median of {args.repeat} requests, "
             f"{time.strftime('%Y-%m-%d %H:%M %Z')}", ""]
    if args.actions_only:
        for label, (action, bare, statements) in actions_side_by_side(app, args.repeat).items():
            print(_ratio_line(f"service call, {label}", action, bare)
                  + f"  ({statements:.0f} SQL statements + COMMIT)")
        for line in _api_lines(app, args.repeat):
            print(line)
        return 0
    inspector = login(app, "linhe_inspector1")
    pages = {
        "inspector's work list /queues/deadlines": timed_gets(
            inspector, ["/queues/deadlines"], args.repeat),
        "inspector's dashboard /dashboard (我的待办 + counts)": timed_gets(
            inspector, ["/dashboard"], args.repeat),
        "search as a 临河区 inspector (8 kinds of query)": timed_gets(
            inspector, search_paths(app, "linhe_inspector1"), args.repeat),
        "search as the city supervisor (all bureaus)": timed_gets(
            login(app, "supervisor"), search_paths(app, "supervisor"), args.repeat),
    }
    for label, times in pages.items():
        figure = median_ms(times)
        verdict = "" if "reference" in label else ("  OK (< 100 ms)" if figure < 100
                                                   else "  FAIL (≥ 100 ms)")
        lines.append(f"{label:<52} median {figure:7.1f} ms  p90 "
                     f"{statistics.quantiles(times, n=10)[-1] * 1000:7.1f} ms{verdict}")
    lines.append("")
    lines.append("firing an action against a bare single-row UPDATE + COMMIT, side by side:")
    for label, (action, bare, statements) in actions_side_by_side(app, args.repeat).items():
        lines.append(_ratio_line(f"service call, {label}", action, bare)
                     + f"  ({statements:.0f} SQL statements + COMMIT, against 1 + COMMIT)")
    lines += _api_lines(app, args.repeat)
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "workspace.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
