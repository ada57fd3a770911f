"""Lắng nghe: the Flask application factory."""

import gc
import logging
import os
from functools import partial

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from feedback.config import load_config
from feedback.page_cache import PublicPageCache, session_is_shareable


def create_app(test_config=None):
    """Create and configure the application; blueprints are imported here to avoid cycles."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, test_config)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from feedback import database, errors, i18n, navigation, security  # noqa: F401  (database registers SQLite pragmas)
    from feedback.classification import ClassifierHolder
    from feedback.extensions import babel, csrf, db, limiter, login_manager, migrate
    from feedback.forum.tagging import TaggingQueue

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "error"
    i18n.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.extensions["classifier"] = ClassifierHolder(app.config["CLASSIFIER_MODEL_DIR"])
    app.extensions["tagging"] = TaggingQueue(app)

    from feedback import models  # noqa: F401  (the whole schema, for create_all and Alembic)
    from feedback.accounts.views import bp as accounts_bp
    from feedback.cases.views import bp as cases_bp
    from feedback.classifier_admin.views import bp as classifier_admin_bp
    from feedback.core.views import bp as core_bp
    from feedback.dashboard.views import bp as dashboard_bp
    from feedback.forum.views import bp as forum_bp
    from feedback.inbox.views import bp as inbox_bp
    from feedback.moderation.views import bp as moderation_bp
    from feedback.units.views import bp as units_bp
    from surveys.views import bp as surveys_bp

    for blueprint in (core_bp, accounts_bp, units_bp, forum_bp, moderation_bp, inbox_bp, cases_bp, dashboard_bp,
                      classifier_admin_bp, surveys_bp):
        app.register_blueprint(blueprint)

    from feedback import cli

    cli.init_app(app)
    # Outermost, so that a cached public page costs no more than a dictionary lookup.
    session_cookie = app.config["SESSION_COOKIE_NAME"]
    app.wsgi_app = PublicPageCache(
        app.wsgi_app, private_cookies=(session_cookie, app.config.get("REMEMBER_COOKIE_NAME", "remember_token")),
        shareable={session_cookie: partial(session_is_shareable, app)},
    )
    app.extensions["public_page_cache"] = app.wsgi_app
    quiet_request_logs()
    return app


def prepare_to_fork(app):
    """Before a pre-forking server (gunicorn --preload) starts its workers: load the classifier
    once, so that they share its memory and none spends its first seconds loading it; then
    freeze what is loaded, which lives as long as the workers, so that the garbage collector
    need not walk it again in each of them (nor touch, and so copy, its memory pages)."""
    app.extensions["classifier"].warm_up()
    gc.collect()
    gc.freeze()


class DropClientAddress(logging.Filter):
    """Werkzeug's access log starts with the client's IP address: citizens' IPs must not be logged."""

    def filter(self, record):
        if isinstance(record.args, tuple) and record.args and "%s - - [%s]" in str(record.msg):
            record.args = ("-",) + record.args[1:]
        elif isinstance(record.msg, str) and record.msg[:1].isdigit() and " - - [" in record.msg:
            record.msg = "-" + record.msg[record.msg.index(" - - [") :]
        return True


def quiet_request_logs():
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropClientAddress) for f in logger.filters):
        logger.addFilter(DropClientAddress())
