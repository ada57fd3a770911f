"""Language choice: a cookie set by the visible switch wins over Accept-Language."""

from flask import current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

LANGUAGE_COOKIE = "lang"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(list(languages), default=current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app):
    app.jinja_env.filters.update(
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        number=lambda value: format_decimal(value) if value is not None else "",
        percent=lambda value, fmt=None: format_percent(value, fmt) if value is not None else "",
    )

    @app.context_processor
    def language_context():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
