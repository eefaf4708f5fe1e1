"""Login, logout and language choice."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from enforcement.auth import services
from enforcement.auth.forms import LoginForm
from enforcement.extensions import login_manager
from enforcement.main.helpers import safe_next
from enforcement.security import start_login_session

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id):
    return services.user_for_session(session_id)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data,
                                         ip=request.remote_addr)
        except services.LoginFailed as exc:
            flash(exc.message(), "danger")
        else:
            start_login_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


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
