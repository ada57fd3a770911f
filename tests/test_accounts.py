"""Login, throttling, sessions, admin account pages, `flask users create`, scope rules."""

import pytest
from sqlalchemy import select

from feedback.accounts import scope, services
from feedback.accounts.models import Role, User
from feedback.units.models import Unit
from tests.conftest import PASSWORD


def test_login_and_logout(client, auth, make_user):
    chief = make_user("chief", "CM-TPCM")
    response = auth.login(chief)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/units"
    assert client.get("/staff/units").status_code == 200
    assert auth.logout().status_code == 302
    response = client.get("/staff/units")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_and_unknown_email(client, auth, make_user):
    chief = make_user("chief", "CM-TPCM")
    response = auth.login(chief, password="wrong-password-123")
    assert response.status_code == 200
    assert "Sai địa chỉ e-mail hoặc mật khẩu" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": "nobody@example.test", "password": PASSWORD})
    assert "Sai địa chỉ e-mail hoặc mật khẩu" in response.get_data(as_text=True)


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("officer")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_session_cookie_flags(client, auth, make_user):
    response = auth.login(make_user("chief", "CM-TPCM"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_throttled_per_account(extra_app, make_user):
    user = make_user("chief", "CM-TPCM")
    limited_app = extra_app(RATELIMIT_ENABLED=True)
    limited = limited_app.test_client()
    for attempt in range(5):
        response = limited.post("/login", data={"email": user.email, "password": f"bad-{attempt}-password"},
                                environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"})
        assert response.status_code == 200
    response = limited.post("/login", data={"email": user.email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.0.0.99"}, headers={"Accept-Language": "vi"})
    assert response.status_code == 429
    assert "Quá nhiều yêu cầu" in response.get_data(as_text=True)


def test_login_throttled_per_address(extra_app, tree):
    limited_app = extra_app(RATELIMIT_ENABLED=True)
    limited = limited_app.test_client()
    for attempt in range(5):
        limited.post("/login", data={"email": f"guess{attempt}@example.test", "password": "x" * 12})
    assert limited.post("/login", data={"email": "other@example.test", "password": "y" * 12}).status_code == 429


def test_successful_logins_are_not_counted(extra_app, make_user):
    user = make_user("chief", "CM-TPCM")
    limited_app = extra_app(RATELIMIT_ENABLED=True)
    for _ in range(7):
        client = limited_app.test_client()
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_password_change_logs_out_other_sessions(app, make_user):
    user = make_user("officer")
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert client.get("/staff/units").status_code == 200
    response = first.post("/account/password", data={"current_password": PASSWORD, "new_password": "a-new-long-secret",
                                                      "confirm": "a-new-long-secret"})
    assert response.status_code == 302
    assert first.get("/staff/units").status_code == 200
    assert second.get("/staff/units").status_code == 302


def test_password_change_rejects_wrong_current_and_weak(client, auth, make_user):
    auth.login(make_user("officer"))
    response = client.post("/account/password", data={"current_password": "nope-nope-nope", "new_password": "another-long-one",
                                                        "confirm": "another-long-one"})
    assert "Mật khẩu hiện tại không đúng" in response.get_data(as_text=True)
    with pytest.raises(services.AccountError):
        services.check_password_strength("1234567890123")


def test_deactivated_account_loses_its_sessions(app, client, auth, make_user):
    admin = make_user("admin", "CM")
    officer = make_user("officer")
    auth.login(officer)
    assert client.get("/staff/units").status_code == 200
    services.update_account(officer, "officer", officer.unit, is_active=False, actor=admin)
    assert client.get("/staff/units").status_code == 302
    assert auth.login(officer).status_code == 200  # refused: the form is shown again


def test_admin_creates_rerole_and_deactivates(client, auth, make_user, db):
    admin = make_user("admin", "CM")
    auth.login(admin)
    response = client.post("/admin/users/new", data={"full_name": "Nguyễn Văn Mới", "email": "New@Example.org",
                                                     "role": "officer", "unit_code": "cm-tpcm-p9", "password": "long-enough-pw"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.role == Role.officer and user.unit.code == "CM-TPCM-P9"
    response = client.post(f"/admin/users/{user.id}", data={"role": "chief", "unit_code": "CM-TPCM", "is_active": ""})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == Role.chief and user.unit.code == "CM-TPCM" and not user.is_active
    assert client.get("/admin/users").status_code == 200
    response = client.post("/admin/users/new", data={"full_name": "X", "email": "x@example.org", "role": "officer",
                                                     "unit_code": "NOPE", "password": "long-enough-pw"})
    assert response.status_code == 200 and "Không có đơn vị nào có mã này" in response.get_data(as_text=True)


def test_admin_cannot_lock_themselves_out(make_user):
    admin = make_user("admin", "CM")
    with pytest.raises(services.AccountError):
        services.update_account(admin, "chief", admin.unit, True, actor=admin)


@pytest.mark.parametrize("role", ["chief", "officer", "inspector", "moderator"])
def test_admin_pages_refused_to_other_roles(client, auth, make_user, role):
    auth.login(make_user(role, "CM"))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_users_create_command(runner, tree, db):
    result = runner.invoke(args=["users", "create", "--email", "root@example.test", "--name", "Root", "--unit", "CM",
                                 "--password", "a-strong-password"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "root@example.test")).role == Role.admin
    result = runner.invoke(args=["users", "create", "--email", "x@example.test", "--name", "X", "--unit", "NOPE",
                                 "--password", "a-strong-password"])
    assert result.exit_code != 0 and "NOPE" in result.output


def visible_codes(db, user):
    return sorted(db.session.scalars(select(Unit.code).where(scope.scope_filter(user, Unit.id))))


def test_scope_rules_per_role(tree, make_user, db):
    assert visible_codes(db, make_user("chief", "CM-TPCM")) == ["CM-TPCM", "CM-TPCM-P5", "CM-TPCM-P9"]
    assert visible_codes(db, make_user("officer", "CM-TPCM")) == ["CM-TPCM"]
    assert len(visible_codes(db, make_user("inspector", "CM"))) == 10
    assert len(visible_codes(db, make_user("admin", "CM-TPCM-P5"))) == 11
    chief = make_user("chief", "CM-THB")
    assert scope.can_see_unit(chief, tree["CM-THB-TANLOC"].id)
    assert not scope.can_see_unit(chief, tree["CM-TPCM-P5"].id)


def test_staff_unit_pages_check_scope(client, auth, make_user):
    auth.login(make_user("chief", "CM-TPCM"))
    html = client.get("/staff/units").get_data(as_text=True)
    assert "Công an Phường 5" in html and "Thới Bình" not in html
    assert client.get("/staff/units/CM-TPCM-P9").status_code == 200
    assert client.get("/staff/units/CM-THB").status_code == 404
    assert client.get("/staff/units/NOPE").status_code == 404
    assert client.get("/staff/units/CM-TPCM/edit").status_code == 403
    assert "Phường 9" in client.get("/staff/units?q=phuong 9").get_data(as_text=True)
    assert "Tân Lộc" not in client.get("/staff/units?q=tan loc").get_data(as_text=True)


def test_admin_edits_a_unit(client, auth, make_user, tree, db):
    auth.login(make_user("admin", "CM"))
    response = client.post("/staff/units/CM-TPCM-P9/edit", data={"name_vi": "Công an Phường Chín", "name_en": "",
                                                                   "address": "Phường 9", "is_active": "y"})
    assert response.status_code == 302
    db.session.refresh(tree["CM-TPCM-P9"])
    assert tree["CM-TPCM-P9"].name_vi == "Công an Phường Chín"
    assert "phuong chin" in tree["CM-TPCM-P9"].search_text


def test_expired_session_redirects_to_login(client, auth, make_user):
    auth.login(make_user("chief", "CM-TPCM"))
    with client.session_transaction() as session:
        session["_user_id"] = "a-token-that-no-longer-exists"
    response = client.get("/staff/units", headers={"Accept-Language": "vi"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_clusters_page(client, auth, make_user):
    auth.login(make_user("chief", "CM-TPCM"))
    assert client.get("/staff/clusters?year=2026").status_code == 200
    assert client.get("/staff/clusters?year=abc").status_code == 200
