"""Shared set-up for the survey tests: a survey from the template, valid answers as form data and as replies."""

from sqlalchemy import func, select

from feedback.extensions import db
from surveys import services
from surveys.collection import Reply
from surveys.models import QuestionType, SurveyAnswer, SurveyResponse, SurveyState, SurveyToken


def open_survey(user, unit, uses_tokens=False, include_subtree=True):
    survey = services.create_from_template(user, unit, include_subtree=include_subtree, uses_tokens=uses_tokens)
    services.change_state(survey, user, SurveyState.open)
    return survey


def form_data(survey, value=4, text="Nên có thêm chỗ ngồi chờ cho người cao tuổi."):
    """A complete, valid submission of the template survey as posted form fields."""
    data = {}
    for question in survey.questions:
        if question.type.is_text:
            data[question.field_name] = text
        elif question.type.is_choice:
            data[question.field_name] = [str(question.options[0].id)]
        elif question.type == QuestionType.yes_no:
            data[question.field_name] = "0"
        elif question.type == QuestionType.recommend:
            data[question.field_name] = str(min(10, value * 2))
        else:
            data[question.field_name] = str(value)
    return data


def replies(survey, value=4, text=""):
    """The same answers as service input."""
    result = {}
    for question in survey.questions:
        if question.type.is_text:
            result[question.id] = Reply(text=text)
        elif question.type.is_choice:
            result[question.id] = Reply(values=[question.options[0].id])
        elif question.type == QuestionType.yes_no:
            result[question.id] = Reply(values=[0])
        elif question.type == QuestionType.recommend:
            result[question.id] = Reply(values=[min(10, value * 2)])
        else:
            result[question.id] = Reply(values=[value])
    return result


def row_counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (SurveyResponse, SurveyAnswer, SurveyToken))


def question_of(survey, qtype):
    return next(q for q in survey.questions if q.type == qtype)
