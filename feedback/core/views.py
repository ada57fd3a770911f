from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from feedback.database import is_database_up
from feedback.extensions import limiter
from feedback.i18n import LANGUAGE_COOKIE
from feedback.urls import safe_next_url

bp = Blueprint("core", __name__, template_folder="templates")


@bp.route("/")
def home():
    return render_template("core/home.html")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    if is_database_up():
        return jsonify(status="ok", database="ok")
    return jsonify(status="error", database="unreachable"), 503


@bp.route("/lang/<code>")
def set_language(code):
    """The visible language switch: remembered for a year in a cookie."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next_url(request.args.get("next"), url_for("core.home")))
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
    )
    return response
