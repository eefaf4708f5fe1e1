"""Benchmark: what one request of each kind of the mixed load costs, one at a time.

The mixed load (``bench/load_mixed.py``) says how long users wait; this says where the time
goes. Each kind of request of that load is sent ``--repeat`` times, one after another, through
the app's own request handling (in-process WSGI client, ``config.Config``, the same plan of
users, cases, searches and documents as the load), and for each the medians of:

* wall time;
* the app's CPU time (the thread's CPU clock: Python, templates, the driver);
* the SQL statements sent and the time spent waiting for their answers (PostgreSQL's share).

The last line is the mix's weighted cost per request and the rate two cores could serve if
nothing else ran: the ceiling the load's throughput can approach. A p95 far below the think
time needs the offered rate well under that ceiling.

    .venv/bin/python bench/request_cost.py --database postgresql://postgres@127.0.0.1/bench_prof
        [--repeat 30] [--kind views/case page] [--profile 'views/case page']

The database must be prepared as the load's (``load_mixed.create_database``: migrated, demo,
bench cases). ``--profile KIND`` prints a pyinstrument profile of that kind instead.
"""
import argparse
import io
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import load_mixed as load  # noqa: E402

#: share of each kind of request in the load (from its last run: bench/results/load_mixed.md)
WEIGHTS = {"views/work list": 14.0, "views/case page": 13.8, "views/search": 13.9,
           "actions/API record_evidence": 8.7, "actions/API compute_business_volume": 8.7,
           "downloads/document PDF": 18.6, "filing/API POST": 5.1, "filing/web form": 5.1,
           "filing/web POST": 5.1, "filing/web receipt": 5.1, "login/web": 1.0}


class Meter:
    """Counts statements and the time spent waiting for them, on one engine."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements, self.waited = 0, 0.0
        self._started = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.statements += 1
        self.waited += time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())

    def reset(self):
        self.statements, self.waited = 0, 0.0


class Clients:
    """Logged-in test clients, one per account (web) or bearer token (API)."""

    def __init__(self, app):
        self.app, self.web, self.tokens = app, {}, {}

    def logged_in(self, username):
        if username not in self.web:
            client = self.app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = load.CSRF_RE.search(page).group(1)
            answer = client.post("/login", data={"csrf_token": token, "username": username,
                                                 "password": load.PASSWORD})
            assert answer.status_code in (302, 303), (username, answer.status_code)
            self.web[username] = client
        return self.web[username]

    def bearer(self, username):
        if username not in self.tokens:
            answer = self.app.test_client().post(
                "/api/v1/auth/token", json={"username": username, "password": load.PASSWORD})
            self.tokens[username] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
        return self.tokens[username]


def requests(app, plan, clients, rng, meter, started):
    """Kind name -> a function sending one request of that kind (and checking its answer).

    A kind that must read something first (the case's version, the form) restarts the
    clock and the meter (``started``, ``meter``) after that read: only its own request counts.
    """
    reader, downloader = "linhe_inspector1", "linhe_inspector1"
    actor = load.ACTORS[0]
    unit = plan.unit_of[actor]
    cases = plan.investigating[unit][:load.CASES_PER_ACTOR]
    anonymous = app.test_client()
    counter = iter(range(10**9))
    filer = load.Filer(999, load.Outcomes(), uuid.uuid4().hex[:6])

    def restart():
        start(meter, started)

    def expect(answer, *codes):
        assert answer.status_code in codes, (answer.status_code, answer.get_data()[:300])
        return answer

    def work_list():
        expect(clients.logged_in(reader).get(rng.choice(plan.work_lists[reader])), 200)

    def case_page():
        expect(clients.logged_in(reader).get(f"/cases/{rng.choice(plan.case_ids[reader])}"),
               200)

    def search():
        expect(clients.logged_in(reader).get(rng.choice(plan.searches[reader])), 200)

    def version(case_id):
        answer = expect(anonymous.get(f"/api/v1/cases/{case_id}",
                                      headers=clients.bearer(actor)), 200)
        return answer.headers["ETag"]

    def record_evidence():
        n = next(counter)
        case_id = cases[n % len(cases)]
        headers = {**clients.bearer(actor), "If-Match": version(case_id),
                   "Prefer": "return=minimal"}
        restart()  # the version read is the load's first request on a case only
        expect(anonymous.post(f"/api/v1/cases/{case_id}/evidence", headers=headers, data={
            "title": f"现场照片{n}", "description": "压测上传的现场照片。",
            "files": [(io.BytesIO(load.PHOTO), f"scene{n}.png", "image/png")]},
            content_type="multipart/form-data"), 200)

    def business_volume():
        n = next(counter)
        case_id = cases[n % len(cases)]
        headers = {**clients.bearer(actor), "If-Match": version(case_id),
                   "Prefer": "return=minimal"}
        restart()
        expect(anonymous.post(f"/api/v1/cases/{case_id}/actions/compute_business_volume",
                              headers=headers, json={"lines": [
                                  {"name": "雪花粉", "status": "sold", "quantity": "10",
                                   "unit": "袋", "price": "85.00",
                                   "price_basis": "actual_price"}],
                                  "note": "按实际销售价格计算。"}), 200)

    def document():
        answer = expect(clients.logged_in(downloader).get(
            f"/documents/{rng.choice(plan.documents[downloader])}/pdf"), 200)
        assert answer.data.startswith(b"%PDF-")

    def file_api():
        report = filer._report()
        expect(anonymous.post("/api/v1/reports", headers={"Idempotency-Key": uuid.uuid4().hex},
                              data={"report": json.dumps(report, ensure_ascii=False),
                                    "evidence": (io.BytesIO(load.PHOTO),
                                                 "photo.png", "image/png")},
                              content_type="multipart/form-data"), 201)

    portal = app.test_client()
    form_state = {}

    def web_form():
        page = expect(portal.get("/portal/report"), 200).get_data(as_text=True)
        form_state["csrf"] = load.CSRF_RE.search(page).group(1)
        form_state["token"] = load.FORM_TOKEN_RE.search(page).group(1)

    def web_post():
        if "token" not in form_state:
            web_form()
        report = filer._report()
        data = {"csrf_token": form_state["csrf"], "form_token": form_state.pop("token"),
                "trademark-registration_no": report["trademark"]["registration_no"],
                **{f"infringer-{k}": v for k, v in report["infringer"].items()},
                "description": report["description"], "found_on": report["found_on"],
                "location": report["location"],
                **{f"goods-0-{k}": v for k, v in report["goods"][0].items()},
                "reporter-name": report["reporter"]["name"],
                "reporter-phone": report["reporter"]["phone"],
                "evidence": (io.BytesIO(load.PHOTO), "photo.png", "image/png")}
        restart()
        expect(portal.post("/portal/report", data=data, content_type="multipart/form-data"),
               303)

    def receipt():
        expect(portal.get("/portal/report/receipt"), 200)

    def login():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = load.CSRF_RE.search(page).group(1)
        restart()
        expect(client.post("/login", data={"csrf_token": token, "username": reader,
                                           "password": load.PASSWORD}), 302, 303)

    return {
        "views/work list": work_list, "views/case page": case_page, "views/search": search,
        "actions/API record_evidence": record_evidence,
        "actions/API compute_business_volume": business_volume,
        "downloads/document PDF": document, "filing/API POST": file_api,
        "filing/web form": web_form, "filing/web POST": web_post, "filing/web receipt": receipt,
        "login/web": login}


def start(meter, started) -> None:
    """Start counting one request: statements from zero, the clocks from now."""
    meter.reset()
    started[0], started[1] = time.perf_counter(), time.thread_time()


def measure(send, started, meter, repeat):
    walls, cpus, statements, waits = [], [], [], []
    send()  # warm: templates compiled, caches filled
    for _ in range(repeat):
        start(meter, started)
        send()
        walls.append(time.perf_counter() - started[0])
        cpus.append(time.thread_time() - started[1])
        statements.append(meter.statements)
        waits.append(meter.waited)
    return {"wall_ms": 1000 * statistics.median(walls),
            "app_cpu_ms": 1000 * statistics.median(cpus),
            "statements": statistics.median(statements),
            "sql_wait_ms": 1000 * statistics.median(waits)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--kind", action="append", help="only these kinds")
    parser.add_argument("--profile", help="print a pyinstrument profile of this kind")
    args = parser.parse_args(argv)

    import tempfile

    from config import database_url
    from enforcement import create_app
    from enforcement.extensions import db

    storage = tempfile.mkdtemp(prefix="bench-cost-")
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=database_url(args.database),
                     STORAGE_DIR=storage, SECRET_KEY="bench-secret-key",
                     REPORT_REGISTRATION="request", SESSION_COOKIE_SECURE=False)
    # one client address for every request, as in the load: no per-address limit applies
    app.config["RATE_LIMITS"] = {name: (10**9, window)
                                 for name, (_n, window) in app.config["RATE_LIMITS"].items()}
    plan = load.make_plan(app)
    with app.app_context():
        meter = Meter(db.engine)
    started = [0.0, 0.0]
    kinds = requests(app, plan, Clients(app), random.Random(1), meter, started)
    chosen = args.kind or list(kinds)
    if args.profile:
        from pyinstrument import Profiler

        kinds[args.profile]()
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.repeat):
            kinds[args.profile]()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return 0
    rows = {name: measure(kinds[name], started, meter, args.repeat) for name in chosen}
    print(f"{'kind':40} {'wall ms':>8} {'app CPU':>8} {'SQL n':>6} {'SQL ms':>7}")
    for name, row in rows.items():
        print(f"{name:40} {row['wall_ms']:8.1f} {row['app_cpu_ms']:8.1f} "
              f"{row['statements']:6.0f} {row['sql_wait_ms']:7.1f}")
    if set(chosen) == set(WEIGHTS):
        total = sum(WEIGHTS.values())
        wall = sum(WEIGHTS[k] * rows[k]["wall_ms"] for k in WEIGHTS) / total
        cpu = sum(WEIGHTS[k] * rows[k]["app_cpu_ms"] for k in WEIGHTS) / total
        print(f"mix: {wall:.1f} ms wall per request ({cpu:.1f} ms app CPU); "
              f"two cores serve at most {2000 / wall:.0f} req/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
