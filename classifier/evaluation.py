"""Scores of a model's predictions against labelled examples."""

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from classifier.labels import SENTIMENTS, TOPICS
from classifier.text import fold_diacritics


def score_predictions(examples, predictions):
    """Per-label precision/recall/F1, topic micro/macro-F1, sentiment macro-F1 and accuracy."""
    true_topics = np.array([[t in e["topics"] for t in TOPICS] for e in examples], dtype=bool).reshape(-1, len(TOPICS))
    pred_topics = np.array([[t in p.topics for t in TOPICS] for p in predictions], dtype=bool).reshape(-1, len(TOPICS))
    true_sent = [e["sentiment"] for e in examples]
    pred_sent = [p.sentiment for p in predictions]
    return {
        "topics": _multilabel_scores(true_topics, pred_topics),
        "sentiment": single_label_scores(true_sent, pred_sent, SENTIMENTS),
    }


def _multilabel_scores(true, pred):
    precision, recall, f1, support = precision_recall_fscore_support(true, pred, average=None, zero_division=0)
    per_label = {
        label: {"precision": _r(p), "recall": _r(r), "f1": _r(f), "support": int(s)}
        for label, p, r, f, s in zip(TOPICS, precision, recall, f1, support)
    }
    present = support > 0
    return {
        "micro_f1": _r(f1_score(true, pred, average="micro", zero_division=0)),
        # Macro over the labels that occur, so a small test file is not punished
        # for a label it does not contain.
        "macro_f1": _r(np.mean(f1[present])) if present.any() else 0.0,
        "per_label": per_label,
    }


def single_label_scores(true, pred, labels):
    """Macro- and weighted F1, accuracy and per-class figures of a one-of-K task."""
    labels = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        true, pred, labels=labels, average=None, zero_division=0
    )
    present = [label for label, s in zip(labels, support) if s > 0]
    return {
        "macro_f1": _r(f1_score(true, pred, labels=present, average="macro", zero_division=0)) if present else 0.0,
        "weighted_f1": _r(f1_score(true, pred, labels=labels, average="weighted", zero_division=0)) if present else 0.0,
        "accuracy": _r(accuracy_score(true, pred)) if len(true) else 0.0,
        "per_label": {
            label: {"precision": _r(p), "recall": _r(r), "f1": _r(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
    }


def evaluate(model, examples):
    """The `evaluate` report: scores on the texts as written and with diacritics stripped."""
    texts = [e["text"] for e in examples]
    report = {"n": len(examples)}
    report.update(score_predictions(examples, model.predict_batch(texts, explain=False)))
    folded = model.predict_batch([fold_diacritics(t) for t in texts], explain=False)
    report["no_diacritics"] = score_predictions(examples, folded)
    return report


def _r(value):
    return round(float(value), 4)
