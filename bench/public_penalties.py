"""Benchmark: the public penalty list and search pages with 100,000 published entries (issue 8).

    .venv/bin/python bench/public_penalties.py [--entries 100000] [--repeat 60]
        [--connections 64] [--duration 30] [--workers 2] [--threads 4]
        [--server postgresql://postgres@127.0.0.1:5432]

It creates the PostgreSQL database ``bench_public_penalties`` (dropped afterwards), migrates
and seeds it, bulk-inserts the entries (COPY; names, credit codes, masked ID numbers, marks,
districts and dates varied; a few withdrawn or past their period), then

1. in-process (Flask test client, no network): the median server time of ``repeat`` requests
   each of list pages and of search pages (party name, credit code, mark, district, date
   range, combined), side by side with a bare route of the same app (one ``SELECT 1`` and a
   short page) — target: median under 50 ms;
2. through gunicorn: ``connections`` keep-alive connections for ``duration`` seconds over the
   same mix of pages, then the bare route for comparison — target: zero errors.

Figures are printed and written to bench/results/public_penalties.txt.
"""
import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import loadgen  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "public_penalties.txt"
DATABASE = "bench_public_penalties"

DISTRICTS = ("linhe", "wuyuan", "dengkou", "qianqi", "zhongqi", "houqi", "hanghou", "jingkai",
             "shuanghe")
DISTRICT_NAMES = ("临河区", "五原县", "磴口县", "乌拉特前旗", "乌拉特中旗", "乌拉特后旗",
                  "杭锦后旗", "经济技术开发区", "双河区")
MARKS = ("河套", "河套王", "巴美肉羊", "维信", "乌拉特羊肉", "五原向日葵", "磴口华莱士瓜",
         "巴彦淖尔小麦")
SHOPS = ("粮油店", "烟酒商行", "服装店", "冷鲜肉店", "超市", "便利店", "批发部", "商贸有限公司",
         "食品有限责任公司", "百货商店", "农资门市", "网店")
WORDS = ("金穗", "鑫源", "顺达", "丰泰", "宏远", "福满", "瑞祥", "富民", "兴隆", "恒通", "永盛",
         "隆昌", "万家", "利民", "新华", "胜利", "团结", "建设", "河畔", "塞上")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# -- the data ---------------------------------------------------------------------------------
def prepare(url: str) -> None:
    """Migrate and seed (the demo data gives the case, document and user rows referred to)."""
    code = ("from flask_migrate import upgrade\n"
            "from enforcement import create_app\nfrom enforcement.demo.seed import seed\n"
            "app = create_app()\nwith app.app_context():\n"
            "    upgrade()\n    seed('bench-pass-2026')\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": url})


def _entry(n: int, rng: random.Random, today: date, refs) -> tuple:
    d = rng.randrange(len(DISTRICTS))
    shop = rng.choice(SHOPS)
    name = f"{DISTRICT_NAMES[d]}{rng.choice(WORDS)}{rng.choice(WORDS)}{shop}{n:06d}"
    person = shop in ("粮油店", "服装店", "冷鲜肉店", "便利店", "网店") and rng.random() < 0.7
    if person:
        name = f"{rng.choice(SURNAMES)}某（{name}经营者）"
        identifier = f"1508{'*' * 10}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"
        key = f"p{n % 60000:060d}"[-64:]
    else:
        identifier = "9215" + "".join(rng.choice(CREDIT_CHARS) for _ in range(14))
        key = identifier if rng.random() < 0.95 else None
    decided = today - timedelta(days=rng.randrange(3 * 365))
    months = 3 if rng.random() < 0.15 else 36
    ends = decided + timedelta(days=months * 30 + 20)
    status = "active"
    roll = rng.random()
    if roll < 0.02:
        status = "withdrawn"
    elif ends < today:
        status = "taken_down"
    fine = rng.choice((2000, 5000, 10000, 20000, 30000, 50000, 80000, 150000))
    marks = rng.choice(MARKS)
    penalty = f"没收侵权商品；罚款人民币{fine}元"
    published = datetime.combine(decided + timedelta(days=rng.randrange(1, 20)),
                                 datetime.min.time(), UTC)
    case_id, doc_id, unit_id, user_id = refs
    return (case_id, unit_id, doc_id, None, f"巴市监处罚〔{decided.year}〕{n}号", name, person,
            identifier, key, f"销售侵犯“{marks}”注册商标专用权的商品", penalty, fine,
            f"巴彦淖尔市{DISTRICT_NAMES[d]}市场监督管理局", decided, DISTRICTS[d], marks,
            rng.random() < 0.05, "{}", "{}", "<p>（压测数据）</p>", b"%PDF-1.7 bench", "0" * 64,
            status, published, published.date(), user_id, months, ends, published, None, None,
            None, None, None, rng.random() < 0.002, None, None)


COLUMNS = ("case_id, unit_id, decision_document_id, summary_document_id, decision_number, "
           "party_name, party_is_person, party_identifier, party_key, violation_type, penalty, "
           "fine_total, authority, decided_on, district, marks, heavier, redacted_data, "
           "redaction_log, redacted_html, pdf, sha256, status, published_at, published_on, "
           "published_by_id, period_months, period_ends_on, changed_at, ended_at, "
           "ended_by_id, end_reason, repair, revocation, typical, typical_note, typical_by_id")


def bulk_insert(url: str, entries: int) -> dict:
    import psycopg

    rng = random.Random(8)
    today = date.today()
    with psycopg.connect(url) as conn:
        refs = conn.execute("SELECT case_id, decision_document_id, unit_id, published_by_id "
                            "FROM publication_entries ORDER BY id LIMIT 1").fetchone()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(
                f"COPY publication_entries ({COLUMNS}) FROM STDIN") as copy:
            for n in range(1, entries + 1):
                copy.write_row(_entry(n, rng, today, refs))
        conn.commit()
        conn.execute("ANALYZE publication_entries")
        conn.commit()
        counts = dict(conn.execute("SELECT status, count(*) FROM publication_entries "
                                   "GROUP BY status").fetchall())
        sample = conn.execute(
            "SELECT party_name, party_identifier, marks FROM publication_entries "
            "WHERE status = 'active' AND NOT party_is_person ORDER BY id DESC LIMIT 200"
        ).fetchall()
    return {"seconds": time.perf_counter() - started, "counts": counts, "sample": sample}


def search_paths(sample, rng: random.Random) -> list[str]:
    """Searches a visitor would make: a word of a name, a credit code, a mark, a district,
    a date range, combinations."""
    paths = []
    today = date.today()
    for i in range(40):
        name, code, mark = rng.choice(sample)
        word = name[3:5] if i % 2 else name[-10:]
        start = today - timedelta(days=rng.randrange(60, 900))
        paths += [f"/penalties/?party={quote(word)}", f"/penalties/?code={code}",
                  f"/penalties/?mark={quote(mark)}",
                  f"/penalties/?district={rng.choice(DISTRICTS)}",
                  f"/penalties/?from={start}&to={start + timedelta(days=90)}",
                  f"/penalties/?party={quote(word)}&district={rng.choice(DISTRICTS)}"
                  f"&from={start}"]
    return paths


def list_paths() -> list[str]:
    return [f"/penalties/?page={p}" for p in (1, 2, 3, 5, 10, 50)] + ["/penalties/"]


# -- in-process timing ------------------------------------------------------------------------
def served_app():
    """The app with the bare comparison route (gunicorn ``public_penalties:served_app()``)."""
    from flask import render_template_string
    from sqlalchemy import text

    from enforcement import create_app
    from enforcement.extensions import db

    app = create_app()

    def bare():
        db.session.execute(text("SELECT 1"))
        return render_template_string("<!doctype html><title>bare</title><p>{{ n }}</p>", n=1)

    app.add_url_rule("/bench/bare", "bench_bare", bare)
    return app


def timed(client, paths, repeat) -> list[float]:
    times = []
    for i in range(repeat):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def in_process(url: str, repeat: int, searches: list[str]) -> dict:
    os.environ["DATABASE_URL"] = url
    app = served_app()
    client = app.test_client()
    for path in list_paths() + searches[:20] + ["/bench/bare"]:  # warm caches and pools
        client.get(path)
    groups = {"list": list_paths(), "search": searches, "bare": ["/bench/bare"]}
    results = {}
    for name, paths in groups.items():
        times = timed(client, paths, repeat)
        results[name] = {"n": len(times), "median": statistics.median(times),
                         "p90": sorted(times)[int(0.9 * len(times))], "max": max(times)}
    return results


# -- the run ----------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--bare-duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    url = f"{args.server}/{DATABASE}"
    loadgen.admin(args.server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    loadgen.admin(args.server, f'CREATE DATABASE "{DATABASE}"')
    try:
        started = time.perf_counter()
        prepare(url)
        print(f"migrated and seeded in {time.perf_counter() - started:.0f} s", flush=True)
        inserted = bulk_insert(url, args.entries)
        print(f"inserted {args.entries} entries in {inserted['seconds']:.1f} s: "
              f"{inserted['counts']}", flush=True)
        searches = search_paths(inserted["sample"], random.Random(45))
        timing = in_process(url, args.repeat, searches)
        for name, t in timing.items():
            print(f"in-process {name}: median {t['median']:.1f} ms, p90 {t['p90']:.1f} ms, "
                  f"max {t['max']:.1f} ms over {t['n']} requests", flush=True)
        mix = list_paths() + searches
        env = {"DATABASE_URL": url}
        target = ["--pythonpath", "bench", "public_penalties:served_app()"]
        process, port = loadgen.serve(target, env, workers=args.workers, threads=args.threads)
        try:
            loadgen.load(port, "GET", lambda n: mix[n % len(mix)], connections=8, duration=3)
            pages = loadgen.load(port, "GET", lambda n: mix[n % len(mix)],
                                 connections=args.connections, duration=args.duration)
            print(f"load (pages): {pages}", flush=True)
            bare = loadgen.load(port, "GET", "/bench/bare", connections=args.connections,
                                duration=args.bare_duration)
            print(f"load (bare): {bare}", flush=True)
        finally:
            loadgen.stop(process)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report(args, inserted, timing, pages, bare))
        print(f"written to {RESULTS.relative_to(ROOT)}")
        ok = (timing["list"]["median"] < 50 and timing["search"]["median"] < 50
              and pages["errors"] == 0)
        return 0 if ok else 1
    finally:
        if not args.keep:
            loadgen.admin(args.server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def report(args, inserted, timing, pages, bare) -> str:
    t = timing
    lines = [
        "Public penalty pages (issue 8) — bench/public_penalties.py",
        f"run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs (shared), PostgreSQL",
        f"data: {args.entries} entries bulk-inserted (COPY) on the seeded demo database; "
        f"by status {inserted['counts']}",
        "",
        f"in-process (Flask test client), {args.repeat} requests each, after warm-up:",
        *(f"  {name:7s} median {v['median']:6.1f} ms   p90 {v['p90']:6.1f} ms   "
          f"max {v['max']:6.1f} ms" for name, v in t.items()),
        f"  ratio list/bare {t['list']['median'] / t['bare']['median']:.1f}×, "
        f"search/bare {t['search']['median'] / t['bare']['median']:.1f}×",
        f"  target median < 50 ms: list {'met' if t['list']['median'] < 50 else 'NOT met'}, "
        f"search {'met' if t['search']['median'] < 50 else 'NOT met'}",
        "",
        f"gunicorn {args.workers} workers × {args.threads} threads, {args.connections} "
        f"keep-alive connections (bench/loadgen.py):",
        f"  pages ({args.duration:.0f} s, list + search mix): {pages['requests']} requests, "
        f"{pages['errors']} errors, {pages['rps']:.1f} req/s, p50 {pages['p50_ms']:.1f} ms, "
        f"p99 {pages['p99_ms']:.1f} ms, statuses {pages['statuses']}",
        f"  bare  ({args.bare_duration:.0f} s): {bare['requests']} requests, {bare['errors']} "
        f"errors, {bare['rps']:.1f} req/s, p50 {bare['p50_ms']:.1f} ms, "
        f"p99 {bare['p99_ms']:.1f} ms",
        f"  pages/bare throughput {pages['rps'] / bare['rps']:.2f}",
        f"  target zero errors: {'met' if pages['errors'] == 0 else 'NOT met'}",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
