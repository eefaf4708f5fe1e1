"""Document numbers (文号): the format in force per unit and type, and gapless sequences."""
import re
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from enforcement.db import local_today
from enforcement.documents.models import NumberFormat, NumberSequence
from enforcement.extensions import db

#: the placeholders a format may use; anything else in braces is refused, so that a format
#: entered by an administrator can never reach str.format's attribute access
PLACEHOLDER = re.compile(r"\{(short|word|year|n)(?::0([1-9]))?\}")
BRACES = re.compile(r"[{}]")


class NumberFormatError(ValueError):
    """A number format that cannot produce unique numbers."""


class NoNumberFormat(LookupError):
    """No number format is in force for a unit and type on a day (rule data missing)."""


def check_pattern(pattern: str) -> None:
    """Refuse formats with unknown placeholders, or without the year and the sequence number
    (without them two documents of a unit and type could get the same number)."""
    if BRACES.search(PLACEHOLDER.sub("", pattern)):
        raise NumberFormatError(f"unknown placeholder in {pattern!r}")
    names = {m.group(1) for m in PLACEHOLDER.finditer(pattern)}
    if not {"year", "n"} <= names:
        raise NumberFormatError(f"{pattern!r} must contain {{year}} and {{n}}")


def format_number(pattern: str, *, short: str, word: str, year: int, n: int) -> str:
    check_pattern(pattern)
    values = {"short": short, "word": word, "year": str(year), "n": n}

    def substitute(match):
        value = values[match.group(1)]
        width = match.group(2)
        return f"{value:0{width}d}" if width and match.group(1) == "n" else str(value)

    return PLACEHOLDER.sub(substitute, pattern)


def format_in_force(unit_id: int, doc_type: str, on: date) -> NumberFormat:
    """The most specific format in force on ``on``; the latest one among equals."""
    rows = db.session.scalars(
        select(NumberFormat)
        .where(or_(NumberFormat.unit_id == unit_id, NumberFormat.unit_id.is_(None)),
               or_(NumberFormat.doc_type == doc_type, NumberFormat.doc_type.is_(None)),
               NumberFormat.effective_from <= on)
    ).all()
    if not rows:
        raise NoNumberFormat(f"no number format for unit {unit_id}, {doc_type} on {on}")
    return max(rows, key=lambda r: (r.unit_id is not None, r.doc_type is not None,
                                    r.effective_from, r.id))


def _insert(dialect_name):
    return (postgresql if dialect_name == "postgresql" else sqlite).insert


def allocate(unit_id: int, seq_key: str, year: int) -> int:
    """The next value of a unit's sequence for a type and year.

    The row lock (SELECT … FOR UPDATE; SQLite's write lock) holds other issuers until this
    transaction ends, so values are consecutive; a rollback returns the value unused.
    """
    insert = _insert(db.session.get_bind().dialect.name)
    db.session.execute(
        insert(NumberSequence)
        .values(unit_id=unit_id, doc_type=seq_key, year=year, last_value=0)
        .on_conflict_do_nothing()
    )
    seq = db.session.execute(
        select(NumberSequence)
        .where(NumberSequence.unit_id == unit_id, NumberSequence.doc_type == seq_key,
               NumberSequence.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    seq.last_value += 1
    return seq.last_value


def next_number(unit, doc_word: str, seq_key: str, year: int, on: date | None = None) -> str:
    """Allocate and format the next number of a unit for a type and year."""
    pattern = format_in_force(unit.id, seq_key, on or local_today()).pattern
    check_pattern(pattern)  # before a value is taken
    n = allocate(unit.id, seq_key, year)
    return format_number(pattern, short=unit.short_name, word=doc_word, year=year, n=n)
