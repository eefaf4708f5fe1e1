"""Issuing documents inside the action's transaction, with gapless numbers."""
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from enforcement.documents.models import Document, NumberSequence
from enforcement.documents.types import DOC_TYPES
from enforcement.extensions import db


def _insert(dialect_name):
    return (postgresql if dialect_name == "postgresql" else sqlite).insert


def next_number(unit, doc_word: str, seq_key: str, year: int) -> str:
    """Allocate the next number for a unit, type and year; the row lock makes it gapless.

    The number belongs to the caller's transaction: a rollback returns it unused.
    """
    insert = _insert(db.session.get_bind().dialect.name)
    db.session.execute(
        insert(NumberSequence)
        .values(unit_id=unit.id, doc_type=seq_key, year=year, last_value=0)
        .on_conflict_do_nothing()
    )
    seq = db.session.execute(
        select(NumberSequence)
        .where(NumberSequence.unit_id == unit.id, NumberSequence.doc_type == seq_key,
               NumberSequence.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    seq.last_value += 1
    return f"{unit.short_name}市监{doc_word}〔{year}〕{seq.last_value}号"


def issue(case, code: str, *, actor, event, data: dict, year: int) -> Document:
    """Create the document row for an action (flushes, never commits)."""
    doc_type = DOC_TYPES[code]
    number = None
    if doc_type.number_word:
        number = next_number(case.unit, doc_type.number_word, code, year)
    with force_locale("zh"):  # the official title, whatever the issuing user's UI language
        title = str(doc_type.title)
    document = Document(
        case_id=case.id, doc_type=code, number=number, title=title,
        event_id=event.id, data=data, requires_service=doc_type.served,
        issued_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document
