"""CSRF protection is on for every POST outside tests."""

from tests.conftest import PASSWORD


def test_post_without_token_is_rejected(extra_app):
    client = extra_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"email": "x@example.test", "password": PASSWORD},
                           headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_forged_token_is_rejected(extra_app):
    client = extra_app(WTF_CSRF_ENABLED=True).test_client()
    client.get("/login")
    response = client.post("/login", data={"email": "x@example.test", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400


def test_logout_requires_a_token(extra_app):
    assert extra_app(WTF_CSRF_ENABLED=True).test_client().post("/logout").status_code == 400


def test_login_works_with_the_token(extra_app, make_user):
    user = make_user("chief", "CM-TPCM")
    client = extra_app(WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
