"""CSV and XLSX exports: raw anonymous responses and the summary."""

from flask_babel import gettext as _
from sqlalchemy import select

from feedback.extensions import db
from feedback.units.models import Unit
from surveys.models import QuestionType, SurveyAnswer, SurveyResponse
from surveys.statistics import scope_units

def response_table(survey, user=None, root_unit=None, minimum=5):
    """Header and rows of the raw responses in scope. Units below the minimum group size lose their code."""
    questions = list(survey.questions)
    header = [_("Response"), _("Date"), _("Unit"), _("Channel")] + [
        f"Q{i}. {q.text_vi}" for i, q in enumerate(questions, 1)]
    unit_ids = scope_units(user, root_unit)
    condition = [SurveyResponse.survey_id == survey.id]
    if unit_ids is not None:
        condition.append(SurveyResponse.unit_id.in_(unit_ids))
    counts = dict(db.session.execute(select(SurveyResponse.unit_id, db.func.count()).where(*condition)
                                     .group_by(SurveyResponse.unit_id)).all())
    if sum(counts.values()) < minimum:
        return header, []
    codes = dict(db.session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(list(counts)))).all())
    labels = {o.id: o.label_vi for q in questions for o in q.options}
    column = {q.id: i for i, q in enumerate(questions)}
    kinds = {q.id: q.type for q in questions}
    responses = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.created_on, SurveyResponse.unit_id, SurveyResponse.channel)
        .where(*condition).order_by(SurveyResponse.id)).all()
    answers = {}
    answer_rows = db.session.execute(
        select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value_int,
               SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id).where(*condition)
        .order_by(SurveyAnswer.response_id, SurveyAnswer.id)).yield_per(5000)
    for response_id, question_id, option_id, value, text in answer_rows:
        cells = answers.setdefault(response_id, [[] for _q in questions])
        if option_id is not None:
            cells[column[question_id]].append(labels.get(option_id, ""))
        elif value is not None:
            cells[column[question_id]].append(value)
        elif text is not None:
            prefix = _("Other") + ": " if kinds[question_id].is_choice else ""
            cells[column[question_id]].append(prefix + text)
    rows = []
    for number, (response_id, day, unit_id, channel) in enumerate(responses, 1):
        unit_code = codes.get(unit_id, "") if counts.get(unit_id, 0) >= minimum else ""
        cells = answers.get(response_id, [[] for _q in questions])
        values = [cell[0] if len(cell) == 1 and not isinstance(cell[0], str) else "; ".join(map(str, cell))
                  for cell in cells]
        rows.append([number, day.isoformat(), unit_code, channel.value] + values)
    return header, rows


def summary_table(summary):
    """One row per question and answer: counts, shares, means and their 95 % intervals."""
    header = [_("Question"), _("Type"), _("Criterion"), _("Answer"), _("Count"), _("Share"), _("Share, low"),
              _("Share, high"), _("Mean"), _("Mean, low"), _("Mean, high"), _("Top two boxes")]
    rows = []
    if summary.suppressed:
        return header, rows
    for i, result in enumerate(summary.questions, 1):
        q = result.question
        label = f"Q{i}. {q.text}"
        rows.append([label, q.type.value, q.criterion or "", _("All answers"), result.n, "", "", "",
                     _round(result.mean), _round(result.low), _round(result.high), _round(result.top_share)])
        for bar in result.bars:
            rows.append([label, q.type.value, q.criterion or "", bar.label, bar.count,
                         _round(bar.share), _round(bar.low), _round(bar.high), "", "", "", ""])
        if q.type == QuestionType.recommend and result.nps is not None:
            rows.append([label, q.type.value, q.criterion or "", _("Net promoter score"), result.n, "", "", "",
                         _round(result.nps), "", "", ""])
    return header, rows


def _round(value, digits=4):
    return round(value, digits) if value is not None else ""
