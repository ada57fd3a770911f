"""Lắng nghe's feedback classifier: topics and sentiment of Vietnamese citizen
comments, with calibrated confidences and explanations. A pure library on
scikit-learn; it never imports Flask.

    model = load_model()                 # the bundled default model
    prediction = model.predict("làm căn cước đợi lâu quá")
"""

import importlib

from classifier.errors import InvalidText, ModelError
from classifier.labels import SENTIMENTS, TOPICS
from classifier.storage import default_model_dir, load_model

# Loaded on first use (PEP 562): importing them pulls in numpy and sklearn,
# which `python -m classifier build-default --if-stale` must not pay for.
_FROM_MODEL = {"Model", "Prediction", "build_default_model", "train"}

__all__ = [
    "InvalidText",
    "Model",
    "ModelError",
    "Prediction",
    "SENTIMENTS",
    "TOPICS",
    "build_default_model",
    "default_model_dir",
    "load_model",
    "train",
]


def __getattr__(name):
    if name in _FROM_MODEL:
        return getattr(importlib.import_module("classifier.model"), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
