"""Template filters and helpers shared by every page."""
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from enforcement.documents import bidi
from workflows.definition import STAGE_LABELS, STATE_LABELS
from workflows.states import STAGES, Stage

CHINA = ZoneInfo("Asia/Shanghai")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def local_time(moment, fmt="%Y-%m-%d %H:%M"):
    if moment is None:
        return ""
    return moment.astimezone(CHINA).strftime(fmt)


def plain_number(value) -> str:
    """A decimal without trailing zeros: 26.000 -> 26, 2.500 -> 2.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def state_label(state):
    return _(STATE_LABELS[state])


def stage_progress(case):
    """The six stages as (label, status): done (the case went through it), current,
    skipped (behind the case but never entered, e.g. no penalty before a transfer) or todo."""
    visited = {STAGES[e.from_state] for e in case.events} | {STAGES[e.to_state]
                                                             for e in case.events}
    current = STAGES[case.state]
    order = list(Stage)
    index = order.index(current) if current is not None else len(order)
    result = []
    for i, stage in enumerate(order):
        if stage is current:
            status = "current"
        elif i < index or current is None:
            status = "done" if stage in visited else "skipped"
        else:
            status = "todo"
        result.append((_(STAGE_LABELS[stage]), status))
    return result


def isolate(value):
    """User text run into a line of a page with other text, isolated as in the notices (a
    bidi control typed in it cannot reorder the rest); not for form values, which would
    come back with the isolating characters."""
    return value if value is None else bidi.isolate(value)


def register(app):
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["state_label"] = state_label
    app.jinja_env.filters["number"] = plain_number
    app.jinja_env.filters["t"] = lambda message: _(message) if message else ""
    app.jinja_env.globals["stage_progress"] = stage_progress

    @app.context_processor
    def _globals():
        return {
            "current_locale": str(get_locale() or "zh"),
            "languages": current_app.config["LANGUAGES"],
            "request_path": request.full_path if request else "/",
        }
