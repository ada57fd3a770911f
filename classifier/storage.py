"""Model directories: `model.joblib` plus `metadata.json` (version, data hash,
metrics, library versions, the model file's SHA-256).

A model file is a pickle: load only directories your own team wrote. The
checksum catches truncated or swapped files, the version check catches a
library upgrade that would unpickle into something subtly different.
"""

import hashlib
import json
import os
from importlib.metadata import version as installed_version
from pathlib import Path

from classifier.errors import ModelError

# joblib, numpy and sklearn are imported inside the functions that unpickle or
# write a model: `build-default --if-stale` runs at every start and must stay
# a fraction of a second when nothing changed.

# Bumped whenever the pickled Model changes shape: an older directory then
# counts as unloadable (and `build-default --if-stale` rebuilds it).
FORMAT = 5
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
DEFAULT_DIR = Path(__file__).parent / "models" / "default"
ENV_VAR = "LANGNGHE_MODEL_DIR"


def default_model_dir():
    """Where the bundled model lives: $LANGNGHE_MODEL_DIR, else classifier/models/default."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def file_sha256(path):
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model, directory):
    """Write the model file, then metadata.json with its checksum; returns the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    import joblib

    model_path = directory / MODEL_FILE
    joblib.dump(model, model_path, compress=3)
    metadata = dict(model.metadata, model_file=MODEL_FILE, model_sha256=file_sha256(model_path))
    model.metadata = metadata
    (directory / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return directory


def load_model(path=None):
    """Load a model directory (default: default_model_dir()); ModelError names the bad file."""
    from classifier.model import Model  # here: model.py imports this module

    directory = Path(path) if path is not None else default_model_dir()
    try:
        metadata = read_metadata(directory)
    except ModelError as error:
        missing = path is None and not (directory / METADATA_FILE).exists()
        raise ModelError(f"{error}{' (run `python -m classifier build-default`)' if missing else ''}") from None
    model_path = check_model_dir(directory, metadata)
    import joblib

    try:
        model = joblib.load(model_path)
    except Exception as error:  # a pickle can fail in many ways; all mean "bad file"
        raise ModelError(f"{model_path}: cannot load the model ({type(error).__name__}: {error})") from None
    if not isinstance(model, Model):
        raise ModelError(f"{model_path}: holds a {type(model).__name__}, not a classifier Model")
    model.metadata = metadata
    return model


def read_metadata(directory):
    """The metadata.json of a model directory as a dict; ModelError names the bad file."""
    metadata_path = Path(directory) / METADATA_FILE
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{metadata_path}: no model metadata here") from None
    except (OSError, ValueError) as error:
        raise ModelError(f"{metadata_path}: unreadable metadata ({error})") from None
    if not isinstance(metadata, dict):
        raise ModelError(f"{metadata_path}: not a classifier model's metadata")
    return metadata


def check_model_dir(directory, metadata):
    """Every check load_model makes short of unpickling: metadata shape, format,
    library versions, the model file's checksum. Returns the model file's path."""
    directory = Path(directory)
    if "model_sha256" not in metadata or "libraries" not in metadata:
        raise ModelError(f"{directory / METADATA_FILE}: not a classifier model's metadata")
    model_path = directory / str(metadata.get("model_file", MODEL_FILE))
    if metadata.get("format") != FORMAT:
        raise ModelError(
            f"{model_path}: model format {metadata.get('format')}, this code reads format {FORMAT}; "
            "rebuild the model (python -m classifier build-default or train)"
        )
    _check_versions(metadata["libraries"], model_path)
    try:
        checksum = file_sha256(model_path)
    except OSError as error:
        raise ModelError(f"{model_path}: cannot read the model file ({error.strerror})") from None
    if checksum != metadata["model_sha256"]:
        raise ModelError(f"{model_path}: checksum mismatch, the file is corrupt or not the one {METADATA_FILE} describes")
    return model_path


def stale_reason(directory, data_hash):
    """Why the model in `directory` must be rebuilt, or None when it is current:
    missing, failing load_model's checks, or trained on other data than `data_hash`.

    Cheap on purpose (no unpickling): the checksum already proves the file is
    the one that was written and loaded fine then.
    """
    try:
        metadata = read_metadata(directory)
        check_model_dir(directory, metadata)
    except ModelError as error:
        return str(error)
    if metadata.get("training_data_sha256") != data_hash:
        return "the corpus changed since it was built"
    return None


def _check_versions(libraries, model_path):
    """ModelError unless the file was written with this sklearn and numpy major.minor."""
    for name, installed in (("sklearn", installed_version("scikit-learn")), ("numpy", installed_version("numpy"))):
        written = str(libraries.get(name, "?")) if isinstance(libraries, dict) else "?"
        if _major_minor(written) != _major_minor(installed):
            raise ModelError(
                f"{model_path}: written with {name} {written}, but {installed} is installed; "
                "rebuild the model (python -m classifier build-default or train)"
            )


def _major_minor(version):
    return tuple(version.split(".")[:2])
