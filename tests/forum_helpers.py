"""Helpers for the forum, moderation and classifier-in-app tests: a tiny fake model, quick opinions."""

from classifier import Prediction
from classifier.text import fold_diacritics

from feedback.forum import services as forum
from feedback.forum.models import Identity, OpinionKind


class FakeModel:
    """Keyword rules in place of the real model: fast, and predictable in assertions."""

    version = "fake-1"

    def __init__(self, fail=False):
        self.fail = fail
        self.calls = 0

    def predict(self, text):
        self.calls += 1
        if self.fail:
            raise RuntimeError("model exploded")
        folded = fold_diacritics(text)
        if "tien" in folded or "boi duong" in folded:
            topics, sentiment = ["integrity"], "negative"
        elif "cam on" in folded:
            topics, sentiment = ["demeanour"], "positive"
        elif "quat" in folded or "hach" in folded:
            topics, sentiment = ["demeanour"], "negative"
        elif "xe" in folded:
            topics, sentiment = ["traffic"], "neutral"
        else:
            topics, sentiment = ["procedure"], "neutral"
        scores = {t: (0.9 if t in topics else 0.05) for t in
                  ("demeanour", "procedure", "integrity", "responsiveness", "public_order", "traffic", "facilities", "other")}
        sentiments = {s: (0.8 if s == sentiment else 0.1) for s in ("negative", "neutral", "positive")}
        abstain = "khong ro" in folded
        return Prediction(topics, scores, sentiment, sentiments, 0.3 if abstain else 0.8, abstain,
                          {topics[0]: [("phrase", 1.0)]})

    def predict_batch(self, texts, explain=True):
        return [self.predict(t) for t in texts]


def use_fake_model(app, model=None):
    """Put a fake model into the app's classifier holder; returns it."""
    model = model or FakeModel()
    app.extensions["classifier"].replace(model)
    return model


def use_no_model(app):
    """Make the app's classifier unavailable (as if the model file were missing)."""
    app.config["CLASSIFIER_MODEL_DIR"] = "/nonexistent/model-dir"
    app.extensions["classifier"].reset("/nonexistent/model-dir")


def submit(unit, body="Thủ tục làm căn cước ở đây rất nhanh gọn.", kind=OpinionKind.suggestion,
           identity=Identity.anonymous, **kwargs):
    kwargs.setdefault("classifier", False)
    return forum.submit_opinion(unit, kind, body, identity=identity, **kwargs)
