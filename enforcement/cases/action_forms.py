"""Forms for workflow actions, built from each action's field declarations.

The same form validates a browser POST and an API JSON body, so both get the same rules and
the same messages. Choices that depend on the case (inspectors of the unit, receiving units,
documents awaiting service) are filled per case.
"""
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
    Form,
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

from enforcement.cases.facts import credentialed_inspectors, unserved_documents
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


class AtLeast:
    """At least ``n`` selected options."""

    def __init__(self, n: int):
        self.n = n

    def __call__(self, form, field):
        if len(field.data or []) < self.n:
            raise validators.ValidationError(_("请至少选择 %(n)d 项", n=self.n))


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
        return DateField(label, [presence])
    if spec.kind == "money":
        return DecimalField(label, [presence, validators.NumberRange(min=0)], places=2)
    if spec.kind == "integer":
        return IntegerField(label, [presence, validators.NumberRange(min=0)])
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
    if spec.kind == "unit":
        units = db.session.scalars(
            select(OrgUnit).where(OrgUnit.kind == UnitKind(spec.option), OrgUnit.active.is_(True))
            .order_by(OrgUnit.id)
        )
        return [(u.id, u.name) for u in units if u.id != case.unit_id]
    if spec.kind == "document":
        documents = db.session.scalars(select(Document).where(Document.case_id == case.id))
        return [(d.id, f"{d.title} {d.number or ''}".strip())
                for d in unserved_documents(documents)]
    return []


def build_form(action, case, formdata: MultiDict | None = None) -> ActionForm:
    """A form instance for the action on this case, bound to ``formdata`` when given."""
    attrs = {spec.name: _field(spec, field_choices(spec, case)) for spec in action.fields}
    form_class = type(f"{action.name.title().replace('_', '')}Form", (ActionForm,), attrs)
    return form_class(formdata=formdata)


def cleaned(form, action) -> dict:
    """The form's data as JSON-safe values, as stored on the case event."""
    data = {}
    for spec in action.fields:
        value = form[spec.name].data
        if value is None or value == "":
            data[spec.name] = None
        elif spec.kind == "date":
            data[spec.name] = value.isoformat()
        elif spec.kind == "money":
            data[spec.name] = str(value.quantize(_CENT))
        elif spec.kind == "files":
            data[spec.name] = [upload.filename for upload in value]  # replaced once stored
        else:
            data[spec.name] = value
    return data


def json_to_formdata(body: dict) -> MultiDict:
    """A JSON body as form data: lists become repeated keys, booleans the checkbox value."""
    items = []
    for key, value in body.items():
        if isinstance(value, list):
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
}
