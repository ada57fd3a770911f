"""Configuration: safe defaults, overridden by environment variables in production."""

import os
import secrets
from pathlib import Path

ENV_SETTINGS = {
    # name: (config key, converter)
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "MAIL_BACKEND": ("MAIL_BACKEND", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", lambda v: v.lower() in {"1", "true", "yes"}),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "CLASSIFIER_MODEL_DIR": ("CLASSIFIER_MODEL_DIR", str),
    "PROXY_COUNT": ("PROXY_COUNT", int),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "SITE_URL": ("SITE_URL", str),
}


class ConfigError(RuntimeError):
    """Raised at start-up when a required production setting is missing."""


def default_config(instance_path):
    """The defaults every environment starts from."""
    return {
        "LANGNGHE_ENV": os.environ.get("LANGNGHE_ENV", "production"),
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "langnghe.sqlite3"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "langnghe_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # Opinions are at most 5,000 characters; 2 MB leaves room for forms and uploads.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 500,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": "../translations",
        "LANGUAGES": {"vi": "Tiếng Việt", "en": "English"},
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_STRATEGY": "moving-window",
        # No X-RateLimit-* headers on every response: working them out costs one more storage
        # round trip per request. A refused request still says when to retry (feedback.errors).
        "RATELIMIT_HEADERS_ENABLED": False,
        # A Redis outage must not take the site down: count in memory meanwhile.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_FAILURE_LIMIT": "5 per 15 minutes",
        "MAIL_BACKEND": "file",
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "langnghe@localhost",
        "CLASSIFIER_MODEL_DIR": None,
        "PROXY_COUNT": 0,
        "SITE_URL": None,
        # Survey results: groups with fewer responses show no breakdown (anonymity, no false rankings).
        "SURVEY_MIN_GROUP_SIZE": 5,
        "SURVEY_RESPONSE_LIMIT": "20 per 10 minutes",
        # Forum (citizen side). Days to answer by kind: see feedback/forum/services.py for the legal grounds.
        "OPINION_DEADLINE_DAYS": {"question": 7, "suggestion": 10, "report": 10, "praise": 10, "complaint": 30},
        "OPINION_SUBMIT_LIMIT": "5 per minute;30 per day",
        "RECEIPT_LOOKUP_LIMIT": "10 per hour",
        "RECEIPT_SECRET": None,  # key of the receipt-code HMAC; SECRET_KEY when unset
        "FORUM_PAGE_SIZE": 20,
        # Seconds a worker keeps a rendered public forum page (0: no cache).
        "FORUM_CACHE_SECONDS": 10,
        # Model tags count in scores and filters from this confidence on (confirmed tags always count).
        "TAG_CONFIDENCE_THRESHOLD": 0.6,
        # Tag and route new opinions in a background thread (True), or inside the citizen's request.
        "TAG_IN_BACKGROUND": True,
        # How often a worker re-reads which model version the admin activated.
        "CLASSIFIER_REFRESH_SECONDS": 30,
    }


def load_config(app, test_config=None):
    """Fill app.config from defaults, the environment and, for tests, a mapping."""
    app.config.from_mapping(default_config(app.instance_path))
    for env_name, (key, convert) in ENV_SETTINGS.items():
        value = os.environ.get(env_name)
        if value:
            app.config[key] = convert(value)
    if test_config is not None:
        app.config.from_mapping(test_config)

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith(("postgres://", "postgresql://")):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.split("://", 1)[1]

    is_development = app.config["LANGNGHE_ENV"] == "development" or app.config.get("TESTING")
    if is_development:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if not app.config.get("SECRET_KEY"):
        if not is_development:
            raise ConfigError("SECRET_KEY must be set outside development (LANGNGHE_ENV=development).")
        app.config["SECRET_KEY"] = development_secret(app.instance_path)


def development_secret(instance_path):
    """A random key generated once into the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
