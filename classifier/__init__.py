"""Lắng nghe's feedback classifier: topics and sentiment of Vietnamese citizen
comments, with calibrated confidences and explanations. A pure library on
scikit-learn; it never imports Flask.

    model = load_model()                 # the bundled default model
    prediction = model.predict("làm căn cước đợi lâu quá")
"""

from classifier.errors import InvalidText, ModelError
from classifier.labels import SENTIMENTS, TOPICS
from classifier.model import Model, Prediction, build_default_model, train
from classifier.storage import default_model_dir, load_model

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
