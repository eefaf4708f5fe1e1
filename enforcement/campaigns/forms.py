"""Forms of the campaign pages: a campaign, a case added or taken out, field-work figures."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from enforcement.cases.action_forms import PlausibleDate


def parse_classes(text: str) -> list[int]:
    """'30, 31、29' -> [29, 30, 31]; a ValueError names what is wrong."""
    parts = [p for p in text.replace("、", ",").replace("，", ",").replace(" ", ",").split(",")
             if p]
    classes = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 45:
            raise ValueError(part)
        classes.append(int(part))
    return sorted(set(classes))


class CampaignForm(FlaskForm):
    name = StringField(_l("行动名称"), [InputRequired(message=_l("请填写行动名称")),
                                    Length(max=120)])
    starts_on = DateField(_l("开始日期"), [InputRequired(message=_l("请填写开始日期")),
                                       PlausibleDate()])
    ends_on = DateField(_l("结束日期"), [InputRequired(message=_l("请填写结束日期")),
                                     PlausibleDate()])
    lead_unit_id = SelectField(_l("牵头单位"), coerce=int)
    districts = SelectMultipleField(_l("行动地区（不选为全市）"), [Optional()])
    nice_classes = StringField(_l("重点商品类别（尼斯分类号，以逗号分隔）"), [Optional(),
                                                                   Length(max=200)])
    mark_ids = SelectMultipleField(_l("重点保护商标"), [Optional()], coerce=int)
    goals = TextAreaField(_l("工作目标"), [Optional(), Length(max=2000)])

    def validate_nice_classes(self, field):
        try:
            parse_classes(field.data or "")
        except ValueError as exc:
            raise ValidationError(_("“%(part)s”不是 1 至 45 之间的尼斯分类号",
                                    part=str(exc))) from None

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("结束日期不能早于开始日期"))


class AddCaseForm(FlaskForm):
    number = StringField(_l("登记编号或立案编号"), [InputRequired(message=_l("请填写案件编号")),
                                            Length(max=40)])
    note = StringField(_l("加入理由"), [Optional(), Length(max=200)])


class RemoveCaseForm(FlaskForm):
    reason = StringField(_l("移出理由"), [InputRequired(message=_l("请填写移出理由")),
                                      Length(max=200)])


def _count(label):
    return IntegerField(label, [InputRequired(message=_l("请填写数量，没有的填 0")),
                                NumberRange(min=0, max=1_000_000,
                                            message=_l("数量应在 0 至 1000000 之间"))],
                        default=0)


class FieldWorkForm(FlaskForm):
    year = IntegerField(_l("年度"), [InputRequired(), NumberRange(min=2018, max=2100)])
    quarter = SelectField(_l("季度"), coerce=int,
                          choices=[(1, _l("第一季度")), (2, _l("第二季度")),
                                   (3, _l("第三季度")), (4, _l("第四季度"))])
    campaign_id = SelectField(_l("专项行动"), coerce=int)
    officers = _count(_l("出动执法人员（人次）"))
    businesses = _count(_l("检查经营主体（户次）"))
    markets = _count(_l("检查市场（个次）"))
    online_shops = _count(_l("监测网店（个次）"))
    note = StringField(_l("说明"), [Optional(), Length(max=300)])
