"""In headless Chromium: an admin builds a survey from the template and opens it, a citizen answers through
the unit's link on a phone, the chief reads the results and downloads them as a workbook."""

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conftest import PASSWORD
from feedback.extensions import db
from surveys import collection
from surveys.models import QuestionType, Survey, SurveyResponse, SurveyState
from surveys_helpers import replies

pytestmark = pytest.mark.browser


def log_in(page, base, user):
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_survey_from_template_to_answer_to_workbook(live_server, browser, page, make_user, tree, tmp_path):
    admin = make_user("admin", "CM", name="Quản Trị")
    chief = make_user("chief", "CM-TPCM", name="Trần Chỉ Huy")
    base = live_server.url

    log_in(page, base, admin)
    page.goto(base + "/staff/surveys")
    page.get_by_role("link", name="Khảo sát mới").click()
    page.get_by_label("Bảng hỏi mẫu").check()
    page.get_by_label("Đơn vị được khảo sát").select_option(label="CM-TPCM · Công an thành phố Cà Mau")
    page.get_by_role("button", name="Tạo khảo sát").click()
    page.get_by_role("button", name="Mở khảo sát").click()
    expect(page.get_by_text("Trạng thái khảo sát hiện nay: Đang mở.")).to_be_visible()
    survey = db.session.scalar(select(Survey))
    assert survey.state == SurveyState.open and survey.include_subtree
    page.get_by_role("link", name="Đường dẫn và mã QR").click()
    link = page.locator("a.survey-link", has_text="/CM-TPCM-P5").get_attribute("href")

    for value in (5, 4, 4, 3, 5):  # earlier visitors, so the results pass the minimum group size
        collection.submit_response(survey, tree["CM-TPCM-P5"], replies(survey, value=value), forward=False)

    citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
    phone = citizen.new_page()
    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text() == survey.title_vi
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for question in survey.questions:
        group = phone.locator(f"#{question.field_name}")
        if question.type == QuestionType.long_text:
            phone.get_by_label(question.text_vi, exact=False).fill("Nên bố trí thêm ghế chờ cho người cao tuổi.")
        elif question.type.is_choice:
            group.get_by_label(question.options[0].label_vi).check()
        elif question.type == QuestionType.agreement:
            group.get_by_label("Hoàn toàn đồng ý").check()
        elif question.type == QuestionType.stars:
            group.get_by_label("5 sao").check()
        elif question.type == QuestionType.yes_no:
            group.get_by_label("Không").check()
        else:
            group.get_by_label("9", exact=True).check()
    phone.get_by_role("button", name="Gửi câu trả lời").click()
    expect(phone.get_by_role("heading", name="Xin cảm ơn!")).to_be_visible()
    citizen.close()
    assert db.session.scalar(select(db.func.count()).select_from(SurveyResponse)) == 6

    page.get_by_role("button", name="Đăng xuất (Quản Trị)").click()
    log_in(page, base, chief)
    page.goto(base + "/staff/surveys")
    page.get_by_role("link", name="Kết quả").first.click()
    expect(page.get_by_text("Số phiếu: 6.")).to_be_visible()
    stars = next(q for q in survey.questions if q.type == QuestionType.stars)
    table = page.get_by_role("table", name=f"Câu trả lời cho câu hỏi {survey.questions.index(stars) + 1}")
    expect(table.get_by_role("row", name="5 sao")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator("li", has_text="Dữ liệu thô").get_by_role("link", name="XLSX").click()
    path = tmp_path / "responses.xlsx"
    download_info.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[workbook.sheetnames[0]]
    assert sheet.max_row == 7 and sheet.cell(1, 5).value.startswith("Q1.")
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"CM-TPCM-P5"}
