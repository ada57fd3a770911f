"""Survey pages over HTTP: building, links and QR codes, codes, the citizen form, results, charts, exports."""

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from feedback.extensions import db as _db
from surveys import collection, services
from surveys.models import QuestionType, Survey, SurveyState
from surveys_helpers import form_data, open_survey, question_of, replies, row_counts


@pytest.fixture
def chief(make_user):
    return make_user("chief", "CM-TPCM")


def test_chief_builds_and_opens_a_survey_from_the_template(client, auth, chief, tree):
    auth.login(chief)
    page = client.get("/staff/surveys/new")
    assert page.status_code == 200 and "CM-THB" not in page.text  # only the chief's units are offered
    response = client.post("/staff/surveys/new", data={"start": "template", "target_unit": tree["CM-TPCM"].id,
                                                       "include_subtree": "y"})
    assert response.status_code == 302
    survey = _db.session.scalar(select(Survey))
    assert survey.owner_unit_id == tree["CM-TPCM"].id and len(survey.questions) > 10
    show = client.get(f"/staff/surveys/{survey.id}")
    assert show.status_code == 200 and survey.questions[0].text_vi in show.text
    assert client.post(f"/staff/surveys/{survey.id}/state", data={"state": "closed"}).status_code == 302
    assert survey.state == SurveyState.draft  # refused with a message
    assert client.post(f"/staff/surveys/{survey.id}/state", data={"state": "bogus"}).status_code == 400
    client.post(f"/staff/surveys/{survey.id}/state", data={"state": "open"})
    _db.session.refresh(survey)
    assert survey.state == SurveyState.open
    links = client.get(f"/staff/surveys/{survey.id}/links")
    assert f"/s/{survey.slug}/CM-TPCM-P5" in links.text and "CM-THB" not in links.text
    png = client.get(f"/staff/surveys/{survey.id}/qr/CM-TPCM-P5.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    svg = client.get(f"/staff/surveys/{survey.id}/qr/CM-TPCM-P5.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/staff/surveys/{survey.id}/qr/CM-THB.png").status_code == 404
    assert client.get(f"/staff/surveys/{survey.id}/qr/CM-TPCM-P5.gif").status_code == 404


def test_adding_editing_and_moving_questions(client, auth, chief, tree):
    survey = services.create_survey(chief, tree["CM-TPCM-P5"], "Khảo sát ngắn", "Short survey")
    auth.login(chief)
    base = f"/staff/surveys/{survey.id}"
    response = client.post(base + "/questions/new", data={
        "type": "single", "text_vi": "Anh chị đến vào buổi nào?", "text_en": "When did you come?", "required": "y",
        "criterion": "", "options_vi": "Sáng\nChiều", "options_en": "Morning\nAfternoon", "has_other": "y"})
    assert response.status_code == 302
    client.post(base + "/questions/new", data={"type": "stars", "text_vi": "Hài lòng?", "criterion": "overall"})
    assert client.post(base + "/questions/new", data={"type": "single", "text_vi": "Một lựa chọn", "options_vi": "A"}
                       ).status_code == 200  # fewer than two options: refused, form shown again
    _db.session.refresh(survey)
    first, second = survey.questions
    assert [o.label_en for o in first.options] == ["Morning", "Afternoon"] and first.has_other
    edit = client.get(f"{base}/questions/{first.id}/edit")
    assert "Sáng\nChiều" in edit.text or "Sáng\r\nChiều" in edit.text
    client.post(f"{base}/questions/{first.id}/edit", data={"type": "stars", "text_vi": "Buổi nào?",
                                                          "options_vi": "Sáng\nChiều\nTối", "required": "y"})
    client.post(f"{base}/questions/{second.id}/move", data={"direction": "up"})
    _db.session.expire_all()
    survey = _db.session.get(Survey, survey.id)
    assert [q.text_vi for q in survey.questions] == ["Hài lòng?", "Buổi nào?"]
    assert survey.questions[1].type == QuestionType.single and len(survey.questions[1].options) == 3
    client.post(f"{base}/questions/{second.id}/delete")
    _db.session.expire_all()
    assert len(_db.session.get(Survey, survey.id).questions) == 1
    other = services.create_survey(chief, tree["CM-TPCM-P5"], "Khác")
    assert client.post(f"/staff/surveys/{other.id}/questions/{first.id}/delete").status_code == 404


def test_citizen_answers_once_per_browser(client, chief, tree, db):
    survey = open_survey(chief, tree["CM-TPCM"])
    url = f"/s/{survey.slug}/CM-TPCM-P5"
    page = client.get(url)
    assert page.status_code == 200
    html = page.text
    assert html.count("<fieldset") == html.count("<legend>") >= len(survey.questions) - 1
    stars = question_of(survey, QuestionType.stars)
    assert f'<label for="{stars.field_name}-5">' in html and "5 sao" in html
    assert "style=" not in html and "<script" not in html
    response = client.post(url, data=form_data(survey))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}/thanks")
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert row_counts()[0] == 1
    again = client.get(url)
    assert again.status_code == 200 and "đã gửi" in again.text
    assert client.post(url, data=form_data(survey)).status_code == 409
    assert row_counts()[0] == 1
    # A numeric id works as well as the slug; another unit of the survey is another form.
    other = client.get(f"/s/{survey.id}/cm-tpcm-p9")
    assert other.status_code == 200


def test_invalid_submission_shows_translated_messages(client, chief, tree):
    survey = open_survey(chief, tree["CM-TPCM"])
    url = f"/s/{survey.slug}/CM-TPCM-P5"
    data = form_data(survey)
    stars = question_of(survey, QuestionType.stars)
    del data[stars.field_name]
    data[question_of(survey, QuestionType.agreement).field_name] = "9"
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Vui lòng trả lời câu hỏi này." in response.text
    assert "Vui lòng chọn một trong các phương án" in response.text
    assert f'id="{stars.field_name}-error"' in response.text
    number = survey.questions.index(stars) + 1
    assert f'href="#{stars.field_name}">Câu hỏi {number}:' in response.text
    assert row_counts() == (0, 0, 0)
    client.set_cookie("lang", "en")
    english = client.post(url, data=data)
    assert "Please answer this question." in english.text and stars.text_en in english.text


def test_closed_draft_and_foreign_units(client, chief, tree, make_user):
    survey = open_survey(chief, tree["CM-TPCM"])
    draft = services.create_from_template(chief, tree["CM-TPCM"])
    assert client.get(f"/s/{draft.slug}/CM-TPCM").status_code == 404
    assert client.get(f"/s/{survey.slug}/CM-THB").status_code == 404
    assert client.get(f"/s/{survey.slug}/NOPE").status_code == 404
    assert client.get("/s/no-such-survey/CM-TPCM").status_code == 404
    services.change_state(survey, chief, SurveyState.closed)
    closed = client.post(f"/s/{survey.slug}/CM-TPCM", data=form_data(survey))
    assert closed.status_code == 410 and "không nhận" in closed.text
    # An old printed link leads to the version that replaced it.
    newer = services.copy_as_new_version(survey, chief)
    services.change_state(newer, chief, SurveyState.open)
    redirect = client.get(f"/s/{survey.slug}/CM-TPCM")
    assert redirect.status_code == 302 and f"/s/{newer.slug}/CM-TPCM" in redirect.headers["Location"]


def test_single_use_codes_over_http(client, auth, chief, tree):
    survey = open_survey(chief, tree["CM-TPCM"], uses_tokens=True)
    auth.login(chief)
    made = client.post(f"/staff/surveys/{survey.id}/tokens", data={"unit": tree["CM-TPCM-P9"].id, "count": 4})
    assert made.status_code == 302
    sheet = client.get(made.headers["Location"])
    assert sheet.status_code == 200 and sheet.text.count("data:image/svg+xml") == 4
    codes = re.findall(r'class="slip-code">([A-Z0-9-]+)<', sheet.text)
    assert len(codes) == 4
    exported = client.get(f"/staff/surveys/{survey.id}/tokens/CM-TPCM-P9.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == ["code", "link", "used_on"] and sorted(r[0] for r in rows[1:]) == sorted(codes)
    assert client.post(f"/staff/surveys/{survey.id}/tokens", data={"unit": tree["CM-TPCM-P9"].id, "count": 5000}
                       ).status_code == 200
    auth.logout()
    url = f"/s/{survey.slug}/CM-TPCM-P9"
    form = client.get(url + "?t=" + codes[0])
    assert f'value="{codes[0]}"' in form.text
    assert client.post(url, data=form_data(survey)).status_code == 400  # no code
    ok = client.post(url, data=form_data(survey) | {"token": codes[0]})
    assert ok.status_code == 302 and "Set-Cookie" not in ok.headers
    replay = client.post(url, data=form_data(survey) | {"token": codes[0]})
    assert replay.status_code == 400 and "đã được sử dụng" in replay.text
    assert row_counts()[0] == 1
    assert client.post(url, data=form_data(survey) | {"token": codes[1]}).status_code == 302


@pytest.fixture
def with_responses(chief, tree):
    survey = open_survey(chief, tree["CM-TPCM"])
    for value in (5, 4, 4, 3, 5, 2):
        collection.submit_response(survey, tree["CM-TPCM-P5"], replies(survey, value=value, text="=HYPERLINK(\"x\")"),
                                   forward=False)
    return survey


def test_results_page_charts_and_exports(client, auth, chief, with_responses):
    survey = with_responses
    auth.login(chief)
    page = client.get(f"/staff/surveys/{survey.id}/results")
    assert page.status_code == 200
    assert "<caption>" in page.text and 'scope="col"' in page.text and "CM-TPCM-P5" in page.text
    stars = question_of(survey, QuestionType.stars)
    chart = client.get(f"/staff/surveys/{survey.id}/results/{stars.id}.svg")
    assert chart.mimetype == "image/svg+xml" and b"<svg" in chart.data and b"<script" not in chart.data
    assert "style-src 'unsafe-inline'" in chart.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert client.get(f"/staff/surveys/{survey.id}/results/timeline.svg").status_code == 200
    raw = client.get(f"/staff/surveys/{survey.id}/export/responses.csv")
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"))))
    assert len(rows) == 7 and rows[1][2] == "CM-TPCM-P5"
    assert "'=HYPERLINK(\"x\")" in rows[1]  # formulas are neutralised
    summary = client.get(f"/staff/surveys/{survey.id}/export/summary.csv")
    assert stars.text_vi in summary.data.decode("utf-8-sig")
    xlsx = client.get(f"/staff/surveys/{survey.id}/export/responses.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert len(workbook.sheetnames) == 2
    sheet = workbook[workbook.sheetnames[0]]
    assert sheet.max_row == 7
    assert all(not (isinstance(c.value, str) and c.value.startswith("=")) for row in sheet.iter_rows() for c in row)
    assert client.get(f"/staff/surveys/{survey.id}/export/responses.pdf").status_code == 404
    scoped = client.get(f"/staff/surveys/{survey.id}/results?unit=CM-TPCM-P9")
    assert scoped.status_code == 200 and "CM-TPCM-P5</span>" not in scoped.text
    assert client.get(f"/staff/surveys/{survey.id}/results?unit=CM-THB").status_code == 404


def test_results_hide_small_groups(client, auth, make_user, chief, tree):
    survey = open_survey(chief, tree["CM-TPCM"])
    collection.submit_response(survey, tree["CM-TPCM-P5"], replies(survey), forward=False)
    auth.login(chief)
    page = client.get(f"/staff/surveys/{survey.id}/results")
    assert page.status_code == 200 and "Ít hơn 5" in page.text
    stars = question_of(survey, QuestionType.stars)
    assert client.get(f"/staff/surveys/{survey.id}/results/{stars.id}.svg").status_code == 404
    rows = list(csv.reader(io.StringIO(client.get(f"/staff/surveys/{survey.id}/export/responses.csv").data.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_response_rate_limit(extra_app):
    client = extra_app(RATELIMIT_ENABLED=True, SURVEY_RESPONSE_LIMIT="2 per minute").test_client()
    statuses = [client.post("/s/none/NONE").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
