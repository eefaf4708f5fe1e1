"""Benchmark: mixed load — simulated users against gunicorn + PostgreSQL (issue 10 item 6).

``--users`` simulated users (100) for ``--duration`` seconds (300), each a session that waits
a think time drawn uniformly from 1–2 s between its tasks (locust's ``between(1, 2)``); the
users start evenly over ``--ramp`` seconds (10). A task is one request, except filing through
the web form (the form, the POST, the receipt page, as a browser does) and an action on a
case the user has not touched yet (it reads the case's version first). The users are split
by the share of the requests each kind of work should have:

* 15 % public reporters (anonymous): a report with a small evidence photo, in turn through
  the API (multipart, ``Idempotency-Key``) and the portal's web form (CSRF token, form token);
  a different shop each time, spread over the nine district bureaus;
* 45 % staff reading (web login through the form, with its CSRF token): the work list
  (dashboard, deadlines queue), a case page, a search;
* 20 % inspectors acting through the API (bearer token, ``If-Match`` version, ``Prefer:
  return=minimal``): ``record_evidence`` (a small photo) and ``compute_business_volume`` on
  investigating cases of their unit. Each such user owns its cases (no two users share one),
  so every action is legal and no answer is an expected 409 — any 409 is an error;
* 20 % staff downloading the PDFs of their unit's documents (web login).

Bureau heads (and police, courts) are not among the accounts: they log in with a second
factor (TOTP), which a load generator would have to share between sessions.

Afterwards the records are counted: the reports stored since the start against the filings
answered (tracking numbers: none lost, none twice, none stored unanswered, each registered),
the case events of the two actions against the actions answered (event ids), the evidence
rows, the audited downloads, and the audit chain is verified.

    .venv/bin/python bench/load_mixed.py [--users 100] [--duration 300] [--ramp 10]
        [--cases 10000] [--workers 2] [--threads 8]
        [--server postgresql://postgres@127.0.0.1:5432] [--redis redis://127.0.0.1:6379/0]

It creates (and drops afterwards) the database ``bench_load_<pid>``, migrates it, seeds the
demo and adds ``--cases`` bench cases (``flask bench-data``), and writes the figures to
bench/results/load_mixed.json and .md. Targets: zero errors, zero lost or duplicated
records, p95 under 800 ms.

The machine is shared, and its speed differs from one day to the next. Two figures say how
fast it was during the run: the workers' CPU time per request (the same code costs the same
work; a higher figure means slower cores), and the whole machine's busy share. ``--contend N``
runs N busy loops (one process each, normal priority) beside the server during the measured
run: a reproducible stand-in for a busier machine. Its figures go to
bench/results/load_mixed_contend<N>.json and .md.
"""
import argparse
import io
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from loadgen import (  # noqa: E402
    UserStopped,
    admin,
    children,
    process_cpu_seconds,
    run_users,
    serve,
    stop,
    wait_ready,
)
from loadgen import multipart as encode_multipart  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PASSWORD = "demo-pass-2026"
#: share of the simulated users (and so of the requests) doing each kind of work
MIX = {"filing": 15, "views": 45, "actions": 20, "downloads": 20}
#: staff accounts the readers and downloaders log in as (no second factor asked of them)
READERS = ("linhe_inspector1", "linhe_inspector2", "linhe_reviewer", "wuyuan_inspector1",
           "wuyuan_inspector2", "city_inspector1", "city_inspector2", "city_reviewer",
           "supervisor")
DOWNLOADERS = ("linhe_inspector1", "linhe_inspector2", "linhe_reviewer", "wuyuan_inspector1",
               "wuyuan_inspector2", "city_inspector1", "city_inspector2", "city_reviewer")
#: (units in turn: a few acting users need only one investigating case in each unit)
ACTORS = ("linhe_inspector1", "wuyuan_inspector1", "city_inspector1", "linhe_inspector2",
          "wuyuan_inspector2", "city_inspector2")
#: an acting user's own caseload: the cases it works on in turn
CASES_PER_ACTOR = 5
#: the repeatable actions the inspectors take (self-loops on an investigating case)
ACTIONS = ("record_evidence", "compute_business_volume")
#: simulated users of the warm-up (not measured)
WARM_UP_USERS = 8
DISTRICTS = ("linhe", "wuyuan", "dengkou", "qianqi", "zhongqi", "houqi", "hanghou", "jingkai",
             "shuanghe")
MARKS = ("90000001", "90000002", "90000004", "90000006")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_TOKEN_RE = re.compile(r'name="form_token"[^>]*value="([^"]+)"')
TRACKING_RE = re.compile(r"data-tracking-no>\s*([^<\s]+)\s*<")


def _photo() -> bytes:
    """A small PNG photo (about 1 KB) for the evidence uploads."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (196, 160, 72))
    for x in range(0, 64, 8):
        for y in range(48):
            image.putpixel((x, y), (40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PHOTO = _photo()


# -- what the users did, for the count afterwards ---------------------------------------------
@dataclass
class Outcomes:
    filings_answered: int = 0  # 201 from the API, 303 from the web form
    tracking_numbers: list[str] = field(default_factory=list)
    actions_answered: dict[str, int] = field(default_factory=dict)
    event_ids: list[int] = field(default_factory=list)
    downloads_answered: int = 0


def _json(answer) -> dict:
    try:
        value = json.loads(answer.body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def web_login(session, username: str) -> None:
    """Log in through the form with its CSRF token, as a browser does; stop the user if the
    login fails."""
    form = await session.request("login/web form", "GET", "/login",
                                 check=lambda a: None if CSRF_RE.search(a.text())
                                 else "no CSRF token")
    token = CSRF_RE.search(form.text()) if form is not None else None
    if token is None:
        raise UserStopped(username)
    body = urlencode({"csrf_token": token.group(1), "username": username,
                      "password": PASSWORD})
    answer = await session.request(
        "login/web POST", "POST", "/login", body=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}, expect=(302, 303),
        check=lambda a: "sent back to the login page"
        if "/login" in (a.header("location") or "") else None)
    if answer is None or answer.status not in (302, 303) or "/login" in (
            answer.header("location") or ""):
        raise UserStopped(username)


# -- the four kinds of user -------------------------------------------------------------------
class Filer:
    """A member of the public filing reports, in turn through the API and the web form."""

    kind = "filing"

    def __init__(self, index: int, outcomes: Outcomes, tag: str):
        self.index, self.outcomes, self.tag, self.n = index, outcomes, tag, 0

    async def start(self, session) -> None:
        return None

    def _report(self) -> dict:
        self.n += 1
        shop = f"压测{self.tag}用户{self.index:03d}第{self.n:05d}号粮油店"
        return {
            "trademark": {"registration_no": MARKS[self.n % len(MARKS)]},
            "infringer": {"name": shop, "address": f"新华街{self.index}-{self.n}号",
                          "district": DISTRICTS[(self.index + self.n) % len(DISTRICTS)]},
            "description": "店内销售标有“河套”字样的面粉，包装粗糙，疑似假冒。",
            "found_on": "2026-11-20", "location": f"新华街{self.index}-{self.n}号",
            "goods": [{"name": "雪花粉", "quantity": "30", "unit": "袋"}],
            "reporter": {"name": "压测举报人", "phone": "13904780001", "anonymous": False},
        }

    async def task(self, session) -> None:
        if (self.index + self.n) % 2:
            await self._through_api(session)
        else:
            await self._through_form(session)

    async def _through_api(self, session) -> None:
        body, content_type = encode_multipart(
            [("report", json.dumps(self._report(), ensure_ascii=False))],
            [("evidence", "photo.png", "image/png", PHOTO)])
        answer = await session.request(
            "filing/API POST", "POST", "/api/v1/reports", body=body, expect=(201,),
            headers={"Content-Type": content_type, "Idempotency-Key": uuid.uuid4().hex},
            check=lambda a: None if _json(a).get("tracking_no") else "no tracking number")
        if answer is not None and answer.status == 201:
            self.outcomes.filings_answered += 1
            if number := _json(answer).get("tracking_no"):
                self.outcomes.tracking_numbers.append(number)

    async def _through_form(self, session) -> None:
        page = await session.request(
            "filing/web form", "GET", "/portal/report",
            check=lambda a: None if CSRF_RE.search(a.text()) and FORM_TOKEN_RE.search(a.text())
            else "no CSRF or form token")
        if page is None or page.status != 200 or not FORM_TOKEN_RE.search(page.text()):
            return
        report = self._report()
        fields = [("csrf_token", CSRF_RE.search(page.text()).group(1)),
                  ("form_token", FORM_TOKEN_RE.search(page.text()).group(1)),
                  ("trademark-registration_no", report["trademark"]["registration_no"]),
                  *((f"infringer-{k}", v) for k, v in report["infringer"].items()),
                  ("description", report["description"]), ("found_on", report["found_on"]),
                  ("location", report["location"]),
                  *((f"goods-0-{k}", v) for k, v in report["goods"][0].items()),
                  ("reporter-name", report["reporter"]["name"]),
                  ("reporter-phone", report["reporter"]["phone"])]
        body, content_type = encode_multipart(fields, [("evidence", "photo.png", "image/png",
                                                        PHOTO)])
        answer = await session.request(
            "filing/web POST", "POST", "/portal/report", body=body, expect=(303,),
            headers={"Content-Type": content_type},
            check=lambda a: None if (a.header("location") or "").endswith("/report/receipt")
            else "not sent to the receipt")
        if answer is None or answer.status != 303:
            return
        self.outcomes.filings_answered += 1
        receipt = await session.request(
            "filing/web receipt", "GET", "/portal/report/receipt",
            check=lambda a: None if TRACKING_RE.search(a.text()) else "no tracking number")
        if receipt is not None and (found := TRACKING_RE.search(receipt.text())):
            self.outcomes.tracking_numbers.append(found.group(1))


class Reader:
    """A staff member looking at a work list (the dashboard or one of its queues), a case
    page or search results."""

    kind = "views"

    def __init__(self, username: str, plan: "Plan", rng):
        self.username, self.rng = username, rng
        self.work_lists = plan.work_lists[username]
        self.case_ids, self.searches = plan.case_ids[username], plan.searches[username]

    async def start(self, session) -> None:
        await web_login(session, self.username)

    async def task(self, session) -> None:
        roll = self.rng.random()
        if roll < 1 / 3:
            await session.request("views/work list", "GET", self.rng.choice(self.work_lists))
        elif roll < 2 / 3:
            await session.request("views/case page", "GET",
                                  f"/cases/{self.rng.choice(self.case_ids)}")
        else:
            await session.request("views/search", "GET", self.rng.choice(self.searches))


class Actor:
    """An inspector recording evidence and business-volume worksheets through the API on
    the investigating cases given to it alone."""

    kind = "actions"

    def __init__(self, username: str, case_ids: list[int], outcomes: Outcomes, rng):
        self.username, self.case_ids, self.outcomes, self.rng = \
            username, case_ids, outcomes, rng
        self.versions: dict[int, str] = {}
        self.n = 0

    async def start(self, session) -> None:
        body = json.dumps({"username": self.username, "password": PASSWORD}).encode()
        answer = await session.request(
            "login/API token", "POST", "/api/v1/auth/token", body=body,
            headers={"Content-Type": "application/json"},
            check=lambda a: None if _json(a).get("token") else "no token")
        token = _json(answer).get("token") if answer is not None else None
        if not token:
            raise UserStopped(self.username)
        session.headers["Authorization"] = f"Bearer {token}"

    async def task(self, session) -> None:
        self.n += 1
        case_id = self.case_ids[self.n % len(self.case_ids)]
        if case_id not in self.versions:
            answer = await session.request(
                "actions/API GET case", "GET", f"/api/v1/cases/{case_id}",
                check=lambda a: None if a.header("etag") else "no ETag")
            if answer is None or not answer.header("etag"):
                return
            self.versions[case_id] = answer.header("etag")
        name = ACTIONS[self.n % len(ACTIONS)]
        headers = {"If-Match": self.versions[case_id], "Prefer": "return=minimal"}
        if name == "record_evidence":
            body, content_type = encode_multipart(
                [("title", f"现场照片{self.n}"), ("description", "压测上传的现场照片。")],
                [("files", f"scene{self.n}.png", "image/png", PHOTO)])
            path = f"/api/v1/cases/{case_id}/evidence"
        else:
            body = json.dumps({"lines": [
                {"name": "雪花粉", "status": "sold", "quantity": str(10 + self.n % 50),
                 "unit": "袋", "price": "85.00", "price_basis": "actual_price"},
                {"name": "雪花粉", "status": "unsold", "quantity": "12", "unit": "袋",
                 "price": "90.00", "price_basis": "marked_price"}],
                "note": "按实际销售价格和标价计算。"}, ensure_ascii=False).encode()
            content_type = "application/json"
            path = f"/api/v1/cases/{case_id}/actions/{name}"
        answer = await session.request(
            f"actions/API {name}", "POST", path, body=body,
            headers={**headers, "Content-Type": content_type},
            check=lambda a: None if _json(a).get("event", {}).get("action") == name
            else "no event in the answer")
        if answer is None:
            self.versions.pop(case_id, None)  # unknown whether it was done: read again
            return
        if answer.status == 200 and (event := _json(answer).get("event")):
            self.outcomes.actions_answered[name] = self.outcomes.actions_answered.get(name,
                                                                                      0) + 1
            self.outcomes.event_ids.append(event["id"])
            self.versions[case_id] = answer.header("etag") or f'"{_json(answer)["version"]}"'
        else:
            self.versions.pop(case_id, None)


class Downloader:
    """A staff member downloading the PDF of one of its unit's documents."""

    kind = "downloads"

    def __init__(self, username: str, document_ids: list[int], outcomes: Outcomes, rng):
        self.username, self.document_ids, self.outcomes, self.rng = \
            username, document_ids, outcomes, rng

    async def start(self, session) -> None:
        await web_login(session, self.username)

    async def task(self, session) -> None:
        document_id = self.rng.choice(self.document_ids)
        answer = await session.request(
            "downloads/document PDF", "GET", f"/documents/{document_id}/pdf",
            check=lambda a: None if a.body.startswith(b"%PDF-")
            and (a.header("content-type") or "").startswith("application/pdf") else "not a PDF")
        if answer is not None and answer.status == 200 and answer.body.startswith(b"%PDF-"):
            self.outcomes.downloads_answered += 1


# -- the plan: who does what, from the data in the database -----------------------------------
def kinds_of_users(n: int) -> list[str]:
    """``n`` users split by :data:`MIX` (smooth weighted round-robin: the shares hold
    exactly at 100 users and the kinds are interleaved, so the ramp starts all of them)."""
    total = sum(MIX.values())
    counts = dict.fromkeys(MIX, 0)
    kinds = []
    for i in range(1, n + 1):
        kind = max(MIX, key=lambda k: MIX[k] * i / total - counts[k])
        counts[kind] += 1
        kinds.append(kind)
    return kinds


@dataclass
class Plan:
    work_lists: dict[str, list[str]]
    case_ids: dict[str, list[int]]
    searches: dict[str, list[str]]
    documents: dict[str, list[int]]
    investigating: dict[str, list[int]]  # by username's unit id
    unit_of: dict[str, int]
    baseline: dict[str, int]


def make_plan(app) -> Plan:
    """What each account may read, search and download, and the investigating cases the
    actors share out."""
    from sqlalchemy import select

    from enforcement.auth.models import User
    from enforcement.cases.models import Case
    from enforcement.cases.scope import visible_cases
    from enforcement.documents.models import Document
    from enforcement.extensions import db
    from enforcement.main.queues import queues_for
    from workflows.states import CaseState
    from workspace import search_paths

    accounts = sorted(set(READERS) | set(DOWNLOADERS) | set(ACTORS))
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(
            select(User).where(User.username.in_(accounts)))}
        missing = set(accounts) - set(users)
        if missing:
            raise SystemExit(f"accounts missing from the database: {sorted(missing)}")
        work_lists = {name: ["/dashboard", *(f"/queues/{q.code}" for q in queues_for(
            users[name]))] for name in READERS}
        case_ids = {name: list(db.session.scalars(
            select(Case.id).where(visible_cases(users[name])).order_by(Case.id.desc())
            .limit(2000))) for name in READERS}
        documents = {name: list(db.session.scalars(
            select(Document.id).where(Document.unit_id == users[name].unit_id,
                                      Document.render_pending.is_(False),
                                      Document.pdf.is_not(None)).order_by(Document.id)))
            for name in DOWNLOADERS}
        investigating = {}
        for name in ACTORS:
            unit = users[name].unit_id
            investigating[unit] = list(db.session.scalars(
                select(Case.id).where(Case.unit_id == unit,
                                      Case.state == CaseState.investigating)
                .order_by(Case.id)))
        unit_of = {name: users[name].unit_id for name in accounts}
        db.session.remove()
    searches = {name: search_paths(app, name) for name in READERS}
    for label, table in (("cases", case_ids), ("searches", searches),
                         ("documents", documents)):
        empty = [name for name, rows in table.items() if not rows]
        if empty:
            raise SystemExit(f"no {label} for {empty}: seed the demo (and bench data) first")
    return Plan(work_lists, case_ids, searches, documents, investigating, unit_of, {})


def last_ids(app) -> dict[str, int]:
    """The last row id of each table the count looks at; rows after it are the run's."""
    from sqlalchemy import func, select

    from enforcement.audit.models import AuditEntry
    from enforcement.cases.models import CaseEvent
    from enforcement.evidence.models import Evidence
    from enforcement.extensions import db
    from enforcement.reports.models import Report

    from enforcement.cases.models import Case

    with app.app_context():
        ids = {model.__tablename__: db.session.scalar(
            select(func.coalesce(func.max(model.id), 0)))
            for model in (Report, CaseEvent, Evidence, AuditEntry)}
        ids["cases_count"] = db.session.scalar(select(func.count(Case.id)))
        db.session.remove()
    return ids


def make_users(plan: Plan, n: int, outcomes: Outcomes, seed: int) -> list:
    """The ``n`` simulated users; the actors of a unit share its investigating cases out,
    each case to one actor only."""
    kinds = kinds_of_users(n)
    tag = uuid.uuid4().hex[:6]  # this run's shops are new ones
    rng = random.Random(seed)
    counters = dict.fromkeys(MIX, 0)
    users, actors = [], []
    for index, kind in enumerate(kinds):
        i = counters[kind]
        counters[kind] += 1
        if kind == "filing":
            users.append(Filer(index, outcomes, tag))
        elif kind == "views":
            name = READERS[i % len(READERS)]
            users.append(Reader(name, plan, random.Random(rng.random())))
        elif kind == "downloads":
            name = DOWNLOADERS[i % len(DOWNLOADERS)]
            users.append(Downloader(name, plan.documents[name], outcomes,
                                    random.Random(rng.random())))
        else:
            actor = Actor(ACTORS[i % len(ACTORS)], [], outcomes, random.Random(rng.random()))
            users.append(actor)
            actors.append(actor)
    by_unit: dict[int, list[Actor]] = {}
    for actor in actors:
        by_unit.setdefault(plan.unit_of[actor.username], []).append(actor)
    for unit, group in by_unit.items():
        cases = plan.investigating[unit]
        if len(cases) < len(group):
            raise SystemExit(f"unit {unit}: {len(cases)} investigating cases for "
                             f"{len(group)} acting users")
        for j, actor in enumerate(group):
            actor.case_ids = cases[j::len(group)][:CASES_PER_ACTOR]
    return users


# -- the count afterwards ---------------------------------------------------------------------
def count_records(app, plan: Plan, outcomes: Outcomes) -> dict:
    """What the database holds since the run began, against what the users were answered."""
    from sqlalchemy import func, select

    from enforcement.audit.models import AuditEntry
    from enforcement.audit.services import verify_chain
    from enforcement.cases.models import CaseEvent
    from enforcement.evidence.models import Evidence
    from enforcement.extensions import db
    from enforcement.reports.models import Report

    base = plan.baseline
    with app.app_context():
        reports = db.session.execute(select(Report.tracking_no, Report.case_id).where(
            Report.id > base["reports"])).all()
        events = db.session.execute(select(CaseEvent.id, CaseEvent.action).where(
            CaseEvent.id > base["case_events"], CaseEvent.action.in_(ACTIONS))).all()
        evidence = db.session.scalar(select(func.count(Evidence.id)).where(
            Evidence.id > base["evidence"]))
        downloads = db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.id > base["audit_log"], AuditEntry.action == "document.download"))
        chain = verify_chain()
        db.session.remove()
    stored = [r.tracking_no for r in reports]
    answered = outcomes.tracking_numbers
    event_ids = {e.id for e in events}
    evidence_actions = outcomes.actions_answered.get("record_evidence", 0)
    return {
        "reports": {
            "answered": outcomes.filings_answered, "stored": len(stored),
            "tracking_numbers_answered": len(answered),
            "lost": sorted(set(answered) - set(stored)),
            "stored_unanswered": sorted(set(stored) - set(answered)),
            "answered_twice": len(answered) - len(set(answered)),
            "unregistered": sum(1 for r in reports if r.case_id is None)},
        "actions": {
            "answered": sum(outcomes.actions_answered.values()),
            "answered_by_action": outcomes.actions_answered, "stored": len(events),
            "stored_by_action": {a: sum(1 for e in events if e.action == a) for a in ACTIONS},
            "lost": len(set(outcomes.event_ids) - event_ids),
            "stored_unanswered": len(event_ids - set(outcomes.event_ids)),
            "answered_twice": len(outcomes.event_ids) - len(set(outcomes.event_ids))},
        # one file with each report, one with each record_evidence
        "evidence": {"expected": outcomes.filings_answered + evidence_actions,
                     "stored": evidence},
        "downloads": {"answered": outcomes.downloads_answered, "audited": downloads},
        "audit_chain": {"ok": chain.ok, "rows_checked": getattr(chain, "checked", None)},
    }


def records_exact(counts: dict) -> bool:
    """Every record once: nothing lost, nothing twice, nothing stored unanswered."""
    reports, actions = counts["reports"], counts["actions"]
    return (reports["answered"] == reports["stored"] == reports["tracking_numbers_answered"]
            and not reports["lost"] and not reports["stored_unanswered"]
            and reports["answered_twice"] == 0 and reports["unregistered"] == 0
            and actions["answered"] == actions["stored"] and actions["lost"] == 0
            and actions["stored_unanswered"] == 0 and actions["answered_twice"] == 0
            and counts["evidence"]["expected"] == counts["evidence"]["stored"]
            and counts["downloads"]["answered"] == counts["downloads"]["audited"]
            and counts["audit_chain"]["ok"])


# -- one run ----------------------------------------------------------------------------------
def _machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _workers_cpu(process) -> float:
    return sum(process_cpu_seconds(pid) for pid in children(process.pid))


def _busy_loops(count: int) -> list[subprocess.Popen]:
    """``count`` processes that each keep one core busy until stopped."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(count)]


def run_scenario(url: str, *, users: int, duration: float, ramp: float = 10,
                 warm_up: float = 10, workers: int = 2, threads: int = 8, redis: str = "",
                 storage: str | None = None, seed: int = 1, contend: int = 0) -> dict:
    """Serve the app on ``url`` with gunicorn, warm it up, run the users, stop, count the
    records."""
    from enforcement import create_app

    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url)
    plan = make_plan(app)
    outcomes = Outcomes()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        env = {"DATABASE_URL": url, "STORAGE_DIR": storage or scratch,
               "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key"),
               "REPORT_REGISTRATION": "request",
               # every simulated user comes from 127.0.0.1: the per-address limits of the
               # portal and the login would otherwise refuse them after a few requests
               "RATE_REPORT_FILE": str(10**9), "RATE_LOGIN": str(10**9),
               "RATE_REPORT_STATUS": str(10**9), "RATE_LIMIT_STORAGE_URL": redis}
        # idle keep-alive connections are kept past the longest think time (gunicorn's
        # default is 2 s; a reverse proxy would hold them in production)
        process, port = serve(["wsgi:app"], env, workers=workers, threads=threads,
                              extra=("--keep-alive", "5"))
        try:
            wait_ready(port)
            # every page and query once in each worker (templates compiled, pools filled);
            # what the warm-up writes is before the count's starting ids
            run_users(port, make_users(plan, WARM_UP_USERS, Outcomes(), seed + 1),
                      duration=warm_up, think=(0.1, 0.3), ramp=0, seed=seed + 1)
            plan.baseline = last_ids(app)
            loops = _busy_loops(contend)
            try:
                machine_before, server_before = _machine_cpu(), _workers_cpu(process)
                figures = run_users(port, make_users(plan, users, outcomes, seed),
                                    duration=duration, ramp=ramp, seed=seed)
                server_cpu = _workers_cpu(process) - server_before
                machine_after = _machine_cpu()
            finally:
                for loop in loops:
                    stop(loop)
        finally:
            stop(process)
    busy = machine_after[0] - machine_before[0]
    total = machine_after[1] - machine_before[1]
    counts = count_records(app, plan, outcomes)
    with app.app_context():
        from enforcement.extensions import db

        db.engine.dispose()
    return {**figures, "cases": plan.baseline["cases_count"], "groups": _groups(figures),
            "records": counts,
            "records_exact": records_exact(counts),
            "contend": contend,
            "server": {"workers": workers, "threads": threads,
                       "workers_cpu_s": round(server_cpu, 1),
                       "workers_cpu_ms_per_request":
                           round(1000 * server_cpu / max(figures["total"]["requests"], 1), 1),
                       "workers_cpu_percent_of_one_core":
                           round(100 * server_cpu / figures["elapsed_s"], 1)},
            "machine_cpu_busy_percent": round(100 * busy / total, 1) if total else None,
            "cpus": os.cpu_count()}


def _groups(figures: dict) -> dict:
    """Requests and errors by kind of work (the part of a kind's name before the slash)."""
    groups: dict[str, dict] = {}
    total = figures["total"]["requests"] or 1
    for kind, row in figures["kinds"].items():
        group = groups.setdefault(kind.split("/")[0], {"requests": 0, "errors": 0})
        group["requests"] += row["requests"]
        group["errors"] += row["errors"]
    tasks = sum(figures["tasks"].values()) or 1
    for name, group in groups.items():
        group["share_percent"] = round(100 * group["requests"] / total, 1)
        if name in figures["tasks"]:
            group["tasks"] = figures["tasks"][name]
            group["task_share_percent"] = round(100 * figures["tasks"][name] / tasks, 1)
    return groups


# -- the benchmark ----------------------------------------------------------------------------
def create_database(server: str, name: str, cases: int) -> str:
    """A new database, migrated, with the demo and ``cases`` bench cases; its URL."""
    from flask_migrate import upgrade

    from config import database_url
    from enforcement import create_app
    from enforcement.bench.data import generate
    from enforcement.demo.seed import seed
    from enforcement.extensions import db

    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(server, f'CREATE DATABASE "{name}"')
    url = database_url(f"{server}/{name}")
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        seed(PASSWORD)
        if cases:
            generate(cases, batch=5000, echo=lambda line: print(line, flush=True))
        db.session.remove()
        db.engine.dispose()
    return url


def targets(result: dict) -> dict:
    p95 = result["total"]["p95_ms"]
    return {"zero_errors": result["total"]["errors"] == 0 and not result["users_stopped"],
            "records_exact": result["records_exact"],
            "p95_under_800_ms": p95 is not None and p95 < 800}


def markdown(result: dict, args) -> str:
    lines = [
        "# Mixed load: report filing, case views, actions, PDF downloads",
        "",
        f"Run {result['run_at']} on {platform.node()} ({result['cpus']} CPUs, shared); "
        f"PostgreSQL {args.server.rsplit('@', 1)[-1]}, {result['cases']} cases at the start "
        f"(demo + bench-data); gunicorn {args.workers} workers × {args.threads} threads "
        f"(gthread); {result['users']} users for {result['elapsed_s']} s (ramp {args.ramp} s), "
        "think time uniform 1–2 s between tasks; load generator: bench/loadgen.py "
        "(asyncio, one process)."
        + (f" **{result['contend']} busy loop(s) ran beside the server** (`--contend "
           f"{result['contend']}`: each keeps one core busy)." if result.get("contend") else ""),
        "",
        "| kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, row in [*result["kinds"].items(), ("**all**", result["total"])]:
        lines.append(f"| {kind} | {row['requests']} | {row['errors']} | {row['p50_ms']} | "
                     f"{row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} |")
    groups = ", ".join(f"{g} {v['share_percent']} %" for g, v in result["groups"].items())
    tasks = ", ".join(f"{g} {v['task_share_percent']} %" for g, v in result["groups"].items()
                      if "tasks" in v)
    records = result["records"]
    lines += [
        "",
        f"Throughput {result['total']['rps']} req/s; share of requests: {groups}; "
        f"of tasks (what a user does: the web filing is three requests): {tasks}.",
        f"CPU: load generator {result['loadgen_cpu_percent_of_one_core']} % of one core; "
        f"gunicorn workers {result['server']['workers_cpu_percent_of_one_core']} % of one "
        f"core, {result['server']['workers_cpu_ms_per_request']} ms per request (the "
        "machine's speed: the same code costs the same work); whole machine "
        f"{result['machine_cpu_busy_percent']} % busy (all tenants).",
        "",
        f"Records: reports answered {records['reports']['answered']}, stored "
        f"{records['reports']['stored']}, lost {len(records['reports']['lost'])}, stored "
        f"unanswered {len(records['reports']['stored_unanswered'])}, answered twice "
        f"{records['reports']['answered_twice']}, unregistered "
        f"{records['reports']['unregistered']}; actions answered "
        f"{records['actions']['answered']}, stored {records['actions']['stored']}, lost "
        f"{records['actions']['lost']}, unanswered {records['actions']['stored_unanswered']};"
        f" evidence rows {records['evidence']['stored']} of "
        f"{records['evidence']['expected']} expected; downloads "
        f"{records['downloads']['answered']}, audited {records['downloads']['audited']}; "
        f"audit chain {'verifies' if records['audit_chain']['ok'] else 'BROKEN'}.",
        "",
        "Targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}"
                                for k, v in result["targets"].items()) + ".",
    ]
    if result["error_examples"]:
        lines += ["", "First errors: " + "; ".join(result["error_examples"][:10])]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--ramp", type=float, default=10)
    parser.add_argument("--warm-up", type=float, default=10,
                        help="seconds of unmeasured load first (workers load their pages)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0",
                        help="RATE_LIMIT_STORAGE_URL of the server ('' for the database)")
    parser.add_argument("--database", help="use this prepared database (migrated, demo, bench "
                        "cases) instead of creating one; it is kept (trial runs)")
    parser.add_argument("--contend", type=int, default=0, metavar="N",
                        help="run N busy loops beside the server during the measured run")
    parser.add_argument("--no-write", action="store_true",
                        help="print the figures only (a trial run)")
    args = parser.parse_args(argv)
    name = f"bench_load_{os.getpid()}"
    started = time.perf_counter()
    try:
        if args.database:
            from config import database_url

            url = database_url(args.database)
        else:
            url = create_database(args.server, name, args.cases)
            print(f"database {name} ready in {time.perf_counter() - started:.0f}s", flush=True)
        result = run_scenario(url, users=args.users, duration=args.duration, ramp=args.ramp,
                              warm_up=args.warm_up, workers=args.workers,
                              threads=args.threads, redis=args.redis, contend=args.contend)
    finally:
        if not args.database:
            admin(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    result = {"run_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", **result}
    result["targets"] = targets(result)
    text = markdown(result, args)
    print(json.dumps({k: v for k, v in result.items() if k != "kinds"}, ensure_ascii=False,
                     indent=1))
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stem = f"load_mixed_contend{args.contend}" if args.contend else "load_mixed"
        (RESULTS / f"{stem}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (RESULTS / f"{stem}.md").write_text(text, encoding="utf-8")
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
