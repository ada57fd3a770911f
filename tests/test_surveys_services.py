"""Building, versioning and answering surveys through the service layer; states enforced by the database too."""

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from feedback.forum.models import Channel, Opinion
from surveys import collection, services
from surveys.collection import OTHER, Reply
from surveys.models import QuestionType, ResponseChannel, Survey, SurveyAnswer, SurveyResponse, SurveyState, SurveyToken
from surveys_helpers import open_survey, question_of, replies, row_counts


@pytest.fixture
def admin(make_user):
    return make_user("admin", "CM")


def test_template_survey_in_two_languages(admin, tree):
    survey = services.create_from_template(admin, tree["CM-TPCM"])
    assert survey.state == SurveyState.draft and survey.version == 1
    types = {q.type for q in survey.questions}
    assert types == set(QuestionType) - {QuestionType.short_text}
    assert all(q.text_vi and q.text_en for q in survey.questions)
    assert {q.criterion for q in survey.questions} >= {"demeanour", "procedure", "integrity", "overall", "satisfaction"}
    choice = question_of(survey, QuestionType.single)
    assert choice.has_other and all(o.label_vi and o.label_en for o in choice.options)
    assert [q.position for q in survey.questions] == list(range(1, len(survey.questions) + 1))


def test_lifecycle_and_invalid_transitions(admin, tree, db):
    survey = services.create_from_template(admin, tree["CM-TPCM"])
    with pytest.raises(services.InvalidTransition):
        services.change_state(survey, admin, SurveyState.closed)
    services.change_state(survey, admin, SurveyState.open)
    assert survey.opens_on == date.today()
    with pytest.raises(services.InvalidTransition):
        services.change_state(survey, admin, SurveyState.draft)
    services.change_state(survey, admin, SurveyState.closed)
    with pytest.raises(services.InvalidTransition):
        services.change_state(survey, admin, SurveyState.open)
    services.change_state(survey, admin, SurveyState.archived)
    with pytest.raises(services.InvalidTransition):
        services.change_state(survey, admin, SurveyState.closed)
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).state == SurveyState.archived


def test_database_refuses_a_raw_invalid_state(admin, tree, db):
    survey = services.create_from_template(admin, tree["CM-TPCM"])
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE survey SET state = 'published' WHERE id = :id"), {"id": survey.id})
        db.session.flush()
    db.session.rollback()
    # An open survey without an opening date breaks a CHECK constraint as well.
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE survey SET state = 'open', opens_on = NULL WHERE id = :id"), {"id": survey.id})
    db.session.rollback()
    with pytest.raises(StatementError):
        survey.state = "published"
        db.session.flush()
    db.session.rollback()
    checks = {c["name"] for c in inspect(db.engine).get_check_constraints("survey")}
    assert "ck_survey_survey_state" in checks or db.engine.dialect.name == "sqlite"


def test_questions_lock_once_open_and_copy_makes_a_new_version(admin, tree):
    survey = open_survey(admin, tree["CM-TPCM"])
    question = survey.questions[2]
    with pytest.raises(services.QuestionsLocked):
        services.update_question(question, admin, "Câu hỏi khác")
    with pytest.raises(services.QuestionsLocked):
        services.add_question(survey, admin, QuestionType.yes_no, "Câu hỏi mới?")
    with pytest.raises(services.QuestionsLocked):
        services.delete_question(question, admin)
    copy = services.copy_as_new_version(survey, admin)
    assert copy.state == SurveyState.draft and copy.version == 2 and copy.parent_survey_id == survey.id
    assert copy.slug != survey.slug and copy.slug.endswith("-v2")
    assert [q.text_vi for q in copy.questions] == [q.text_vi for q in survey.questions]
    assert [[o.label_en for o in q.options] for q in copy.questions] == [[o.label_en for o in q.options] for q in survey.questions]
    services.update_question(copy.questions[2], admin, "Câu hỏi đã sửa", "Changed question")
    assert survey.questions[2].text_vi != "Câu hỏi đã sửa"
    assert services.versions_of(copy) == [survey, copy]


def test_question_editing_in_draft(admin, tree):
    survey = services.create_survey(admin, tree["CM-TPCM"], "Khảo sát thử", "Trial survey")
    with pytest.raises(services.SurveyError):
        services.add_question(survey, admin, QuestionType.single, "Chọn một", options=[("Chỉ một", None)])
    with pytest.raises(services.SurveyError):
        services.add_question(survey, admin, QuestionType.stars, "Sao?", criterion="bogus")
    first = services.add_question(survey, admin, QuestionType.stars, "Hài lòng?", "Satisfied?", criterion="satisfaction")
    second = services.add_question(survey, admin, QuestionType.multiple, "Kênh?", options=[("A", "A en"), ("B", None)],
                                   has_other=True)
    services.move_question(second, admin, -1)
    assert survey.questions == [second, first]
    with pytest.raises(services.SurveyError):
        services.change_state(services.create_survey(admin, tree["CM-TPCM"], "Trống"), admin, SurveyState.open)
    services.delete_question(first, admin)
    assert survey.questions == [second] and second.has_other


def test_chief_manages_only_their_subtree(make_user, tree):
    chief = make_user("chief", "CM-TPCM")
    officer = make_user("officer", "CM-TPCM-P5")
    with pytest.raises(services.OutOfScope):
        services.create_from_template(chief, tree["CM-THB"])
    with pytest.raises(services.OutOfScope):
        services.create_from_template(officer, tree["CM-TPCM-P5"])
    survey = services.create_from_template(chief, tree["CM-TPCM-P5"])
    assert services.can_manage(chief, survey) and not services.can_manage(officer, survey)
    assert services.can_view(officer, survey)
    assert not services.can_view(make_user("chief", "CM-THB"), survey)
    assert services.visible_surveys(officer) == [survey]


def test_response_is_anonymous_and_dated_to_the_day(admin, tree, db):
    survey = open_survey(admin, tree["CM-TPCM"])
    response = collection.submit_response(survey, tree["CM-TPCM-P5"], replies(survey), forward=False)
    assert response.created_on == date.today() and response.channel == ResponseChannel.link
    columns = {c.name for c in SurveyResponse.__table__.columns}
    assert columns == {"id", "survey_id", "unit_id", "created_on", "channel"}
    assert isinstance(SurveyResponse.__table__.c.created_on.type, db.Date)
    answers = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)).all()
    assert len(answers) == len(survey.questions) - 1  # the optional free text was left empty
    with pytest.raises(collection.UnitNotTargeted):
        collection.submit_response(survey, tree["CM-THB"], replies(survey), forward=False)


def test_invalid_answers_store_nothing(admin, tree):
    survey = open_survey(admin, tree["CM-TPCM"])
    unit = tree["CM-TPCM-P5"]
    stars, single, multiple = (question_of(survey, t) for t in (QuestionType.stars, QuestionType.single, QuestionType.multiple))
    other_survey = open_survey(admin, tree["CM-TPCM"])
    bad = [
        {stars.id: Reply(values=[6])},
        {stars.id: Reply(values=[])},
        {single.id: Reply(values=[other_survey.questions[0].options[0].id])},
        {single.id: Reply(values=[single.options[0].id, single.options[1].id])},
        {single.id: Reply(values=[OTHER], text="")},
        {multiple.id: Reply(values=[-1])},
        {question_of(survey, QuestionType.long_text).id: Reply(text="x" * 5001)},
    ]
    before = row_counts()
    for change in bad:
        with pytest.raises(collection.InvalidResponse) as error:
            collection.submit_response(survey, unit, replies(survey) | change, forward=False)
        assert set(error.value.errors) == set(change)
    with pytest.raises(collection.InvalidResponse):
        collection.submit_response(survey, unit, replies(survey) | {999999: Reply(values=[1])}, forward=False)
    assert row_counts() == before
    ok = collection.submit_response(survey, unit, replies(survey) | {single.id: Reply(values=[OTHER], text="Xin giấy xác nhận")},
                                    forward=False)
    assert any(a.text == "Xin giấy xác nhận" and a.option_id is None for a in ok.answers)


def test_closed_and_future_surveys_refuse_responses(admin, tree):
    survey = open_survey(admin, tree["CM-TPCM"])
    services.change_state(survey, admin, SurveyState.closed)
    with pytest.raises(collection.SurveyClosed):
        collection.submit_response(survey, tree["CM-TPCM"], replies(survey), forward=False)
    later = services.create_from_template(admin, tree["CM-TPCM"], opens_on=date.today() + timedelta(days=3))
    services.change_state(later, admin, SurveyState.open)
    with pytest.raises(collection.SurveyClosed):
        collection.submit_response(later, tree["CM-TPCM"], replies(later), forward=False)


def test_tokens_are_single_use_and_not_linked(admin, tree, db):
    survey = open_survey(admin, tree["CM-TPCM"], uses_tokens=True)
    unit = tree["CM-TPCM-P9"]
    codes = collection.issue_tokens(survey, unit, 3, admin)
    assert len(set(codes)) == 3 and all(len(c) == 10 for c in codes)
    with pytest.raises(collection.TokenRejected):
        collection.submit_response(survey, unit, replies(survey), forward=False)
    with pytest.raises(collection.TokenRejected):  # a code of another unit
        collection.submit_response(survey, tree["CM-TPCM-P5"], replies(survey), codes[0], forward=False)
    typed = collection.format_token(codes[0]).lower().replace("-", " - ")
    response = collection.submit_response(survey, unit, replies(survey), typed, forward=False)
    assert response.channel == ResponseChannel.token
    before = row_counts()
    with pytest.raises(collection.TokenRejected):
        collection.submit_response(survey, unit, replies(survey), codes[0], forward=False)
    assert row_counts() == before
    token = db.session.scalar(select(SurveyToken).where(SurveyToken.code == codes[0]))
    assert token.used_on == date.today()
    # Nothing links a response to its code: no foreign key either way, the token keeps a day only.
    assert not [fk for fk in SurveyResponse.__table__.foreign_keys if fk.column.table.name == "survey_token"]
    assert not [fk for fk in SurveyToken.__table__.foreign_keys if fk.column.table.name.startswith("survey_re")]
    assert isinstance(SurveyToken.__table__.c.used_on.type, db.Date)
    lines = collection.tokens_csv(survey, unit, lambda code: f"/s/x/{code}").splitlines()
    assert lines[0] == "code,link,used_on" and len(lines) == 4
    assert f"{collection.format_token(codes[0])},/s/x/{codes[0]},{date.today().isoformat()}" in lines
    with pytest.raises(services.SurveyError):
        collection.issue_tokens(survey, unit, 0, admin)
    with pytest.raises(collection.UnitNotTargeted):
        collection.issue_tokens(survey, tree["CM-THB"], 2, admin)


def test_free_text_goes_to_the_unit_inbox(admin, tree, db):
    survey = open_survey(admin, tree["CM-TPCM"])
    unit = tree["CM-TPCM-P5"]
    collection.submit_response(survey, unit, replies(survey, text="Cán bộ tiếp dân rất lịch sự, cảm ơn."))
    collection.submit_response(survey, unit, replies(survey, text="Tốt"))  # too short to act on
    opinions = db.session.scalars(select(Opinion)).all()
    assert len(opinions) == 1
    opinion = opinions[0]
    assert opinion.channel == Channel.survey and opinion.unit_id == unit.id
    assert opinion.body == "Cán bộ tiếp dân rất lịch sự, cảm ơn." and opinion.identity.value == "anonymous"
    assert opinion.contact_name is None
    # The text is kept with the response as well.
    assert db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.text.like("Cán bộ tiếp dân%"))) is not None


def test_close_expired(admin, tree):
    survey = services.create_from_template(admin, tree["CM-TPCM"], opens_on=date.today() - timedelta(days=10),
                                           closes_on=date.today() - timedelta(days=1))
    survey.state = SurveyState.open
    assert services.close_expired() == [survey]
    assert survey.state == SurveyState.closed
