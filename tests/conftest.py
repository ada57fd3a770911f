"""Fixtures: the app on SQLite and on PostgreSQL, users of every role, a small unit tree, a live server."""

import os
import socket
import threading
import uuid

import psycopg
import pytest
from hypothesis import settings
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from feedback import create_app
from feedback.accounts import services as accounts
from feedback.extensions import db as _db
from feedback.units import services as units

# CI must not flip on a new random draw: the same examples every run there, fresh ones on developers' machines.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PASSWORD = "correct-horse-battery-staple"
DATABASES = [name.strip() for name in os.environ.get("LANGNGHE_TEST_DATABASES", "sqlite,postgresql").split(",") if name.strip()]
POSTGRES_ADMIN_URL = os.environ.get("LANGNGHE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

SMALL_TREE_CSV = """code,parent_code,level,name_vi,name_en,address,active
BCA,,ministry,Bộ Công an,Ministry of Public Security,Hà Nội,1
CM,BCA,province,Công an tỉnh Cà Mau,Ca Mau Provincial Police,"Phường 5, TP Cà Mau",1
CM-PC06,CM,department,Phòng Cảnh sát QLHC về TTXH,Administrative Police Division,"Phường 5, TP Cà Mau",1
CM-PC08,CM,department,Phòng Cảnh sát giao thông,Traffic Police Division,"Phường 9, TP Cà Mau",1
CM-PC08-D1,CM-PC08,team,Đội CSGT đường bộ số 1,,"Phường 9, TP Cà Mau",1
CM-TPCM,CM,district,Công an thành phố Cà Mau,Ca Mau City Police,"Phường 5, TP Cà Mau",1
CM-TPCM-P5,CM-TPCM,commune,Công an Phường 5,Ward 5 Police,"Phường 5, TP Cà Mau, tỉnh Cà Mau",1
CM-TPCM-P9,CM-TPCM,commune,Công an Phường 9,Ward 9 Police,"Phường 9, TP Cà Mau, tỉnh Cà Mau",1
CM-THB,CM,district,Công an huyện Thới Bình,Thoi Binh District Police,"Thị trấn Thới Bình",1
CM-THB-TTTHOIBINH,CM-THB,commune,Công an thị trấn Thới Bình,,"Thị trấn Thới Bình, huyện Thới Bình",1
CM-THB-TANLOC,CM-THB,commune,Công an xã Tân Lộc,,"Xã Tân Lộc, huyện Thới Bình",1
"""


def _postgres_database(worker):
    """Create a fresh, uniquely named database; returns (url, drop function)."""
    name = f"langnghe_test_{worker}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]

    def drop():
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name, drop


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory, request):
    """One database of each kind for this test session (and xdist worker), dropped at the end."""
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "main")
    urls, drops = {}, []
    if "sqlite" in DATABASES:
        urls["sqlite"] = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    if "postgresql" in DATABASES:
        urls["postgresql"], drop = _postgres_database(worker_id)
        drops.append(drop)
    yield urls
    for drop in drops:
        drop()


_schema_ready = set()


class FreshGlobalsClient(FlaskClient):
    """Each request gets its own `g`, as in production, although the test keeps an app context open.

    Flask reuses an open app context for requests, so Flask-Login's user and Flask-Babel's locale,
    both cached on `g`, would otherwise leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        context = _cv_app.get(None)
        if context is None or context.app is not self.application:
            return super().open(*args, **kwargs)
        saved = context.g
        context.g = self.application.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            context.g = saved


def make_app(database_url, instance_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "memory",
        "SERVER_NAME": None,
        # Tests assert right after a submission; the background path has its own tests
        # (test_forum_tagging.py) and the browser tests run with it.
        "TAG_IN_BACKGROUND": False,
        # Argon2id still, at a cost that keeps hundreds of test logins quick.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
    }
    config.update(overrides)
    app = create_app(config)
    app.instance_path = str(instance_path)
    app.test_client_class = FreshGlobalsClient
    return app


def empty_database():
    """Remove every row, keeping the schema (much faster than drop/create per test)."""
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(params=DATABASES)
def app(request, database_urls, tmp_path):
    """The application on one database kind; every test using it runs on each kind."""
    url = database_urls[request.param]
    app = make_app(url, tmp_path)
    with app.app_context():
        if url not in _schema_ready:
            _db.drop_all()
            _db.create_all()
            _schema_ready.add(url)
        yield app
        _db.session.remove()
        empty_database()
        _db.engine.dispose()


@pytest.fixture
def extra_app(app, tmp_path):
    """Factory for a second app on the same database with other settings (rate limits, CSRF on)."""
    created = []

    def make(**overrides):
        other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **overrides)
        created.append(other)
        return other

    yield make
    for other in created:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def tree(app):
    """A small unit tree: the ministry, Cà Mau province, two districts, communes, departments, a team."""
    units.import_units(SMALL_TREE_CSV)
    return {unit.code: unit for unit in _db.session.scalars(_db.select(units.Unit))}


@pytest.fixture
def make_user(tree):
    """Factory: make_user("chief", "CM-TPCM") -> a saved user whose password is PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(role="officer", unit_code="CM-TPCM-P5", email=None, name=None):
        n = next(counter)
        email = email or f"{role}{n}.{unit_code.lower()}@example.test"
        return accounts.create_user(email, name or f"{role.title()} {n}", role, tree[unit_code], PASSWORD)

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user, password=PASSWORD):
        return self.client.post("/login", data={"email": user.email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# --- Live server and browser ------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.port = _free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served over HTTP on 127.0.0.1 in a thread, for the browser; new opinions are
    tagged in the background, as in production."""
    app.config["TAG_IN_BACKGROUND"] = True
    with LiveServer(app) as server:
        yield server
    assert app.extensions["tagging"].join(timeout=30)


CHROMIUM = os.environ.get("LANGNGHE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context per test, phone-sized, Vietnamese first."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
