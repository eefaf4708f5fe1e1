"""The auditor's reading of the log: filters checked into a query, CSV export, and the audit
rows written when someone is refused the log or exports it."""
import csv
import io
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from enforcement.audit import services as audit
from enforcement.audit.models import AuditEntry
from enforcement.db import local_day_end, local_day_start
from enforcement.extensions import db
from enforcement.main.helpers import local_time
from enforcement.orgs.models import OrgUnit

PAGE_SIZE = 50
#: the filter fields, in the order of the form and of the pages' links
FIELDS = ("date_from", "date_to", "actor", "action", "unit", "object_type", "object_id", "ip")
_OBJECT_TYPE = re.compile(r"^[a-z_]{1,30}$")
_MAX_LENGTH = {"actor": 64, "action": 60, "object_id": 40}


@dataclass
class LogFilters:
    """What the auditor asked for; every field optional, combined with AND."""

    #: China-time days, both inclusive
    date_from: date | None = None
    date_to: date | None = None
    #: a username, exactly
    actor: str = ""
    #: the start of an action code: ``auth.`` or ``case.approve_filing``
    action: str = ""
    unit: int | None = None
    object_type: str = ""
    object_id: str = ""
    ip: str = ""
    page: int = 1
    #: field -> message, for the form; a query with errors shows no rows
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The filters as query arguments (the pages' and the export's links keep them)."""
        values = asdict(self)
        return {name: str(values[name]) for name in FIELDS if values[name] not in (None, "")}


def _day(text: str, errors: dict, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = _("日期格式应为 YYYY-MM-DD，例如 2026-11-28")
        return None


def _unit(text: str, errors: dict) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) < 10) \
            or db.session.get(OrgUnit, int(text)) is None:
        errors["unit"] = _("所选单位不存在")
        return None
    return int(text)


def parse_filters(args: Mapping[str, str]) -> LogFilters:
    """The filters from the query string; a malformed value becomes a form error, never a
    guess and never a server error."""
    errors: dict[str, str] = {}
    text = {name: args.get(name, "").strip() for name in FIELDS}
    for name, limit in _MAX_LENGTH.items():
        if len(text[name]) > limit:
            errors[name] = _("最多 %(n)d 个字符", n=limit)
    for name, value in text.items():
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            # nobody types them; NUL is refused before the view (enforcement.inputs)
            errors[name] = _("含有不可见的控制字符，请重新输入")
            text[name] = ""
    filters = LogFilters(date_from=_day(text["date_from"], errors, "date_from"),
                         date_to=_day(text["date_to"], errors, "date_to"),
                         actor=text["actor"][:64], action=text["action"][:60],
                         unit=_unit(text["unit"], errors), object_type=text["object_type"],
                         object_id=text["object_id"][:40], ip=text["ip"], errors=errors)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["date_to"] = _("截止日期不能早于起始日期")
    if filters.object_type and not _OBJECT_TYPE.match(filters.object_type):
        errors["object_type"] = _("对象类型只含小写字母和下划线，例如 case、document")
    if filters.object_id and not filters.object_type:
        errors["object_type"] = _("按对象编号查询时请同时填写对象类型")
    if filters.ip:
        try:
            filters.ip = str(ipaddress.ip_address(filters.ip))
        except ValueError:
            errors["ip"] = _("IP 地址格式不正确")
    page = args.get("page", "1")
    filters.page = max(1, int(page)) if page.isascii() and page.isdigit() \
        and len(page) < 7 else 1
    return filters


def filtered(filters: LogFilters) -> Select:
    """The entries matching the filters, newest first (call only without errors)."""
    query = select(AuditEntry)
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_day_end(filters.date_to))
    if filters.actor:
        query = query.where(AuditEntry.actor_name == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.unit is not None:
        query = query.where(AuditEntry.unit_id == filters.unit)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.ip:
        query = query.where(AuditEntry.ip == filters.ip)
    return query.order_by(AuditEntry.seq.desc())


def page_of(filters: LogFilters) -> tuple[list[AuditEntry], int]:
    """One page of entries and the number of all that match."""
    if filters.errors:
        return [], 0
    query = filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(PAGE_SIZE)
                              .offset((filters.page - 1) * PAGE_SIZE)).all()
    return list(rows), total


def units() -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.kind, OrgUnit.id)))


CSV_HEADER = ("seq", "time (Asia/Shanghai)", "actor", "actor_id", "action", "object_type",
              "object_id", "unit_id", "ip", "detail", "hash")


def _cell(value) -> str:
    """A value as a CSV cell that a spreadsheet shows and never runs as a formula (usernames
    and details come from outside: a failed login records what was typed)."""
    text = "" if value is None else str(value)
    risky = text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and text != "-")
    return "'" + text if risky else text


def csv_lines(filters: LogFilters) -> Iterator[str]:
    """The matching entries as CSV, a line at a time (the log may be long)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    yield "\ufeff" + out.getvalue()  # the BOM lets spreadsheet programs read UTF-8
    rows = db.session.scalars(filtered(filters).execution_options(yield_per=500))
    for entry in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([_cell(v) for v in (
            entry.seq, local_time(entry.at, "%Y-%m-%d %H:%M:%S"), entry.actor_name,
            entry.actor_id, entry.action, entry.object_type, entry.object_id, entry.unit_id,
            entry.ip, detail_text(entry.detail), entry.hash)])
        yield out.getvalue()


def detail_text(detail) -> str:
    """An entry's detail as the page and the CSV show it: JSON with its Chinese as written,
    not as \\u escapes."""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def record_export(actor, filters: LogFilters, *, ip=None) -> int:
    """Audit an export of the log with its filters and the number of rows (commits)."""
    count = db.session.scalar(select(func.count()).select_from(
        filtered(filters).order_by(None).subquery()))
    audit.record("audit.export", actor=actor, obj_type="audit_log", unit_id=actor.unit_id,
                 ip=ip, filters=filters.args(), rows=count)
    db.session.commit()
    return count


def record_denied(actor, path: str, *, ip=None) -> None:
    """Audit a signed-in user refused the log (commits): probing it is itself a finding."""
    db.session.rollback()
    audit.record("access.denied", actor=actor, obj_type="audit_log", unit_id=actor.unit_id,
                 ip=ip, reason="no_permission", path=path)
    db.session.commit()
