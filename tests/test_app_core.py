"""The factory, configuration, security headers, error pages, health check and languages."""

import pytest
from flask import abort

from feedback import create_app
from feedback.config import ConfigError
from tests.conftest import make_app


def test_secret_key_required_outside_development(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("LANGNGHE_ENV", "production")
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_secret_is_generated_once(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("LANGNGHE_ENV", "development")
    from feedback.config import development_secret

    first = development_secret(tmp_path)
    assert len(first) == 64 and development_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_and_postgres_url(monkeypatch):
    monkeypatch.setenv("LANGNGHE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers_on_every_response(client):
    for path in ["/", "/login", "/no-such-page", "/healthz", "/static/css/app.css"]:
        response = client.get(path)
        response.close()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_in_pages(client):
    html = client.get("/").get_data(as_text=True) + client.get("/login").get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_health_check_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_503_when_database_is_down(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_pages_needing_the_database_give_503_when_it_is_down(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", tmp_path)
    response = app.test_client().get("/login", headers={"Accept-Language": "vi"})
    assert response.status_code in (200, 503)  # the login form itself needs no database
    response = app.test_client().post("/login", data={"email": "a@b.c", "password": "x" * 12})
    assert response.status_code == 503
    assert "Dịch vụ tạm thời không khả dụng" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "Không tìm thấy trang"), ("en", "Page not found")],
)
def test_error_pages_are_translated(client, language, expected):
    response = client.get("/missing", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert expected in response.get_data(as_text=True)


def test_vietnamese_is_the_default_language(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Công an lắng nghe ý kiến nhân dân" in html


def test_language_cookie_wins_over_accept_language(client):
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_accept_language_used_without_cookie(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_unknown_locale_is_404_and_open_redirect_refused(client):
    assert client.get("/lang/xx").status_code == 404
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/"


def test_method_not_allowed_is_translated(client):
    response = client.post("/healthz", headers={"Accept-Language": "vi"})
    assert response.status_code in (400, 405)
    response = client.delete("/", headers={"Accept-Language": "vi"})
    assert response.status_code == 405
    assert "Phương thức không được phép" in response.get_data(as_text=True)


def test_oversized_request_gets_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "a@b.c", "password": "x" * 5000},
                           headers={"Accept-Language": "vi"})
    assert response.status_code == 413
    assert "Quá lớn" in response.get_data(as_text=True)


def test_unexpected_error_gives_translated_500_without_stack_trace(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", headers={"Accept-Language": "vi"})
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in text and "Traceback" not in text
    assert "Đã xảy ra lỗi" in text


@pytest.mark.parametrize("code", [400, 403, 429])
def test_other_error_pages(app, code):
    app.add_url_rule(f"/fail{code}", f"fail{code}", lambda: abort(code))
    response = app.test_client().get(f"/fail{code}", headers={"Accept-Language": "en"})
    assert response.status_code == code
    assert f"Error code: {code}" in response.get_data(as_text=True)


def test_pages_have_landmarks_and_skip_link(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html and 'name="viewport"' in html
    assert 'aria-label="Ngôn ngữ"' in html


def test_static_assets_are_local(client):
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
