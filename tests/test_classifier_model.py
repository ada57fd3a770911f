import json

import pytest

from classifier import SENTIMENTS, TOPICS, InvalidText, Model, Prediction, train
from classifier.samples import SAMPLE_EXAMPLES
from classifier.text import fold_diacritics


@pytest.fixture(scope="module")
def model():
    return train(SAMPLE_EXAMPLES, random_state=0)


def test_train_returns_a_model_with_metadata(model):
    assert isinstance(model, Model)
    assert model.metadata["labels"] == {"topics": list(TOPICS), "sentiments": list(SENTIMENTS)}
    assert model.metadata["n_examples"] == len(SAMPLE_EXAMPLES)
    assert len(model.metadata["training_data_sha256"]) == 64
    assert model.version.endswith(model.metadata["training_data_sha256"][:6])
    assert set(model.metadata["libraries"]) >= {"sklearn", "numpy", "scipy", "python"}


def test_prediction_shape(model):
    p = model.predict("Làm căn cước đợi lâu quá, hẹn mãi không có")
    assert isinstance(p, Prediction)
    assert 1 <= len(p.topics) <= 3
    assert set(p.topic_scores) == set(TOPICS)
    assert set(p.sentiment_scores) == set(SENTIMENTS)
    assert abs(sum(p.sentiment_scores.values()) - 1) < 1e-3
    assert all(0 <= v <= 1 for v in list(p.topic_scores.values()) + list(p.sentiment_scores.values()))
    assert [p.topic_scores[t] for t in p.topics] == sorted((p.topic_scores[t] for t in p.topics), reverse=True)
    assert 0 <= p.confidence <= 1
    assert p.abstain == (p.confidence < 0.5)
    json.dumps(p.to_dict(), ensure_ascii=False)


def test_learns_the_training_examples(model):
    predictions = model.predict_batch([e["text"] for e in SAMPLE_EXAMPLES])
    sentiment_hits = sum(p.sentiment == e["sentiment"] for p, e in zip(predictions, SAMPLE_EXAMPLES))
    topic_hits = sum(e["topics"][0] in p.topics for p, e in zip(predictions, SAMPLE_EXAMPLES))
    assert sentiment_hits >= 0.8 * len(SAMPLE_EXAMPLES)
    assert topic_hits >= 0.8 * len(SAMPLE_EXAMPLES)


def test_explanation_names_phrases_of_the_original_text(model):
    text = "Làm căn cước đợi lâu quá"
    p = model.predict(text)
    assert "procedure" in p.topics
    phrases = p.explanation["procedure"]
    assert 1 <= len(phrases) <= 5
    assert all(phrase in text and score > 0 for phrase, score in phrases)
    assert any("căn" in phrase or "cước" in phrase for phrase, _ in phrases)
    assert p.sentiment in p.explanation


def test_explanation_of_text_without_diacritics_quotes_it(model):
    text = "lam can cuoc doi lau qua"
    p = model.predict(text)
    assert all(phrase in text for pairs in p.explanation.values() for phrase, _ in pairs)


def test_no_diacritics_gives_the_same_prediction(model):
    for example in SAMPLE_EXAMPLES:
        accented = model.predict(example["text"])
        bare = model.predict(fold_diacritics(example["text"]))
        assert (accented.topics, accented.sentiment) == (bare.topics, bare.sentiment)


def test_other_is_never_combined(model):
    for p in model.predict_batch([e["text"] for e in SAMPLE_EXAMPLES] + ["xin chào", "abc xyz"]):
        assert p.topics == ["other"] or "other" not in p.topics


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01\x02", "你好世界", "!!!???", "1234"])
def test_nothing_to_go_on_gives_other_neutral_abstain(model, text):
    p = model.predict(text)
    assert (p.topics, p.sentiment, p.abstain, p.confidence) == (["other"], "neutral", True, 0.0)


@pytest.mark.parametrize("bad", [None, 42, b"bytes"])
def test_non_strings_raise_invalid_text(model, bad):
    with pytest.raises(InvalidText):
        model.predict(bad)
    assert issubclass(InvalidText, TypeError)


def test_huge_text_is_handled(model):
    p = model.predict("cán bộ quát tháo người dân " * 5000)
    assert "demeanour" in p.topics


def test_batch_equals_single(model):
    texts = [e["text"] for e in SAMPLE_EXAMPLES[:6]]
    assert [p.to_dict() for p in model.predict_batch(texts)] == [model.predict(t).to_dict() for t in texts]


def test_same_data_same_seed_same_predictions(model):
    again = train(SAMPLE_EXAMPLES, random_state=0)
    texts = ["thái độ hống hách", "xe đậu tràn vỉa hè", "cảm ơn các anh"]
    assert [p.to_dict() for p in again.predict_batch(texts)] == [p.to_dict() for p in model.predict_batch(texts)]


def test_tie_rule_prefers_negative(model):
    head = model.sentiment_head
    import numpy as np

    probs = np.array([[0.45, 0.05, 0.50]])
    assert SENTIMENTS[head.choose(probs, offsets=np.zeros(3))[0]] == "negative"


def test_corrections_override_and_outweigh_the_corpus():
    text = "Nhân viên trực ban nghe điện thoại riêng suốt buổi."
    base = SAMPLE_EXAMPLES + [{"text": text, "topics": ["other"], "sentiment": "neutral"}]
    fixed = [{"text": text, "topics": ["demeanour"], "sentiment": "negative"}]
    model = train(base, corrections=fixed, random_state=0)
    p = model.predict(text)
    assert p.topics[0] == "demeanour" and p.sentiment == "negative"
    assert model.metadata["n_corrections"] == 1
    assert model.metadata["n_examples"] == len(SAMPLE_EXAMPLES)  # the corrected example is replaced


@pytest.mark.parametrize(
    "bad",
    [
        {"text": "x", "topics": ["weather"], "sentiment": "neutral"},
        {"text": "x", "topics": ["other", "traffic"], "sentiment": "neutral"},
        {"text": "x", "topics": [], "sentiment": "neutral"},
        {"text": "x", "topics": ["traffic"], "sentiment": "angry"},
        {"text": "", "topics": ["traffic"], "sentiment": "neutral"},
        {"topics": ["traffic"], "sentiment": "neutral"},
    ],
)
def test_train_rejects_bad_examples(bad):
    with pytest.raises(ValueError, match="example 33"):
        train(SAMPLE_EXAMPLES + [bad])


def test_explanation_is_the_same_read_lazily_or_not(model):
    texts = ["Làm căn cước đợi lâu quá", "Cán bộ quát tháo người dân", "😀"]
    batch = model.predict_batch(texts)
    singles = [model.predict(t) for t in reversed(texts)][::-1]
    assert [p.explanation for p in batch] == [p.explanation for p in singles]
    assert all(p.explanation == {} for p in model.predict_batch(texts, explain=False))


def test_restorer_puts_accents_back_by_context():
    from classifier.features import Doc, Restorer

    seen = [Doc(["bàn", "làm", "việc"], False), Doc(["bạn", "bè", "tốt"], False), Doc(["bạn", "bè"], False)]
    restorer = Restorer(seen)
    assert restorer.restore(Doc(["ban", "lam", "viec"], True)) == ["bàn", "làm", "việc"]
    assert restorer.restore(Doc(["ban", "be"], True)) == ["bạn", "bè"]
    assert restorer.restore(Doc(["ban", "xyz"], True)) == ["bạn", "xyz"]  # most common form; unknown kept


def test_restorer_prefers_the_context_on_both_sides():
    from classifier.features import Doc, Restorer

    # After "anh", "toi" is most often "tôi"; between "anh" and "noi" it was "tới".
    seen = [Doc(["anh", "tôi", "đến"], False), Doc(["anh", "tôi", "về"], False), Doc(["anh", "tới", "nơi"], False)]
    restorer = Restorer(seen)
    assert restorer.restore(Doc(["anh", "toi", "noi"], True)) == ["anh", "tới", "nơi"]
    assert restorer.restore(Doc(["anh", "toi", "ve"], True)) == ["anh", "tôi", "về"]
    # Two words before, when the next word was never seen after it.
    seen = [Doc(["chờ", "anh", "tới"], False), Doc(["nhà", "anh", "tôi"], False), Doc(["nhà", "anh", "tôi"], False)]
    assert Restorer(seen).restore(Doc(["cho", "anh", "toi", "xyz"], True))[:3] == ["chờ", "anh", "tới"]


def _phrases_every_word(unit_scores, spans, written, top=5):
    """The straightforward walk over every word that explain._phrases must match:
    runs of words past 15% of the best word, broken by punctuation, at most 4 long."""
    best = max(unit_scores, default=0.0)
    if best <= 0:
        return []
    runs, run = [], None
    for unit, score in enumerate(unit_scores):
        if score < 0.15 * best:
            run = None
        elif run is not None and run[3] < 4 and not written[spans[run[2]][1]:spans[unit][0]].strip():
            run[0] += score
            run[2] = unit
            run[3] += 1
        else:
            run = [score, unit, unit, 1]
            runs.append(run)
    runs.sort(key=lambda r: (-r[0], r[1]))
    return [(written[spans[f][0]:spans[l][1]], round(total, 4)) for total, f, l, _ in runs[:top]]


def test_explanations_match_a_walk_over_every_word(model):
    # explain.py only walks the words past each label's cut: pin that it gives
    # what walking every word gives, on varied texts (abbreviations share a span).
    import numpy as np

    from classifier.explain import word_scores
    texts = [e["text"] for e in SAMPLE_EXAMPLES] + [
        "CCCD làm lâu quá, cán bộ phường quát tháo!!! Đường xá hư hỏng, đèn tắt.",
        "lam cccd lau qua. can bo thai do kem", "CA phường 5 nhiệt tình, cảm ơn ae 👍",
    ]
    predictions = model.predict_batch(texts)
    explainer = next(p._explain.func.__self__ for p in predictions if p._explain is not None)
    scores = word_scores(explainer.features, explainer.weights)
    offsets = explainer.features.word_offsets
    checked = 0
    for i, prediction in enumerate(predictions):
        if prediction._explain is None:
            continue
        labels = prediction._explain.args[1]
        tokens = explainer.token_lists[i]
        spans = [(t.start, t.end) for t in tokens]
        units = [j for j in range(len(spans)) if j == 0 or spans[j] != spans[j - 1]]
        rows = np.add.reduceat(scores[offsets[i]:offsets[i + 1]], units, axis=0)
        spans = [spans[j] for j in units]
        expected = {label: _phrases_every_word(rows[:, model._weights()[1][label]].tolist(), spans, texts[i])
                    for label in labels}
        assert prediction.explanation == expected
        checked += 1
    assert checked >= len(texts) // 2
