"""Survey results: SQL aggregates per question, Python only for the interval maths on those aggregates.

Means get a 95 % t-interval (normal from n = 30), proportions a Wilson interval. Groups below
SURVEY_MIN_GROUP_SIZE responses show no breakdown, to protect anonymity and avoid false rankings.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from feedback.accounts.scope import visible_unit_ids
from feedback.extensions import db
from feedback.units.models import Unit, UnitClosure
from feedback.units.services import subtree_ids
from surveys.models import AGREEMENT_LABELS, SCALES, QuestionType, SurveyAnswer, SurveyResponse

Z95 = 1.959963984540054
# Two-sided 95 % critical values of Student's t for 1 to 29 degrees of freedom.
T95 = [12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
       2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
       2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230]


def critical_value(n):
    """t for small samples, the normal value from n = 30."""
    return T95[n - 2] if n < 30 else Z95


def mean_interval(n, total, sum_squares):
    """(mean, standard deviation, low, high) from count, sum and sum of squares; None parts when n is too small."""
    if n == 0:
        return None, None, None, None
    mean = total / n
    if n < 2:
        return mean, None, None, None
    variance = max(sum_squares - n * mean * mean, 0.0) / (n - 1)
    sd = math.sqrt(variance)
    half = critical_value(n) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def wilson_interval(k, n):
    """95 % Wilson score interval for the proportion k / n."""
    if n == 0:
        return None, None
    p = k / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def min_group_size():
    return current_app.config.get("SURVEY_MIN_GROUP_SIZE", 5)


def value_label(question, value):
    if question.type == QuestionType.agreement:
        return str(AGREEMENT_LABELS[value])
    if question.type == QuestionType.stars:
        return ngettext("%(num)d star", "%(num)d stars", value)
    if question.type == QuestionType.yes_no:
        return str(_l("Yes")) if value == 1 else str(_l("No"))
    return str(value)


@dataclass
class Bar:
    label: str
    count: int
    share: float | None
    low: float | None = None   # Wilson interval of the share
    high: float | None = None


@dataclass
class QuestionResult:
    question: object
    n: int = 0
    bars: list = field(default_factory=list)
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    top_share: float | None = None
    top_low: float | None = None
    top_high: float | None = None
    nps: float | None = None
    text_count: int = 0

    @property
    def has_mean(self):
        return self.question.type.is_scale


@dataclass
class UnitRow:
    unit: object
    responses: int
    suppressed: bool
    n: int = 0
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    top_share: float | None = None


@dataclass
class Summary:
    survey: object
    responses: int
    min_group: int
    questions: list
    units: list
    days: list
    focus: object = None  # the question the per-unit table compares

    @property
    def suppressed(self):
        return self.responses < self.min_group


def scope_units(user, root_unit=None):
    """SELECT of the unit ids the results may cover: the user's scope, narrowed to root_unit's subtree."""
    ids = visible_unit_ids(user) if user is not None else None
    if root_unit is None:
        return ids
    narrowed = subtree_ids(root_unit.id)
    return narrowed if ids is None else narrowed.where(UnitClosure.descendant_id.in_(ids))


def _answers_in(survey, unit_ids):
    condition = [SurveyAnswer.survey_id == survey.id]
    if unit_ids is not None:
        condition.append(SurveyAnswer.unit_id.in_(unit_ids))
    return condition


def _responses_in(survey, unit_ids):
    condition = [SurveyResponse.survey_id == survey.id]
    if unit_ids is not None:
        condition.append(SurveyResponse.unit_id.in_(unit_ids))
    return condition


def responses_per_day(survey, user=None, root_unit=None):
    """(day, responses) pairs in the user's scope, oldest first."""
    return db.session.execute(
        select(SurveyResponse.created_on, func.count()).where(*_responses_in(survey, scope_units(user, root_unit)))
        .group_by(SurveyResponse.created_on).order_by(SurveyResponse.created_on)).all()


def question_summary(survey, question, user=None, root_unit=None):
    """One question's result (for its chart), or None when the group is too small to show."""
    unit_ids = scope_units(user, root_unit)
    total = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(*_responses_in(survey, unit_ids)))
    if total < min_group_size():
        return None
    rows = db.session.execute(
        select(SurveyAnswer.value_int, SurveyAnswer.option_id, func.count())
        .where(*_answers_in(survey, unit_ids), SurveyAnswer.question_id == question.id)
        .group_by(SurveyAnswer.value_int, SurveyAnswer.option_id)).all()
    respondents = None
    if question.type == QuestionType.multiple:
        respondents = db.session.scalar(
            select(func.count(func.distinct(SurveyAnswer.response_id)))
            .where(*_answers_in(survey, unit_ids), SurveyAnswer.question_id == question.id))
    return _question_result(question, rows, respondents)


def summarize(survey, user=None, root_unit=None, focus_question=None):
    """Counts, distributions, means with intervals, per-unit comparison and responses per day."""
    unit_ids = scope_units(user, root_unit)
    minimum = min_group_size()
    per_unit = dict(db.session.execute(
        select(SurveyResponse.unit_id, func.count()).where(*_responses_in(survey, unit_ids))
        .group_by(SurveyResponse.unit_id)).all())
    total = sum(per_unit.values())
    days = responses_per_day(survey, user, root_unit)
    questions = list(survey.questions)
    scale_questions = [q for q in questions if q.type.is_scale]
    focus = focus_question or next((q for q in scale_questions if q.criterion == "overall"), None) or (
        scale_questions[0] if scale_questions else None)
    if total < minimum:
        return Summary(survey, total, minimum, [QuestionResult(q) for q in questions], [], days, focus)

    # One grouped aggregation, in the order of the covering index, answers every question for every unit;
    # Python then only adds up these aggregates (a few rows per unit and answer value).
    counts, by_unit = defaultdict(list), defaultdict(lambda: defaultdict(int))
    focus_id = focus.id if focus is not None else None
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.unit_id, SurveyAnswer.value_int, SurveyAnswer.option_id,
               func.count())
        .where(*_answers_in(survey, unit_ids))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.unit_id, SurveyAnswer.value_int, SurveyAnswer.option_id))
    for question_id, unit_id, value, option_id, count in rows:
        counts[question_id].append((value, option_id, count))
        if question_id == focus_id and value is not None:
            by_unit[unit_id][value] += count
    multiple_ids = [q.id for q in questions if q.type == QuestionType.multiple]
    respondents = {}
    if multiple_ids:
        respondents = dict(db.session.execute(
            select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
            .where(*_answers_in(survey, unit_ids), SurveyAnswer.question_id.in_(multiple_ids))
            .group_by(SurveyAnswer.question_id)).all())

    results = [_question_result(q, counts.get(q.id, []), respondents.get(q.id)) for q in questions]
    return Summary(survey, total, minimum, results, _unit_rows(focus, per_unit, by_unit, minimum), days, focus)


def _question_result(question, rows, respondents=None):
    result = QuestionResult(question)
    qtype = question.type
    if qtype.is_text:
        result.n = result.text_count = sum(count for value, option, count in rows)
        return result
    if qtype.is_scale or qtype == QuestionType.yes_no:
        by_value = defaultdict(int)
        for value, option, count in rows:
            if value is not None:
                by_value[value] += count
        n = result.n = sum(by_value.values())
        values = question.scale_values()
        if qtype.is_scale:
            total = sum(v * c for v, c in by_value.items())
            squares = sum(v * v * c for v, c in by_value.items())
            result.mean, result.sd, result.low, result.high = mean_interval(n, total, squares)
            top = SCALES[qtype][2]
            top_count = sum(c for v, c in by_value.items() if v >= top)
        else:
            top_count = by_value.get(1, 0)
        if n:
            result.top_share = top_count / n
            result.top_low, result.top_high = wilson_interval(top_count, n)
            if qtype == QuestionType.recommend:
                detractors = sum(c for v, c in by_value.items() if v <= 6)
                result.nps = 100.0 * (top_count - detractors) / n
        for value in values:
            count = by_value.get(value, 0)
            low, high = wilson_interval(count, n)
            result.bars.append(Bar(value_label(question, value), count, count / n if n else None, low, high))
        return result
    by_option = defaultdict(int)
    other = 0
    for value, option_id, count in rows:
        if option_id is not None:
            by_option[option_id] += count
        else:
            other += count
    n = respondents if respondents is not None else sum(by_option.values()) + other
    result.n, result.text_count = n or 0, other
    for option in question.options:
        count = by_option.get(option.id, 0)
        low, high = wilson_interval(count, n) if n else (None, None)
        result.bars.append(Bar(option.label, count, count / n if n else None, low, high))
    if question.has_other:
        low, high = wilson_interval(other, n) if n else (None, None)
        result.bars.append(Bar(str(_l("Other")), other, other / n if n else None, low, high))
    return result


def _unit_rows(question, per_unit, by_unit, minimum):
    """Per unit: responses, and the focus question's mean, interval and top-two-box share."""
    units = db.session.scalars(select(Unit).where(Unit.id.in_(list(per_unit))).order_by(Unit.code)).all()
    top = SCALES[question.type][2] if question is not None else None
    result = []
    for unit in units:
        responses = per_unit[unit.id]
        row = UnitRow(unit, responses, responses < minimum)
        values = by_unit.get(unit.id)
        if not row.suppressed and values:
            n = row.n = sum(values.values())
            total = sum(v * c for v, c in values.items())
            squares = sum(v * v * c for v, c in values.items())
            row.mean, _sd, row.low, row.high = mean_interval(n, float(total), float(squares))
            row.top_share = sum(c for v, c in values.items() if v >= top) / n
        result.append(row)
    return result
