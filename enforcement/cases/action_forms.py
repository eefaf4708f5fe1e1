"""Forms for workflow actions, built from each action's field declarations.

The same form validates a browser POST and an API JSON body, so both get the same rules and
the same messages. Choices that depend on the case (inspectors of the unit, receiving units,
documents awaiting service) are filled per case.
"""
from datetime import date
from decimal import Decimal
from functools import cache

from babel import support
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
)
from wtforms.i18n import messages_path
from wtforms.widgets import CheckboxInput

from enforcement.cases.facts import (
    active_measures,
    credentialed_inspectors,
    unserved_documents,
)
from enforcement.db import local_today
from enforcement.documents.models import Document
from enforcement.evidence.checks import UploadRefused, check_upload
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit, UnitKind


@cache
def _wtforms_catalog(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Translations:
    """WTForms' own messages in the current Flask-Babel locale (also outside requests)."""

    def gettext(self, string):
        return _wtforms_catalog(str(get_locale() or "zh")).ugettext(string)

    def ngettext(self, singular, plural, n):
        return _wtforms_catalog(str(get_locale() or "zh")).ungettext(singular, plural, n)


class ActionForm(Form):
    class Meta:
        def get_translations(self, form):
            return _Translations()


#: the largest amount a money column (Numeric(14, 2)) holds, and the largest quantity
#: (Numeric(14, 3)): larger numbers are refused as input instead of failing in the database
MAX_MONEY = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("99999999999.999")
#: no number of days in a case comes near it; larger ones overflow dates and columns
MAX_INTEGER = 99999


class PlausibleDate:
    """A day a case can involve: not before 2000 (the oldest records a bureau keeps online)
    nor more than five years ahead (no period in a case is longer). Year 1 or 9999 is a
    typing slip, not a deadline; narrower rules (a payment after the decision, …) are the
    action's own checks."""

    EARLIEST = date(2000, 1, 1)
    YEARS_AHEAD = 5

    def __call__(self, form, field):
        if field.data is None:
            return
        today = local_today()
        latest = today.replace(year=today.year + self.YEARS_AHEAD, day=min(today.day, 28))
        if not self.EARLIEST <= field.data <= latest:
            raise validators.StopValidation(_("日期须在 %(earliest)s 至 %(latest)s 之间",
                                              earliest=self.EARLIEST.isoformat(),
                                              latest=latest.isoformat()))


class Finite:
    """A number, not NaN or infinity: ``Decimal`` parses those, and comparing them fails."""

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            # WTForms' own message for a value that is not a number, in the user's language
            raise validators.StopValidation(field.gettext("Not a valid decimal value."))


class AtLeast:
    """At least ``n`` selected options (the people of a case team)."""

    def __init__(self, n: int):
        self.n = n

    def __call__(self, form, field):
        if len(field.data or []) < self.n:
            # Order 42 Art. 19: a case is handled by two or more credentialed inspectors
            raise validators.ValidationError(_(
                "须选择至少 %(n)d 名持有执法证件的执法人员，现选择了 %(k)d 名"
                "（《市场监督管理行政处罚程序规定》第十九条）", n=self.n, k=len(field.data or [])))


class CheckedFiles:
    """Files present when required, each accepted by its content (never by its name)."""

    def __init__(self, required: bool):
        self.required = required

    def __call__(self, form, field):
        files = [f for f in (field.data or []) if getattr(f, "filename", "")]
        field.data = files
        if self.required and not files:
            raise validators.StopValidation(_("请选择要上传的文件"))
        for upload in files:
            try:
                check_upload(upload.stream, upload.filename)
            except UploadRefused as exc:
                raise validators.StopValidation(str(exc)) from None


class RowsField(FieldList):
    """A table of records (``rows`` kind): rows left entirely blank in a browser form are
    dropped, and errors are flattened to one message per cell, naming row and column."""

    def __init__(self, spec, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data if data is not None else [], extra_filters)
        if formdata:
            self.entries = [e for e in self.entries if _filled(self.spec, e.form)]
            self.last_index = len(self.entries) - 1

    def validate(self, form, extra_validators=()):
        self.errors = []
        for number, entry in enumerate(self.entries, start=1):
            entry.validate(form)
            for column in self.spec.columns:
                for message in entry.form[column.name].errors:
                    self.errors.append(_("第 %(n)d 行“%(column)s”：%(message)s", n=number,
                                         column=_(column.label), message=message))
        if not self.errors:
            count = len(self.entries)
            if count < self.spec.min_rows:
                self.errors.append(_("请至少填写 %(n)d 行", n=self.spec.min_rows))
            elif count > self.spec.max_rows:
                self.errors.append(_("最多填写 %(n)d 行", n=self.spec.max_rows))
        return not self.errors


def _filled(spec, row_form) -> bool:
    # a choice or checkbox always posts something; a row is blank when its typed cells are
    return any(str(v).strip() for column in spec.columns if column.kind not in ("choice", "bool")
               for v in (row_form[column.name].raw_data or []))


#: blank rows a browser form starts with
BLANK_ROWS = 3


def _rows(spec, formdata_given: bool):
    row_class = type(f"{spec.name.title()}Row", (ActionForm,),
                     {c.name: _field(c, []) for c in spec.columns})
    return RowsField(spec, FormField(row_class), _(spec.label),
                     min_entries=0 if formdata_given else max(spec.min_rows, BLANK_ROWS))


def _presence(spec):
    return validators.InputRequired() if spec.required else validators.Optional()


def _field(spec, choices):
    label = _(spec.label)
    presence = _presence(spec)
    if spec.kind == "text":
        return StringField(label, [presence, validators.Length(max=spec.max_length)])
    if spec.kind == "textarea":
        return TextAreaField(label, [presence, validators.Length(max=spec.max_length)])
    if spec.kind == "date":
        return DateField(label, [presence, PlausibleDate()])
    if spec.kind == "money":
        return DecimalField(label, [presence, Finite(),
                                    validators.NumberRange(min=0, max=MAX_MONEY)], places=2)
    if spec.kind == "integer":
        return IntegerField(label, [presence, validators.NumberRange(min=0, max=MAX_INTEGER)])
    if spec.kind == "decimal":  # a quantity: up to three decimals, more than zero
        return DecimalField(label, [presence, Finite(), validators.NumberRange(
            min=Decimal("0.001"), message=_("须大于零")),
            validators.NumberRange(max=MAX_QUANTITY)], places=3)
    if spec.kind == "bool":
        return BooleanField(label, [validators.Optional()])
    if spec.kind == "choice":
        return SelectField(label, [presence], choices=[(v, _(lbl)) for v, lbl in spec.choices])
    if spec.kind == "users":
        return SelectMultipleField(label, [AtLeast(int(spec.option or 1))], coerce=int,
                                   choices=choices, option_widget=CheckboxInput())
    if spec.kind in ("unit", "document"):
        return SelectField(label, [presence], coerce=int, choices=choices)
    if spec.kind == "files":
        return MultipleFileField(label, [CheckedFiles(spec.required)])
    raise ValueError(spec.kind)


def field_choices(spec, case) -> list[tuple]:
    """Options of the fields whose choices depend on the case."""
    if spec.kind == "users":
        return [(u.id, f"{u.full_name}（{u.credential_no}）")
                for u in credentialed_inspectors(case.unit_id)]
    if spec.kind == "unit" and spec.option == "supplier":
        # where a seller's supplier is: any bureau of the city, its own included, or elsewhere
        units = db.session.scalars(select(OrgUnit).where(
            OrgUnit.kind == UnitKind.bureau, OrgUnit.active.is_(True)).order_by(OrgUnit.id))
        return [(0, _("本市以外（请填写所在地）")), *((u.id, u.name) for u in units)]
    if spec.kind == "unit":
        units = db.session.scalars(
            select(OrgUnit).where(OrgUnit.kind == UnitKind(spec.option), OrgUnit.active.is_(True))
            .order_by(OrgUnit.id)
        )
        return [(u.id, u.name) for u in units if u.id != case.unit_id]
    if spec.kind == "document" and spec.option == "measure":
        return [(m.document.id, f"{m.document.number}（{_('期限至')} {m.clock.due_on or '—'}）")
                for m in active_measures(case)]
    if spec.kind == "document":
        documents = db.session.scalars(select(Document).where(Document.case_id == case.id))
        return [(d.id, f"{d.title} {d.number or ''}".strip())
                for d in unserved_documents(documents)]
    return []


def build_form(action, case, formdata: MultiDict | None = None) -> ActionForm:
    """A form instance for the action on this case, bound to ``formdata`` when given."""
    attrs = {spec.name: _rows(spec, bool(formdata)) if spec.kind == "rows"
             else _field(spec, field_choices(spec, case)) for spec in action.fields}
    form_class = type(f"{action.name.title().replace('_', '')}Form", (ActionForm,), attrs)
    form = form_class(formdata=formdata)
    #: what the form shows above its fields (surcharge, closing checklist, hearing dates)
    form.panel = action_panel(action, case)
    return form


def action_panel(action, case) -> dict | None:
    """Figures a clerk needs while filling in the form; computed, never posted."""
    from enforcement.cases.facts import closing_checklist
    from enforcement.clocks import holidays
    from enforcement.clocks.calendar import CalendarUnknown, add_working_days
    from enforcement.rules import assessment

    today = local_today()
    if action.name == "record_payment":
        owed = assessment.case_surcharge(case, today)
        total = (case.fine_amount or _CENT * 0) + (case.confiscation_amount or 0)
        return {"kind": "payment", "fine": case.fine_amount, "total": total.quantize(_CENT),
                "paid": (case.paid_amount or _CENT * 0).quantize(_CENT), "surcharge": owed,
                "rate": assessment.SURCHARGE_RATE * 100}
    if action.name == "close":
        return {"kind": "closing", "checks": closing_checklist(case)}
    if action.name in ("request_hearing", "reschedule_hearing"):
        try:
            earliest = add_working_days(today, 7, holidays.current())
        except CalendarUnknown:
            earliest = None
        return {"kind": "hearing", "earliest": earliest}
    return None


def cleaned(form, action) -> dict:
    """The form's data as JSON-safe values, as stored on the case event."""
    return {spec.name: _clean(spec, form[spec.name].data) for spec in action.fields}


def _clean(spec, value):
    if spec.kind == "rows":
        return [{c.name: _clean(c, row[c.name]) for c in spec.columns} for row in value or []]
    if value is None or value == "":
        return None
    if spec.kind == "date":
        return value.isoformat()
    if spec.kind == "money":
        return str(value.quantize(_CENT))
    if spec.kind == "decimal":
        return format(value.normalize(), "f")
    if spec.kind == "files":
        return [upload.filename for upload in value]  # replaced once stored
    return value


def json_to_formdata(body: dict) -> MultiDict:
    """A JSON body as form data: lists become repeated keys, booleans the checkbox value."""
    items = []
    for key, value in body.items():
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            # a ``rows`` field: the names a browser posts, <name>-<i>-<column>
            for i, row in enumerate(value):
                flat = json_to_formdata(row if isinstance(row, dict) else {})
                items.extend((f"{key}-{i}-{column}", v) for column, v in flat.items(multi=True))
        elif isinstance(value, list):
            items.extend((key, str(v)) for v in value)
        elif isinstance(value, bool):
            if value:
                items.append((key, "y"))
        elif value is not None:
            items.append((key, str(value)))
    return MultiDict(items)



_CENT = Decimal("0.01")

#: field kinds as JSON schema, for the API's allowed actions
JSON_TYPES = {
    "text": {"type": "string"},
    "textarea": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "money": {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
    "integer": {"type": "integer", "minimum": 0},
    "bool": {"type": "boolean"},
    "choice": {"type": "string"},
    "users": {"type": "array", "items": {"type": "integer"}},
    "unit": {"type": "integer"},
    "document": {"type": "integer"},
    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
    "decimal": {"type": "string", "pattern": r"^\d+(\.\d{1,3})?$"},
    "rows": {"type": "array", "items": {"type": "object"}},
}


def json_schema(spec) -> dict:
    """The JSON schema of one field; a ``rows`` field lists its columns as object properties."""
    schema = {**JSON_TYPES[spec.kind], "title": _(spec.label)}
    if spec.kind == "rows":
        schema["items"] = {
            "type": "object",
            "properties": {c.name: json_schema(c) for c in spec.columns},
            "required": [c.name for c in spec.columns if c.required and c.kind != "bool"]}
        schema["minItems"], schema["maxItems"] = spec.min_rows, spec.max_rows
    if spec.kind == "choice":
        schema["enum"] = [value for value, _label in spec.choices]
    return schema
