"""Domain errors that views and the API translate into responses."""
from flask_babel import gettext as _


class DomainError(Exception):
    status = 400
    code = "error"

    def message(self) -> str:
        return _("请求无法处理")


class NotFound(DomainError):
    """Missing, or outside the user's jurisdiction: both look the same from outside."""

    status = 404
    code = "not_found"

    def message(self):
        return _("未找到该记录，或您无权查看")


class Refused(DomainError):
    """A workflow action refused by state, permission, jurisdiction or guard."""

    code = "refused"

    def __init__(self, refusals):
        super().__init__(refusals)
        self.refusals = refusals

    @property
    def status(self):
        return 403 if self.refusals[0].code in ("permission", "jurisdiction") else 409

    def reasons(self) -> list[str]:
        # parameters are message ids too (e.g. a state label): translate them as well
        return [_(r.reason, **{k: _(v) for k, v in r.params}) for r in self.refusals]

    def message(self):
        return "；".join(self.reasons())


class Stale(DomainError):
    status = 409
    code = "stale"

    def message(self):
        return _("该案件已被他人修改，请刷新后重试")


class Invalid(DomainError):
    status = 422
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    def message(self):
        return _("提交的内容有误，请按提示修改")
