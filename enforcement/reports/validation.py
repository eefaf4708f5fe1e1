"""Reading a report as submitted (the API's JSON, or the web form turned into the same shape)
into checked data, with a Chinese message per field path (``infringer.credit_code``)."""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from enforcement.db import local_today
from enforcement.errors import Invalid
from enforcement.extensions import db
from enforcement.marks.models import Trademark
from enforcement.parties.identifiers import (
    credit_code_error,
    id_number_error,
    mark_reg_no_valid,
    normalise,
    phone_error,
)
from enforcement.query_args import MAX_INT
from enforcement.reports.routing import district_choices

#: the district a report goes to when the reporter does not know it: the city bureau
UNKNOWN_DISTRICT = "unknown"
MAX_GOODS = 20
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
#: the fields the API accepts, by object
FIELDS = {
    "": {"trademark", "infringer", "description", "found_on", "location", "goods", "reporter",
         "principal", "mandate_id"},
    "trademark": {"registration_no", "name"},
    "infringer": {"name", "credit_code", "id_number", "address", "district", "shop_url",
                  "seller_account"},
    "reporter": {"name", "phone", "email", "anonymous"},
    "principal": {"name", "contact"},
    "goods": {"name", "quantity", "unit"},
}


@dataclass
class Infringer:
    name: str
    credit_code: str | None = None
    id_number: str | None = None
    address: str | None = None
    district: str = UNKNOWN_DISTRICT
    shop_url: str | None = None
    seller_account: str | None = None

    @property
    def online(self) -> bool:
        return bool(self.shop_url or self.seller_account)


@dataclass
class Goods:
    name: str
    quantity: Decimal | None = None
    unit: str = ""


@dataclass
class Reporter:
    anonymous: bool
    name: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def contact(self) -> str | None:
        return self.phone or self.email


@dataclass
class ReportData:
    """A checked report."""

    mark_reg_no: str
    mark_name: str
    #: the registry row, when the mark is in it
    trademark: Trademark | None
    infringer: Infringer
    description: str
    found_on: date | None
    location: str
    reporter: Reporter
    goods: list[Goods] = field(default_factory=list)
    principal_name: str | None = None
    principal_contact: str | None = None
    mandate_id: int | None = None


class _Reader:
    """Collects one message per field path while reading the payload."""

    def __init__(self, payload):
        self.errors: dict[str, list[str]] = {}
        self.payload = payload if isinstance(payload, dict) else {}
        if not isinstance(payload, dict):
            self.fail("_body", _("请求体必须是 JSON 对象"))

    def fail(self, path: str, message: str):
        self.errors.setdefault(path, []).append(message)

    def obj(self, name: str) -> dict:
        value = self.payload.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(name, _("格式不正确"))
            return {}
        for key in sorted(set(value) - FIELDS[name]):
            self.fail(f"{name}.{key}", _("不接受该字段"))
        return value

    def text(self, obj: dict, key: str, path: str, *, limit: int, required: str | None = None):
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(path, required)
            return None
        if not isinstance(value, str):
            self.fail(path, _("应为文字"))
            return None
        value = value.strip()
        if len(value) > limit:
            self.fail(path, _("不能超过%(n)d个字", n=limit))
            return None
        return value


def read_report(payload, *, today: date | None = None) -> ReportData:
    """The checked report, or Invalid with every problem at once, keyed by field path."""
    r = _Reader(payload)
    today = today or local_today()
    for key in sorted(set(r.payload) - FIELDS[""]):
        r.fail(key, _("不接受该字段"))
    reg_no, mark_name, trademark = _trademark(r)
    infringer = _infringer(r)
    description = r.text(r.payload, "description", "description", limit=2000,
                         required=_("请说明发现了什么侵权情况"))
    found_on = _date(r, today)
    location = r.text(r.payload, "location", "location", limit=200)
    if not location and not infringer.online:
        r.fail("location", _("请填写发现侵权商品的地点（线下），或填写网店链接、卖家账号（网上）"))
    goods = _goods(r)
    reporter = _reporter(r)
    principal = r.obj("principal")
    principal_name = r.text(principal, "name", "principal.name", limit=120)
    principal_contact = r.text(principal, "contact", "principal.contact", limit=80)
    mandate_id = r.payload.get("mandate_id")
    # an id the database can hold (a larger one fails the lookup with a 500 on PostgreSQL)
    if mandate_id is not None and (not isinstance(mandate_id, int) or isinstance(
            mandate_id, bool) or not 0 < mandate_id <= MAX_INT):
        r.fail("mandate_id", _("请选择授权委托书"))
        mandate_id = None
    if r.errors:
        raise Invalid(r.errors)
    return ReportData(mark_reg_no=reg_no, mark_name=mark_name, trademark=trademark,
                      infringer=infringer, description=description, found_on=found_on,
                      location=location or "", reporter=reporter, goods=goods,
                      principal_name=principal_name, principal_contact=principal_contact,
                      mandate_id=mandate_id)


def _trademark(r: _Reader):
    mark = r.obj("trademark")
    reg_no = r.text(mark, "registration_no", "trademark.registration_no", limit=10)
    name = r.text(mark, "name", "trademark.name", limit=80)
    if reg_no is not None:
        reg_no = reg_no.replace(" ", "")
        if not mark_reg_no_valid(reg_no):
            r.fail("trademark.registration_no", _("商标注册号应为数字（最多10位）"))
            return "", "", None
        found = db.session.scalar(select(Trademark).where(Trademark.reg_no == reg_no))
        # a mark not in the registry is taken as entered (the bureau checks it)
        return reg_no, found.name if found else (name or reg_no), found
    if name is None:
        r.fail("trademark.registration_no", _("请选择被侵权的商标，或填写商标注册号"))
        return "", "", None
    found = list(db.session.scalars(select(Trademark).where(Trademark.name == name).limit(2)))
    if len(found) != 1:
        r.fail("trademark.name", _("商标库中没有唯一名为“%(name)s”的商标，请填写商标注册号",
                                   name=name))
        return "", "", None
    return found[0].reg_no, found[0].name, found[0]


def _infringer(r: _Reader) -> Infringer:
    obj = r.obj("infringer")
    name = r.text(obj, "name", "infringer.name", limit=120,
                  required=_("请填写被举报的商家、个人或网店名称"))
    codes = {}
    for key, check in (("credit_code", credit_code_error), ("id_number", id_number_error)):
        value = r.text(obj, key, f"infringer.{key}", limit=30)
        if value and (message := check(value)):
            r.fail(f"infringer.{key}", message)
        codes[key] = normalise(value) if value else None
    address = r.text(obj, "address", "infringer.address", limit=200)
    shop_url = r.text(obj, "shop_url", "infringer.shop_url", limit=300)
    if shop_url and not _URL_RE.match(shop_url):
        r.fail("infringer.shop_url", _("网店链接应以 http:// 或 https:// 开头"))
    seller = r.text(obj, "seller_account", "infringer.seller_account", limit=120)
    district = r.text(obj, "district", "infringer.district", limit=32,
                      required=_("请选择侵权行为发生地（网店为卖家经营地）所在旗县区，"
                                 "不清楚的请选“不清楚”"))
    if district and district != UNKNOWN_DISTRICT and district not in dict(district_choices()):
        r.fail("infringer.district", _("请从列表中选择旗县区"))
    return Infringer(name=name or "", address=address, district=district or UNKNOWN_DISTRICT,
                     shop_url=shop_url, seller_account=seller, **codes)


def _date(r: _Reader, today: date) -> date | None:
    raw = r.payload.get("found_on")
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        r.fail("found_on", _("日期格式应为 2026-01-31"))
    elif value > today:
        r.fail("found_on", _("发现日期不能晚于今天"))
    elif value.year < 2000:
        r.fail("found_on", _("发现日期不能早于2000年"))
    else:
        return value
    return None


def _goods(r: _Reader) -> list[Goods]:
    rows = r.payload.get("goods") or []
    if not isinstance(rows, list):
        r.fail("goods", _("格式不正确"))
        return []
    if len(rows) > MAX_GOODS:
        r.fail("goods", _("商品最多填写%(n)d行", n=MAX_GOODS))
        return []
    goods = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            r.fail(f"goods.{i}", _("格式不正确"))
            continue
        for key in sorted(set(row) - FIELDS["goods"]):
            r.fail(f"goods.{i}.{key}", _("不接受该字段"))
        if all(value in (None, "") for value in row.values()):
            continue  # a blank row of the form
        name = r.text(row, "name", f"goods.{i}.name", limit=120,
                      required=_("请填写商品名称"))
        quantity = _quantity(r, row.get("quantity"), f"goods.{i}.quantity")
        unit = r.text(row, "unit", f"goods.{i}.unit", limit=20)
        if name is not None:
            goods.append(Goods(name=name, quantity=quantity, unit=unit or ""))
    return goods


def _quantity(r: _Reader, raw, path: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip()) if not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= Decimal("1e11"):
        r.fail(path, _("数量应为大于0的数字"))
        return None
    if value.as_tuple().exponent < -3:
        r.fail(path, _("数量最多保留3位小数"))
        return None
    return value


def _reporter(r: _Reader) -> Reporter:
    obj = r.obj("reporter")
    anonymous = obj.get("anonymous", False)
    if not isinstance(anonymous, bool):
        r.fail("reporter.anonymous", _("应为是或否"))
        anonymous = False
    name = r.text(obj, "name", "reporter.name", limit=80)
    phone = r.text(obj, "phone", "reporter.phone", limit=20)
    email = r.text(obj, "email", "reporter.email", limit=120)
    if anonymous:
        # an anonymous reporter leaves nothing behind, even if the form still held it
        return Reporter(anonymous=True)
    if name is None:
        r.fail("reporter.name", _("请填写举报人姓名或名称，或选择匿名举报"))
    if phone and (message := phone_error(phone)):
        r.fail("reporter.phone", message)
    if email and not _EMAIL_RE.match(email):
        r.fail("reporter.email", _("电子邮箱格式不正确"))
    if not phone and not email:
        r.fail("reporter.phone", _("请至少留下手机号码或电子邮箱，以便告知处理结果"))
    return Reporter(anonymous=False, name=name, phone=phone, email=email)
