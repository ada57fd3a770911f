"""The linear classifiers on top of the features: a multi-label head (topics) and
a single-label head (sentiment, or any one-of-K task such as UIT-VSFC's).

Both fit LinearSVC models, calibrate their scores on out-of-fold predictions
(so probabilities are honest on unseen text) and pick their decision rule
(per-label thresholds, per-class offsets) on those same out-of-fold predictions.
Only plain numpy arrays are kept after fitting, which makes predicting a few
matrix products and the model file small.
"""

import numpy as np
from scipy.special import expit, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

BIG_DATA = 8000
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
OFFSET_GRID = np.arange(-2.0, 2.01, 0.25)
# sigmoid(2 * score): an SVM score of 0 is a probability of 0.5, a margin of 1 is 0.88.
_DEFAULT_PLATT = (2.0, 0.0)


def _svc(C, random_state, class_weight="balanced"):
    """The base estimator: fast on sparse text and converges at these C values."""
    # tol 1e-2: out-of-fold scores on the corpus and UIT-VSFC dev scores within
    # 0.003 of 1e-3's, in a fifth less time.
    return LinearSVC(C=C, class_weight=class_weight, random_state=random_state, max_iter=10_000, tol=1e-2)


def _folds(n, folds, random_state):
    """Train/test index pairs of a seeded K-fold split (at least 2 folds).

    Past BIG_DATA examples, 2 folds already give plenty of held-out scores for
    calibration and thresholds, and keep training on 20,000 texts under a minute.
    (The final fit is always on all the data: on UIT-VSFC dev, the mean of the
    two half-data fold models scored about half a point of macro-F1 lower.)
    """
    folds = 2 if n > BIG_DATA else folds
    return list(KFold(n_splits=max(2, min(folds, n)), shuffle=True, random_state=random_state).split(np.arange(n)))


def _float64(X):
    """liblinear works in float64: convert once, not at every fit."""
    return X.astype(np.float64) if X.dtype != np.float64 else X


def _fit_binary(X, y, weight, C, random_state):
    """(coef, intercept) of one binary classifier; a constant one if y has one class."""
    if y.min() == y.max():
        return np.zeros(X.shape[1], dtype=np.float32), (1.0 if y[0] else -1.0)
    svc = _svc(C, random_state).fit(X, y, sample_weight=weight)
    return svc.coef_[0].astype(np.float32), float(svc.intercept_[0])


def _fit_platt(scores, y, weight):
    """(slope, bias) mapping a score to a probability, fitted by logistic regression."""
    if y.min() == y.max():
        return 0.0, (6.0 if y[0] else -6.0)
    lr = LogisticRegression(C=100.0, max_iter=1000).fit(scores.reshape(-1, 1), y, sample_weight=weight)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _weighted_f1(y_true, y_pred, weight):
    """F1 of the positive class, each example counted with its weight."""
    tp = np.sum(weight * (y_true & y_pred))
    fp = np.sum(weight * (~y_true & y_pred))
    fn = np.sum(weight * (y_true & ~y_pred))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def best_threshold(probs, y_true, weight):
    """The probability threshold with the best F1; ties go to the one nearest 0.5."""
    y_true = y_true.astype(bool)
    scored = [(_weighted_f1(y_true, probs >= t, weight), -abs(t - 0.5), t) for t in THRESHOLD_GRID]
    return float(max(scored)[2])


class MultiLabelHead:
    """One calibrated binary classifier per label, each with its own threshold."""

    def __init__(self, labels, C=0.5, folds=5, random_state=0):
        self.labels = tuple(labels)
        self.C = C
        self.folds = folds
        self.random_state = random_state

    def fit(self, X, Y, sample_weight=None):
        """Fit on features X and a 0/1 matrix Y (examples x labels)."""
        n, n_labels = Y.shape
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        X = _float64(X)
        oof = np.zeros((n, n_labels))
        for train, test in _folds(n, self.folds, self.random_state):
            X_train = X[train]  # sliced once per fold, not once per label
            fits = [_fit_binary(X_train, Y[train, j], weight[train], self.C, self.random_state) for j in range(n_labels)]
            for j, (coef, bias) in enumerate(fits):
                oof[test, j] = X[test] @ coef + bias
        fitted = [_fit_binary(X, Y[:, j], weight, self.C, self.random_state) for j in range(n_labels)]
        self.coef_ = np.vstack([coef for coef, _ in fitted])
        self.intercept_ = np.array([bias for _, bias in fitted])
        platt = [_fit_platt(oof[:, j], Y[:, j], weight) for j in range(n_labels)]
        # A slope <= 0 means the held-out scores carried no signal (too few
        # examples of the label): trust the classifier's own sign instead.
        uninformed = np.array([slope <= 0 and Y[:, j].min() != Y[:, j].max() for j, (slope, _) in enumerate(platt)])
        self.platt_ = np.where(uninformed[:, None], [_DEFAULT_PLATT], platt)
        oof_probs = self._calibrate(oof)
        self.oof_proba_ = oof_probs  # out-of-fold probabilities: the model's held-out view of its data
        self.thresholds_ = np.array([
            0.5 if uninformed[j] else best_threshold(oof_probs[:, j], Y[:, j], weight) for j in range(n_labels)
        ])
        return self

    def decision_scores(self, X):
        """Raw linear scores, examples x labels."""
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def _calibrate(self, scores):
        return expit(scores * self.platt_[:, 0] + self.platt_[:, 1])

    def predict_proba(self, X):
        """Calibrated probability of each label, examples x labels."""
        return self._calibrate(self.decision_scores(X))


class SingleLabelHead:
    """A one-of-K linear classifier with calibrated probabilities.

    `prefer` names a class that wins whenever its probability is within
    `tie_margin` of the best one: the taxonomy's rule that a balanced mix of
    praise and complaint counts as negative. `class_weight` is LinearSVC's:
    "balanced" weighs each class inversely to its frequency, None not at all.
    """

    def __init__(self, labels, C=0.5, folds=5, random_state=0, prefer=None, tie_margin=0.1,
                 class_weight="balanced"):
        self.labels = tuple(labels)
        self.C = C
        self.class_weight = class_weight
        self.folds = folds
        self.random_state = random_state
        self.prefer = prefer
        self.tie_margin = tie_margin

    def fit(self, X, y, sample_weight=None):
        """Fit on features X and class indices y (0..K-1)."""
        y = np.asarray(y)
        n, k = len(y), len(self.labels)
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        X = _float64(X)
        oof = np.zeros((n, k))
        for train, test in _folds(n, self.folds, self.random_state):
            coef, bias = self._fit_scores(X[train], y[train], weight[train])
            oof[test] = np.asarray(X[test] @ coef.T) + bias
        self.coef_, self.intercept_ = self._fit_scores(X, y, weight)
        present = np.unique(y)
        calibrator = None
        if len(present) > 1:
            calibrator = LogisticRegression(C=100.0, max_iter=1000).fit(oof, y, sample_weight=weight)
        self.calib_coef_ = np.zeros((k, k))
        self.calib_bias_ = np.full(k, -30.0)
        if calibrator is None:
            self.calib_bias_[present[0]] = 0.0
        else:
            two = len(present) == 2  # sklearn keeps one row, for the second class
            self.calib_coef_[present] = _binary_rows(calibrator.coef_, 0) if two else calibrator.coef_
            self.calib_bias_[present] = _binary_rows(calibrator.intercept_, 0) if two else calibrator.intercept_
        self.oof_proba_ = self._calibrate(oof)  # out-of-fold: the model's held-out view of its data
        self.offsets_ = self._best_offsets(self.oof_proba_, y, weight)
        return self

    def _fit_scores(self, X, y, weight):
        """(coef K x F, intercept K) of one-vs-rest classifiers, zero rows for absent classes."""
        k = len(self.labels)
        present = np.unique(y)
        coef = np.zeros((k, X.shape[1]), dtype=np.float32)
        bias = np.full(k, -10.0)
        if len(present) == 1:
            bias[present[0]] = 10.0
            return coef, bias
        svc = _svc(self.C, self.random_state, self.class_weight).fit(X, y, sample_weight=weight)
        two = len(present) == 2  # sklearn keeps one row, for the second class
        coef[present] = _binary_rows(svc.coef_, -1) if two else svc.coef_
        bias[present] = _binary_rows(svc.intercept_, -1) if two else svc.intercept_
        return coef, bias

    def _calibrate(self, scores):
        return softmax(scores @ self.calib_coef_.T + self.calib_bias_, axis=1)

    def decision_scores(self, X):
        """Raw one-vs-rest linear scores, examples x classes."""
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X):
        """Calibrated class probabilities, examples x classes; rows sum to 1."""
        return self._calibrate(self.decision_scores(X))

    def choose(self, probs, offsets=None):
        """Class index per row: best offset log-probability, then the tie rule."""
        offsets = self.offsets_ if offsets is None else offsets
        chosen = np.argmax(np.log(probs + 1e-12) + offsets, axis=1)
        if self.prefer is not None:
            p = self.labels.index(self.prefer)
            best = probs[np.arange(len(chosen)), chosen]
            chosen = np.where(probs[:, p] >= best - self.tie_margin, p, chosen)
        return chosen

    def _best_offsets(self, probs, y, weight):
        """Per-class additive log-probability offsets maximising macro-F1 (coordinate ascent)."""
        offsets = np.zeros(len(self.labels))
        best = _macro_f1(y, self.choose(probs, offsets), len(self.labels), weight)
        for _ in range(2):
            for c in range(1, len(self.labels)):
                for value in OFFSET_GRID:
                    trial = offsets.copy()
                    trial[c] = value
                    score = _macro_f1(y, self.choose(probs, trial), len(self.labels), weight)
                    # Strictly better only, and small offsets first: no drift on ties.
                    if score > best + 1e-9 or (abs(score - best) <= 1e-9 and abs(value) < abs(offsets[c])):
                        best, offsets = score, trial
        return offsets


def _binary_rows(values, first_sign):
    """Two rows from sklearn's one-row 2-class model: the first class gets
    `first_sign` times the second's row (-1 for scores, 0 for softmax logits)."""
    values = np.asarray(values)
    return np.concatenate([first_sign * values, values]) if values.ndim == 1 else np.vstack([first_sign * values, values])


def _macro_f1(y_true, y_pred, n_classes, weight):
    """Macro-F1 over the classes that occur in y_true or y_pred."""
    scores = []
    for c in range(n_classes):
        true, pred = y_true == c, y_pred == c
        if true.any() or pred.any():
            scores.append(_weighted_f1(true, pred, weight))
    return float(np.mean(scores)) if scores else 0.0
