"""The topic + sentiment model: training, prediction, explanation."""

import platform
from datetime import datetime, timezone
from functools import partial

import joblib
import numpy as np
import scipy
import sklearn

from classifier.corpus import check_example, corpus_files, load_examples, training_data_hash
from classifier.evaluation import score_predictions
from classifier.explain import BatchExplainer, explain_weights, paused_gc
from classifier.features import Doc, Featurizer, doc_of, without_negated
from classifier.heads import MultiLabelHead, SingleLabelHead
from classifier.labels import MAX_TOPICS, OTHER, SENTIMENTS, TOPICS
from classifier.storage import FORMAT, default_model_dir, save_model
from classifier.text import canonical, fold_diacritics, is_bare, token_columns, tokenize

# Below this overall confidence a prediction asks for a human look.
ABSTAIN_BELOW = 0.5
# A staff correction counts as this many corpus examples: staff know the case.
CORRECTION_WEIGHT = 3.0
TOPIC_C = 0.5
SENTIMENT_C = 0.3


class Prediction:
    """Labels for one text, with calibrated scores and the phrases behind them.

    The explanation may be computed lazily, when `.explanation` is first read:
    tagging thousands of texts should not pay for phrases nobody looks at.
    """

    def __init__(self, topics, topic_scores, sentiment, sentiment_scores, confidence, abstain, explanation=None):
        self.topics = topics
        self.topic_scores = topic_scores
        self.sentiment = sentiment
        self.sentiment_scores = sentiment_scores
        self.confidence = confidence
        self.abstain = abstain
        self._explanation = {} if explanation is None else explanation
        self._explain = None

    @property
    def explanation(self):
        """{label: [(phrase, score), ...]} for the chosen labels but `other`."""
        if self._explain is not None:
            self._explanation, self._explain = self._explain(), None
        return self._explanation

    @explanation.setter
    def explanation(self, value):
        self._explanation, self._explain = value, None

    def explain_later(self, compute):
        """Have `compute()` give the explanation the first time it is read."""
        self._explain = compute

    def to_dict(self):
        """A JSON-serialisable dict. Explanation pairs stay (phrase, score)
        tuples, which JSON writes as lists: a tuple of a str and a float is left
        out of garbage collection, a list is not (turning 10,000 predictions
        into dicts took twice as long with lists, most of it in collections)."""
        return {
            "topics": list(self.topics),
            "topic_scores": dict(self.topic_scores),
            "sentiment": self.sentiment,
            "sentiment_scores": dict(self.sentiment_scores),
            "confidence": self.confidence,
            "abstain": self.abstain,
            "explanation": {label: list(pairs) for label, pairs in self.explanation.items()},
        }

    def __eq__(self, other):
        return isinstance(other, Prediction) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return (f"Prediction(topics={self.topics!r}, sentiment={self.sentiment!r}, "
                f"confidence={self.confidence!r}, abstain={self.abstain!r})")


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
        """Predictions for many texts at once; explain=False leaves the phrases out.

        With explain=True the phrases of the whole batch are computed together,
        the first time any prediction's `.explanation` is read.
        """
        texts = list(texts)
        with paused_gc():  # see paused_gc: a batch's objects all live until it ends
            columns = [token_columns(text) for text in texts]
            docs = [Doc(norms, is_bare(text)) for (norms, *_), text in zip(columns, texts)]
            features = self.featurizer.transform(docs)
            X = features.X
            topic_probs = self.topic_head.predict_proba(X)
            sentiment_probs = self.sentiment_head.predict_proba(X)
            sentiment_choice = self.sentiment_head.choose(sentiment_probs)
            predictions = self._predictions(topic_probs, sentiment_probs, sentiment_choice)
            empty = features.empty.tolist()
            wanted = {}  # text index -> labels to explain
            for i, ((norms, *_), prediction) in enumerate(zip(columns, predictions)):
                if empty[i] or not any(norm[0].isalpha() and not norm.startswith("xx") for norm in norms):
                    # Nothing the model knows (empty, emoji only, another script): say so.
                    predictions[i] = _unknown()
                elif explain:
                    wanted[i] = tuple(label for label in prediction.topics + [prediction.sentiment] if label != OTHER)
            if wanted:
                # Labels in tuples, one bound method: the fewer containers a batch
                # leaves alive, the less each later garbage collection walks.
                weights, rows = self._weights()
                explanation_of = BatchExplainer(features, weights, rows, columns, wanted).explain
                for i, labels in wanted.items():
                    predictions[i].explain_later(partial(explanation_of, i, labels))
        return predictions

    def _predictions(self, topic_probs, sentiment_probs, sentiment_choice):
        """Choose topics for each row and wrap it up, decisions vectorised over the batch.

        The topics past their thresholds, best first, at most MAX_TOPICS; but
        `other` alone when it passes and beats them all, and when nothing passes,
        the one nearest its threshold. (Out-of-fold on the corpus, this rule beat
        "`other` only when nothing passes" by 1.4 points of micro-F1 and 2 of macro.)
        """
        thresholds = self.topic_head.thresholds_
        other = TOPICS.index(OTHER)
        passing = topic_probs >= thresholds
        passing[:, other] = False
        passed = np.where(passing, topic_probs, -1.0)
        order = np.argsort(-passed, axis=1, kind="stable")[:, :MAX_TOPICS].tolist()
        n_passing = np.minimum(passing.sum(axis=1), MAX_TOPICS).tolist()
        other_wins = ((topic_probs[:, other] >= thresholds[other])
                      & (topic_probs[:, other] >= passed.max(axis=1))).tolist()
        nearest = np.argmax(topic_probs / np.maximum(thresholds, 1e-6), axis=1).tolist()
        topic_rows = np.round(topic_probs, 4).tolist()
        sentiment_rows = np.round(sentiment_probs, 4).tolist()
        predictions = []
        for i, (topic_row, sentiment_row, sentiment_index) in enumerate(
                zip(topic_rows, sentiment_rows, np.asarray(sentiment_choice).tolist())):
            if other_wins[i]:
                chosen = [other]
            elif n_passing[i]:
                chosen = order[i][:n_passing[i]]
            else:
                chosen = [nearest[i]]
            confidence = min(topic_row[chosen[0]], sentiment_row[sentiment_index])
            predictions.append(Prediction(
                [TOPICS[j] for j in chosen], dict(zip(TOPICS, topic_row)), SENTIMENTS[sentiment_index],
                dict(zip(SENTIMENTS, sentiment_row)), confidence, confidence < ABSTAIN_BELOW,
            ))
        return predictions

    def _weights(self):
        """(weights, {label: row}), the weights a labels x features matrix (in
        the form explain.word_scores reads) whose rows' dot products with the
        features raise their labels' probabilities."""
        if self._explain_weights is None:
            topic = self.topic_head.coef_ * self.topic_head.platt_[:, :1]
            # Sentiment probabilities are a softmax over calibrated mixes of the
            # class scores: explain a class by its logit minus the mean logit.
            logits = self.sentiment_head.calib_coef_ @ self.sentiment_head.coef_
            sentiment = logits - logits.mean(axis=0)
            # Times idf: explanations start from a feature's value before normalisation.
            matrix = (np.vstack([topic, sentiment]) * self.featurizer.idf).astype(np.float32)
            self._explain_weights = (explain_weights(matrix), {label: i for i, label in enumerate(TOPICS + SENTIMENTS)})
        return self._explain_weights

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
    if fixes:  # keying every text costs seconds on a big corpus: only when there is something to replace
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
    X = featurizer.fit_transform([doc_of(tokenize(e["text"]), e["text"]) for e in examples]).X
    Y = np.array([[label in e["topics"] for label in TOPICS] for e in examples], dtype=bool)
    y = np.array([SENTIMENTS.index(e["sentiment"]) for e in examples])
    # Fitted on zeros, the topic heads' negated-block weights are zero: at
    # predict time they can read the full matrix.
    X_topics = without_negated(featurizer, X)
    topic_head = MultiLabelHead(TOPICS, C=TOPIC_C, random_state=random_state).fit(X_topics, Y, weights)
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
    held_out = model._predictions(
        topic_head.oof_proba_, sentiment_head.oof_proba_, sentiment_head.choose(sentiment_head.oof_proba_)
    )
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


def library_versions():
    """Versions a pickled model depends on; loading checks sklearn and numpy."""
    return {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }
