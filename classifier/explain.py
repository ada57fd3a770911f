"""Why a label was chosen: the phrases of the citizen's own text whose features
pushed the label's score up (feature value x the label's linear weight).

A batch is explained at once, when (and only when) any of its explanations is
first read: one sparse product gives every word's share of every label's
score, then numpy finds the phrases of every text and label together.
"""

import gc
from contextlib import contextmanager
from functools import cached_property
from itertools import chain
from operator import itemgetter

import numpy as np
import scipy.sparse as sp

from classifier.features import BLOCKS
from classifier.text import Token

CHAR_BLOCK = BLOCKS.index("char")

# A word joins a phrase when it pushed at least this share of the best word's push.
_SHARE_OF_BEST = 0.15
_MAX_PHRASE_WORDS = 4
_TOP_PHRASES = 5  # per label


@contextmanager
def paused_gc():
    """No cycle collection inside: a batch makes some hundred thousand lists,
    dicts and tuples that all live until it ends, and each collection of the
    oldest generation would walk all of them again (a fifth of a batch's time).
    None of them form cycles; collection resumes at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def explain_weights(matrix):
    """A labels x features float32 matrix as word_scores reads it: transposed,
    in float32 and float64, each contiguous (a sparse product would otherwise
    copy it at every call, which costs more than explaining one text)."""
    transposed = np.ascontiguousarray(matrix.T)
    return transposed, transposed.astype(np.float64)


def word_scores(features, weights):
    """Each word's share of each label's score, (words of the batch) x (labels).

    `weights` (see explain_weights) are the label weights times the features'
    idf (the value of a feature seen once, before its block's normalisation).

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
    weights32, weights64 = weights
    scores = spread @ weights64
    per_word = features.chars @ weights32  # in float32, as the char n-grams' products always were
    word_doc = np.repeat(np.arange(len(features.word_offsets) - 1), np.diff(features.word_offsets))
    scores += per_word[features.word_ids] / features.norms[word_doc, CHAR_BLOCK][:, None]
    return scores


class BatchExplainer:
    """Explanations for the texts of one predict_batch call, all computed with
    numpy the first time any of them is read."""

    def __init__(self, features, weights, label_rows, columns, wanted):
        self.features = features
        self.weights = weights  # see explain_weights
        self.label_rows = label_rows  # label -> its index in the weights
        self.columns = columns  # each text's text.token_columns()
        self.wanted = wanted  # {text index: the labels to explain}, indices ascending
        self._explanations = None

    @cached_property
    def token_lists(self):
        """Each text's tokens as text.tokenize gives them (for inspection: read
        it before the explanations, which drop what it is made from)."""
        return [[Token(*token) for token in zip(norms, starts, ends)] for norms, starts, ends, _ in self.columns]

    def explain(self, index, labels):
        """{label: [(phrase, score), ...]} for text `index`, best phrase first;
        `labels` are among those `wanted` gave for it."""
        if self._explanations is None:
            with paused_gc():
                self._explanations = self._explain_all()
            self.features = self.columns = None  # used up: only the explanations are kept
        found = self._explanations[index]
        return {label: found[label] for label in labels}

    def _explain_all(self):
        """{text index: {label: phrases}} for every wanted text.

        Per text and label: the words that pushed the label at least
        _SHARE_OF_BEST of its best word's push; runs of neighbouring such words
        (no punctuation between, at most _MAX_PHRASE_WORDS) are phrases, scored
        by their words' summed push, best first. All (text, label) pairs at once.
        """
        features, columns = self.features, self.columns
        offsets = features.word_offsets
        n_words = int(offsets[-1])
        starts, ends = (np.fromiter(chain.from_iterable(map(itemgetter(k), columns)), dtype=np.int64, count=n_words)
                        for k in (1, 2))
        # Words expanded from one abbreviation ("CCCD") share a span: one unit,
        # whose span is its first word's. (Tokens of different matches never
        # share a start, so comparing starts compares spans.)
        new_unit = np.ones(n_words, dtype=bool)
        new_unit[1:] = starts[1:] != starts[:-1]
        new_unit[offsets[:-1][offsets[:-1] < n_words]] = True  # a text's first word starts a unit
        unit_words = np.flatnonzero(new_unit)
        scores = word_scores(features, self.weights)
        if len(unit_words) < n_words:
            # A unit's push is its words' summed by np.add.reduceat, given only
            # the units of several words: the many others would make it slow.
            length = np.diff(np.append(unit_words, n_words))
            several = np.flatnonzero(length > 1)
            segments = np.cumsum(length[several]) - length[several]
            words = np.arange(length[several].sum()) + np.repeat(unit_words[several] - segments, length[several])
            unit_scores = scores[unit_words]
            unit_scores[several] = np.add.reduceat(scores[words], segments, axis=0)
            scores = unit_scores
        n_texts = len(offsets) - 1
        unit_text = np.searchsorted(offsets, unit_words, side="right") - 1
        unit_count = np.bincount(unit_text, minlength=n_texts)
        unit_offset = np.zeros(n_texts, dtype=np.int64)
        np.cumsum(unit_count[:-1], out=unit_offset[1:])
        best = np.zeros((n_texts, scores.shape[1]))
        has_units = unit_count > 0
        if has_units.any():
            best[has_units] = np.maximum.reduceat(scores, unit_offset[has_units], axis=0)

        # One group per (text, label) wanted, in the order of the explanations.
        texts = list(self.wanted)
        group_text = np.repeat(texts, [len(self.wanted[i]) for i in texts]).astype(np.int64)
        group_row = np.array([self.label_rows[label] for i in texts for label in self.wanted[i]], dtype=np.int64)
        cut = _SHARE_OF_BEST * best[group_text, group_row]
        # Every unit of each group's text, then only those past the group's cut.
        count = np.where(cut > 0, unit_count[group_text], 0)
        group_of = np.repeat(np.arange(len(group_text)), count)
        unit_of = np.arange(len(group_of)) - np.repeat(np.cumsum(count) - count - unit_offset[group_text], count)
        values = scores[unit_of, group_row[group_of]]
        past = values >= cut[group_of]
        group_of, unit_of, values = group_of[past], unit_of[past], values[past]

        # Runs: a unit joins the previous one's phrase when it is the next unit
        # of the same group with only spaces between them, _MAX_PHRASE_WORDS at most.
        joins = np.zeros(len(unit_of), dtype=bool)
        joins[1:] = (group_of[1:] == group_of[:-1]) & (unit_of[1:] == unit_of[:-1] + 1)
        candidates = unit_of[np.flatnonzero(joins)]
        written = list(map(itemgetter(3), columns))
        gaps = zip(unit_text[candidates].tolist(), ends[unit_words[candidates - 1]].tolist(),
                   starts[unit_words[candidates]].tolist())
        joins[joins] = [not written[i][end:start].strip() for i, end, start in gaps]
        chain_first = np.flatnonzero(~joins)
        position = np.arange(len(joins)) - np.repeat(chain_first, np.diff(np.append(chain_first, len(joins))))
        run_first = np.flatnonzero(position % _MAX_PHRASE_WORDS == 0)
        run_length = np.diff(np.append(run_first, len(joins)))
        # Summed word by word, in text order, as a running float total would be.
        totals = values[run_first]
        for k in range(1, _MAX_PHRASE_WORDS):
            longer = run_length > k
            totals[longer] += values[run_first[longer] + k]
        run_group = group_of[run_first]
        # Best first within each group; ties stay in text order (lexsort is stable).
        order = np.lexsort((-totals, run_group))
        sorted_group = run_group[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_group, sorted_group)
        kept = order[rank < _TOP_PHRASES]

        # (phrase, score) pairs, group after group, each group's a slice of them.
        first_unit, last_unit = unit_of[run_first[kept]], unit_of[run_first[kept] + run_length[kept] - 1]
        spans = zip(unit_text[first_unit].tolist(), starts[unit_words[first_unit]].tolist(),
                    ends[unit_words[last_unit]].tolist())
        pairs = list(zip([written[i][start:end] for i, start, end in spans], _rounded(totals[kept])))
        bounds = np.searchsorted(run_group[kept], np.arange(len(group_text) + 1)).tolist()
        phrases = [pairs[start:end] for start, end in zip(bounds, bounds[1:])]
        explanations, group = {}, 0
        for i in texts:
            labels = self.wanted[i]
            explanations[i] = dict(zip(labels, phrases[group:group + len(labels)]))
            group += len(labels)
        return explanations


def _rounded(values):
    """[round(value, 4) for value in values] (a float64 array), ten times
    faster: numpy's rint(value x 1e4) / 1e4, but Python's round where
    value x 1e4 is within an ulp of a half, as numpy rounds that product
    first and may land on the other side of the half (Python rounds the exact
    value). Both then give the double nearest the same multiple of 1e-4."""
    scaled = values * 1e4
    rounded = (np.rint(scaled) / 1e4).tolist()
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) <= np.spacing(scaled)).tolist():
        rounded[i] = round(values[i].item(), 4)
    return rounded
