import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import SENTIMENTS, TOPICS, train
from classifier.samples import SAMPLE_EXAMPLES
from classifier.text import canonical, fold_diacritics, normalize_for_features

MODEL = train(SAMPLE_EXAMPLES, random_state=0)

vietnamese = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "
                     "AĂÂĐÊÔƠƯ0123456789.,!?:;()-/@😀😡👍", max_size=200)
texts = st.one_of(st.text(max_size=300), vietnamese)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_predict_never_crashes(text):
    p = MODEL.predict(text)
    assert 1 <= len(p.topics) <= 3 and set(p.topics) <= set(TOPICS)
    assert p.sentiment in SENTIMENTS
    assert 0.0 <= p.confidence <= 1.0
    assert p.topics == ["other"] or "other" not in p.topics
    for phrases in p.explanation.values():
        assert len(phrases) <= 5


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalisers_never_crash_and_are_stable(text):
    assert canonical(canonical(text)) == canonical(text)
    assert fold_diacritics(fold_diacritics(text)) == fold_diacritics(text)
    normalize_for_features(text)


@pytest.mark.parametrize("text", ["\ud800", "a\u0301\u0301\u0301", "\u202e\u200b", "x" * 100_000])
def test_odd_strings(text):
    assert MODEL.predict(text).sentiment in SENTIMENTS


numbers_and_words = st.text(alphabet="aàbcđêhnoưx AĐ0123456789 .,-+!?😀", max_size=80)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(numbers_and_words, vietnamese))
def test_the_plain_tokenizer_path_agrees_with_the_full_one(text):
    # token_columns skips the full tokenizer for most texts with numbers; it
    # may only when no plate, phone or ID number can be in them.
    from classifier.text import _full_columns, _needs_full_tokenizer, _plain_columns

    if not _needs_full_tokenizer(text):
        assert _plain_columns(text) == _full_columns(text)


@pytest.mark.parametrize("text, placeholder", [
    ("biển 29A 12345", "xxplate"), ("gọi 0912 345 678", "xxphone"), ("gọi 09 12 34 56 78", "xxphone"),
    ("số 09 1 2 3 4 5 6 7 8 nhé", "xxphone"), ("cccd 001234567890", "xxidnum"), ("+84 912345678", "xxphone"),
])
def test_numbers_that_could_be_personal_data_still_become_placeholders(text, placeholder):
    assert placeholder in normalize_for_features(text).split()
