"""Login (password, then the second factor where it applies), logout, the second factor's
own pages, and language choice."""
import time

from flask import (Blueprint, abort, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from enforcement.auth import services, totp
from enforcement.auth.forms import LoginForm, TotpCodeForm
from enforcement.auth.models import User
from enforcement.extensions import db, login_manager
from enforcement.main.helpers import safe_next
from enforcement.security import start_login_session

bp = Blueprint("auth", __name__)

#: session key of a login whose password was right and whose code is awaited; it is not a
#: login: Flask-Login knows nothing of it, so every page but the code pages stays closed
PENDING = "_totp_pending"


@login_manager.user_loader
def load_user(session_id):
    return services.user_for_session(session_id)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.verify_password(form.username.data, form.password.data,
                                            ip=request.remote_addr)
        except services.LoginFailed as exc:
            flash(exc.message(), "danger")
        else:
            next_url = safe_next(request.args.get("next"))
            if totp.applies(user):
                return _await_second_factor(user, next_url)
            services.complete_login(user, ip=request.remote_addr)
            start_login_session(user)
            return redirect(next_url or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


def _await_second_factor(user, next_url):
    """Replace the session by a pending marker (a fresh cookie, as at login) and ask for the
    code — or, for a required role not yet enrolled, for the enrolment."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING] = {"user": user.id, "version": user.session_version,
                        "at": int(time.time()), "next": next_url}
    enrolled = totp.await_second_factor(user, ip=request.remote_addr)
    return redirect(url_for("auth.totp_login" if enrolled else "auth.totp_setup"))


def _pending_user() -> User | None:
    """The user of a live pending marker: not older than five minutes, the account still
    active and its sessions not revoked since the password was given."""
    marker = session.get(PENDING)
    if not isinstance(marker, dict):
        return None
    if int(time.time()) - int(marker.get("at", 0)) > totp.PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, marker.get("user"))
    if user is None or not user.active or user.session_version != marker.get("version"):
        session.pop(PENDING, None)
        return None
    return user


def _pending_lapsed():
    session.pop(PENDING, None)
    flash(_("登录验证已超时或已失效，请重新输入用户名和密码"), "warning")
    return redirect(url_for("auth.login"))


def _finish_login(user):
    next_url = (session.get(PENDING) or {}).get("next")
    start_login_session(user)  # clears the pending marker with the rest of the session
    return redirect(safe_next(next_url) or url_for("main.dashboard"))


@bp.route("/login/totp", methods=["GET", "POST"])
def totp_login():
    user = _pending_user()
    if user is None:
        return _pending_lapsed()
    if not totp.is_enrolled(user):
        return redirect(url_for("auth.totp_setup"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            totp.complete_login(user, form.code.data, ip=request.remote_addr)
        except totp.SecondFactorFailed as exc:
            if exc.locked:
                session.pop(PENDING, None)
                flash(exc.message(), "danger")
                return redirect(url_for("auth.login"))
            flash(exc.message(), "danger")
        else:
            return _finish_login(user)
    return render_template("auth/totp_login.html", form=form)


# -- enrolment ---------------------------------------------------------------------------
def _enrolling_user() -> tuple[User | None, bool]:
    """Who is enrolling, and whether it is the forced enrolment of a login in progress."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    return _pending_user(), True


@bp.route("/account/totp/setup", methods=["GET", "POST"])
def totp_setup():
    user, forced = _enrolling_user()
    if user is None:
        return _pending_lapsed()
    if not totp.may_enrol(user):
        abort(403)
    if totp.is_enrolled(user):
        return redirect(url_for("auth.totp_login" if forced else "auth.totp_account"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(user, form.code.data, ip=request.remote_addr)
        if codes is not None:
            if forced:
                services.complete_login(user, ip=request.remote_addr, second_factor="enrolment")
                next_url = (session.get(PENDING) or {}).get("next")
                start_login_session(user)
            else:
                next_url = url_for("auth.totp_account")
            return render_template("auth/recovery_codes.html", codes=codes, enrolled=True,
                                   next_url=safe_next(next_url) or url_for("main.dashboard"))
        flash(_("验证码不正确：请确认手机时间准确，并输入身份验证器当前显示的6位数字"), "danger")
    enrolling = totp.begin_enrolment(user)
    uri = totp.provisioning_uri(user, enrolling.secret)
    return render_template("auth/totp_setup.html", form=form, forced=forced,
                           secret=enrolling.secret, qr=totp.qr_data_uri(uri),
                           required=totp.required_for(user))


# -- the account's second factor ---------------------------------------------------------
@bp.route("/account/totp")
@login_required
def totp_account():
    if not totp.may_enrol(current_user):
        abort(403)
    return render_template("auth/totp_account.html", form=TotpCodeForm(),
                           enrolled=totp.is_enrolled(current_user),
                           required=totp.required_for(current_user),
                           remaining=totp.unused_recovery_codes(current_user))


@bp.route("/account/totp/recovery-codes", methods=["POST"])
@login_required
def totp_recovery_codes():
    form = TotpCodeForm()
    if not form.validate_on_submit() or not totp.is_enrolled(current_user):
        abort(400)
    try:
        codes = totp.regenerate_recovery_codes(current_user._get_current_object(),
                                               form.code.data, ip=request.remote_addr)
    except totp.SecondFactorFailed as exc:
        flash(exc.message(), "danger")
        return redirect(url_for("auth.totp_account"))
    return render_template("auth/recovery_codes.html", codes=codes, enrolled=False,
                           next_url=url_for("auth.totp_account"))


@bp.route("/account/totp/disable", methods=["POST"])
@login_required
def totp_disable():
    form = TotpCodeForm()
    if not form.validate_on_submit() or not totp.is_enrolled(current_user):
        abort(400)
    try:
        totp.disable(current_user._get_current_object(), form.code.data,
                     ip=request.remote_addr)
    except (totp.SecondFactorFailed, totp.TotpRequiredByRole) as exc:
        flash(exc.message(), "danger")
    else:
        flash(_("两步验证已停用"), "success")
    return redirect(url_for("auth.totp_account"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.logout(current_user._get_current_object(), ip=request.remote_addr)
    logout_user()
    session.clear()
    flash(_("您已安全退出"), "success")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
