"""The topic + sentiment model: training, prediction, explanation."""

import hashlib
import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import joblib
import numpy as np
import scipy
import sklearn

from classifier.corpus import check_example, corpus_files, load_examples
from classifier.evaluation import score_predictions
from classifier.explain import explain_row
from classifier.features import Featurizer, folded_words
from classifier.heads import MultiLabelHead, SingleLabelHead
from classifier.labels import MAX_TOPICS, OTHER, SENTIMENTS, TOPICS
from classifier.storage import default_model_dir, save_model
from classifier.text import canonical, fold_diacritics, tokenize

# Below this overall confidence a prediction asks for a human look.
ABSTAIN_BELOW = 0.5
# A staff correction counts as this many corpus examples: staff know the case.
CORRECTION_WEIGHT = 3.0
TOPIC_C = 0.5
SENTIMENT_C = 0.3
FORMAT = 1


@dataclass
class Prediction:
    """Labels for one text, with calibrated scores and the phrases behind them."""

    topics: list
    topic_scores: dict
    sentiment: str
    sentiment_scores: dict
    confidence: float
    abstain: bool
    explanation: dict = field(default_factory=dict)

    def to_dict(self):
        """A JSON-serialisable dict (explanation pairs become lists)."""
        data = asdict(self)
        data["explanation"] = {label: [list(pair) for pair in pairs] for label, pairs in self.explanation.items()}
        return data


class Model:
    """A fitted featurizer plus the topic and sentiment heads, with its metadata."""

    def __init__(self, featurizer, topic_head, sentiment_head, metadata):
        self.featurizer = featurizer
        self.topic_head = topic_head
        self.sentiment_head = sentiment_head
        self.metadata = metadata
        self._explain_weights = None

    @property
    def version(self):
        """Version string "YYYY.MM.DD-<data hash>", also in metadata.json."""
        return self.metadata["version"]

    def predict(self, text):
        """Labels, scores and explanation for one text (InvalidText if not a str)."""
        return self.predict_batch([text])[0]

    def predict_batch(self, texts, explain=True):
        """Predictions for many texts at once; explain=False skips the phrases."""
        texts = list(texts)
        token_lists = [tokenize(text) for text in texts]
        docs = [folded_words(tokens) for tokens in token_lists]
        X, sources = self.featurizer.transform_docs(docs, with_sources=True) if explain else (
            self.featurizer.transform_docs(docs), None)
        topic_probs = self.topic_head.predict_proba(X)
        sentiment_probs = self.sentiment_head.predict_proba(X)
        sentiment_choice = self.sentiment_head.choose(sentiment_probs)
        predictions = []
        for i, text in enumerate(texts):
            row = slice(X.indptr[i], X.indptr[i + 1])
            has_words = any(not t.norm.startswith("xx") and t.norm[0].isalpha() for t in token_lists[i])
            if not has_words or row.start == row.stop:
                # Nothing the model knows (empty, emoji only, another script): say so.
                predictions.append(_unknown())
                continue
            prediction = self._prediction(topic_probs[i], sentiment_probs[i], sentiment_choice[i])
            if explain:
                labels = prediction.topics + [prediction.sentiment]
                weights = {label: self._weights(label) for label in labels if label != OTHER}
                prediction.explanation = explain_row(
                    X.indices[row], X.data[row], sources[i], weights, token_lists[i], text
                )
            predictions.append(prediction)
        return predictions

    def _prediction(self, topic_probs, sentiment_probs, sentiment_index):
        """Choose topics (thresholds, at most MAX_TOPICS, else `other`) and wrap it up."""
        topic_scores = {label: round(float(p), 4) for label, p in zip(TOPICS, topic_probs)}
        passing = [
            (p, label) for label, p, t in zip(TOPICS, topic_probs, self.topic_head.thresholds_)
            if label != OTHER and p >= t
        ]
        topics = [label for _, label in sorted(passing, reverse=True)[:MAX_TOPICS]] or [OTHER]
        sentiment = SENTIMENTS[sentiment_index]
        sentiment_scores = {label: round(float(p), 4) for label, p in zip(SENTIMENTS, sentiment_probs)}
        confidence = round(min(topic_scores[topics[0]], sentiment_scores[sentiment]), 4)
        return Prediction(topics, topic_scores, sentiment, sentiment_scores, confidence, confidence < ABSTAIN_BELOW)

    def _weights(self, label):
        """The weight vector whose dot product with the features raises `label`'s probability."""
        if self._explain_weights is None:
            topic = self.topic_head.coef_ * self.topic_head.platt_[:, :1]
            # Sentiment probabilities are a softmax over calibrated mixes of the
            # class scores: explain a class by its logit minus the mean logit.
            logits = self.sentiment_head.calib_coef_ @ self.sentiment_head.coef_
            sentiment = logits - logits.mean(axis=0)
            self._explain_weights = dict(zip(TOPICS + SENTIMENTS, np.vstack([topic, sentiment]).astype(np.float32)))
        return self._explain_weights[label]

    def save(self, directory):
        """Write model file + metadata.json into `directory`; returns its path."""
        return save_model(self, directory)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_explain_weights"] = None
        return state


def _unknown():
    """The fallback for text with nothing to go on (empty, emoji only, another
    script): other / neutral, every score 0, confidence 0, abstain."""
    return Prediction(
        topics=[OTHER],
        topic_scores=dict.fromkeys(TOPICS, 0.0),
        sentiment="neutral",
        sentiment_scores=dict.fromkeys(SENTIMENTS, 0.0),
        confidence=0.0,
        abstain=True,
    )


def build_default_model(out_dir=None):
    """Train on the shipped corpus with fixed seeds and save it (default:
    default_model_dir()); returns the directory. Same corpus, same predictions."""
    examples = load_examples(corpus_files())
    return train(examples, random_state=0).save(out_dir if out_dir is not None else default_model_dir())


def train(examples, corrections=None, random_state=0):
    """Fit a Model on corpus examples plus staff corrections (weighted higher).

    Both are iterables of {"text", "topics", "sentiment"} dicts; a correction
    replaces a corpus example with the same text. The metadata's
    "metrics_holdout" scores each example with the cross-validation fold model
    that was trained without it.
    """
    base = _checked(examples, "example")
    fixes = _checked(corrections or [], "correction")
    fixed_texts = {_text_key(e["text"]) for e in fixes}
    base = [e for e in base if _text_key(e["text"]) not in fixed_texts]
    if len(base) + len(fixes) < 2:
        raise ValueError("need at least 2 training examples")
    weights = [1.0] * len(base) + [CORRECTION_WEIGHT] * len(fixes)
    data_hash = training_data_hash(base, fixes)
    created = datetime.now(timezone.utc)
    metadata = {
        "format": FORMAT,
        "version": f"{created:%Y.%m.%d}-{data_hash[:6]}",
        "created": created.isoformat(timespec="seconds"),
        "training_data_sha256": data_hash,
        "n_examples": len(base),
        "n_corrections": len(fixes),
        "random_state": random_state,
        "labels": {"topics": list(TOPICS), "sentiments": list(SENTIMENTS)},
        "libraries": library_versions(),
    }
    return _fit(base + fixes, weights, random_state, metadata)


def _fit(examples, weights, random_state, metadata):
    """Featurize and fit both heads; the thresholds land in the metadata."""
    featurizer = Featurizer()
    X = featurizer.fit_transform([e["text"] for e in examples])
    Y = np.array([[label in e["topics"] for label in TOPICS] for e in examples], dtype=bool)
    y = np.array([SENTIMENTS.index(e["sentiment"]) for e in examples])
    topic_head = MultiLabelHead(TOPICS, C=TOPIC_C, random_state=random_state).fit(X, Y, weights)
    sentiment_head = SingleLabelHead(
        SENTIMENTS, C=SENTIMENT_C, random_state=random_state, prefer="negative"
    ).fit(X, y, weights)
    metadata = dict(metadata)
    metadata["topic_thresholds"] = dict(zip(TOPICS, (round(float(t), 3) for t in topic_head.thresholds_)))
    metadata["sentiment_offsets"] = dict(zip(SENTIMENTS, (round(float(o), 3) for o in sentiment_head.offsets_)))
    metadata["n_features"] = int(X.shape[1])
    model = Model(featurizer, topic_head, sentiment_head, metadata)
    # Every example scored by the fold model that never saw it, with the final
    # decision rule: the held-out figures, without a second training run.
    held_out = [
        model._prediction(topics, sentiments, choice)
        for topics, sentiments, choice in zip(
            topic_head.oof_proba_, sentiment_head.oof_proba_, sentiment_head.choose(sentiment_head.oof_proba_)
        )
    ]
    metadata["metrics_holdout"] = dict(score_predictions(examples, held_out), n=len(examples), method="out-of-fold")
    topic_head.oof_proba_ = sentiment_head.oof_proba_ = None  # not worth storing
    return model


def _checked(examples, what):
    """Examples as plain dicts, or ValueError naming the first bad one."""
    checked = []
    for i, example in enumerate(examples):
        problems = check_example(example)
        if problems:
            raise ValueError(f"{what} {i + 1}: {'; '.join(problems)}")
        checked.append({"text": example["text"], "topics": list(example["topics"]), "sentiment": example["sentiment"]})
    return checked


def _text_key(text):
    """Texts that differ only in case, accents or spacing are the same text."""
    return " ".join(fold_diacritics(canonical(text)).split())


def training_data_hash(examples, corrections):
    """SHA-256 of the training data in order (order matters: it seeds the folds)."""
    digest = hashlib.sha256()
    for kind, rows in (("example", examples), ("correction", corrections)):
        for e in rows:
            line = json.dumps([kind, e["text"], e["topics"], e["sentiment"]], ensure_ascii=False)
            digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def library_versions():
    """Versions a pickled model depends on; loading checks sklearn and numpy."""
    return {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }
