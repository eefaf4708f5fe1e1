"""Response headers every page, download and error carries; login sessions' time-outs."""
import time

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
#: directives every policy carries, also one a view sets itself (evidence files get a
#: sandbox policy): base-uri and frame-ancestors do not fall back to default-src
REQUIRED_CSP = {"object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'"}


def _complete_policy(policy: str) -> str:
    """A view's own policy with the required directives it left out added."""
    present = {part.split()[0].lower() for part in policy.split(";") if part.strip()}
    missing = [f"{name} {value}" for name, value in REQUIRED_CSP.items()
               if name not in present]
    return "; ".join([policy.strip().rstrip(";")] + missing) if missing else policy


def register(app: Flask) -> None:
    register_session_timeouts(app)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = _complete_policy(
            headers.get("Content-Security-Policy", CSP))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # case files are not to be kept by browsers or proxies
        if not request.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        return response


#: session keys: when the login began and when its last request came (epoch seconds, in the
#: signed session cookie, so that a copied cookie cannot be kept alive by editing them)
STARTED, SEEN = "_login_started", "_login_seen"
#: how often the last-request time is rewritten (each rewrite re-sends the cookie)
SEEN_RESOLUTION = 30


def start_login_session(user) -> None:
    """Log ``user`` in on a fresh session (nothing carried over from before but the chosen
    language: a new cookie value, so a cookie planted before login is worthless), and start
    the session's clocks."""
    from flask_login import login_user

    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session[STARTED] = session[SEEN] = int(time.time())


def register_session_timeouts(app: Flask) -> None:
    @app.before_request
    def _session_timeouts():
        if "_user_id" not in session or request.endpoint in (None, "static", "auth.login"):
            return None
        now = int(time.time())
        started, seen = session.get(STARTED), session.get(SEEN)
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        if started is None or seen is None or now - seen > idle or now - started > absolute:
            return _expire(now, started, seen, idle)
        if now - seen >= SEEN_RESOLUTION:
            session[SEEN] = now
        return None


def _expire(now, started, seen, idle):
    from enforcement.audit import services as audit
    from enforcement.extensions import db

    user_id = str(session.get("_user_id", "")).split(":")[0]
    reason = "idle" if seen is not None and now - seen > idle else "absolute"
    audit.record("auth.session_expired", obj_type="user", obj_id=user_id or None,
                 ip=request.remote_addr, reason=reason)
    db.session.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    if request.path.startswith("/api/"):
        return None  # the API authenticates by bearer token, not by this cookie
    flash(_("登录已超时，请重新登录") if reason == "idle"
          else _("登录已超过最长时限，请重新登录"), "warning")
    return redirect(url_for("auth.login", next=request.full_path
                            if request.method == "GET" else None))
