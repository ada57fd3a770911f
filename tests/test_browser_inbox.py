"""A chief finds a tagged opinion, corrects a tag, answers publicly; the citizen reads it at /track."""

import pytest
from playwright.sync_api import expect

from tests.inbox_helpers import make_opinion
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_chief_corrects_tag_and_answers(app, tree, make_user, live_server, page):
    chief = make_user("chief", "CM-TPCM")
    opinion, receipt = make_opinion(tree["CM-TPCM-P5"], body="Làm căn cước phải chờ cả buổi, cán bộ không hướng dẫn.",
                                    topics=("facilities",), sentiment="neutral", confidence=0.55)
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", chief.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.goto(live_server.url + "/staff/inbox")
    page.get_by_role("button", name="Lọc và tìm kiếm").or_(page.get_by_text("Lọc và tìm kiếm")).first.click()
    page.fill("#q", "can cuoc")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page.locator(".tag-suggested").first).to_be_visible()
    page.click(f"a[href='/staff/inbox/{opinion.id}']")
    assert page.locator("h1").inner_text().startswith(f"Ý kiến số {opinion.id}")
    page.locator("input[name=topics][value=facilities]").uncheck()
    page.locator("input[name=topics][value=procedure]").check()
    page.locator("input[name=sentiment][value=negative]").check()
    page.get_by_role("button", name="Lưu nhãn").click()
    assert "Đã lưu nhãn." in page.locator(".flashes").inner_text()
    assert "Thủ tục hành chính" in page.locator(".tag-confirmed").first.inner_text()
    page.fill("textarea[name=body]:not(#notes textarea)", "Công an phường đã chấn chỉnh việc hướng dẫn làm căn cước.")
    page.locator("input[name=visibility][value=public]").check()
    page.get_by_role("button", name="Gửi trả lời").click()
    assert "Đã gửi trả lời" in page.locator(".flashes").inner_text()

    citizen = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    try:
        track = citizen.new_page()
        track.goto(live_server.url + "/track")
        track.fill("input[name=code]", receipt)
        track.locator("form.narrow [type=submit]").click()
        assert "Công an phường đã chấn chỉnh việc hướng dẫn làm căn cước." in track.locator("main").inner_text()
    finally:
        citizen.close()
