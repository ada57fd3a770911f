"""Result statistics: SQL aggregates, interval maths, small-group suppression, scope."""

import math

import pytest
from scipy import stats as scipy_stats
from sqlalchemy import select

from surveys import collection, demo, statistics
from surveys.models import QuestionType, Survey
from surveys_helpers import open_survey, question_of, replies


def test_t_table_matches_scipy():
    for n in range(2, 30):
        assert statistics.critical_value(n) == pytest.approx(scipy_stats.t.ppf(0.975, n - 1), abs=1e-5)
    assert statistics.critical_value(30) == pytest.approx(scipy_stats.norm.ppf(0.975))


def test_mean_interval_small_and_large_samples():
    values = [1, 2, 2, 3, 4, 5, 5]
    mean, sd, low, high = statistics.mean_interval(len(values), sum(values), sum(v * v for v in values))
    expected = scipy_stats.t.interval(0.95, len(values) - 1, loc=sum(values) / 7, scale=scipy_stats.sem(values))
    assert mean == pytest.approx(22 / 7) and low == pytest.approx(expected[0]) and high == pytest.approx(expected[1])
    big = [4] * 40 + [5] * 60
    mean, sd, low, high = statistics.mean_interval(100, sum(big), sum(v * v for v in big))
    half = scipy_stats.norm.ppf(0.975) * sd / 10
    assert (low, high) == pytest.approx((mean - half, mean + half))
    assert statistics.mean_interval(1, 4, 16)[2] is None
    assert statistics.mean_interval(0, 0, 0) == (None, None, None, None)


def test_wilson_interval_known_values():
    low, high = statistics.wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert statistics.wilson_interval(0, 10)[0] == 0.0
    assert statistics.wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert statistics.wilson_interval(0, 0) == (None, None)


@pytest.fixture
def answered(make_user, tree):
    """Six responses at Ward 5 (stars 1..5 and 5), two at Ward 9."""
    admin = make_user("admin", "CM")
    survey = open_survey(admin, tree["CM-TPCM"])
    stars = question_of(survey, QuestionType.stars)
    for value in (1, 2, 3, 4, 5, 5):
        collection.submit_response(survey, tree["CM-TPCM-P5"], replies(survey, value=value), forward=False)
    for value in (2, 2):
        collection.submit_response(survey, tree["CM-TPCM-P9"], replies(survey, value=value), forward=False)
    return survey, stars


def test_summary_per_question(answered, app):
    survey, stars = answered
    summary = statistics.summarize(survey)
    assert summary.responses == 8 and not summary.suppressed
    result = next(r for r in summary.questions if r.question.id == stars.id)
    values = [1, 2, 3, 4, 5, 5, 2, 2]
    assert result.n == 8 and result.mean == pytest.approx(sum(values) / 8)
    expected = scipy_stats.t.interval(0.95, 7, loc=sum(values) / 8, scale=scipy_stats.sem(values))
    assert (result.low, result.high) == pytest.approx(expected)
    assert result.top_share == pytest.approx(3 / 8)
    assert [b.count for b in result.bars] == [1, 3, 1, 1, 2]
    assert (result.top_low, result.top_high) == pytest.approx(statistics.wilson_interval(3, 8))
    nps = next(r for r in summary.questions if r.question.type == QuestionType.recommend)
    # Recommendation answers are 2, 4, 6, 8, 10, 10, 4, 4: two promoters, five detractors.
    assert nps.nps == pytest.approx(100 * (2 - 5) / 8)
    yes_no = next(r for r in summary.questions if r.question.type == QuestionType.yes_no)
    assert yes_no.top_share == 0 and [b.count for b in yes_no.bars] == [0, 8]
    single = next(r for r in summary.questions if r.question.type == QuestionType.single)
    assert single.n == 8 and single.bars[0].count == 8 and single.bars[-1].label  # the "Other" bar
    assert summary.focus.id == stars.id  # the "overall" question is compared per unit
    rows = {row.unit.code: row for row in summary.units}
    assert rows["CM-TPCM-P5"].responses == 6 and not rows["CM-TPCM-P5"].suppressed
    assert rows["CM-TPCM-P5"].mean == pytest.approx(20 / 6)
    assert rows["CM-TPCM-P9"].suppressed and rows["CM-TPCM-P9"].mean is None
    assert sum(count for _day, count in summary.days) == 8


def test_small_groups_show_no_breakdown(answered, app, make_user, tree):
    survey, stars = answered
    officer_p9 = make_user("officer", "CM-TPCM-P9")
    summary = statistics.summarize(survey, officer_p9)
    assert summary.responses == 2 and summary.suppressed
    assert all(r.n == 0 and r.mean is None for r in summary.questions) and summary.units == []
    app.config["SURVEY_MIN_GROUP_SIZE"] = 2
    assert not statistics.summarize(survey, officer_p9).suppressed


def test_results_follow_the_user_scope(answered, make_user, tree):
    survey, stars = answered
    officer = make_user("officer", "CM-TPCM-P5")
    summary = statistics.summarize(survey, officer)
    assert summary.responses == 6 and [row.unit.code for row in summary.units] == ["CM-TPCM-P5"]
    chief = make_user("chief", "CM-TPCM")
    assert statistics.summarize(survey, chief).responses == 8
    assert statistics.summarize(survey, chief, root_unit=tree["CM-TPCM-P9"]).responses == 2
    assert statistics.summarize(survey, make_user("chief", "CM-THB")).responses == 0


def test_intervals_are_finite_for_constant_answers(make_user, tree):
    admin = make_user("admin", "CM")
    survey = open_survey(admin, tree["CM-TPCM"])
    for _ in range(5):
        collection.submit_response(survey, tree["CM-TPCM"], replies(survey, value=5), forward=False)
    result = next(r for r in statistics.summarize(survey).questions if r.question.type == QuestionType.stars)
    assert result.mean == 5 and result.low == 5 and result.high == 5 and not math.isnan(result.sd)


def test_one_question_summary_matches_the_full_summary(answered, make_user):
    survey, stars = answered
    full = {r.question.id: r for r in statistics.summarize(survey).questions}
    for question in survey.questions:
        single = statistics.question_summary(survey, question)
        assert (single.n, single.mean, [b.count for b in single.bars]) == (
            full[question.id].n, full[question.id].mean, [b.count for b in full[question.id].bars])
    assert statistics.question_summary(survey, stars, make_user("officer", "CM-TPCM-P9")) is None


def test_demo_seeder(make_user, tree, runner, db):
    make_user("admin", "CM")
    lines = list(demo.seed())
    assert "300 responses" in lines[0]
    assert "already exists" in list(demo.seed())[0]
    survey = db.session.scalar(select(Survey))
    summary = statistics.summarize(survey)
    assert summary.responses == 300 and len(summary.units) == 3
    assert all(r.n > 0 for r in summary.questions if not r.question.type.is_text)
    # Sequences moved past the bulk-written ids: a real response still goes in.
    collection.submit_response(survey, tree["CM-TPCM"], replies(survey), forward=False)
    result = runner.invoke(args=["surveys", "close-expired"])
    assert result.exit_code == 0 and result.output == ""
