"""SQLite pragmas, locale formatting, Redis-backed rate limits and their fallback, access-log privacy."""

import logging
import uuid
from datetime import datetime

import pytest
import redis
from flask import render_template_string
from sqlalchemy import text

from feedback import DropClientAddress
from tests.conftest import PASSWORD


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        assert db.session.execute(text("SHOW server_version")).scalar()
        return
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    ("language", "number", "date"),
    [("vi", "1.234.567,5", "21 thg 11, 2026"), ("en", "1,234,567.5", "Nov 21, 2026")],
)
def test_numbers_and_dates_follow_the_locale(app, language, number, date):
    template = "{{ 1234567.5|number }}|{{ when|date }}"
    with app.test_request_context(headers={"Accept-Language": language}):
        rendered = render_template_string(template, when=datetime(2026, 11, 21, 3, 0))
    assert rendered == f"{number}|{date}"


def redis_available():
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_login_throttling_with_redis_storage(extra_app, make_user):
    assert redis_available(), "Redis must run on 127.0.0.1:6379 for this test"
    user = make_user("chief", "CM-TPCM")
    prefix = f"test-{uuid.uuid4().hex}"
    limited = extra_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                        RATELIMIT_KEY_PREFIX=prefix).test_client()
    try:
        for attempt in range(5):
            assert limited.post("/login", data={"email": user.email, "password": f"wrong-{attempt}-x"}).status_code == 200
        assert limited.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    finally:
        client = redis.Redis(host="127.0.0.1", port=6379, db=15)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
        client.close()


def test_unreachable_redis_degrades_to_memory(extra_app, make_user):
    user = make_user("chief", "CM-TPCM")
    app = extra_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_access_log_drops_client_address():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - [%s] "%s" %s %s', ("203.0.113.9", "21/Nov/2026", "GET /track", "200", "-"), None)
    DropClientAddress().filter(record)
    assert "203.0.113.9" not in record.getMessage()
    plain = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '198.51.100.4 - - [21/Nov/2026] "GET /" 200 -', (), None)
    DropClientAddress().filter(plain)
    assert "198.51.100.4" not in plain.getMessage()
