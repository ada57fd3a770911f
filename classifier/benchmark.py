"""UIT-VSFC benchmark: the same normaliser, features and heads, trained in
memory on UIT-VSFC train for its own labels, tuned on dev, scored on test.

Research use only (see shared/datasets/uit-vsfc/README.md): nothing trained
here is ever saved or shipped.
"""

import json
import time
from pathlib import Path

import numpy as np

from classifier.evaluation import single_label_scores
from classifier.features import Featurizer, doc_of
from classifier.heads import SingleLabelHead
from classifier.text import fold_diacritics, tokenize

UIT_TASKS = {
    "sentiment": ("negative", "neutral", "positive"),
    "topic": ("lecturer", "training_program", "facility", "others"),
}
C_GRID = (0.1, 0.3, 1.0)


def read_split(data_dir, split):
    """One UIT-VSFC split as a list of {"text", "sentiment", "topic"} dicts."""
    path = Path(data_dir) / f"{split}.jsonl"
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def benchmark_uit(data_dir, c_grid=C_GRID, random_state=0):
    """Test macro-F1, weighted F1 and accuracy per task, as written and without diacritics."""
    started = time.perf_counter()
    train, dev, test = (read_split(data_dir, s) for s in ("train", "dev", "test"))
    featurizer = Featurizer()
    X_train = featurizer.fit_transform([doc_of(tokenize(r["text"]), r["text"]) for r in train]).X

    def features(texts):
        return featurizer.transform([doc_of(tokenize(t), t) for t in texts]).X

    X_dev = features([r["text"] for r in dev])
    X_test = features([r["text"] for r in test])
    X_test_folded = features([fold_diacritics(r["text"]) for r in test])
    report = {"n": {"train": len(train), "dev": len(dev), "test": len(test)}}
    for task, labels in UIT_TASKS.items():
        y_train, y_dev = (np.array([labels.index(r[task]) for r in rows]) for rows in (train, dev))
        true_test = [r[task] for r in test]
        best = None
        for C in c_grid:
            head = SingleLabelHead(labels, C=C, random_state=random_state).fit(X_train, y_train)
            head.tune_offsets(X_dev, y_dev)
            dev_pred = [labels[i] for i in head.choose(head.predict_proba(X_dev))]
            dev_macro = single_label_scores([r[task] for r in dev], dev_pred, labels)["macro_f1"]
            if best is None or dev_macro > best[0]:
                best = (dev_macro, C, head)
        dev_macro, C, head = best
        scores = {"C": C, "dev_macro_f1": dev_macro}
        for name, X in (("test", X_test), ("test_no_diacritics", X_test_folded)):
            pred = [labels[i] for i in head.choose(head.predict_proba(X))]
            full = single_label_scores(true_test, pred, labels)
            scores[name] = {k: full[k] for k in ("macro_f1", "weighted_f1", "accuracy")}
            scores[name]["per_label_f1"] = {label: v["f1"] for label, v in full["per_label"].items()}
        report[task] = scores
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
