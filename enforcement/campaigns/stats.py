"""The quarterly statistics (季度统计): every figure defined once in SQL (:func:`case_facts`,
with its 统计口径), stored per case and quarter (:mod:`enforcement.campaigns.facts`) and summed
per group; and the list of cases behind any figure.

Quarters are calendar quarters in China time. Each figure says which date puts a case in the
quarter; a case is counted in every quarter in which something it counts for happened (filed
in Q3 and closed in Q4: filed in Q3, closed in Q4). A case of two campaigns counts in each.
Scope is always the user's jurisdiction (:func:`enforcement.cases.scope.visible_cases`),
narrowed to a campaign's cases and/or a unit's subtree.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Float,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import True_
from sqlalchemy.sql.functions import FunctionElement

from enforcement.campaigns.facts import MEASURES, quarter_index, refresh_pending
from enforcement.campaigns.models import Campaign, CaseStat, FactDim, FieldWork
from enforcement.campaigns.rules import member_clause
from enforcement.cases.models import Case, CaseEvent, CaseGoods, CaseMark, CaseParty
from enforcement.cases.scope import visible_cases
from enforcement.clocks.models import Clock, ClockEvent, ClockEventKind, ClockStatus
from enforcement.db import UTCDateTime, local_day_start
from enforcement.extensions import db
from enforcement.marks.models import MARK_TYPE_LABELS, MarkType, Trademark
from enforcement.orgs.models import OrgUnit, subtree_ids


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + 1, 1, 1) if self.quarter == 4 else \
            date(self.year, 3 * self.quarter + 1, 1)

    @property
    def start(self):
        return local_day_start(self.first_day)

    @property
    def end(self):
        return local_day_start(self.next_first_day)

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    @property
    def short(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def previous(self, n: int = 1) -> "Quarter":
        index = self.year * 4 + self.quarter - 1 - n
        return Quarter(index // 4, index % 4 + 1)

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Figure:
    code: str
    label: object
    #: 统计口径
    definition: object
    #: count | money | rate | days
    kind: str = "count"
    #: the figure whose cases a drill-down lists (a rate lists its numerator's)
    drill: str | None = None

    @property
    def drill_code(self) -> str:
        return self.drill or self.code


#: the columns bureaus report, in the official order
FIGURES = (
    Figure("received", _l("受理投诉举报（登记线索）"),
           _l("本季度内登记的案件线索数，按登记时间计，含网上举报、指导站代报、检查发现和交办移送。")),
    Figure("filed", _l("立案数"), _l("本季度内经批准立案的案件数，按立案审批时间计。")),
    Figure("major", _l("其中：重大案件"), _l("本季度立案案件中，立案时认定为重大案件的数量。")),
    Figure("closed", _l("结案数"), _l("本季度内结案的案件数，按结案审批时间计。")),
    Figure("closing_rate", _l("结案率（%）"),
           _l("本季度结案数 ÷ 本季度立案数 × 100%；立案数为零时不计算。"), "rate", "closed"),
    Figure("case_value", _l("案值（元）"),
           _l("本季度内作出行政处罚决定的案件的违法经营额合计，按处罚决定时间计；未计算违法经营额的案件不计入。"),
           "money"),
    Figure("penalties", _l("罚没款（元）"),
           _l("本季度内作出的行政处罚决定中罚款与没收违法所得金额合计，按处罚决定时间计（决定数额，非入库数）。"),
           "money"),
    Figure("seized", _l("查封扣押涉案商品（案件数）"),
           _l("本季度内实施查封、扣押措施的案件数，按措施实施时间计，一案多次计一次。")),
    Figure("destroyed", _l("没收销毁侵权商品（案件数）"),
           _l("本季度内作出的处罚决定中决定没收、销毁侵权商品的案件数，按处罚决定时间计。")),
    Figure("transferred", _l("移送公安机关"),
           _l("本季度内经批准移送公安机关的涉嫌犯罪案件数，按批准移送时间计。")),
    Figure("police_filed", _l("其中：公安已立案"),
           _l("本季度内公安机关决定立案的移送案件数，按公安立案登记时间计（可能为以前季度移送的案件）。")),
    Figure("police_declined", _l("其中：公安不予立案"),
           _l("本季度内公安机关决定不予立案的移送案件数，按不予立案登记时间计。")),
    Figure("published", _l("公示处罚信息"),
           _l("本季度内公示行政处罚信息的案件数，按公示时间计。")),
    Figure("overdue", _l("超期案件"),
           _l("有法定期限的最后一日在本季度内、且该期限已超期（现仍超期或曾被记录超期）的案件数。")),
    Figure("repeat", _l("重复侵权案件"),
           _l("本季度立案案件中，当事人在立案前已因其他案件被作出行政处罚决定的案件数（重复侵权）。")),
    Figure("avg_days", _l("平均办案时长（日）"),
           _l("本季度结案案件自立案至结案的平均自然日数。"), "days", "closed"),
)
FIGURES_BY_CODE = {f.code: f for f in FIGURES}
#: what field work adds to the table (entered by units, not derived from cases)
FIELD_WORK = (
    ("officers", _l("出动执法人员（人次）")),
    ("businesses", _l("检查经营主体（户次）")),
    ("markets", _l("检查市场（个次）")),
    ("online_shops", _l("监测网店（个次）")),
)
FIELD_WORK_DEFINITION = _l("各单位按季度填报的现场工作量；专项行动页面只计本行动的填报数，"
                           "全市和地区统计计全部填报数（日常工作与各专项行动）。")
SCOPE_DEFINITION = _l("本人有权查看的案件；专项行动按其规则（登记时间、地区、商标或商品类别）"
                      "及手工加入、移出的记录确定；季度按北京时间划分。")
#: actions whose event puts a case in a figure, by figure
EVENT_FIGURES = {"seized": "impose_measure", "transferred": "approve_transfer",
                 "police_filed": "accept_transfer", "police_declined": "decline_transfer",
                 "published": "publish"}
DIMENSIONS = {"unit": _l("按地区（办案单位）"), "mark_type": _l("按商标类型"),
              "goods": _l("按商品类别（尼斯分类）")}


class days_between(FunctionElement):
    """Days from one timestamp to another, fractional, on both databases."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
            f"{compiler.process(start, **kw)})) / 86400.0)")


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"(julianday({compiler.process(end, **kw)}) - "
            f"julianday({compiler.process(start, **kw)}))")


# -- scope ---------------------------------------------------------------------------------
@dataclass
class Scope:
    """Whose cases: the user's jurisdiction, optionally a campaign and a unit's subtree."""

    user: object
    campaign: Campaign | None = None
    unit_id: int | None = None

    def clauses(self) -> list:
        out = [visible_cases(self.user)]
        if self.unit_id is not None:
            out.append(Case.unit_id.in_(subtree_ids(self.unit_id)))
        if self.campaign is not None:
            out.append(member_clause(self.campaign))
        return out

    def fact_clauses(self, stat) -> list:
        """The same scope on the stored facts (``case_stats``): the unit directly, the rest
        through the cases."""
        out = []
        if self.unit_id is not None:
            out.append(stat.c.unit_id.in_(subtree_ids(self.unit_id)))
        on_cases = [visible_cases(self.user)]
        if self.campaign is not None:
            on_cases.append(member_clause(self.campaign))
        on_cases = [c for c in on_cases if not isinstance(c, True_)]
        if on_cases:
            out.append(stat.c.case_id.in_(select(Case.id).where(*on_cases)))
        return out

    def unit_ids(self) -> list[int] | None:
        """The units whose field work counts; None: every unit."""
        if self.unit_id is not None:
            return subtree_ids(self.unit_id)
        if self.user.can("case.read_all"):
            return None
        return subtree_ids(self.user.unit_id) if self.user.unit_id else []


# the quarter is bound at execution, so that each statement is built and compiled once
START = bindparam("q_start", type_=UTCDateTime())
END = bindparam("q_end", type_=UTCDateTime())
FIRST_DAY = bindparam("q_first_day", type_=Date())
NEXT_FIRST_DAY = bindparam("q_next_first_day", type_=Date())


def params(q: Quarter) -> dict:
    return {"q_start": q.start, "q_end": q.end, "q_first_day": q.first_day,
            "q_next_first_day": q.next_first_day}


def _in(column):
    return and_(column >= START, column < END)


# -- per-case facts of the quarter ---------------------------------------------------------
def _only(column, ids):
    """``column`` among ``ids`` (the cases being refreshed), or no restriction."""
    return [] if ids is None else [column.in_(ids)]


def _events(ids=None):
    """Per case, which counted actions happened in the quarter (one row per case)."""
    flags = [func.max(case((CaseEvent.action == action, 1), else_=0)).label(code)
             for code, action in EVENT_FIGURES.items()]
    destroyed = and_(CaseEvent.action == "decide_penalty",
                     func.coalesce(CaseEvent.data["confiscated_goods"].as_string(), "") != "")
    flags.append(func.max(case((destroyed, 1), else_=0)).label("destroyed"))
    return (select(CaseEvent.case_id, *flags)
            .where(CaseEvent.action.in_([*EVENT_FIGURES.values(), "decide_penalty"]),
                   _in(CaseEvent.at), *_only(CaseEvent.case_id, ids))
            .group_by(CaseEvent.case_id).subquery("ev"))


def _overdue(ids=None):
    went_overdue = exists().where(ClockEvent.clock_id == Clock.id,
                                  ClockEvent.kind == ClockEventKind.overdue)
    return (select(Clock.case_id).where(
        Clock.due_on >= FIRST_DAY, Clock.due_on < NEXT_FIRST_DAY, *_only(Clock.case_id, ids),
        or_(Clock.status == ClockStatus.overdue, went_overdue))
        .distinct().subquery("ov"))


def _candidates(ev, ov, ids=None):
    """The ids of every case something counted happened to in the quarter (index ranges)."""
    return union(*(select(Case.id).where(_in(column), *_only(Case.id, ids))
                   for column in (Case.created_at, Case.filed_at, Case.decided_at,
                                  Case.closed_at)),
                 select(ev.c.case_id), select(ov.c.case_id)).subquery("cand")


def _repeat(ids=None):
    """Cases filed in the quarter with a party penalised in another case decided before."""
    mine, other = CaseParty.__table__.alias("my_party"), CaseParty.__table__.alias("other_party")
    filed, earlier = Case.__table__.alias("filed"), Case.__table__.alias("earlier")
    return (select(mine.c.case_id).select_from(mine)
            .join(filed, filed.c.id == mine.c.case_id)
            .join(other, and_(other.c.party_id == mine.c.party_id,
                              other.c.case_id != mine.c.case_id))
            .join(earlier, earlier.c.id == other.c.case_id)
            .where(filed.c.filed_at >= START, filed.c.filed_at < END,
                   earlier.c.decided_at < filed.c.filed_at, *_only(mine.c.case_id, ids))
            .distinct().subquery("rep"))


def case_facts(ids=None):
    """One row per case something counted happened to in the quarter (bound at execution):
    its unit and what it counts for (0/1 flags, amounts, days) — from the cases, events and
    clocks themselves. ``ids``: only those cases. What :mod:`enforcement.campaigns.facts`
    stores, and what the drill-downs select again."""
    ev, ov, rep = _events(ids), _overdue(ids), _repeat(ids)
    cand = _candidates(ev, ov, ids)
    filed, closed, decided = _in(Case.filed_at), _in(Case.closed_at), _in(Case.decided_at)
    handled = and_(closed, Case.filed_at.is_not(None))

    def flag(condition):
        return case((condition, 1), else_=0)

    columns = [
        Case.id.label("case_id"), Case.unit_id.label("unit_id"),
        flag(_in(Case.created_at)).label("received"), flag(filed).label("filed"),
        flag(and_(filed, Case.is_major)).label("major"), flag(closed).label("closed"),
        case((decided, Case.business_volume)).label("case_value"),
        case((decided, func.coalesce(Case.fine_amount, 0)
              + func.coalesce(Case.confiscation_amount, 0))).label("penalties"),
        *(func.coalesce(ev.c[code], 0).label(code) for code in (
            "seized", "destroyed", "transferred", "police_filed", "police_declined",
            "published")),
        flag(ov.c.case_id.is_not(None)).label("overdue"),
        flag(rep.c.case_id.is_not(None)).label("repeat"),
        case((handled, days_between(Case.filed_at, Case.closed_at))).label("days_total"),
        flag(handled).label("days_cases"),
    ]
    return (select(*columns).select_from(Case).join(cand, cand.c.id == Case.id)
            .outerjoin(ev, ev.c.case_id == Case.id).outerjoin(ov, ov.c.case_id == Case.id)
            .outerjoin(rep, rep.c.case_id == Case.id))


#: the stored facts' dimension of each grouping
FACT_DIMS = {"unit": FactDim.case, "mark_type": FactDim.mark_type, "goods": FactDim.goods}


def aggregate(scope: Scope, q: Quarter, dimensions=("unit",), *, earlier=()) -> list[dict]:
    """Raw sums of the stored facts (:mod:`enforcement.campaigns.facts`), in one statement:
    per group of each dimension asked for quarter ``q`` (``dim``, ``key``), and the totals
    of the ``earlier`` quarters (``dim`` "total", ``key`` the quarter's index). The total of
    ``q`` is the sum of its units (a case has one unit)."""
    stat = CaseStat.__table__
    sums = [func.sum(stat.c[code]).label(code) for code in MEASURES]
    where = scope.fact_clauses(stat)
    parts = []
    for dimension in dimensions:
        key = stat.c.unit_id if dimension == "unit" else stat.c.key
        parts.append(select(literal(dimension).label("dim"), cast(key, String).label("key"),
                            *sums)
                     .where(stat.c.quarter == quarter_index(q.year, q.quarter),
                            stat.c.dim == FACT_DIMS[dimension].value, *where)
                     .group_by(key))
    if earlier:
        parts.append(select(literal("total").label("dim"),
                            cast(stat.c.quarter, String).label("key"), *sums)
                     .where(stat.c.quarter.in_([quarter_index(e.year, e.quarter)
                                                for e in earlier]),
                            stat.c.dim == FactDim.case.value, *where)
                     .group_by(stat.c.quarter))
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    without_jit()
    return [dict(row._mapping) for row in db.session.execute(query)]


def without_jit() -> None:
    """PostgreSQL would JIT-compile these costly-looking statements: seconds of compiling
    for a query that runs in milliseconds. Off for the rest of this transaction only."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def field_work(scope: Scope, q: Quarter) -> dict[int, dict]:
    """Field-work sums per unit for the quarter."""
    columns = [func.sum(getattr(FieldWork, code)).label(code) for code, _label in FIELD_WORK]
    query = (select(FieldWork.unit_id, *columns)
             .where(FieldWork.year == q.year, FieldWork.quarter == q.quarter)
             .group_by(FieldWork.unit_id))
    if scope.campaign is not None:
        query = query.where(FieldWork.campaign_id == scope.campaign.id)
    units = scope.unit_ids()
    if units is not None:
        query = query.where(FieldWork.unit_id.in_(units))
    return {row.unit_id: {code: int(getattr(row, code) or 0) for code, _l in FIELD_WORK}
            for row in db.session.execute(query)}


# -- presentation --------------------------------------------------------------------------
@dataclass
class Row:
    key: object
    label: str
    values: dict = field(default_factory=dict)

    def __getitem__(self, code):
        return self.values.get(code)


def finish(raw: dict) -> dict:
    """Raw aggregates -> the reported figures (rates, averages, rounded money)."""
    out = {code: int(raw.get(code) or 0) for code in (
        "received", "filed", "major", "closed", "seized", "destroyed", "transferred",
        "police_filed", "police_declined", "published", "overdue", "repeat")}
    for code in ("case_value", "penalties"):
        out[code] = Decimal(str(raw.get(code) or 0)).quantize(Decimal("0.01"))
    out["closing_rate"] = (round(100 * out["closed"] / out["filed"], 1) if out["filed"]
                           else None)
    cases = int(raw.get("days_cases") or 0)
    out["avg_days"] = round(float(raw.get("days_total") or 0) / cases, 1) if cases else None
    return out


@dataclass
class Table:
    title: object
    dimension: str
    rows: list[Row]
    total: Row | None = None
    with_field_work: bool = False


@dataclass
class Report:
    quarter: Quarter
    scope: Scope
    title: str
    tables: list[Table]
    trend: list[tuple[Quarter, dict]]

    @property
    def total(self) -> Row:
        return self.tables[0].total


def _key(dimension: str, raw):
    if raw is None:
        return None
    if dimension == "mark_type":
        return MarkType(raw)
    return int(raw)


def _tables(scope: Scope, q: Quarter, groups: dict) -> list[Table]:
    work = field_work(scope, q)
    ids = sorted(set(groups["unit"]) | set(work))
    names = {unit_id: name for unit_id, name in db.session.execute(
        select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)))} if ids else {}
    units = [Row(unit_id, names.get(unit_id, str(unit_id)),
                 finish(groups["unit"].get(unit_id, {})) | work.get(unit_id, _no_work()))
             for unit_id in ids]
    total = Row(None, str(_l("合计")), finish(_sum(groups["unit"].values())))
    for code, _label in FIELD_WORK:
        total.values[code] = sum(r.values[code] for r in units)
    tables = [Table(DIMENSIONS["unit"], "unit", units, total, with_field_work=True)]
    order = {t: n for n, t in enumerate(MarkType)}
    for dimension in ("mark_type", "goods"):
        rows = [Row(key, key_label(dimension, key), finish(raw_row))
                for key, raw_row in groups[dimension].items()]
        rows.sort(key=lambda r: (r.key is None, order.get(r.key, 0) if dimension == "mark_type"
                                 else (r.key or 0)))
        tables.append(Table(DIMENSIONS[dimension], dimension, rows))
    return tables


def _sum(rows) -> dict:
    """Raw sums added up (the total of the units' rows)."""
    out = {}
    for row in rows:
        for code in MEASURES:
            if row.get(code) is not None:
                out[code] = out.get(code, 0) + row[code]
    return out


def _no_work() -> dict:
    return {code: 0 for code, _label in FIELD_WORK}


def key_label(dimension: str, key) -> str:
    if dimension == "mark_type":
        if key is None:
            return str(_l("未关联注册商标"))
        mark_type = key if isinstance(key, MarkType) else MarkType(key)
        return str(MARK_TYPE_LABELS[mark_type])
    if dimension == "goods":
        return str(_l("未分类")) if key is None else str(_l("第%(n)s类", n=key))
    return str(key)


def quarterly(scope: Scope, q: Quarter, *, trend_quarters: int = 4) -> Report:
    """The whole quarterly report: by unit (with total), by mark type, by goods class, and
    the headline figures of the previous quarters for the trend chart."""
    refresh_pending()
    earlier = [q.previous(n) for n in range(trend_quarters - 1, 0, -1)]
    groups = {name: {} for name in ("total", *DIMENSIONS)}
    for row in aggregate(scope, q, tuple(DIMENSIONS), earlier=earlier):
        key = int(row["key"]) if row["dim"] == "total" else _key(row["dim"], row["key"])
        groups[row["dim"]][key] = row
    tables = _tables(scope, q, groups)
    trend = [(e, finish(groups["total"].get(quarter_index(e.year, e.quarter), {})))
             for e in earlier]
    trend.append((q, tables[0].total.values))
    return Report(q, scope, _title(scope, q), tables, trend)


def _title(scope: Scope, q: Quarter) -> str:
    if scope.campaign is not None:
        where = scope.campaign.name
    elif scope.unit_id is not None:
        where = db.session.get(OrgUnit, scope.unit_id).name
    elif scope.user.can("case.read_all") or scope.user.unit is None:
        where = str(_l("全市"))
    else:
        where = scope.user.unit.name
    return str(_l("%(where)s %(quarter)s 商标侵权执法统计", where=where, quarter=q.label))


# -- drill-down ----------------------------------------------------------------------------
def drill_clause(code: str, dimension: str | None = None, key=None):
    """The WHERE clause of the cases behind one figure (a rate's or average's: its cases)."""
    code = FIGURES_BY_CODE[code].drill_code
    if code in EVENT_FIGURES:
        clause = Case.id.in_(select(CaseEvent.case_id).where(
            CaseEvent.action == EVENT_FIGURES[code], _in(CaseEvent.at)))
    elif code == "destroyed":
        clause = Case.id.in_(select(CaseEvent.case_id).where(
            CaseEvent.action == "decide_penalty", _in(CaseEvent.at),
            func.coalesce(CaseEvent.data["confiscated_goods"].as_string(), "") != ""))
    elif code == "overdue":
        clause = Case.id.in_(select(_overdue().c.case_id))
    else:
        clause = {
            "received": _in(Case.created_at),
            "filed": _in(Case.filed_at),
            "major": and_(_in(Case.filed_at), Case.is_major),
            "closed": _in(Case.closed_at),
            "case_value": and_(_in(Case.decided_at), Case.business_volume.is_not(None)),
            "penalties": and_(_in(Case.decided_at), or_(Case.fine_amount.is_not(None),
                                                           Case.confiscation_amount.is_not(None))),
            "repeat": Case.id.in_(select(_repeat().c.case_id)),
        }[code]
    if dimension == "unit" and key is not None:
        clause = and_(clause, Case.unit_id == int(key))
    elif dimension == "mark_type":
        marks = select(CaseMark.case_id).join(Trademark, Trademark.id == CaseMark.trademark_id)
        if key is None:
            clause = and_(clause, Case.id.not_in(marks))
        else:
            clause = and_(clause, Case.id.in_(marks.where(Trademark.mark_type == MarkType(key))))
    elif dimension == "goods":
        goods = select(CaseGoods.case_id)
        clause = and_(clause, Case.id.in_(goods.where(CaseGoods.nice_class.is_(None))
                                           if key is None else
                                           goods.where(CaseGoods.nice_class == int(key))))
    return clause


def drill(scope: Scope, q: Quarter, code: str, dimension: str | None = None, key=None, *,
          limit: int = 200, offset: int = 0) -> tuple[list[Case], int]:
    """The cases behind a figure, in the user's jurisdiction: one page, and how many."""
    where = [drill_clause(code, dimension, key), *scope.clauses()]
    total = db.session.scalar(select(func.count(Case.id)).where(*where), params(q))
    cases = db.session.scalars(select(Case).where(*where).order_by(Case.id)
                               .limit(limit).offset(offset), params(q)).all()
    return list(cases), total
