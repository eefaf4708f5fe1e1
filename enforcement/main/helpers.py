"""Template filters and helpers shared by every page."""
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

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


def state_label(state):
    return _(STATE_LABELS[state])


def stage_progress(state):
    """The six stages with the case's position: (label, status) where status is
    done / current / todo."""
    current = STAGES[state]
    order = list(Stage)
    if current is None:  # closed: every stage behind it
        return [(_(STAGE_LABELS[s]), "done") for s in order]
    index = order.index(current)
    return [(_(STAGE_LABELS[s]), "done" if i < index else "current" if i == index else "todo")
            for i, s in enumerate(order)]


def register(app):
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["state_label"] = state_label
    app.jinja_env.filters["t"] = lambda message: _(message) if message else ""
    app.jinja_env.globals["stage_progress"] = stage_progress

    @app.context_processor
    def _globals():
        return {
            "current_locale": str(get_locale() or "zh"),
            "languages": current_app.config["LANGUAGES"],
            "request_path": request.full_path if request else "/",
        }
