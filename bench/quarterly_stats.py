"""Benchmark: the city's quarterly statistics on PostgreSQL at 100,000 and 1,000,000 cases
(issue 9).

Measured in one run, side by side, each the median of N repetitions in a fresh process:

* the app: :func:`enforcement.campaigns.stats.quarterly` for the city supervisor — the table
  by unit with its total, the tables by mark type and by goods class, field work, and the
  three previous quarters of the trend chart (the same figures the page, the XLSX and the
  PDF show);
* the best hand-written SQL for the same figures: over the stored facts (``case_stats``, what
  the app reads), and over the base tables in two formulations (candidate cases by index
  ranges, and one pass with ``FILTER``) — the fastest of the three; the base-table SQL also
  checks that the app's figures are the definition's;
* the cost of recomputing 1,000 cases marked by actions before a read.

Targets: the app < 1 s, ≤ 1.5 × the hand-written SQL; the process's memory (RSS) the same at
100k and at 1M cases (nothing is loaded per case).

    .venv/bin/python bench/quarterly_stats.py \\
        --database postgresql://postgres@127.0.0.1/bench_stats [--create] \\
        [--sizes 100000,1000000] [--repeat 7] [--drop]

``--create`` drops and recreates that database, migrates it and seeds units, users, marks
and a city-wide 河套 campaign (not the demo cases); the cases come from
``flask --app wsgi bench-data`` run once per step up to each size. Figures go to stdout and
bench/results/quarterly_stats.txt.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "demo-pass-2026"

#: the hand-written statistics; {key}/{join}/{where} are constant fragments below, never data
HAND_UNION = """
WITH ev AS (
  SELECT case_id,
         max((action = 'impose_measure')::int) AS seized,
         max((action = 'decide_penalty' AND coalesce(data->>'confiscated_goods', '') <> '')::int)
             AS destroyed,
         max((action = 'approve_transfer')::int) AS transferred,
         max((action = 'accept_transfer')::int) AS police_filed,
         max((action = 'decline_transfer')::int) AS police_declined,
         max((action = 'publish')::int) AS published
  FROM case_events
  WHERE action IN ('impose_measure', 'decide_penalty', 'approve_transfer', 'accept_transfer',
                   'decline_transfer', 'publish') AND at >= :s AND at < :e
  GROUP BY case_id),
ov AS (
  SELECT DISTINCT case_id FROM clocks
  WHERE due_on >= :d0 AND due_on < :d1
    AND (status = 'overdue' OR id IN (SELECT clock_id FROM clock_events WHERE kind = 'overdue'))),
rep AS (
  SELECT DISTINCT mp.case_id FROM case_parties mp JOIN cases f ON f.id = mp.case_id
  JOIN case_parties op ON op.party_id = mp.party_id AND op.case_id <> mp.case_id
  JOIN cases o ON o.id = op.case_id
  WHERE f.filed_at >= :s AND f.filed_at < :e AND o.decided_at < f.filed_at),
cand AS (
  SELECT id FROM cases WHERE created_at >= :s AND created_at < :e
  UNION SELECT id FROM cases WHERE filed_at >= :s AND filed_at < :e
  UNION SELECT id FROM cases WHERE decided_at >= :s AND decided_at < :e
  UNION SELECT id FROM cases WHERE closed_at >= :s AND closed_at < :e
  UNION SELECT case_id FROM ev UNION SELECT case_id FROM ov)
SELECT {key} AS key,
  count(*) FILTER (WHERE c.created_at >= :s AND c.created_at < :e) AS received,
  count(*) FILTER (WHERE c.filed_at >= :s AND c.filed_at < :e) AS filed,
  count(*) FILTER (WHERE c.filed_at >= :s AND c.filed_at < :e AND c.is_major) AS major,
  count(*) FILTER (WHERE c.closed_at >= :s AND c.closed_at < :e) AS closed,
  sum(c.business_volume) FILTER (WHERE c.decided_at >= :s AND c.decided_at < :e) AS case_value,
  sum(coalesce(c.fine_amount, 0) + coalesce(c.confiscation_amount, 0))
      FILTER (WHERE c.decided_at >= :s AND c.decided_at < :e) AS penalties,
  count(*) FILTER (WHERE ev.seized = 1) AS seized,
  count(*) FILTER (WHERE ev.destroyed = 1) AS destroyed,
  count(*) FILTER (WHERE ev.transferred = 1) AS transferred,
  count(*) FILTER (WHERE ev.police_filed = 1) AS police_filed,
  count(*) FILTER (WHERE ev.police_declined = 1) AS police_declined,
  count(*) FILTER (WHERE ev.published = 1) AS published,
  count(ov.case_id) AS overdue,
  count(rep.case_id) AS repeat,
  sum(extract(epoch FROM c.closed_at - c.filed_at) / 86400.0)
      FILTER (WHERE c.closed_at >= :s AND c.closed_at < :e AND c.filed_at IS NOT NULL)
      AS days_total,
  count(*) FILTER (WHERE c.closed_at >= :s AND c.closed_at < :e AND c.filed_at IS NOT NULL)
      AS days_cases
FROM cases c JOIN cand ON cand.id = c.id
LEFT JOIN ev ON ev.case_id = c.id LEFT JOIN ov ON ov.case_id = c.id
LEFT JOIN rep ON rep.case_id = c.id {join}
GROUP BY 1
"""
#: the second formulation: no candidate union, one pass over the cases with OR'ed ranges
HAND_SCAN = HAND_UNION.replace(
    "FROM cases c JOIN cand ON cand.id = c.id\nLEFT JOIN ev ON ev.case_id = c.id "
    "LEFT JOIN ov ON ov.case_id = c.id\nLEFT JOIN rep ON rep.case_id = c.id {join}",
    "FROM cases c LEFT JOIN ev ON ev.case_id = c.id LEFT JOIN ov ON ov.case_id = c.id\n"
    "LEFT JOIN rep ON rep.case_id = c.id {join}\n"
    "WHERE (c.created_at >= :s AND c.created_at < :e) OR (c.filed_at >= :s AND c.filed_at < :e)"
    " OR (c.decided_at >= :s AND c.decided_at < :e) OR (c.closed_at >= :s AND c.closed_at < :e)"
    " OR ev.case_id IS NOT NULL OR ov.case_id IS NOT NULL")
GROUPS = {
    "total": ("0", ""),
    "unit": ("c.unit_id", ""),
    "mark_type": ("dim.key", "LEFT JOIN (SELECT DISTINCT cm.case_id, t.mark_type AS key FROM "
                  "case_marks cm JOIN trademarks t ON t.id = cm.trademark_id) dim "
                  "ON dim.case_id = c.id"),
    "goods": ("dim.key", "LEFT JOIN (SELECT DISTINCT case_id, nice_class AS key FROM case_goods)"
              " dim ON dim.case_id = c.id"),
}
#: the best hand-written SQL over the stored facts (case_stats): the same four parts the app
#: asks for in one statement (units, mark types, goods classes of the quarter; the totals of
#: the three quarters before)
SUMS = ", ".join(f"sum({m}) AS {m}" for m in (
    "received", "filed", "major", "closed", "case_value", "penalties", "seized", "destroyed",
    "transferred", "police_filed", "police_declined", "published", "overdue", "repeat",
    "days_total", "days_cases"))
HAND_FACTS = f"""
SELECT 'unit' AS dim, unit_id::text AS key, {SUMS} FROM case_stats
 WHERE quarter = :qi AND dim = 'c' GROUP BY unit_id
UNION ALL SELECT 'mark_type', key, {SUMS} FROM case_stats
 WHERE quarter = :qi AND dim = 'm' GROUP BY key
UNION ALL SELECT 'goods', key, {SUMS} FROM case_stats
 WHERE quarter = :qi AND dim = 'g' GROUP BY key
UNION ALL SELECT 'total', quarter::text, {SUMS} FROM case_stats
 WHERE quarter IN (:q1, :q2, :q3) AND dim = 'c' GROUP BY quarter
"""
FIELD_WORK_SQL = """SELECT unit_id, sum(officers), sum(businesses), sum(markets),
  sum(online_shops) FROM field_work WHERE year = :y AND quarter = :q GROUP BY unit_id"""


def _app(url):
    from enforcement import create_app

    return create_app("config.Config", SQLALCHEMY_DATABASE_URI=url)


def create_database(url: str) -> None:
    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import select
    from sqlalchemy.engine import make_url

    from enforcement.auth.roles import sync_roles
    from enforcement.campaigns.demo import NAME, _seed_mark_districts
    from enforcement.campaigns.models import Campaign
    from enforcement.campaigns.stats import Quarter
    from enforcement.db import local_today
    from enforcement.demo import seed
    from enforcement.extensions import db
    from enforcement.marks.models import Trademark
    from enforcement.rules.services import seed_defaults

    target = make_url(url)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')
    with _app(url).app_context():
        upgrade()
        sync_roles()
        units = seed._seed_units()
        users = seed._seed_users(PASSWORD, units)
        seed._seed_marks(users)
        seed_defaults()
        _seed_mark_districts()
        hetao = db.session.scalar(select(Trademark.id).where(Trademark.reg_no == "90000001"))
        q = Quarter.of(local_today())
        db.session.add(Campaign(name=NAME, starts_on=q.previous().first_day,
                                ends_on=local_today(), lead_unit_id=units["city_amr"].id,
                                districts=[], nice_classes=[30], mark_ids=[hetao]))
        db.session.commit()
        db.engine.dispose()


def add_cases(url: str, n: int) -> float:
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "bench-data", "--cases",
                    str(n), "--batch", "20000"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(url: str, repeat: int, quarter: str | None = None, raw_repeat: int = 3) -> dict:
    """In this (fresh) process: the app's report and the hand-written SQL, alternated."""
    from sqlalchemy import func, select, text

    from enforcement.auth.models import User
    from enforcement.campaigns import stats
    from enforcement.cases.models import Case
    from enforcement.db import local_today
    from enforcement.extensions import db

    with _app(url).app_context():
        cases = db.session.scalar(select(func.count(Case.id)))
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        q = stats.Quarter.of(local_today())
        if quarter:
            q = stats.Quarter(int(quarter[:4]), int(quarter[-1]))

        def app_run():
            return stats.quarterly(stats.Scope(supervisor), q)

        def facts_run():
            conn = db.session.connection()
            conn.execute(text("SET LOCAL jit = off"))
            index = q.year * 4 + q.quarter - 1
            rows = conn.execute(text(HAND_FACTS), {"qi": index, "q1": index - 3,
                                                   "q2": index - 2, "q3": index - 1}).all()
            conn.execute(text(FIELD_WORK_SQL), {"y": q.year, "q": q.quarter}).all()
            return rows

        def hand_run(template):
            conn = db.session.connection()
            conn.execute(text("SET LOCAL jit = off"))  # seconds of compiling otherwise
            out = {}
            for name, (key, join) in GROUPS.items():
                sql = text(template.format(key=key, join=join))
                out[name] = conn.execute(sql, _params(q)).all()
            for earlier in (q.previous(3), q.previous(2), q.previous(1)):
                key, join = GROUPS["total"]
                conn.execute(text(template.format(key=key, join=join)), _params(earlier)).all()
            conn.execute(text(FIELD_WORK_SQL), {"y": q.year, "q": q.quarter}).all()
            return out

        report = app_run()  # warm: plans, metadata, subtree cache
        facts_run()
        hand = {name: hand_run(t) for name, t in (("union", HAND_UNION), ("scan", HAND_SCAN))}
        _check_same(report, hand["union"])
        rss_before = _rss_mb()
        times = {"app": [], "facts": [], "union": [], "scan": []}
        for n in range(repeat):
            for name in times:
                if name in ("union", "scan") and n >= raw_repeat:
                    continue  # tens of seconds each: the first rounds are enough
                db.session.rollback()
                started = time.perf_counter()
                if name == "app":
                    app_run()
                elif name == "facts":
                    facts_run()
                else:
                    hand_run(HAND_UNION if name == "union" else HAND_SCAN)
                times[name].append(time.perf_counter() - started)
        _refresh_cost(db, 10)  # warm: the refresh's statements are built once per process
        refresh = {n: _refresh_cost(db, n) for n in (10, 1000)}
        total = report.total.values
        return {"cases": cases, "quarter": q.label, "refresh_10_s": refresh[10], "refresh_1000_s": refresh[1000],
                "facts_s": statistics.median(times["facts"]),
                "app_s": statistics.median(times["app"]),
                "union_s": statistics.median(times["union"]),
                "scan_s": statistics.median(times["scan"]),
                "rss_before_mb": round(rss_before, 1), "rss_after_mb": round(_rss_mb(), 1),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "figures": {k: str(v) for k, v in total.items()}}


def _refresh_cost(db, n: int) -> float:
    """Seconds the statistics spend first on recomputing ``n`` cases marked by actions (the
    marks of a busy day), then read as usual."""
    from sqlalchemy import text

    from enforcement.campaigns.facts import refresh_pending

    db.session.rollback()
    db.session.execute(text("INSERT INTO case_stats_pending (case_id) SELECT id FROM cases "
                            "ORDER BY random() LIMIT :n"), {"n": n})
    db.session.commit()
    started = time.perf_counter()
    refresh_pending()
    return time.perf_counter() - started


def _params(q) -> dict:
    return {"s": q.start, "e": q.end, "d0": q.first_day, "d1": q.next_first_day}


def _check_same(report, hand) -> None:
    from enforcement.campaigns.stats import finish

    app_total = report.total.values
    hand_total = finish(dict(hand["total"][0]._mapping))
    for code, value in hand_total.items():
        assert app_total[code] == value, (code, app_total[code], value)
    app_units = {r.key: r.values["filed"] for r in report.tables[0].rows if r.values["filed"]}
    hand_units = {r.key: r.filed for r in hand["unit"] if r.filed}
    assert app_units == hand_units, (app_units, hand_units)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--create", action="store_true")
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quarter", help="e.g. 2026Q2 (default: this quarter)")
    parser.add_argument("--append", action="store_true",
                        help="add to bench/results/quarterly_stats.txt instead of replacing it")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.database, args.repeat, args.quarter)))
        return
    if args.create:
        create_database(args.database)
    lines, have = [], 0 if args.create else count_cases(args.database)
    for size in (int(s) for s in args.sizes.split(",")):
        if size > have:
            seconds = add_cases(args.database, size - have)
            lines.append(f"bench-data: {size - have} cases added in {seconds:.0f} s "
                         f"({(size - have) / seconds:.0f} cases/s)")
            print(lines[-1], flush=True)
            have = size
        out = subprocess.run([sys.executable, __file__, "--database", args.database,
                              "--measure", "--repeat", str(args.repeat),
                              *(["--quarter", args.quarter] if args.quarter else [])],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        best = min(r["union_s"], r["scan_s"], r["facts_s"])
        lines += [
            f"{r['cases']} cases, city statistics for {r['quarter']} (median of {args.repeat};"
            f" hand SQL over the base tables: median of {min(3, args.repeat)}):",
            f"  app quarterly():                  {r['app_s'] * 1000:9.1f} ms",
            f"  hand SQL over case_stats:         {r['facts_s'] * 1000:9.1f} ms",
            f"  hand SQL over the base tables, index ranges: {r['union_s'] * 1000:9.1f} ms",
            f"  hand SQL over the base tables, one pass:     {r['scan_s'] * 1000:9.1f} ms",
            f"  app / best hand SQL:              {r['app_s'] / best:9.2f} x"
            "  (target <= 1.5, app < 1 s)",
            f"  cases marked by actions, recomputed (by the worker, or by a read it has not"
            f" caught up with): 10 in {r['refresh_10_s'] * 1000:.0f} ms, 1,000 in"
            f" {r['refresh_1000_s'] * 1000:.0f} ms",
            f"  RSS after warm-up {r['rss_before_mb']} MB, after the runs {r['rss_after_mb']} MB,"
            f" peak {r['maxrss_mb']} MB",
            "  city totals: " + ", ".join(f"{k}={v}" for k, v in r["figures"].items()),
        ]
        print("\n".join(lines[-9:]), flush=True)
    if args.drop:
        drop_database(args.database)
    result = ROOT / "bench" / "results" / "quarterly_stats.txt"
    text = "\n".join([
        "Quarterly statistics benchmark (bench/quarterly_stats.py), PostgreSQL, 2 shared cores",
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), *lines, ""])
    if args.append and result.exists():
        text = result.read_text(encoding="utf-8") + "\n" + text
    result.write_text(text, encoding="utf-8")


def count_cases(url: str) -> int:
    from sqlalchemy import func, select

    from enforcement.cases.models import Case
    from enforcement.extensions import db

    with _app(url).app_context():
        return db.session.scalar(select(func.count(Case.id)))


def drop_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
