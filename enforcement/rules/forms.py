"""The form of one rule version, built from the figures the catalogue names."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from enforcement.clocks.kinds import UNIT_LABELS
from enforcement.rules.catalogue import CONFIDENCE, RuleKind


class RuleForm(FlaskForm):
    effective_from = DateField(_l("施行日期"), [InputRequired()])
    source = StringField(_l("来源（法律、司法解释或文件名称及条款）"),
                         [InputRequired(), Length(max=300)])
    confidence = SelectField(_l("可信度"), [InputRequired()],
                             choices=list(CONFIDENCE.items()))
    note = TextAreaField(_l("备注"), [Optional(), Length(max=2000)])


def _figure_field(figure):
    presence = InputRequired() if figure.required else Optional()
    if figure.kind == "money":
        return DecimalField(figure.label, [presence, NumberRange(min=0)], places=2)
    if figure.kind in ("count", "years"):
        return IntegerField(figure.label, [presence, NumberRange(min=1)])
    if figure.kind == "factor":
        return DecimalField(figure.label, [presence, NumberRange(min=0, max=1)], places=2)
    if figure.kind == "unit":
        return SelectField(figure.label, [presence],
                           choices=[(u, UNIT_LABELS[u]) for u in ("working_days", "days")])
    return TextAreaField(figure.label, [presence, Length(max=2000)])


def rule_form(kind: RuleKind, rule=None, formdata=None):
    """A form for a version of ``kind``, prefilled from ``rule`` when correcting or copying."""
    attrs = {f"figure_{f.name}": _figure_field(f) for f in kind.figures}
    form_class = type("RuleVersionForm", (RuleForm,), attrs)
    form = form_class(formdata=formdata)
    if rule is not None and formdata is None:
        form.source.data, form.confidence.data, form.note.data = (rule.source, rule.confidence,
                                                                  rule.note)
        for figure in kind.figures:
            value = rule.value.get(figure.name)
            if value is not None and figure.kind in ("money", "factor"):
                value = Decimal(str(value))
            form[f"figure_{figure.name}"].data = value
    return form


def figures(kind: RuleKind, form) -> dict:
    """The figures as stored: money and factors as decimal strings (exact in JSON)."""
    value = {}
    for figure in kind.figures:
        data = form[f"figure_{figure.name}"].data
        if data is None or data == "":
            continue
        value[figure.name] = str(data) if isinstance(data, Decimal) else data
    return value
