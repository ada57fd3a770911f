"""Hypothesis drives the citizen form: no 5xx, nothing stored from an invalid submission, a translated message."""

import os
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.units.services import get_unit_by_code
from surveys import collection, services
from surveys.models import SurveyState
from surveys_helpers import form_data, open_survey, replies, row_counts

BIG = "y" * 600_000  # a huge answer: refused by the survey's length rules
HUGE = "x" * (2 * 1024 * 1024 + 1)  # larger than MAX_CONTENT_LENGTH: the request itself is refused
EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", 1000))
ENGLISH_MESSAGES = ("Please ", "This survey", "This code", "You have already")

scalar_value = st.one_of(
    st.integers(-3, 12).map(str),
    st.sampled_from(["", "other", "abc", "1.5", "99999999999999", "0x1", " 4 ", "٣", "<script>"]),
    st.text(max_size=20),
)
text_value = st.one_of(st.text(max_size=80), st.sampled_from(["a" * 301, "b" * 5001, "Bình thường 🙂" * 30, BIG]),
                       st.just(HUGE))


def answer_for(question):
    """Valid and invalid values for one question: omitted, a valid one, or anything."""
    if question.type.is_text:
        valid = st.just("Nên có thêm ghế ngồi chờ cho người cao tuổi.")
        return st.one_of(st.none(), valid, text_value)
    if question.type.is_choice:
        ids = [str(o.id) for o in question.options]
        values = st.lists(st.one_of(st.sampled_from(ids), scalar_value), max_size=4)
        return st.one_of(st.none(), st.sampled_from(ids).map(lambda v: [v]), values)
    valid = st.sampled_from([str(v) for v in question.scale_values()])
    return st.one_of(st.none(), valid, scalar_value, st.lists(valid, min_size=2, max_size=3))


def test_response_form_never_fails_and_never_stores_bad_input(app, make_user, tree):
    chief = make_user("chief", "CM-TPCM")
    survey = open_survey(chief, tree["CM-TPCM"])
    coded = open_survey(chief, tree["CM-TPCM"], uses_tokens=True)
    closed = open_survey(chief, tree["CM-TPCM"])
    services.change_state(closed, chief, SurveyState.closed)
    unit = get_unit_by_code("CM-TPCM-P5")
    fresh = collection.issue_tokens(coded, unit, 500, chief)
    used = fresh.pop()
    collection.submit_response(coded, unit, replies(coded), used, forward=False)
    client_survey = {"open": survey, "coded": coded, "closed": closed}
    seen = Counter()

    answers = st.fixed_dictionaries({q.field_name: answer_for(q) for q in survey.questions})
    token = st.sampled_from(["none", "fresh", "used", "unknown", "garbage"])

    positions = [q.position for q in survey.questions]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(which=st.sampled_from(["open", "open", "coded", "closed"]), answers=answers, token=token,
           start_valid=st.booleans(), changed=st.sets(st.sampled_from(positions), max_size=2),
           other=st.one_of(st.none(), text_value), extra=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3))
    def check(which, answers, token, start_valid, changed, other, extra):
        target = client_survey[which]
        # The surveys share their template: map the generated fields onto this survey's question ids.
        by_position = {q.position: q for q in target.questions}
        data = dict(extra)
        # Either a valid submission with at most two answers replaced, or generated answers throughout.
        if start_valid:
            data.update(form_data(target))
        for question in survey.questions:
            if start_valid and question.position not in changed:
                continue
            value = answers[question.field_name]
            name = by_position[question.position].field_name
            data.pop(name, None)
            if value is not None:
                data[name] = value
        if other is not None:
            data[target.questions[0].field_name + "_other"] = other
        if which == "coded":
            data["token"] = {"none": "", "fresh": fresh[-1] if fresh else "", "used": used, "unknown": "ABCDEFGHJK",
                             "garbage": "💥" * 50}[token]
        before = row_counts()
        response = app.test_client().post(f"/s/{target.slug}/CM-TPCM-P5", data=data)
        after = row_counts()
        assert response.status_code < 500, response.status_code
        seen[response.status_code] += 1
        if response.status_code == 302:
            assert after[0] == before[0] + 1
            if which == "coded" and token == "fresh":
                fresh.pop()
        else:
            assert response.status_code in (400, 409, 410, 413), response.status_code
            assert after == before
            body = response.get_data(as_text=True)
            assert 'lang="vi"' in body and not any(message in body for message in ENGLISH_MESSAGES)
            if response.status_code == 400:
                assert 'role="alert"' in body or "Yêu cầu không hợp lệ" in body

    check()
    # The generator reached every outcome: stored, refused as invalid, closed survey, oversized request.
    assert seen[302] and seen[400] and seen[410] and seen[413], seen
