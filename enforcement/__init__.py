"""商标侵权执法办案系统 — the Flask application."""
import logging
from pathlib import Path

from flask import Flask, request, session
from flask_babel import lazy_gettext as _l

from enforcement import inputs, security
from enforcement.db import render_migration_item
from enforcement.errors import register_denial_audit
from enforcement.extensions import babel, bootstrap, csrf, db, login_manager, migrate


def select_locale():
    choice = session.get("lang") if request else None
    if choice:
        return choice
    return "zh"


def create_app(config_object="config.Config", **overrides) -> Flask:
    """The application factory; ``overrides`` win over the configuration object (tests)."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="static")
    app.config.from_object(config_object)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set; see README.md")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True, compare_type=True,
                     render_item=render_migration_item)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "warning"

    _register_models()
    inputs.register(app)  # the id converter must be in place before the routes
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)
    security.register(app)
    register_denial_audit(app)  # every 403/404 of a signed-in user, audited once
    # the engine's per-transition INFO lines say nothing the audit log does not
    logging.getLogger("transitions").setLevel(logging.WARNING)
    return app


def _register_models():
    # import every model module so that metadata and migrations see all tables
    from enforcement.accounts import models as _accounts  # noqa: F401
    from enforcement.audit import models as _audit  # noqa: F401
    from enforcement.auth import models as _auth  # noqa: F401
    from enforcement.campaigns import models as _campaigns  # noqa: F401
    from enforcement.cases import models as _cases  # noqa: F401
    from enforcement.clocks import models as _clocks  # noqa: F401
    from enforcement.documents import models as _documents  # noqa: F401
    from enforcement.evidence import models as _evidence  # noqa: F401
    from enforcement.evidence import thumbnails as _thumbnails  # noqa: F401
    from enforcement.marks import models as _marks  # noqa: F401
    from enforcement.orgs import models as _orgs  # noqa: F401
    from enforcement.outbox import models as _outbox  # noqa: F401
    from enforcement.packets import models as _packets  # noqa: F401
    from enforcement.parties import models as _parties  # noqa: F401
    from enforcement.publicity import models as _publicity  # noqa: F401
    from enforcement.referrals import models as _referrals  # noqa: F401
    from enforcement.reports import models as _reports  # noqa: F401
    from enforcement.rules import models as _rules  # noqa: F401


def _register_blueprints(app):
    from enforcement.accounts.views import bp as accounts_bp
    from enforcement.api import reports as _api_reports  # noqa: F401 (routes on api_bp)
    from enforcement.api.views import bp as api_bp
    from enforcement.audit.views import bp as audit_bp
    from enforcement.auth.views import bp as auth_bp
    from enforcement.campaigns import api as _api_campaigns  # noqa: F401 (routes on api_bp)
    from enforcement.campaigns.views import bp as campaigns_bp
    from enforcement.cases.views import bp as cases_bp
    from enforcement.clocks.views import bp as clocks_bp
    from enforcement.documents.public import bp as verify_bp
    from enforcement.documents.views import bp as documents_bp
    from enforcement.evidence.views import bp as evidence_bp
    from enforcement.main.views import bp as main_bp
    from enforcement.notifications.views import bp as holder_bp
    from enforcement.packets.views import bp as packets_bp
    from enforcement.publicity import api as _api_publicity  # noqa: F401 (routes on api_bp)
    from enforcement.publicity.views import bp as publicity_bp
    from enforcement.referrals import api as _api_referrals  # noqa: F401 (routes on api_bp)
    from enforcement.referrals.views import bp as referrals_bp
    from enforcement.reports.views import bp as reports_bp
    from enforcement.rules.views import bp as rules_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(clocks_bp)
    app.register_blueprint(rules_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(holder_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(packets_bp)
    app.register_blueprint(publicity_bp)
    app.register_blueprint(referrals_bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never cookies


def _register_cli(app):
    from enforcement.cli import register

    register(app)


def _register_template_helpers(app):
    from enforcement.main.helpers import register

    register(app)
