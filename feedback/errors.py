"""Translated error pages that never leak a stack trace."""

import logging
import math
import time

from flask import jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, InterfaceError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from feedback.extensions import db, limiter

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you entered and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or is not available to you.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Please shorten it and try again.")),
    429: (_l("Too many requests"), _l("You have made too many requests. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been recorded; please try again later.")),
    503: (_l("Service unavailable"), _l("The service is temporarily unavailable. Your data is safe; please try again in a few minutes.")),
}


def render_error(code, message=None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    message = message or default_message
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=str(title), message=str(message)), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _seconds_to_wait():
    """Seconds until the exhausted limit of this request frees a slot (60 if the store cannot say)."""
    try:
        waits = [limit.reset_at - time.time() for limit in limiter.current_limits if limit.breached]
    except Exception:  # the limit store went away meanwhile
        waits = []
    return max(1, math.ceil(max(waits))) if waits else 60


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("Your form has expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error):
        response = make_response(render_error(429))
        response.headers["Retry-After"] = str(_seconds_to_wait())
        return response

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        if code not in MESSAGES:
            return error
        # A message set by our own abort(code, description) is shown; Werkzeug's English defaults are not.
        description = error.description if error.description != type(error).description else None
        return render_error(code, description)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(error):
        log.error("database unavailable: %s", type(error).__name__)
        try:
            db.session.rollback()
        except Exception:  # the connection may be gone; the page must still render
            pass
        return render_error(ServiceUnavailable.code)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
