"""Bulk benchmark cases: spread over the bureaus, states and three years, with their parties,
marks, goods, inspectors, clocks and timelines, written in batches (COPY on PostgreSQL,
executemany on SQLite) without going through the workflow service.

The rows are what the service would have left behind for a case in each state — timeline,
team, running or met clocks — but without documents, referrals or audit rows: this data is
for measuring lists, searches, actions and the quarterly statistics at scale, never for a real
bureau. Every case's report number starts with ``BJ`` and its cause ends with ``（压测数据）``.

Distributions (seeded, so the same seed on the same database gives the same data):

- unit: uniform over the active bureaus (city bureau and the nine district bureaus);
  ``district`` is the unit's.
- state: :data:`STATE_WEIGHTS` (about 68 % closed; 4 % not filed; transfers to the police
  about 1.5 %: 0.5 % still referred, 0.5 % accepted (police_filed), 0.2 % declined, 0.3 %
  awaiting the transfer decision).
- registration (``created_at``): open cases within the last 120 days, ended ones uniformly over
  the last three years; one timeline step every ``min(3, age / (steps + 1))`` days.
- mark: uniform over the registry's marks (demo: 5 GI, 2 well-known, 1 collective), one per
  case; goods: one line, uniform over :data:`MARK_GOODS`, 2–200 units, Nice class of the
  goods (:data:`GOODS_CLASSES`).
- seizure: 30 % of the cases that reached investigation have an ``impose_measure`` event the
  step after filing (查封扣押).
- 违法经营额 (``business_volume``): quantity × unit price of the goods line, for every case
  past investigation (legal review onwards).
- penalty decision (``decide_penalty`` event, ``decided_at``): fine uniform 1,000–100,000
  yuan in whole hundreds; confiscation of illegal gains in 40 % of decisions, 10–50 % of the
  business volume; goods confiscated for destruction (``confiscated_goods`` in the event) in
  70 % of decisions. ``paid_amount`` = fine + confiscation once closed.
- publication: the ``publish`` event of the main path (decided → publicized → closed).
- party: a new party per case, or (10 %) a party of an earlier case — a repeat infringer.
- clocks: the running clocks of the state (overdue when their due day has passed).
- campaign membership: campaigns join cases by rule in the statistics query, so the bench
  cases about the 河套 mark registered in a running campaign's districts and period belong to
  it with no extra rows; 0.1 % of the cases are added by hand to the first campaign, if any.
"""
import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from enforcement.auth.models import User
from enforcement.campaigns.models import Campaign, CampaignCase, JoinedBy
from enforcement.cases.models import Case, CaseEvent, CaseGoods, CaseMark, CaseParty
from enforcement.cases.models import case_inspectors as CaseInspector
from enforcement.clocks.kinds import CLOCK_KINDS
from enforcement.clocks.models import Clock, ClockStatus
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.orgs.models import OrgUnit, UnitKind
from enforcement.parties.identifiers import credit_code_check_char
from enforcement.parties.models import Party, PartyKind
from workflows.definition import ACTIONS_BY_NAME
from workflows.states import END_STATES
from workflows.states import CaseState as S

log = logging.getLogger(__name__)

#: how often each state occurs: most cases of three years are closed
STATE_WEIGHTS = {
    S.registered: 2, S.verifying: 4, S.filing_review: 1, S.not_filed: 4, S.transferred_out: 1,
    S.investigating: 8, S.suspended: 1, S.legal_review: 2, S.notified: 2, S.hearing: 0.5,
    S.decision_review: 1, S.decided: 3, S.publicized: 3, S.referral_review: 0.3,
    S.referred: 0.5, S.referral_declined: 0.2, S.police_filed: 0.5, S.court_enforcement: 0.5,
    S.closed: 60,
}
#: the administrative path; a state's timeline is the prefix that leads to it
MAIN_PATH = (("assign", S.registered, S.verifying),
             ("propose_filing", S.verifying, S.filing_review),
             ("approve_filing", S.filing_review, S.investigating),
             ("finish_investigation", S.investigating, S.legal_review),
             ("pass_review", S.legal_review, S.notified),
             ("submit_for_decision", S.notified, S.decision_review),
             ("decide_penalty", S.decision_review, S.decided),
             ("publish", S.decided, S.publicized),
             ("close", S.publicized, S.closed))
#: states off the main path: (the main-path state they leave from, the steps after it)
SIDE_PATHS = {
    S.not_filed: (S.filing_review, (("reject_filing", S.filing_review, S.not_filed),)),
    S.transferred_out: (S.verifying,
                        (("transfer_jurisdiction", S.verifying, S.transferred_out),)),
    S.suspended: (S.investigating, (("suspend", S.investigating, S.suspended),)),
    S.hearing: (S.notified, (("request_hearing", S.notified, S.hearing),)),
    S.referral_review: (S.investigating,
                        (("propose_transfer", S.investigating, S.referral_review),)),
    S.referred: (S.investigating, (("propose_transfer", S.investigating, S.referral_review),
                                   ("approve_transfer", S.referral_review, S.referred))),
    S.referral_declined: (S.investigating, (
        ("propose_transfer", S.investigating, S.referral_review),
        ("approve_transfer", S.referral_review, S.referred),
        ("decline_transfer", S.referred, S.referral_declined))),
    S.police_filed: (S.investigating, (
        ("propose_transfer", S.investigating, S.referral_review),
        ("approve_transfer", S.referral_review, S.referred),
        ("accept_transfer", S.referred, S.police_filed))),
    S.court_enforcement: (S.publicized, (
        ("apply_court_enforcement", S.publicized, S.court_enforcement),)),
}
#: the clocks that run in a state (the deadline that falls due first is what lists sort by)
OPEN_CLOCKS = {
    S.registered: ("verification",), S.verifying: ("verification",),
    S.filing_review: ("verification",), S.investigating: ("decision",),
    S.suspended: ("decision",), S.legal_review: ("decision", "legal_review"),
    S.notified: ("decision", "statement"), S.hearing: ("decision", "hearing_notice"),
    S.decision_review: ("decision",), S.decided: ("decision_service", "publication"),
    S.publicized: ("payment",), S.referral_review: ("transfer_decision",),
    S.referred: ("police_decision",), S.referral_declined: ("reconsideration",),
    S.police_filed: ("goods_handover",), S.court_enforcement: ("court_acceptance",),
}
#: calendar days a clock of each unit spans, roughly (working days × 7/5)
SPAN_DAYS = {"working_days": 1.4, "days": 1, "months": 30, "hours": 1 / 24}
MARK_GOODS = {"面粉": ("袋", 85), "白酒": ("瓶", 198), "羊肉礼盒": ("盒", 260),
              "羊绒衫": ("件", 680), "葵花籽": ("袋", 30), "华莱士瓜": ("个", 25)}
#: the Nice class of each kind of goods
GOODS_CLASSES = {"面粉": 30, "白酒": 33, "羊肉礼盒": 29, "羊绒衫": 25, "葵花籽": 29, "华莱士瓜": 31}
SHOPS = ("粮油店", "烟酒商行", "冷鲜肉店", "服装店", "超市", "便利店", "网店", "批发部")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"

for _state, (_from, _steps) in SIDE_PATHS.items():
    assert all(name in ACTIONS_BY_NAME for name, *_rest in _steps)
assert all(name in ACTIONS_BY_NAME for name, *_rest in MAIN_PATH)
assert set(OPEN_CLOCKS) | END_STATES >= set(STATE_WEIGHTS) - {S.closed}
assert all(code in CLOCK_KINDS for codes in OPEN_CLOCKS.values() for code in codes)


def timeline(state) -> list[tuple[str, S, S]]:
    """The actions that took a case from registration to ``state``."""
    if state in SIDE_PATHS:
        base, steps = SIDE_PATHS[state]
        return timeline(base) + list(steps)
    steps = []
    for step in MAIN_PATH:
        if step[1] == state:
            break
        steps.append(step)
    return steps


@dataclass
class Ids:
    """The next free primary key of each table (rows are written with explicit ids)."""

    case: int
    party: int
    case_party: int
    mark: int
    goods: int
    clock: int
    event: int
    member: int


class Writer:
    """Bulk rows: COPY … FROM STDIN on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def rows(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        columns = [c.name for c in table.columns]
        complete = [_complete(table, row) for row in rows]
        if not self.postgres:
            self.connection.execute(table.insert(), complete)
            return
        raw = self.connection.connection.driver_connection
        names = ", ".join(f'"{name}"' for name in columns)
        with raw.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in complete:
                copy.write_row([_plain(row[name]) for name in columns])


def _complete(table, row: dict) -> dict:
    """Every column of the table: the row's value, else the model's default, else NULL."""
    full = {}
    for column in table.columns:
        if column.name in row:
            full[column.name] = row[column.name]
        elif column.default is not None and column.default.is_scalar:
            full[column.name] = column.default.arg
        elif column.default is not None and column.default.is_callable:
            full[column.name] = column.default.arg(None)
        else:
            full[column.name] = None
    return full


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _next_ids(connection) -> Ids:
    def after(model):
        return (connection.execute(select(func.max(model.id))).scalar() or 0) + 1

    return Ids(after(Case), after(Party), after(CaseParty), after(CaseMark), after(CaseGoods),
               after(Clock), after(CaseEvent), after(CampaignCase))


def _reset_sequences(connection) -> None:
    if connection.dialect.name != "postgresql":
        return  # SQLite continues from the largest rowid by itself
    for model in (Case, Party, CaseParty, CaseMark, CaseGoods, Clock, CaseEvent, CampaignCase):
        table = model.__tablename__
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def _teams(units) -> dict[int, list[int]]:
    """The inspectors of each bureau; two bench inspectors where a unit has fewer than four."""
    from enforcement.auth.services import create_user

    teams = {}
    for unit in units:
        ids = list(db.session.scalars(
            select(User.id).where(User.unit_id == unit.id, User.credential_no.is_not(None),
                                  User.roles.any(code="inspector")).order_by(User.id)))
        for n in range(len(ids) + 1, 5):
            username = f"bench_{unit.code}_inspector{n}"
            found = db.session.scalar(select(User.id).where(User.username == username))
            if found is None:
                found = create_user(username, f"压测执法{n}", "bench-pass-2026",
                                    roles=["inspector"], unit=unit,
                                    credential_no=f"BJ{unit.id:04d}{n:04d}").id
            ids.append(found)
        teams[unit.id] = ids
    db.session.commit()
    return teams


class Generator:
    def __init__(self, connection, units, teams, marks, *, seed: int, today: date,
                 campaign_id: int | None = None):
        self.writer = Writer(connection)
        self.ids = _next_ids(connection)
        self.random = random.Random(seed)
        self.units, self.teams, self.marks, self.today = units, teams, marks, today
        self.states = list(STATE_WEIGHTS)
        self.weights = list(STATE_WEIGHTS.values())
        #: parties seen so far, some of which come back (repeat infringers)
        self.known_parties: list[int] = []
        self.campaign_id = campaign_id

    def batch(self, n: int) -> None:
        rows = {name: [] for name in ("cases", "parties", "case_parties", "marks", "goods",
                                      "inspectors", "clocks", "events", "members")}
        for _ in range(n):
            self._case(rows)
        w = self.writer
        w.rows(Party.__table__, rows["parties"])
        w.rows(Case.__table__, rows["cases"])
        w.rows(CaseParty.__table__, rows["case_parties"])
        w.rows(CaseMark.__table__, rows["marks"])
        w.rows(CaseGoods.__table__, rows["goods"])
        w.rows(CaseInspector, rows["inspectors"])
        w.rows(Clock.__table__, rows["clocks"])
        w.rows(CaseEvent.__table__, rows["events"])
        w.rows(CampaignCase.__table__, rows["members"])

    def _case(self, rows) -> None:
        r, case_id = self.random, self.ids.case
        self.ids.case += 1
        unit = r.choice(self.units)
        state = r.choices(self.states, self.weights)[0]
        # open cases are recent; closed ones spread over three years
        age = r.randint(0, 120) if state not in END_STATES else r.randint(30, 3 * 365)
        created = datetime.combine(self.today - timedelta(days=age),
                                   datetime.min.time(), UTC) + timedelta(minutes=r.randint(0, 600))
        mark = r.choice(self.marks)
        goods = r.choice(list(MARK_GOODS))
        shop = f"{unit.short_name}{r.choice(SURNAMES)}记{r.choice(SHOPS)}"
        steps = timeline(state)
        filed = any(name == "approve_filing" for name, *_r in steps)
        if filed and r.random() < 0.3:  # goods sealed or seized the step after filing
            at = next(n for n, step in enumerate(steps) if step[0] == "approve_filing")
            steps.insert(at + 1, ("impose_measure", S.investigating, S.investigating))
        # one step every few days, the last one no later than now
        step_days = min(3.0, age / (len(steps) + 1))
        goods_unit, price = MARK_GOODS[goods]
        quantity = r.randint(2, 200)
        names = [name for name, *_r in steps]
        amounts = self._amounts(quantity * price, names)
        decided = (created + timedelta(days=(names.index("decide_penalty") + 1) * step_days)
                   if "decide_penalty" in names else None)
        rows["cases"].append({
            "id": case_id, "report_no": f"BJ{created.year}{case_id:010d}",
            "case_no": f"{unit.short_name}市监立〔{created.year}〕B{case_id}号" if filed else None,
            "state": state, "version": len(steps) + 1, "unit_id": unit.id,
            "source": "portal" if case_id % 2 else "inspection",
            "cause": f"涉嫌销售侵犯“{mark.name}”注册商标专用权的{goods}（压测数据）",
            "summary": f"{shop}销售假冒“{mark.name}”商标的{goods}。",
            "occurred_on": (created - timedelta(days=r.randint(1, 30))).date(),
            "occurred_place": shop, "district": unit.district,
            "created_at": created,
            "updated_at": created + timedelta(days=len(steps) * step_days),
            "filed_at": created + timedelta(days=3 * step_days) if filed else None,
            "closed_at": (created + timedelta(days=len(steps) * step_days)
                          if state is S.closed else None),
            "decided_at": decided, **amounts})
        self._party(rows, case_id, shop, created)
        rows["marks"].append({"id": self.ids.mark, "case_id": case_id,
                              "trademark_id": mark.id, "reg_no": mark.reg_no,
                              "name": mark.name})
        self.ids.mark += 1
        rows["goods"].append({"id": self.ids.goods, "case_id": case_id, "name": goods,
                              "nice_class": GOODS_CLASSES[goods], "quantity": quantity,
                              "unit": goods_unit, "unit_price": price,
                              "sold": r.random() < 0.5})
        self.ids.goods += 1
        team = r.sample(self.teams[unit.id], 2)
        if steps:  # assigned: two inspectors from the assignment on
            rows["inspectors"] += [{"case_id": case_id, "user_id": u} for u in team]
        self._events(rows, case_id, steps, created, team[0], step_days,
                     destroyed=r.random() < 0.7)
        if self.campaign_id is not None and r.random() < 0.001:
            rows["members"].append({"id": self.ids.member, "campaign_id": self.campaign_id,
                                    "case_id": case_id, "joined_by": JoinedBy.hand,
                                    "added_by_id": team[0], "added_at": created,
                                    "note": "压测数据", "removed_reason": ""})
            self.ids.member += 1
        self._clocks(rows, case_id, state, created + timedelta(days=len(steps) * step_days))

    def _party(self, rows, case_id, shop, created) -> None:
        r = self.random
        if self.known_parties and r.random() < 0.1:  # a repeat infringer
            party_id = r.choice(self.known_parties)
        else:
            party_id = self.ids.party
            self.ids.party += 1
            body = f"9215{party_id % 10000:04d}MA{party_id:07X}"[:17].upper()
            rows["parties"].append({
                "id": party_id, "kind": PartyKind.organisation,
                "name": f"{shop}（压测{party_id}）",
                "credit_code": body + credit_code_check_char(body),
                "address": f"{shop}所在地{party_id}号", "created_at": created})
            if len(self.known_parties) < 50_000:
                self.known_parties.append(party_id)
        rows["case_parties"].append({"id": self.ids.case_party, "case_id": case_id,
                                     "party_id": party_id})
        self.ids.case_party += 1

    def _amounts(self, volume: int, names: list[str]) -> dict:
        """违法经营额 once investigated, the fine and confiscation once decided."""
        r = self.random
        out = {"paid_amount": 0}
        if "finish_investigation" in names:
            out["business_volume"] = volume
        if "decide_penalty" in names:
            out["fine_amount"] = r.randint(10, 1000) * 100
            out["confiscation_amount"] = (round(volume * r.uniform(0.1, 0.5))
                                          if r.random() < 0.4 else None)
            if "close" in names:
                out["paid_amount"] = out["fine_amount"] + (out["confiscation_amount"] or 0)
        return out

    def _events(self, rows, case_id, steps, created, actor, step_days, *,
                destroyed: bool) -> None:
        for n, (name, source, dest) in enumerate(steps, start=1):
            data = {}
            if name == "decide_penalty":
                data = {"confiscated_goods": "没收侵权商品并销毁" if destroyed else ""}
            elif name == "impose_measure":
                data = {"measure": "seize"}
            at = created + timedelta(days=n * step_days)
            if name == "request_hearing":
                # what the action's form records (the case page's guards read it)
                data = {"hearing_on": (at + timedelta(days=12)).date().isoformat()}
            rows["events"].append({"id": self.ids.event, "case_id": case_id, "action": name,
                                   "from_state": source, "to_state": dest, "actor_id": actor,
                                   "at": at, "data": data})
            self.ids.event += 1

    def _clocks(self, rows, case_id, state, since) -> None:
        for code in OPEN_CLOCKS.get(state, ()):
            kind = CLOCK_KINDS[code]
            started = since.date()
            due = started + timedelta(days=max(1, round(kind.length * SPAN_DAYS[kind.unit])))
            status = ClockStatus.overdue if due < self.today else ClockStatus.running
            if state is S.suspended:
                status = ClockStatus.paused
            rows["clocks"].append({
                "id": self.ids.clock, "case_id": case_id, "kind": code, "status": status,
                "started_on": started, "length": kind.length, "unit": kind.unit,
                "due_on": due, "basis": str(kind.basis)[:120], "started_at": since})
            self.ids.clock += 1


def generate(n: int, *, seed: int = 2026, batch: int = 5000, echo=print) -> float:
    """Write ``n`` cases; returns the seconds it took."""
    started = time.perf_counter()
    units = list(db.session.scalars(select(OrgUnit).where(
        OrgUnit.kind == UnitKind.bureau, OrgUnit.active.is_(True)).order_by(OrgUnit.id)))
    marks = list(db.session.scalars(select(Trademark).order_by(Trademark.id)))
    if not units or not marks:
        raise click.ClickException("先运行 seed-demo：需要机构和注册商标数据")
    teams = _teams(units)
    connection = db.session.connection()
    campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    generator = Generator(connection, units, teams, marks, seed=seed, today=local_today(),
                          campaign_id=campaign_id)
    done = 0
    while done < n:
        size = min(batch, n - done)
        generator.batch(size)
        db.session.commit()
        connection = db.session.connection()
        generator.writer = Writer(connection)
        done += size
        echo(f"{done}/{n} cases ({time.perf_counter() - started:.1f} s)")
    _reset_sequences(db.session.connection())
    db.session.commit()
    # the rows were written without the session's marks: the statistics facts afresh
    from enforcement.campaigns.facts import rebuild

    echo(f"statistics facts: {rebuild()} rows ({time.perf_counter() - started:.1f} s)")
    if db.engine.dialect.name == "postgresql":
        # fresh statistics, and a visibility map so that index-only scans need no row reads
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("cases", "parties", "case_parties", "case_marks", "case_goods",
                          "case_inspectors", "clocks", "case_events", "campaign_cases",
                          "case_stats"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    return time.perf_counter() - started


@click.command("bench-data")
@click.option("--cases", "n", type=click.IntRange(min=1), required=True,
              help="how many cases to add (e.g. 100000; 1000000 for issue 9)")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="random seed: the same seed on the same database gives the same data")
@click.option("--batch", type=click.IntRange(min=100), default=5000, show_default=True,
              help="cases per transaction")
@with_appcontext
def bench_data(n, seed, batch):
    """Add N benchmark cases in bulk (needs seed-demo first).

    The cases are spread over every bureau, over all states (most closed, as after three
    years), with registration dates over three years (open ones within 120 days), one party
    each (about one in ten a party of an earlier case: repeat infringers), a demo mark,
    goods, two inspectors (bench inspectors are created where a bureau has fewer than four,
    password bench-pass-2026), the timeline that led to the state, and its running clocks.
    Documents, referrals and audit rows are not generated. Rows are written with COPY on
    PostgreSQL (executemany on SQLite), one transaction per batch: about 80 s per 100,000
    cases on PostgreSQL with two cores, memory flat whatever N (known parties kept to
    50,000). Report numbers start with BJ and causes end with （压测数据）.
    """
    seconds = generate(n, seed=seed, batch=batch, echo=click.echo)
    click.echo(f"added {n} cases in {seconds:.1f} s")
