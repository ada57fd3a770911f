import json

import pytest

from classifier import ModelError, default_model_dir, load_model, train
from classifier.samples import SAMPLE_EXAMPLES
from classifier.storage import DEFAULT_DIR, METADATA_FILE, MODEL_FILE


@pytest.fixture(scope="module")
def model():
    return train(SAMPLE_EXAMPLES, random_state=0)


@pytest.fixture()
def saved(model, tmp_path):
    return model.save(tmp_path / "m")


def test_round_trip(model, saved):
    loaded = load_model(saved)
    assert loaded.version == model.version
    texts = ["thái độ hống hách", "lam can cuoc doi lau", "cảm ơn CSGT"]
    assert [p.to_dict() for p in loaded.predict_batch(texts)] == [p.to_dict() for p in model.predict_batch(texts)]
    metadata = json.loads((saved / METADATA_FILE).read_text(encoding="utf-8"))
    assert metadata["model_file"] == MODEL_FILE
    assert len(metadata["model_sha256"]) == 64
    assert metadata["version"] == model.version


def test_corrupt_model_file_is_refused_by_checksum(saved):
    path = saved / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=MODEL_FILE) as info:
        load_model(saved)
    assert "checksum" in str(info.value)


def test_truncated_model_file_is_refused(saved):
    path = saved / MODEL_FILE
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelError, match=MODEL_FILE):
        load_model(saved)


def test_garbage_with_matching_checksum_is_refused(saved):
    from classifier.storage import file_sha256

    (saved / MODEL_FILE).write_bytes(b"not a pickle at all")
    metadata = json.loads((saved / METADATA_FILE).read_text(encoding="utf-8"))
    metadata["model_sha256"] = file_sha256(saved / MODEL_FILE)
    (saved / METADATA_FILE).write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(ModelError, match="cannot load"):
        load_model(saved)


@pytest.mark.parametrize("library", ["sklearn", "numpy"])
def test_other_library_version_is_refused(saved, library):
    metadata = json.loads((saved / METADATA_FILE).read_text(encoding="utf-8"))
    metadata["libraries"][library] = "0.1.0"
    (saved / METADATA_FILE).write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(ModelError, match=f"{MODEL_FILE}.*{library} 0.1.0"):
        load_model(saved)


def test_patch_version_difference_is_accepted(saved):
    metadata = json.loads((saved / METADATA_FILE).read_text(encoding="utf-8"))
    major_minor = ".".join(metadata["libraries"]["sklearn"].split(".")[:2])
    metadata["libraries"]["sklearn"] = major_minor + ".99"
    (saved / METADATA_FILE).write_text(json.dumps(metadata), encoding="utf-8")
    assert load_model(saved).version


def test_missing_or_broken_metadata(saved, tmp_path):
    with pytest.raises(ModelError, match=METADATA_FILE):
        load_model(tmp_path / "nowhere")
    (saved / METADATA_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=METADATA_FILE):
        load_model(saved)


def test_missing_model_file(saved):
    (saved / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match=MODEL_FILE):
        load_model(saved)


def test_default_model_dir_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("LANGNGHE_MODEL_DIR", raising=False)
    assert default_model_dir() == DEFAULT_DIR
    assert DEFAULT_DIR.parts[-3:] == ("classifier", "models", "default")
    monkeypatch.setenv("LANGNGHE_MODEL_DIR", str(tmp_path))
    assert default_model_dir() == tmp_path


def test_load_model_without_path_uses_the_env_var(monkeypatch, saved):
    monkeypatch.setenv("LANGNGHE_MODEL_DIR", str(saved))
    assert load_model().metadata["model_sha256"]


def test_model_file_is_small(saved):
    assert (saved / MODEL_FILE).stat().st_size < 1_000_000
