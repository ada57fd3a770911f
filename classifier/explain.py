"""Why a label was chosen: the phrases of the citizen's own text whose features
pushed the label's score up (feature value x the label's linear weight).

A batch is explained at once: one sparse product gives every word's share of
every label's score, then each prediction cuts its phrases out of its own row
range when (and only when) its explanation is first read.
"""

import unicodedata
from operator import itemgetter

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
        # Words expanded from one abbreviation ("CCCD") share a span: one unit,
        # whose span is its first token's. (Tokens of different matches never
        # share a start, so comparing starts compares spans.)
        units = [i for i in range(len(tokens)) if i == 0 or tokens[i].start != tokens[i - 1].start]
        spans = tokens
        if len(units) < len(tokens):
            scores = np.add.reduceat(scores, units, axis=0)
            spans = [tokens[i] for i in units]
        written = unicodedata.normalize("NFC", self.texts[index][:MAX_CHARS])
        if not spans:
            return {label: [] for label in labels}
        # Only the words past a label's cut can join a phrase: find them all
        # with numpy, then walk just those (a few per label, not every word).
        cuts = [_SHARE_OF_BEST * best for best in scores.max(axis=0).tolist()]
        label_of, unit_of = np.nonzero((scores >= cuts).T)
        values = scores[unit_of, label_of].tolist()
        unit_of, label_of = unit_of.tolist(), label_of.tolist()
        explanation, start = {}, 0
        for j, label in enumerate(labels):
            end = start
            while end < len(label_of) and label_of[end] == j:
                end += 1
            explanation[label] = (_phrases(unit_of[start:end], values[start:end], spans, written, top)
                                  if cuts[j] > 0 else [])
            start = end
        return explanation


def _phrases(units, unit_scores, spans, written, top):
    """Runs of neighbouring words that each pushed the label noticeably (at most
    _MAX_PHRASE_WORDS long), best first, as (phrase, summed score).

    `units` are the words past the label's cut, in order, with their scores;
    `spans` has each word's .start and .end in `written`.
    """
    runs, run = [], None  # run: [summed score, first unit, last unit, length]
    for unit, score in zip(units, unit_scores):
        # A word below the cut ends a phrase; so does punctuation between two words.
        if (run is not None and run[2] == unit - 1 and run[3] < _MAX_PHRASE_WORDS
                and not written[spans[run[2]].end:spans[unit].start].strip()):
            run[0] += score
            run[2] = unit
            run[3] += 1
        else:
            run = [score, unit, unit, 1]
            runs.append(run)
    runs.sort(key=itemgetter(0), reverse=True)  # stable: ties stay in text order
    return [(written[spans[first].start:spans[last].end], round(total, 4)) for total, first, last, _ in runs[:top]]
