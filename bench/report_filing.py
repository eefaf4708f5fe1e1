"""Benchmark: report filing (POST /api/v1/reports, no evidence) against a bare insert.

The filing server runs with REPORT_REGISTRATION=worker, the setting for a surge: the request
receives the report (checks it, stores one row, answers 202 with tracking number and access
code) and the registration worker turns it into a case. The worker's own rate over the backlog
the load left, and one round of receive-and-register in the request (the default setting),
are reported beside the target figures.

Both run under gunicorn with the same settings (workers, threads) on the same PostgreSQL
server, one after the other in one run, loaded over the loopback by a second process (an
asyncio HTTP/1.1 keep-alive client: wrk is not among the Debian packages scripts/setup
installs). Every request carries its own Idempotency-Key and its own infringer, so each one
files a new report and opens a new case; the rate limiter is set out of reach through
RATE_REPORT_FILE. Targets (issue 5): ≥ 50 % of the bare endpoint's requests per second and a
p99 under 3× its p99.

    .venv/bin/python bench/report_filing.py [--workers 2] [--threads 4] [--connections 16]
        [--duration 20] [--rounds 3] [--server postgresql://postgres@127.0.0.1:5432]

It creates (and drops afterwards) the database ``bench_report_filing``, migrates and seeds it,
and writes the figures to bench/results/report_filing.txt.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from loadgen import admin, load, stop
from loadgen import serve as _serve

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "report_filing.txt"
DATABASE = "bench_report_filing"


# -- the load generator (runs in its own process: --loadgen) ----------------------------------
#: --spread: the district bureaus of the demo data, one report to each in turn
DISTRICTS = ("linhe", "wuyuan", "dengkou", "qianqi", "zhongqi", "houqi", "hanghou", "jingkai",
             "shuanghe")


def report_body(n: int) -> bytes:
    """A valid report about a different shop each time (so no report joins an earlier case);
    all to 临河区 (one bureau, one case-number sequence), or with BENCH_SPREAD=1 to the
    nine district bureaus in turn."""
    shop = f"临河区压测粮油店{n:07d}号"
    district = DISTRICTS[n % len(DISTRICTS)] if os.environ.get("BENCH_SPREAD") else "linhe"
    return json.dumps({
        "trademark": {"registration_no": "90000001"},
        "infringer": {"name": shop, "address": f"临河区新华街{n}号", "district": district},
        "description": "店内销售标有“河套”字样的面粉，包装粗糙，疑似假冒。",
        "found_on": "2026-11-20", "location": f"临河区新华街{n}号",
        "goods": [{"name": "雪花粉", "quantity": "30", "unit": "袋"}],
        "reporter": {"name": "压测举报人", "phone": "13904780001", "anonymous": False},
    }, ensure_ascii=False).encode()


def loadgen(port, path, connections, duration) -> dict:
    """New reports, each with its own Idempotency-Key, for ``duration`` seconds."""
    offset = os.getpid() * 10_000_000
    return load(port, "POST", path, body=lambda n: report_body(n + offset),
                headers=lambda n: {"Content-Type": "application/json",
                                   "Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
                connections=connections, duration=duration)


# -- the harness ------------------------------------------------------------------------------
def pending_documents(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM documents WHERE render_pending").fetchone()[0]


def pending_reports(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM reports WHERE case_id IS NULL").fetchone()[0]


def drain(url: str, env: dict, processes: int) -> dict:
    """Run the registration worker over the reports the filing rounds left received, in
    ``processes`` processes at once, until none is left; its rate in reports per second."""
    waiting = pending_reports(url)
    started = time.perf_counter()
    workers = [subprocess.Popen([str(Path(sys.executable).with_name("flask")), "--app", "wsgi",
                                 "reports", "register-pending", "--limit", str(10**7)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
               for _i in range(processes)]
    for worker in workers:
        worker.wait()
    elapsed = time.perf_counter() - started
    left = pending_reports(url)
    result = {"registered": waiting - left, "left": left, "seconds": elapsed,
              "rate": (waiting - left) / elapsed if elapsed else 0.0}
    print(f"registration worker ({processes} processes): {result['registered']} reports in "
          f"{elapsed:.1f}s = {result['rate']:.1f}/s, {left} left", flush=True)
    return result


def prepare(url: str):
    """Migrate and seed the bench database; create the bare app's table in it too."""
    env = {**os.environ, "DATABASE_URL": url, "BENCH_DATABASE_URL": url}
    code = ("from flask_migrate import upgrade\n"
            "from enforcement import create_app\nfrom enforcement.demo.seed import seed\n"
            "app = create_app()\nwith app.app_context():\n"
            "    upgrade()\n    seed('bench-pass-2026')\n"
            "import sys; sys.path.insert(0, 'bench')\nimport bare_app; bare_app.create_table()\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def serve(target: list[str], env: dict, args):
    return _serve(target, env, workers=args.workers, threads=args.threads)


def measure(name, target, path, env, args, spread=False) -> dict:
    process, port = serve(target, env, args)
    load_env = {**os.environ, **({"BENCH_SPREAD": "1"} if spread else {})}
    try:
        run = [sys.executable, __file__, "--loadgen", str(port), path,
               str(args.connections)]
        subprocess.run([*run, str(args.warmup)], check=True, capture_output=True, env=load_env)
        out = subprocess.run([*run, str(args.duration)], check=True, capture_output=True,
                             text=True, env=load_env).stdout
        result = json.loads(out)
    finally:
        stop(process)
    print(f"{name}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.1f} ms, "
          f"p99 {result['p99_ms']:.1f} ms, statuses {result['statuses']}", flush=True)
    return result


def _median(runs: list[dict], key: str) -> float:
    values = sorted(run[key] for run in runs)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _row(name: str, run: dict) -> str:
    return (f"{name:<20}{run['rps']:>10.1f}{run['p50_ms']:>10.1f}{run['p99_ms']:>10.1f}"
            f"  {run['statuses']}")


def report(args, bares: list[dict], apps: list[dict]) -> str:
    """Every round's figures, then the ratios of the medians over the rounds; the spread of
    the bare endpoint between rounds says how noisy the shared machine was."""
    bare = {k: _median(bares, k) for k in ("rps", "p50_ms", "p99_ms")}
    app = {k: _median(apps, k) for k in ("rps", "p50_ms", "p99_ms")}
    rps_ratio = app["rps"] / bare["rps"] if bare["rps"] else 0.0
    p99_ratio = app["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
    per_round = [ap["rps"] / ba["rps"] for ba, ap in zip(bares, apps, strict=True) if ba["rps"]]
    spread = (max(b["rps"] for b in bares) - min(b["rps"] for b in bares)) / bare["rps"] \
        if bare["rps"] else 0.0
    lines = [
        "Report filing (POST /api/v1/reports, JSON, no evidence) vs bare Flask + "
        "Flask-SQLAlchemy insert",
        f"run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} CPUs, shared), PostgreSQL {args.server.rsplit('@', 1)[-1]}",
        f"gunicorn: {args.workers} workers x {args.threads} threads (gthread); load: "
        f"{args.connections} keep-alive connections from a second process, "
        f"{args.warmup}s warm-up, {args.duration}s measured; {len(bares)} round(s), "
        "bare then filing in each",
        "",
        f"{'endpoint':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}  statuses",
    ]
    for i, (ba, ap) in enumerate(zip(bares, apps, strict=True), 1):
        lines += [_row(f"{i}: bare insert", ba), _row(f"{i}: report filing", ap)]
    lines += [
        _row("median bare", {**bare, "statuses": ""}),
        _row("median filing", {**app, "statuses": ""}),
        "",
        f"throughput: {rps_ratio:.1%} of bare (target >= 50%: "
        f"{'met' if rps_ratio >= 0.5 else 'NOT met'}); per round: "
        + ", ".join(f"{r:.1%}" for r in per_round),
        f"p99: {p99_ratio:.2f}x bare (target < 3x: {'met' if p99_ratio < 3 else 'NOT met'})",
        f"noise: the bare endpoint's req/s varied by {spread:.0%} of its median between rounds",
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3,
                        help="bare then filing, this many times (the machine is shared)")
    parser.add_argument("--spread", action="store_true",
                        help="also measure filing with the reports spread over the nine "
                        "district bureaus (reported apart; the target uses one bureau)")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0",
                        help="RATE_LIMIT_STORAGE_URL of the filing server ('' for the database)")
    parser.add_argument("--loadgen", nargs=4, metavar=("PORT", "PATH", "CONNS", "SECONDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen:
        port, path, conns, seconds = args.loadgen
        print(json.dumps(loadgen(int(port), path, int(conns), float(seconds))))
        return
    url = f"{args.server}/{DATABASE}"
    admin(args.server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin(args.server, f'CREATE DATABASE "{DATABASE}"')
    try:
        prepare(url)
        env = {**os.environ, "DATABASE_URL": url, "BENCH_DATABASE_URL": url,
               "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key"),
               "RATE_REPORT_FILE": str(10**9),  # never reached: the bench measures filing
               # the counters of a busy portal live in Redis, not in the database
               "RATE_LIMIT_STORAGE_URL": args.redis}
        # the production setting for a surge: the request receives, the worker registers
        intake_env = {**env, "REPORT_REGISTRATION": "worker"}
        bares, apps = [], []
        for _round in range(args.rounds):
            bares.append(measure("bare insert", ["--pythonpath", "bench", "bare_app:app"],
                                 "/rows", env, args))
            apps.append(measure("report filing", ["wsgi:app"], "/api/v1/reports", intake_env,
                                args))
        received = sum(run["ok"] for run in apps)
        registration = drain(url, env, args.workers)
        inline = measure("receive + register", ["wsgi:app"], "/api/v1/reports", env, args)
        spread = measure("filing, 9 bureaus", ["wsgi:app"], "/api/v1/reports", intake_env,
                         args, spread=True) if args.spread else None
        backlog = pending_documents(url)
    finally:
        admin(args.server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    text = report(args, bares, apps) + (
        f"\nregistration (REPORT_REGISTRATION=worker: the request receives — checks, stores "
        f"one row, answers 202 with the tracking number — and `flask reports "
        f"register-pending` routes it, opens the case, issues its documents and audits):\n"
        f"  {received} reports received in the measured rounds (plus warm-ups); the worker in "
        f"{args.workers} processes, run after the load, registered "
        f"{registration['registered']} in {registration['seconds']:.1f}s = "
        f"{registration['rate']:.1f} reports/s; {registration['left']} left unregistered\n"
        f"  receiving and registering in the same request (REPORT_REGISTRATION=request, "
        f"the default), for comparison:\n" + _row("  receive + register", inline)
        + f"  = {inline['rps'] / _median(bares, 'rps'):.1%} of the bare insert\n") + (
        "" if spread is None else
        "\nthe same filing spread over the nine district bureaus (nine tracking-number "
        "sequences instead of one; not the target's figure):\n"
        + _row("filing, 9 bureaus", spread) + "\n") + (
        f"deferred PDFs: {backlog} documents (举报登记表, 回执) were left pending for "
        "`flask documents render-pending --loop` (not running during the measurement)\n")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
