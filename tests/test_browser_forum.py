"""End to end in Chromium: a citizen sends an opinion, a chief answers, a moderator publishes,
the citizen reads the answer with the receipt, the public forum shows the masked text."""

import re

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.forum.models import Opinion
from tests.conftest import PASSWORD
from tests.forum_helpers import use_fake_model

pytestmark = pytest.mark.browser

PHONE = "0912 345 678"
ANSWER = "Công an phường đã cử tổ tuần tra đến kiểm tra, xin cảm ơn anh/chị."


def staff_page(browser, live_server, user):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    staff = context.new_page()
    staff.set_default_timeout(10_000)
    staff.goto(live_server.url + "/login")
    staff.fill("input[name=email]", user.email)
    staff.fill("input[name=password]", PASSWORD)
    staff.locator("main form.narrow [type=submit]").click()
    staff.wait_for_load_state()
    return context, staff


def test_citizen_to_chief_to_moderator_and_back(app, live_server, browser, page, tree, make_user):
    use_fake_model(app)
    chief, moderator = make_user("chief", "CM-TPCM"), make_user("moderator", "CM")

    # The citizen finds the unit without an account and sends an opinion, agreeing to publication.
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "phuong 5 ca mau")
    page.press("input[name=q]", "Enter")
    page.locator("a[href='/u/CM-TPCM-P5']").first.click()
    assert page.locator("h1").inner_text() == "Công an Phường 5"
    page.locator("a[href='/u/CM-TPCM-P5/new']").first.click()
    page.check("input[name=kind][value=report]")
    page.fill("textarea[name=body]", f"Khu trọ hẻm 12 tụ tập đánh bạc mỗi tối, ai cần xác minh gọi {PHONE}.")
    page.check("input[name=wants_publication]")
    page.locator("form.opinion-form [type=submit]").click()
    receipt = re.search(r"\d{5}(?:-\d{5}){4}", page.locator(".receipt-code").inner_text()).group(0)
    opinion_id = db.session.scalar(select(Opinion.id))

    # The chief of the city police answers publicly in the inbox.
    context, staff = staff_page(browser, live_server, chief)
    staff.goto(f"{live_server.url}/staff/inbox/{opinion_id}")
    staff.fill("form[action$='/answer'] textarea[name=body]", ANSWER)
    staff.locator("form[action$='/answer'] [type=submit]").click()
    staff.wait_for_load_state()
    context.close()

    # A moderator publishes it; the preview is already masked.
    context, staff = staff_page(browser, live_server, moderator)
    staff.goto(live_server.url + "/staff/moderation/")
    preview = staff.locator(f"#p{opinion_id}-public_text").input_value()
    assert PHONE not in preview and "[số điện thoại đã ẩn]" in preview
    staff.locator(f"form[action$='/{opinion_id}/publish'] [type=submit]").click()
    staff.wait_for_load_state()
    context.close()

    # The citizen reads the answer with the receipt code.
    page.goto(live_server.url + "/track")
    page.fill("input[name=code]", receipt)
    page.locator("form[action='/track'] [type=submit]").click()
    assert ANSWER in page.locator("main").inner_text()
    assert "Công an Phường 5" in page.locator("main").inner_text()

    # The public forum shows the masked text and the unit's answer; "agree" works without JavaScript.
    page.goto(live_server.url + "/forum")
    card = page.locator(f"#opinion-{opinion_id}")
    text = card.inner_text()
    assert PHONE not in text and "[số điện thoại đã ẩn]" in text and ANSWER in text
    # The list links to the opinion's own page, which holds the button (and its CSRF token).
    card.locator(".agree-form a").click()
    page.locator("form.agree-form [type=submit]").click()
    assert "1" in page.locator(f"#opinion-{opinion_id} .agree-count").inner_text()
    # Agreeing forgets this worker's cached lists: the new count shows at once.
    page.goto(live_server.url + "/forum")
    assert "1" in page.locator(f"#opinion-{opinion_id} .agree-count").inner_text()
