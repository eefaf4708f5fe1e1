"""What the rules in force say about one case: its fine cap, repeat-infringer flags, criminal
thresholds reached, hearing rights and publication period (DESIGN §4).

Read by the decision forms, the validators and the case page; :func:`record` keeps what an
action applied (the rule version and the figures) with its case event.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from enforcement.parties.models import PartyKind
from enforcement.parties.repeat import (
    PriorCase,
    act_date,
    penalised_before,
    penalised_cases,
    within_years,
)
from enforcement.rules import services as rules
from enforcement.rules.models import Rule
from workflows.spec import N_


def _money(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# -- fine cap (商标法 Art. 60 ¶2) ----------------------------------------------------------------
@dataclass(frozen=True)
class FineCap:
    #: None when no rule is in force on either day
    cap: Decimal | None
    volume: Decimal | None
    rule: Rule | None
    applied_on: date
    #: "multiple" (违法经营额 ≥ the threshold) or "flat"
    branch: str = ""


def _cap_under(rule: Rule, volume: Decimal | None, day: date) -> FineCap:
    figures = rule.value
    if volume is not None and volume >= _money(figures["volume_threshold"]):
        return FineCap(volume * int(figures["multiple"]), volume, rule, day, "multiple")
    return FineCap(_money(figures["flat_cap"]), volume, rule, day, "flat")


def fine_cap(case, on: date) -> FineCap:
    """The cap under the rule in force when the act was done, or under the one in force on
    ``on`` (the decision) when that is lighter (APL Art. 37: 从旧兼从轻)."""
    volume = case.business_volume
    caps = []
    for day in sorted({act_date(case), on}):
        rule = rules.in_force("fine_cap", day)
        if rule is not None:
            caps.append(_cap_under(rule, volume, day))
    if not caps:
        return FineCap(None, volume, None, on)
    # the same cap either way: say the rule in force now applies
    return min(caps, key=lambda c: (c.cap, -c.applied_on.toordinal()))


def goods_value(case, *, sold: bool | None = None) -> Decimal | None:
    """Quantity × price of the goods on file (Regulations Art. 78: sold at the actual price,
    unsold at the marked price); None when no line has both."""
    lines = [g.quantity * g.unit_price for g in case.goods
             if g.quantity is not None and g.unit_price is not None
             and (sold is None or g.sold is sold)]
    return sum(lines, Decimal(0)).quantize(Decimal("0.01")) if lines else None


# -- the 违法经营额 worksheet (Regulations Art. 78) ----------------------------------------------
_CENT = Decimal("0.01")
#: which price bases a line may use: sold goods are valued at what they sold for (or, failing
#: that, the verified average or the genuine product's market price); only unsold goods have a
#: marked price to go by
PRICE_BASES_FOR = {
    "sold": ("actual_price", "average_price", "market_price"),
    "unsold": ("marked_price", "average_price", "market_price"),
}


@dataclass(frozen=True)
class WorksheetLine:
    name: str
    status: str
    quantity: Decimal
    unit: str
    price: Decimal
    price_basis: str

    @property
    def value(self) -> Decimal:
        return (self.quantity * self.price).quantize(_CENT)


@dataclass(frozen=True)
class Worksheet:
    lines: list[WorksheetLine]

    @property
    def sold(self) -> Decimal:
        return sum((x.value for x in self.lines if x.status == "sold"), Decimal(0))

    @property
    def unsold(self) -> Decimal:
        return sum((x.value for x in self.lines if x.status == "unsold"), Decimal(0))

    @property
    def amount(self) -> Decimal:
        return self.sold + self.unsold

    @property
    def methods(self) -> list[str]:
        return sorted({x.price_basis for x in self.lines})


def worksheet(rows: list[dict]) -> Worksheet:
    """The worksheet from its posted rows (cleaned form data: strings)."""
    return Worksheet([WorksheetLine(r["name"], r["status"], Decimal(r["quantity"]),
                                    r.get("unit") or "", Decimal(r["price"]), r["price_basis"])
                      for r in rows])


def last_worksheet(case) -> Worksheet | None:
    for event in reversed(case.events):
        if event.action == "compute_business_volume" and event.data.get("lines"):
            return worksheet(event.data["lines"])
    return None


# -- repeat infringers -------------------------------------------------------------------------
@dataclass(frozen=True)
class RepeatFlags:
    #: infringements within the window of 商标法 Art. 60 ¶2: heavier punishment is mandatory
    heavier: list[PriorCase]
    heavier_rule: Rule | None
    #: penalties in the window of 法释〔2025〕5号: lower criminal thresholds
    prior_penalties: list[PriorCase]
    prior_rule: Rule | None


def repeat_flags(case, on: date) -> RepeatFlags:
    prior = penalised_cases(case)
    heavier_rule = rules.in_force("repeat_infringement", on)
    prior_rule = rules.in_force("prior_penalty", act_date(case))
    heavier = within_years(case, prior, int(heavier_rule.value["years"])) if heavier_rule else []
    penalised = (penalised_before(case, prior, int(prior_rule.value["years"]))
                 if prior_rule else [])
    return RepeatFlags(heavier, heavier_rule, penalised, prior_rule)


# -- criminal thresholds -----------------------------------------------------------------------
CRIMES = {
    "counterfeit_mark": N_("假冒注册商标罪（《刑法》第二百一十三条）"),
    "sell_counterfeit": N_("销售假冒注册商标的商品罪（《刑法》第二百一十四条）"),
    "illegal_labels": N_("非法制造、销售非法制造的注册商标标识罪（《刑法》第二百一十五条）"),
}


@dataclass(frozen=True)
class Check:
    #: the figure's name in the rule (its label is in the catalogue)
    figure: str
    threshold: Decimal
    case_value: Decimal
    #: the case figure it was compared with, e.g. 违法经营额
    compared: str

    @property
    def reached(self) -> bool:
        return self.case_value >= self.threshold


@dataclass(frozen=True)
class CrimeAlert:
    crime: str
    rule: Rule
    checks: list[Check] = field(default_factory=list)
    #: thresholds lowered for a party penalised within the window (factor in the rule)
    factor: Decimal | None = None

    @property
    def reached(self) -> bool:
        return any(c.reached for c in self.checks)


def _case_figures(case) -> dict[str, tuple[Decimal, str]]:
    """The figures of the case that thresholds are compared with, where known."""
    figures = {}
    if case.business_volume is not None:
        figures["business"] = (case.business_volume, N_("违法经营额"))
    if case.confiscation_amount is not None:
        figures["gains"] = (case.confiscation_amount, N_("没收违法所得"))
    # the worksheet, once computed, is the record of what was sold and what was not
    sheet = last_worksheet(case)
    if sheet is not None:
        sold, unsold = sheet.sold, sheet.unsold
    else:
        sold, unsold = goods_value(case, sold=True), goods_value(case, sold=False)
    if sold is not None:
        figures["sold"] = (sold, N_("已销售商品金额"))
    if unsold is not None:
        figures["goods"] = (unsold + (sold or 0), N_("尚未销售货值与已销售金额合计"))
    return figures


#: crime -> (rule figure, case figure) pairs; the "multi_" figures apply to 2+ marks
_COMPARISONS = {
    "counterfeit_mark": (("business_amount", "business"), ("illegal_gains", "gains")),
    "sell_counterfeit": (("sales_amount", "sold"), ("sales_amount", "business"),
                         ("unsold_value", "goods")),
    "illegal_labels": (("business_amount", "business"), ("illegal_gains", "gains")),
}


def criminal_alerts(case, on: date, flags: RepeatFlags) -> list[CrimeAlert]:
    """Each crime's thresholds in force on ``on`` compared with what the case file shows."""
    figures, multi = _case_figures(case), len(case.marks) >= 2
    alerts = []
    for crime, pairs in _COMPARISONS.items():
        rule = rules.in_force(f"criminal.{crime}", on)
        if rule is None:
            continue
        factor = _money(rule.value.get("prior_penalty_factor")) if flags.prior_penalties else None
        checks = []
        for name, key in pairs:
            threshold = _money(rule.value.get(f"multi_{name}") if multi else None) or \
                _money(rule.value.get(name))
            if threshold is None or key not in figures:
                continue
            value, compared = figures[key]
            checks.append(Check(name, threshold * (factor or 1), value, compared))
        alerts.append(CrimeAlert(crime, rule, checks, factor))
    return alerts


# -- hearing rights (APL Art. 63) and the publication period (Order 45 Art. 13) ----------------
def _threshold_for_parties(rule: Rule, case) -> Decimal:
    # each party has its own figure; the lowest applies to a case with several
    kinds = {cp.party.kind for cp in case.parties} or {PartyKind.person}
    return min(_money(rule.value[kind.value]) for kind in kinds)


@dataclass(frozen=True)
class HearingCheck:
    required: bool
    threshold: Decimal | None
    rule: Rule | None
    fine: Decimal | None


def hearing_check(case, fine, on: date) -> HearingCheck:
    """Whether the proposed fine is a 较大数额罚款 that carries hearing rights."""
    rule, fine = rules.in_force("hearing", on), _money(fine)
    if rule is None or fine is None:
        return HearingCheck(False, None, rule, fine)
    threshold = _threshold_for_parties(rule, case)
    return HearingCheck(fine >= threshold, threshold, rule, fine)


def proposed_fine(case) -> Decimal | None:
    for event in reversed(case.events):
        if event.action == "finish_investigation":
            return _money(event.data.get("proposed_fine"))
    return None


def publication_period(case, on: date) -> tuple[int, Rule | None]:
    """3 months for 通报批评 or a lower-amount fine only, else 3 years (Order 45 Art. 13)."""
    data = next((e.data for e in reversed(case.events) if e.action == "decide_penalty"), {})
    rule = rules.in_force("publication_lower_fine", on)
    heavier = any(data.get(k) for k in ("confiscation", "confiscated_goods"))
    fine = _money(data.get("fine"))
    if rule is not None and fine is not None and fine >= _threshold_for_parties(rule, case):
        heavier = True
    return (36 if heavier or rule is None else 3), rule


def publication_period_months(case, on: date) -> int:
    return publication_period(case, on)[0]


# -- late-payment surcharge (APL Art. 72 ¶1 (一), V) -------------------------------------------
#: 3 % of the fine a day, never more than the fine itself (APL Art. 72 ¶1 (一), verified text)
SURCHARGE_RATE = Decimal("0.03")


@dataclass(frozen=True)
class Surcharge:
    """加处罚款 owed on a day: from the day after the 15-day payment period ends (the 16th day
    after service, or later when the period's last day is a rest day)."""

    on: date
    due_on: date | None  # the last day of the payment period
    days: int
    base: Decimal  # the unpaid fine it is counted on
    amount: Decimal
    cap: Decimal  # the fine itself
    capped: bool


def surcharge(fine, unpaid, due_on: date | None, on: date) -> Surcharge:
    """The surcharge on ``on`` for a fine whose payment period ended on ``due_on``."""
    fine = _money(fine) or Decimal(0)
    base = max(min(fine, _money(unpaid) or Decimal(0)), Decimal(0))
    days = max((on - due_on).days, 0) if due_on is not None else 0
    raw = (base * SURCHARGE_RATE * days).quantize(_CENT)
    return Surcharge(on, due_on, days, base, min(raw, fine), fine, raw > fine)


def case_surcharge(case, on: date, clock=None) -> Surcharge:
    """The surcharge on the case's unpaid fine on a day; ``clock``: its payment clock, when
    the caller holds it already (a list of clocks), else the latest one is read."""
    from sqlalchemy import select

    from enforcement.clocks.models import Clock
    from enforcement.extensions import db

    if clock is None:
        clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id,
                                                      Clock.kind == "payment")
                                  .order_by(Clock.id.desc()).limit(1))
    unpaid = ((case.fine_amount or 0) + (case.confiscation_amount or 0)
              - (case.paid_amount or 0))
    return surcharge(case.fine_amount, unpaid, clock.due_on if clock else None, on)


# -- what an action applied --------------------------------------------------------------------
def record(case, event, on: date) -> None:
    """Keep the rules an action applied, with their figures, beside its case event — so that
    a later change to the rule data never changes what was decided (flushes only)."""
    if event.action in ("finish_investigation", "decide_penalty"):
        _record_decision_rules(case, event, on)
    elif event.action == "pass_review":
        check = hearing_check(case, proposed_fine(case), on)
        if check.rule is not None:
            rules.record(case, event, check.rule, on, {
                "required": check.required, "threshold": str(check.threshold),
                "fine": str(check.fine) if check.fine is not None else None,
                "told": bool(event.data.get("hearing_rights"))})
    elif event.action == "publish":
        months, rule = publication_period(case, on)
        if rule is not None:
            rules.record(case, event, rule, on, {"months": months})


def _record_decision_rules(case, event, on: date) -> None:
    cap = fine_cap(case, on)
    if cap.rule is not None:
        rules.record(case, event, cap.rule, cap.applied_on, {
            "cap": str(cap.cap), "branch": cap.branch,
            "volume": str(cap.volume) if cap.volume is not None else None})
    flags = repeat_flags(case, on)
    for rule, found in ((flags.heavier_rule, flags.heavier),
                        (flags.prior_rule, flags.prior_penalties)):
        if rule is not None:
            rules.record(case, event, rule, on, {"cases": [p.case.id for p in found]})
    for alert in criminal_alerts(case, on, flags):
        rules.record(case, event, alert.rule, on, {"reached": alert.reached, "checks": [
            {"figure": c.figure, "threshold": str(c.threshold), "value": str(c.case_value)}
            for c in alert.checks]})


# -- everything the decision forms show --------------------------------------------------------
@dataclass(frozen=True)
class Assessment:
    on: date
    cap: FineCap
    flags: RepeatFlags
    alerts: list[CrimeAlert]
    #: 违法经营额 from the goods on file, when it has not been computed yet
    goods_volume: Decimal | None
    method: Rule | None
    hearing: Rule | None
    lower_fine: Rule | None


def assess(case, on: date) -> Assessment:
    flags = repeat_flags(case, on)
    return Assessment(
        on=on, cap=fine_cap(case, on), flags=flags, alerts=criminal_alerts(case, on, flags),
        goods_volume=goods_value(case) if case.business_volume is None else None,
        method=rules.in_force("business_volume_method", on),
        hearing=rules.in_force("hearing", on),
        lower_fine=rules.in_force("publication_lower_fine", on))
