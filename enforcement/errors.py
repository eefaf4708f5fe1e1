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


# -- auditing every denial -----------------------------------------------------------------------

#: the audit actions that record a refused read or action; one per denied request
DENIAL_ACTIONS = frozenset({"access.denied", "case.refused"})
#: the answers that deny: forbidden, or hidden as "not found" (jurisdiction looks like absence)
DENIAL_STATUSES = {403: "forbidden", 404: "not_found"}


def register_denial_audit(app) -> None:
    """Audit every 403/404 a logged-in user or an API token gets on a known route, once.

    The services audit the denials they decide (``access.denied`` with the object, and
    ``case.refused``); a view that answers 403/404 by itself (a permission check, an object of
    another case, a stats unit outside the jurisdiction) is audited here, with the path,
    method and reason. Anonymous visitors are not audited: staff pages send them to the login
    page, and a public page's 404 says nothing about anyone's data (no log flooding). An
    unknown URL (no route) is no denial either."""
    from flask import g, request

    @app.after_request
    def _audit_denial(response):
        reason = DENIAL_STATUSES.get(response.status_code)
        if reason is None or request.url_rule is None or g.get("denial_audited"):
            return response
        actor = _authenticated_actor()
        if actor is not None:
            _record_denial(actor, reason, response.status_code)
        return response


def _authenticated_actor():
    """The API token's user, or the logged-in user; None for a visitor."""
    from flask import g
    from flask_login import current_user

    if g.get("api_user") is not None:
        return g.api_user
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _record_denial(actor, reason: str, status: int) -> None:
    """One audit row in its own transaction: what the refused request had begun is dropped
    (a denied request changes nothing anyway)."""
    import logging

    from flask import request

    from enforcement.audit import services as audit
    from enforcement.extensions import db

    try:
        db.session.rollback()
        audit.record("access.denied", actor=actor, ip=request.remote_addr, reason=reason,
                     status=status, method=request.method, path=request.path[:300],
                     endpoint=request.endpoint)
        db.session.commit()
    except Exception:  # the refusal stands even if its audit row cannot be written
        db.session.rollback()
        logging.getLogger(__name__).exception("denial of %s %s to %s not audited",
                                              request.method, request.path, actor.username)
