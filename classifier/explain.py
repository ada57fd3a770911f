"""Why a label was chosen: the phrases of the citizen's own text whose features
pushed the label's score up (feature value x the label's linear weight).
"""

import unicodedata

import numpy as np

from classifier.text import MAX_CHARS

# A word joins a phrase when it pushed at least this share of the best word's push.
_SHARE_OF_BEST = 0.15
_MAX_PHRASE_WORDS = 4


def explain_row(row_columns, row_values, sources, weights, tokens, text, top=5):
    """Top phrases for each weight vector, as {label: [(phrase, score), ...]}.

    `row_columns`/`row_values` are the text's sorted non-zero features,
    `sources` the (columns, first word, length) n-gram occurrences behind them
    (Featurizer.transform_docs), `weights` maps a label to its effective weight
    vector, `tokens` come from `tokenize(text)`. Each feature's contribution
    (value x weight) is shared among the words it covers; runs of neighbouring
    words that pushed the label become one phrase, cut from the text as
    written (NFC). Scores are contributions to the label's score.
    """
    columns, first, length = sources
    if not len(columns) or not tokens or first.max() >= len(tokens):
        return {label: [] for label in weights}
    written = unicodedata.normalize("NFC", text[:MAX_CHARS])
    # A feature seen twice in a text gets half its value from each occurrence.
    counts = np.bincount(columns)[columns]
    values = row_values[np.searchsorted(row_columns, columns)] / counts / length
    # Spread each occurrence over the 1-3 words it covers.
    two, three = np.flatnonzero(length >= 2), np.flatnonzero(length == 3)
    word_index = np.concatenate([first, first[two] + 1, first[three] + 2])
    occurrence = np.concatenate([np.arange(len(first)), two, three])
    # Words expanded from one abbreviation ("CCCD") share a span: one unit.
    spans = list(dict.fromkeys((token.start, token.end) for token in tokens))
    unit_index = {span: i for i, span in enumerate(spans)}
    unit_of = np.array([unit_index[(token.start, token.end)] for token in tokens])
    explanation = {}
    for label, weight in weights.items():
        contributions = values * weight[columns]
        word_scores = np.bincount(word_index, weights=contributions[occurrence], minlength=len(tokens))
        unit_scores = np.bincount(unit_of, weights=word_scores, minlength=len(spans))
        explanation[label] = _phrases(unit_scores, spans, written, top)
    return explanation


def _phrases(unit_scores, spans, written, top):
    """Runs of neighbouring words that each pushed the label noticeably (at most
    _MAX_PHRASE_WORDS long), best first, as (phrase, summed score)."""
    if not unit_scores.any() or unit_scores.max() <= 0:
        return []
    strong = unit_scores >= _SHARE_OF_BEST * unit_scores.max()
    runs, current = [], []
    for unit, is_strong in enumerate(strong):
        # Punctuation between two words ends a phrase.
        joined = bool(current) and not written[spans[current[-1]][1]:spans[unit][0]].strip()
        if is_strong and (not current or (joined and len(current) < _MAX_PHRASE_WORDS)):
            current.append(unit)
            continue
        if current:
            runs.append(current)
        current = [unit] if is_strong else []
    if current:
        runs.append(current)
    totals = np.concatenate([[0.0], np.cumsum(unit_scores)])
    scored = sorted(((float(totals[run[-1] + 1] - totals[run[0]]), run[0], run) for run in runs), key=lambda r: (-r[0], r[1]))
    return [(written[spans[run[0]][0]:spans[run[-1]][1]], round(score, 4)) for score, _, run in scored[:top]]
