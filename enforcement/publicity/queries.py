"""The public read side: what is on the public site today, listed, searched and grouped."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import load_only

from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.publicity.models import EntryStatus, PublicationEntry

PAGE_SIZE = 20
#: the columns a list row shows (never the PDF or the redacted decision)
LIST_COLUMNS = (PublicationEntry.id, PublicationEntry.decision_number,
                PublicationEntry.party_name, PublicationEntry.party_identifier,
                PublicationEntry.violation_type, PublicationEntry.penalty,
                PublicationEntry.authority, PublicationEntry.decided_on,
                PublicationEntry.district, PublicationEntry.marks, PublicationEntry.typical,
                PublicationEntry.heavier, PublicationEntry.changed_at)


def public_clause(today: date | None = None):
    """Public today: active and within its period — also before the sweep has taken an
    expired entry down (the period's last day is the last public day)."""
    today = today or local_today()
    return (PublicationEntry.status == EntryStatus.active) & (
        PublicationEntry.period_ends_on >= today)


@dataclass(frozen=True)
class Filters:
    party: str = ""
    code: str = ""
    mark: str = ""
    district: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    @property
    def any(self) -> bool:
        return bool(self.party or self.code or self.mark or self.district or self.date_from
                    or self.date_to)

    def args(self, **change) -> dict:
        values = {"party": self.party, "code": self.code, "mark": self.mark,
                  "district": self.district,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "page": self.page}
        values.update(change)
        return {k: v for k, v in values.items() if v not in ("", None, 1)}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(args) -> Filters:
    page = args.get("page", "1")
    page_given = page.isascii() and page.isdigit() and int(page) > 0  # not '²' or '-1'
    return Filters(party=args.get("party", "").strip()[:60],
                   code=args.get("code", "").strip().upper()[:32],
                   mark=args.get("mark", "").strip()[:30],
                   district=args.get("district", "").strip()[:32],
                   date_from=_day(args.get("from")), date_to=_day(args.get("to")),
                   page=min(int(page), 500) if page_given else 1)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(filters: Filters, *, page_size: int = PAGE_SIZE) -> Select:
    query = select(PublicationEntry).options(load_only(*LIST_COLUMNS)).where(public_clause())
    if filters.party:
        query = query.where(PublicationEntry.party_name.like(_like(filters.party), escape="\\"))
    if filters.code:
        query = query.where(PublicationEntry.party_identifier == filters.code)
    if filters.mark:
        query = query.where(PublicationEntry.marks.like(_like(filters.mark), escape="\\"))
    if filters.district:
        query = query.where(PublicationEntry.district == filters.district)
    if filters.date_from:
        query = query.where(PublicationEntry.decided_on >= filters.date_from)
    if filters.date_to:
        query = query.where(PublicationEntry.decided_on <= filters.date_to)
    return (query.order_by(PublicationEntry.decided_on.desc(), PublicationEntry.id.desc())
            .offset((filters.page - 1) * page_size).limit(page_size + 1))


def page_of(filters: Filters, page_size: int = PAGE_SIZE) -> tuple[list, bool]:
    """One page of entries and whether there is a next one (no count over the whole table)."""
    rows = list(db.session.scalars(search(filters, page_size=page_size)))
    return rows[:page_size], len(rows) > page_size


def public_entry(entry_id: int) -> PublicationEntry | None:
    return db.session.scalar(select(PublicationEntry).where(PublicationEntry.id == entry_id,
                                                            public_clause()))


def last_change() -> datetime | None:
    """When anything public last changed (Last-Modified of the public pages)."""
    return db.session.scalar(select(func.max(PublicationEntry.changed_at)))


def typical_cases(limit: int = 20) -> list[PublicationEntry]:
    return list(db.session.scalars(
        select(PublicationEntry).options(load_only(*LIST_COLUMNS,
                                                   PublicationEntry.typical_note))
        .where(public_clause(), PublicationEntry.typical.is_(True))
        .order_by(PublicationEntry.decided_on.desc()).limit(limit)))


@dataclass(frozen=True)
class Infringer:
    """A party on the exposure list: penalised more than once, or punished more heavily."""

    name: str
    identifier: str | None
    count: int
    heavier: bool
    latest: date
    latest_id: int


def repeat_infringers(limit: int = 50) -> list[Infringer]:
    """Parties with two or more public entries, or one decided 从重 (商标法 Art. 60 ¶2)."""
    key = PublicationEntry.party_key
    grouped = (select(key, func.count().label("n"),
                      func.max(PublicationEntry.heavier.cast(db.Integer)).label("heavier"),
                      func.max(PublicationEntry.decided_on).label("latest"),
                      func.max(PublicationEntry.id).label("latest_id"))
               .where(public_clause(), key.is_not(None)).group_by(key)
               .having(or_(func.count() >= 2,
                           func.max(PublicationEntry.heavier.cast(db.Integer)) == 1))
               .order_by(func.count().desc(), func.max(PublicationEntry.decided_on).desc())
               .limit(limit)).subquery()
    rows = db.session.execute(
        select(grouped, PublicationEntry.party_name, PublicationEntry.party_identifier)
        .join(PublicationEntry, PublicationEntry.id == grouped.c.latest_id)
        .order_by(grouped.c.n.desc(), grouped.c.latest.desc())).all()
    return [Infringer(r.party_name, r.party_identifier, r.n, bool(r.heavier), r.latest,
                      r.latest_id) for r in rows]


def feed_entries(limit: int = 50) -> list[PublicationEntry]:
    return list(db.session.scalars(
        select(PublicationEntry).options(load_only(*LIST_COLUMNS, PublicationEntry.published_at))
        .where(public_clause()).order_by(PublicationEntry.id.desc()).limit(limit)))
