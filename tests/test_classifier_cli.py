import json

import pytest
from click.testing import CliRunner

from classifier.cli import cli
from classifier.samples import SAMPLE_EXAMPLES


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data = write_jsonl(root / "train.jsonl", SAMPLE_EXAMPLES)
    fixes = write_jsonl(root / "fixes.jsonl", [{"text": "cán bộ ngủ gật khi trực", "topics": ["demeanour"], "sentiment": "negative"}])
    result = CliRunner().invoke(cli, ["train", "--data", str(data), "--corrections", str(fixes), "--out", str(root / "model")])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["predict"], ["benchmark"], ["build-default"],
                                     ["validate-corpus"], ["corpus-stats"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, command + ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_train_writes_a_model_directory(trained):
    assert (trained / "model" / "model.joblib").is_file()
    metadata = json.loads((trained / "model" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["n_corrections"] == 1


def test_evaluate_json_shape(trained):
    result = CliRunner().invoke(cli, ["evaluate", "--model", str(trained / "model"), "--data", str(trained / "train.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == len(SAMPLE_EXAMPLES)
    assert set(report["topics"]) == {"micro_f1", "macro_f1", "per_label"}
    assert set(report["topics"]["per_label"]["traffic"]) == {"precision", "recall", "f1", "support"}
    assert {"macro_f1", "accuracy"} <= set(report["sentiment"])
    assert set(report["no_diacritics"]) == {"topics", "sentiment"}
    assert 0.5 < report["topics"]["micro_f1"] <= 1
    assert report["no_diacritics"]["topics"]["micro_f1"] > 0.5


def test_evaluate_text_report(trained):
    result = CliRunner().invoke(cli, ["evaluate", "--model", str(trained / "model"), "--data", str(trained / "train.jsonl")])
    assert result.exit_code == 0
    assert "without diacritics" in result.output and "procedure" in result.output


def test_predict_prints_labels_and_reasons(trained):
    result = CliRunner().invoke(cli, ["predict", "--model", str(trained / "model"), "Làm căn cước đợi lâu quá"])
    assert result.exit_code == 0, result.output
    assert "procedure" in result.output and "why procedure" in result.output


def test_predict_json(trained):
    result = CliRunner().invoke(cli, ["predict", "--model", str(trained / "model"), "--json", "thái độ hống hách", "xe đậu vỉa hè"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 2 and {"topics", "sentiment", "confidence", "abstain", "explanation"} <= set(rows[0])


def test_bad_model_dir_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(cli, ["predict", "--model", str(tmp_path), "xin chào"])
    assert result.exit_code == 1
    assert "metadata.json" in result.output and "Traceback" not in result.output


def test_train_reports_bad_data(tmp_path):
    data = write_jsonl(tmp_path / "bad.jsonl", [{"text": "x", "topics": ["nope"], "sentiment": "neutral"}] * 3)
    result = CliRunner().invoke(cli, ["train", "--data", str(data), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1 and "unknown topic" in result.output


def test_benchmark_on_a_tiny_uit_like_dir(tmp_path):
    topics = {"procedure": "training_program", "facilities": "facility", "other": "others"}
    rows = [{"text": e["text"].lower(), "sentiment": e["sentiment"], "topic": topics.get(e["topics"][0], "lecturer")}
            for e in SAMPLE_EXAMPLES]
    for split in ("train", "dev", "test"):
        write_jsonl(tmp_path / f"{split}.jsonl", rows)
    result = CliRunner().invoke(cli, ["benchmark", "uit-vsfc", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for task in ("sentiment", "topic"):
        for split in ("test", "test_no_diacritics"):
            assert {"macro_f1", "weighted_f1", "accuracy"} <= set(report[task][split])
        assert report[task]["test"]["accuracy"] > 0.6  # it is its own training data
    text = CliRunner().invoke(cli, ["benchmark", "uit-vsfc", "--data-dir", str(tmp_path)])
    assert "macro-F1" in text.output


def test_validate_and_stats_on_given_files(tmp_path):
    good = write_jsonl(tmp_path / "corpus_good.jsonl", SAMPLE_EXAMPLES)
    result = CliRunner().invoke(cli, ["validate-corpus", str(good)])
    assert result.exit_code == 0, result.output
    bad = write_jsonl(tmp_path / "corpus_bad.jsonl", SAMPLE_EXAMPLES[:2] + [SAMPLE_EXAMPLES[0]])
    result = CliRunner().invoke(cli, ["validate-corpus", str(bad)])
    assert result.exit_code == 1 and "duplicate" in result.output
    stats = CliRunner().invoke(cli, ["corpus-stats", "--json", str(good)])
    assert json.loads(stats.output)["n"] == len(SAMPLE_EXAMPLES)


def test_build_default_if_stale_rebuilds_only_when_needed(tmp_path, monkeypatch):
    corpus = write_jsonl(tmp_path / "corpus_a.jsonl", SAMPLE_EXAMPLES)
    monkeypatch.setattr("classifier.cli.corpus_files", lambda: [corpus])
    monkeypatch.setattr("classifier.model.corpus_files", lambda: [corpus])
    out = tmp_path / "model"
    command = ["build-default", "--if-stale", "--out", str(out)]

    def run():
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, result.output
        return result.output

    assert "rebuilding" in run() and (out / "model.joblib").is_file()
    written = (out / "model.joblib").stat().st_mtime_ns
    assert "nothing to do" in run()
    assert (out / "model.joblib").stat().st_mtime_ns == written

    write_jsonl(corpus, SAMPLE_EXAMPLES + [{"text": "cán bộ ngủ gật khi trực", "topics": ["demeanour"],
                                            "sentiment": "negative"}])
    assert "corpus changed" in run()
    assert "nothing to do" in run()

    (out / "model.joblib").write_bytes(b"broken")
    assert "checksum" in run()
    assert "nothing to do" in run()
