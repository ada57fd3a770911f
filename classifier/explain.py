"""Why a label was chosen: the phrases of the citizen's own text whose features
pushed the label's score up (feature value x the label's linear weight).

A batch is explained at once: one sparse product gives every word's share of
every label's score, then each prediction cuts its phrases out of its own row
range when (and only when) its explanation is first read.
"""

import unicodedata

import numpy as np
import scipy.sparse as sp

from classifier.features import BLOCKS
from classifier.text import MAX_CHARS

CHAR_BLOCK = BLOCKS.index("char")

# A word joins a phrase when it pushed at least this share of the best word's push.
_SHARE_OF_BEST = 0.15
_MAX_PHRASE_WORDS = 4


def word_scores(features, idf_weights):
    """Each word's share of each weight row's score, (words of the batch) x (rows).

    `idf_weights` are the label weights times the features' idf (the value of a
    feature seen once, before its block's normalisation).

    An n-gram occurrence's contribution (value x weight) goes in equal parts to
    the 1-3 words it covers; a char n-gram's to its word. A feature seen twice
    in a text counts at its single-occurrence value each time (sublinear tf
    would give a little less): these are reasons to show, not an audit.
    """
    doc, column, first, length = features.grams
    block = np.searchsorted(features.block_starts, column, side="right") - 1
    share = 1.0 / (length * features.norms[doc, block])
    two, three = length >= 2, length == 3
    n_words = int(features.word_offsets[-1])
    spread = sp.csr_matrix(
        (np.concatenate([share, share[two], share[three]]),
         (np.concatenate([first, first[two] + 1, first[three] + 2]),
          np.concatenate([column, column[two], column[three]]))),
        shape=(n_words, features.X.shape[1]),
    )
    scores = np.asarray(spread @ idf_weights.T)
    per_word = np.asarray(features.chars @ idf_weights.T)
    word_doc = np.repeat(np.arange(len(features.word_offsets) - 1), np.diff(features.word_offsets))
    scores += per_word[features.word_ids] / features.norms[word_doc, CHAR_BLOCK][:, None]
    return scores


class BatchExplainer:
    """Explanations for the texts of one predict_batch call, computed on first use."""

    def __init__(self, features, weights, label_rows, token_lists, texts):
        self.features = features
        self.word_offsets = features.word_offsets.tolist()
        self.weights = weights  # labels x features, times idf (see word_scores)
        self.label_rows = label_rows  # label -> row of weights
        self.token_lists = token_lists
        self.texts = texts
        self._scores = None

    def explain(self, index, labels, top=5):
        """{label: [(phrase, score), ...]} for text `index`, best phrase first."""
        if self._scores is None:
            self._scores = word_scores(self.features, self.weights)
            self.features = None  # only the scores are needed from here on
        tokens = self.token_lists[index]
        columns = [self.label_rows[label] for label in labels]
        scores = self._scores[self.word_offsets[index]:self.word_offsets[index + 1], columns]
        spans = [(token.start, token.end) for token in tokens]
        # Words expanded from one abbreviation ("CCCD") share a span: one unit.
        units = [i for i in range(len(spans)) if i == 0 or spans[i] != spans[i - 1]]
        if len(units) < len(spans):
            scores = np.add.reduceat(scores, units, axis=0)
            spans = [spans[i] for i in units]
        written = unicodedata.normalize("NFC", self.texts[index][:MAX_CHARS])
        return {label: _phrases(column, spans, written, top) for label, column in zip(labels, scores.T.tolist())}


def _phrases(unit_scores, spans, written, top):
    """Runs of neighbouring words that each pushed the label noticeably (at most
    _MAX_PHRASE_WORDS long), best first, as (phrase, summed score)."""
    best = max(unit_scores, default=0.0)
    if best <= 0:
        return []
    cut = _SHARE_OF_BEST * best
    runs, run = [], None  # run: [summed score, first unit, last unit, length]
    for unit, score in enumerate(unit_scores):
        if score < cut:
            run = None
        # Punctuation between two words ends a phrase.
        elif run is not None and run[3] < _MAX_PHRASE_WORDS and not written[spans[run[2]][1]:spans[unit][0]].strip():
            run[0] += score
            run[2] = unit
            run[3] += 1
        else:
            run = [score, unit, unit, 1]
            runs.append(run)
    runs.sort(key=lambda r: (-r[0], r[1]))
    return [(written[spans[first][0]:spans[last][1]], round(total, 4)) for total, first, last, _ in runs[:top]]
