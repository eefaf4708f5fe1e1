"""Reading the rule in force on a day, recording what a case applied, and keeping the rule
table (admin). Public functions that change data are one transaction each."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from enforcement.audit import services as audit
from enforcement.db import TransactionMemo
from enforcement.extensions import db
from enforcement.rules.catalogue import DEFAULTS, RULE_KINDS
from enforcement.rules.models import Rule, RuleApplication


class RuleInUse(Exception):
    """A version some case applied cannot be changed: add a newer version instead."""


#: the rules read in the current transaction, by (code, day)
_IN_FORCE = TransactionMemo("enforcement.rules.in_force", Rule)


def in_force(code: str, on: date) -> Rule | None:
    """The version of ``code`` in force on ``on``: the latest that took effect by then.

    Read once per transaction for each code and day (an action or a page asks for the same
    rule several times): forgotten at commit and rollback, and when the transaction itself
    changes a rule."""
    known = _IN_FORCE.get()
    if (code, on) not in known:
        known[code, on] = db.session.scalar(
            select(Rule).where(Rule.code == code, Rule.effective_from <= on)
            .order_by(Rule.effective_from.desc()).limit(1))
    return known[code, on]


def versions(code: str) -> list[Rule]:
    return list(db.session.scalars(select(Rule).where(Rule.code == code)
                                   .order_by(Rule.effective_from.desc())))


def clock_length(code: str, on: date) -> tuple[int, str] | None:
    """A clock length kept as rule data (the S and R ones of DESIGN §3), if any."""
    rule = in_force(f"clock.{code}", on)
    if rule is None:
        return None
    return int(rule.value["length"]), str(rule.value["unit"])


def applications_count(rule_ids) -> dict[int, int]:
    rows = db.session.execute(select(RuleApplication.rule_id, func.count())
                              .where(RuleApplication.rule_id.in_(list(rule_ids)))
                              .group_by(RuleApplication.rule_id)).all()
    return dict(rows)


def record(case, event, rule: Rule, applied_on: date, outcome: dict) -> RuleApplication:
    """Keep the figures a case applied with the action that applied them (flushes only)."""
    application = RuleApplication(case_id=case.id, case_event_id=event.id if event else None,
                                  rule_id=rule.id, code=rule.code, applied_on=applied_on,
                                  figures=dict(rule.value), outcome=outcome)
    db.session.add(application)
    return application


@dataclass(frozen=True)
class RuleEntry:
    code: str
    effective_from: date
    value: dict
    source: str
    confidence: str
    note: str = ""


def add(entry: RuleEntry, actor, *, ip=None) -> Rule:
    """A new version of a rule; cases decided earlier keep what they applied."""
    if entry.code not in RULE_KINDS:
        raise KeyError(entry.code)
    rule = Rule(code=entry.code, effective_from=entry.effective_from, value=entry.value,
                source=entry.source, confidence=entry.confidence, note=entry.note,
                entered_by_id=actor.id)
    db.session.add(rule)
    db.session.flush()
    audit.record("rules.add", actor=actor, obj_type="rule", obj_id=rule.id, ip=ip,
                 code=rule.code, effective_from=rule.effective_from.isoformat(),
                 value=rule.value, source=rule.source, confidence=rule.confidence)
    db.session.commit()
    return rule


def correct(rule: Rule, entry: RuleEntry, actor, *, ip=None) -> Rule:
    """Correct a version no case has applied yet (a typo caught before use)."""
    if applications_count([rule.id]):
        raise RuleInUse(rule.id)
    before = {"effective_from": rule.effective_from.isoformat(), "value": rule.value,
              "source": rule.source, "confidence": rule.confidence}
    rule.effective_from, rule.value = entry.effective_from, entry.value
    rule.source, rule.confidence, rule.note = entry.source, entry.confidence, entry.note
    rule.entered_by_id = actor.id
    db.session.flush()
    audit.record("rules.correct", actor=actor, obj_type="rule", obj_id=rule.id, ip=ip,
                 code=rule.code, before=before, value=rule.value,
                 effective_from=rule.effective_from.isoformat())
    db.session.commit()
    return rule


def seed_defaults() -> int:
    """The demo defaults of DESIGN §4 that are missing (flushes; the caller commits)."""
    existing = set(db.session.execute(select(Rule.code, Rule.effective_from)).all())
    added = 0
    for code, effective_from, value, source, confidence, note in DEFAULTS:
        if (code, effective_from) not in existing:
            db.session.add(Rule(code=code, effective_from=effective_from, value=value,
                                source=source, confidence=confidence, note=note))
            added += 1
    db.session.flush()
    return added
