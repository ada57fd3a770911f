"""The bundled default model, built once into a temporary directory from the shipped corpus."""

import pytest

from classifier import build_default_model, load_model
from classifier.corpus import corpus_files
from classifier.text import fold_diacritics

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def default_model(tmp_path_factory):
    if not corpus_files():
        pytest.skip("no corpus files yet")
    return load_model(build_default_model(tmp_path_factory.mktemp("default") / "model"))


@pytest.mark.parametrize(
    ("text", "topic", "sentiment"),
    [
        ("Làm căn cước đợi lâu quá, hẹn ba lần vẫn chưa có", "procedure", "negative"),
        ("Cán bộ tiếp dân rất nhiệt tình, lịch sự, cảm ơn các anh chị", "demeanour", "positive"),
        ("Khu phố tôi đêm nào cũng có người chích hút ma túy", "public_order", None),
        ("CSGT chốt chặn đòi tiền mới cho đi", "integrity", "negative"),
    ],
)
def test_default_model_gets_plain_cases_right(default_model, text, topic, sentiment):
    for variant in (text, fold_diacritics(text)):
        p = default_model.predict(variant)
        assert topic in p.topics, (variant, p.topics)
        if sentiment:
            assert p.sentiment == sentiment, (variant, p.sentiment_scores)


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        # Negated praise is a complaint, negated complaint praise.
        ("cán bộ không nhiệt tình", "negative"),
        ("thái độ không tốt", "negative"),
        ("hướng dẫn không rõ ràng", "negative"),
        ("làm việc không chuyên nghiệp", "negative"),
        ("không phải chờ lâu, rất nhanh", "positive"),
        ("anh cảnh sát không hề gây khó dễ", "positive"),
        ("thủ tục không rườm rà", "positive"),
    ],
)
def test_default_model_reads_negation(default_model, text, sentiment):
    for variant in (text, fold_diacritics(text)):
        p = default_model.predict(variant)
        assert p.sentiment == sentiment, (variant, p.sentiment_scores)


def test_default_model_metadata(default_model):
    metadata = default_model.metadata
    assert metadata["n_examples"] > 100
    assert metadata["metrics_holdout"]["topics"]["micro_f1"] > 0.5
    assert metadata["random_state"] == 0


def test_rebuilding_gives_identical_predictions(default_model, tmp_path):
    again = load_model(build_default_model(tmp_path / "again"))
    texts = ["cán bộ quát tháo", "xe bị giữ ở trạm", "cảm ơn công an phường", "lam ho chieu mat bao lau"]
    assert [p.to_dict() for p in again.predict_batch(texts)] == [p.to_dict() for p in default_model.predict_batch(texts)]
    assert again.metadata["training_data_sha256"] == default_model.metadata["training_data_sha256"]
