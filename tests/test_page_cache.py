"""The shared page cache keeps only what is marked public, and never serves a signed-in visitor."""

import pytest
from flask import Flask, make_response, request
from werkzeug.test import Client

from feedback.page_cache import MAX_SECONDS, PublicPageCache


@pytest.fixture
def site():
    app = Flask(__name__)
    calls = {"n": 0}

    def counted(body, status=200, public=True, cookie=False, max_age=30):
        calls["n"] += 1
        response = make_response(f"{body} #{calls['n']} {request.headers.get('Accept-Language', '')}", status)
        if public:
            response.cache_control.public = True
            response.cache_control.max_age = max_age
        if cookie:
            response.set_cookie("session", "x")
        return response

    app.add_url_rule("/public", endpoint="public", view_func=lambda: counted("public"))
    app.add_url_rule("/private", endpoint="private", view_func=lambda: counted("private", public=False))
    app.add_url_rule("/missing", endpoint="missing", view_func=lambda: counted("missing", status=404))
    app.add_url_rule("/cookie", endpoint="cookie", view_func=lambda: counted("cookie", cookie=True))
    app.add_url_rule("/long", endpoint="long", view_func=lambda: counted("long", max_age=86400))
    app.add_url_rule("/public", endpoint="post", methods=["POST"], view_func=lambda: counted("posted"))
    cache = PublicPageCache(app.wsgi_app, private_cookies=("session",))
    app.wsgi_app = cache
    return app, cache


def body(client, path, **kwargs):
    return client.get(path, **kwargs).get_data(as_text=True)


def test_public_pages_are_shared_until_cleared(site):
    app, cache = site
    client = Client(app)
    first = body(client, "/public")
    assert body(client, "/public") == first == "public #1 "
    assert client.get("/public").headers["Cache-Control"] == "public, max-age=30"
    assert body(client, "/public?page=2") == "public #2 "  # the query is part of the key
    assert body(client, "/public", headers={"Accept-Language": "en"}) == "public #3 en"
    cache.clear()
    assert body(client, "/public") == "public #4 "


def test_what_is_never_cached(site):
    app, cache = site
    client = Client(app)
    for path in ("/private", "/missing", "/cookie"):
        assert body(client, path) != body(client, path)
    assert client.post("/public").get_data(as_text=True) != client.post("/public").get_data(as_text=True)
    # A visitor with a session always reaches the app, and their page is not stored either.
    client.get("/public")
    client.set_cookie("session", "someone")
    assert body(client, "/public") != body(client, "/public")


def test_language_cookie_is_part_of_the_key_and_long_max_ages_are_capped(site, monkeypatch):
    app, cache = site
    client = Client(app)
    english = Client(app)
    english.set_cookie("lang", "en")
    assert body(client, "/public") != body(english, "/public")
    assert body(english, "/public") == body(english, "/public")
    clock = [1000.0]
    monkeypatch.setattr("feedback.page_cache.time.monotonic", lambda: clock[0])
    long = body(client, "/long")
    clock[0] += MAX_SECONDS - 1
    assert body(client, "/long") == long
    clock[0] += 2
    assert body(client, "/long") != long


def test_a_private_cookie_that_passes_its_test_shares_the_cache(site):
    app, cache = site
    cache.shareable = {"session": lambda value: value == "harmless"}
    harmless, other = Client(app), Client(app)
    harmless.set_cookie("session", "harmless")
    other.set_cookie("session", "signed-in")
    first = body(harmless, "/public")
    assert body(harmless, "/public") == first == body(Client(app), "/public")
    assert body(other, "/public") != body(other, "/public") != first


def test_session_is_shareable_only_when_signed_and_holding_no_user_or_message():
    from flask import session

    from feedback.page_cache import session_is_shareable

    app = Flask(__name__)
    app.secret_key = "test-secret"

    def cookie_for(**data):
        with app.test_request_context():
            session.update(data)
            return app.session_interface.get_signing_serializer(app).dumps(dict(session))

    assert session_is_shareable(app, cookie_for(csrf_token="abc", tracked_opinion=7))
    assert not session_is_shareable(app, cookie_for(csrf_token="abc", _user_id="3"))
    assert not session_is_shareable(app, cookie_for(_flashes=[("success", "Done")]))
    genuine = cookie_for(csrf_token="abc")
    assert not session_is_shareable(app, genuine[:-2] + ("xx" if not genuine.endswith("xx") else "yy"))
    app.secret_key = "another-secret"  # signed by someone else
    assert not session_is_shareable(app, genuine)
