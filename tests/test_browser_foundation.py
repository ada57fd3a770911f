"""In headless Chromium: a chief logs in, sees the units of their subtree, switches language, logs out."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_chief_logs_in_sees_subtree_switches_language_and_logs_out(live_server, page, make_user):
    chief = make_user("chief", "CM-TPCM", name="Trần Văn Chỉ Huy")
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"

    page.get_by_role("link", name="Cán bộ đăng nhập").click()
    page.get_by_label("E-mail").fill(chief.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.wait_for_url("**/staff/units")
    tree = page.get_by_role("list", name="Đơn vị")
    expect(tree.get_by_role("link", name="Công an thành phố Cà Mau")).to_be_visible()
    expect(tree.get_by_role("link", name="Công an Phường 5")).to_be_visible()
    expect(tree.get_by_role("link", name="Công an Phường 9")).to_be_visible()
    assert "Thới Bình" not in tree.inner_text()

    page.get_by_role("navigation", name="Ngôn ngữ").get_by_role("link", name="English").click()
    page.wait_for_url("**/staff/units")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Units")).to_be_visible()
    expect(page.get_by_role("list", name="Units").get_by_role("link", name="Ca Mau City Police")).to_be_visible()

    page.get_by_role("button", name="Log out (Trần Văn Chỉ Huy)").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(live_server.url + "/staff/units")
    assert "/login" in page.url


def test_keyboard_user_reaches_main_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến nội dung chính")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_home_page_fits_a_phone(live_server, page):
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
