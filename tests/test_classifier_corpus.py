import json

import pytest

from classifier.corpus import check_example, corpus_files, corpus_stats, validate_corpus
from classifier.labels import SENTIMENTS, TOPICS
from classifier.samples import SAMPLE_EXAMPLES


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_samples_are_valid():
    assert all(check_example(e) == [] for e in SAMPLE_EXAMPLES)


def test_validator_finds_every_kind_of_problem(tmp_path):
    nfd = "ho\u0300a"  # "hoà" decomposed
    path = write(tmp_path / "corpus_x.jsonl", [
        json.dumps({"text": "Cán bộ lịch sự", "topics": ["demeanour"], "sentiment": "positive"}, ensure_ascii=False),
        "{broken",
        json.dumps({"text": "a", "topics": ["other", "traffic"], "sentiment": "neutral"}),
        json.dumps({"text": "b", "topics": ["traffic", "procedure", "integrity", "facilities"], "sentiment": "neutral"}),
        json.dumps({"text": "c", "topics": ["weather"], "sentiment": "neutral"}),
        json.dumps({"text": "d", "topics": ["traffic"], "sentiment": "happy"}),
        json.dumps({"text": nfd, "topics": ["traffic"], "sentiment": "neutral"}),
        json.dumps({"text": "CÁN BỘ  lịch sự", "topics": ["demeanour"], "sentiment": "positive"}, ensure_ascii=False),
        json.dumps({"text": "e", "topics": ["traffic"], "sentiment": "neutral", "note": "x"}),
        json.dumps({"text": "f"}),
    ])
    problems = validate_corpus([path])
    text = "\n".join(problems)
    for line, words in [(2, "not JSON"), (3, "`other` combined"), (4, "topics must be a list of 1 to 3"), (5, "unknown topic"),
                        (6, "unknown sentiment"), (7, "text is not NFC"), (8, "duplicate of corpus_x.jsonl:1"),
                        (9, "unexpected field"), (10, "missing")]:
        assert f"corpus_x.jsonl:{line}: {words}" in text, (line, text)
    assert not any(p.startswith("corpus_x.jsonl:1:") for p in problems)


def test_validator_flags_texts_of_the_evaluation_set(tmp_path):
    corpus = write(tmp_path / "corpus_a.jsonl", [json.dumps(SAMPLE_EXAMPLES[0], ensure_ascii=False)])
    dev = write(tmp_path / "dev.jsonl", [json.dumps({"text": "can bo tiep dan lich su, nhe nhang, luon chao hoi."})])
    assert any("evaluation set" in p for p in validate_corpus([corpus], forbidden=[dev]))


def test_stats_count_labels(tmp_path):
    path = write(tmp_path / "corpus_s.jsonl", [json.dumps(e, ensure_ascii=False) for e in SAMPLE_EXAMPLES])
    stats = corpus_stats([path])
    assert stats["n"] == len(SAMPLE_EXAMPLES)
    assert sum(stats["sentiments"].values()) == len(SAMPLE_EXAMPLES)
    assert stats["topics"]["procedure"] == sum("procedure" in e["topics"] for e in SAMPLE_EXAMPLES)
    assert stats["without_diacritics"] >= 5


def test_shipped_corpus_is_valid_and_big_enough():
    """Fails until the corpus writers are done: that is the point of it."""
    files = corpus_files()
    assert files, "no classifier/data/corpus_*.jsonl yet"
    assert validate_corpus(files) == []
    stats = corpus_stats(files)
    assert stats["n"] >= 2500
    for topic in TOPICS:
        assert stats["topics"][topic] >= 150, topic
    for sentiment in SENTIMENTS:
        assert stats["sentiments"][sentiment] >= 400, sentiment


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file_is_not_copied_from_the_evaluation_set(path):
    from pathlib import Path

    dev = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "police-feedback-dev" / "dev.jsonl"
    if not dev.is_file():
        pytest.skip("evaluation set not available here")
    assert [p for p in validate_corpus([path], forbidden=[dev]) if "evaluation set" in p] == []
