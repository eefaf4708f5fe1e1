"""Repeat infringers: the other cases of a case's parties in which a penalty was decided.

Two questions, each with its window from rule data:

- 商标法 Art. 60 ¶2: two or more infringements within 5 years must be punished more heavily
  (从重). Counted between the acts: another case whose infringement was established by a
  penalty decision, and whose act lies within the window of this case's act, either side.
- 法释〔2025〕5号: a party punished administratively within the previous 2 years meets lower
  criminal thresholds. Counted back from this case's act to the earlier penalty decision.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from enforcement.cases.models import Case, CaseEvent, CaseParty
from enforcement.clocks.calendar import add_months
from enforcement.db import local_date
from enforcement.extensions import db


@dataclass(frozen=True)
class PriorCase:
    case: Case
    act_on: date
    penalised_on: date


def act_date(case: Case) -> date:
    """The day of the act: as recorded, else the day the case was registered."""
    return case.occurred_on or local_date(case.created_at)


def penalised_cases(case: Case) -> list[PriorCase]:
    """Other cases of the same parties that ended in a penalty decision, oldest first."""
    party_ids = [cp.party_id for cp in case.parties]
    if not party_ids:
        return []
    others = (select(CaseParty.case_id).where(CaseParty.party_id.in_(party_ids),
                                              CaseParty.case_id != case.id))
    decided = (select(CaseEvent.case_id, func.min(CaseEvent.at).label("at"))
               .where(CaseEvent.action == "decide_penalty", CaseEvent.case_id.in_(others))
               .group_by(CaseEvent.case_id).subquery())
    rows = db.session.execute(select(Case, decided.c.at).join(decided, decided.c.case_id ==
                                                              Case.id)).all()
    found = [PriorCase(other, act_date(other), local_date(_aware(at))) for other, at in rows]
    return sorted(found, key=lambda p: p.penalised_on)


def _aware(moment):
    # SQLite hands back naive UTC from an aggregate, which skips the column's type
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def within_years(case: Case, prior: list[PriorCase], years: int) -> list[PriorCase]:
    """Prior infringements whose act lies within ``years`` of this case's act (Art. 60 ¶2)."""
    act = act_date(case)
    return [p for p in prior if add_months(act, -12 * years) <= p.act_on <= add_months(
        act, 12 * years)]


def penalised_before(case: Case, prior: list[PriorCase], years: int) -> list[PriorCase]:
    """Penalties decided in the ``years`` before this case's act (法释〔2025〕5号)."""
    act = act_date(case)
    return [p for p in prior if add_months(act, -12 * years) <= p.penalised_on <= act]
