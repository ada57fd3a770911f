"""The featurizer's negation block: which words count as negated, the negated
praise and complaint columns, and that their columns come out the same for a
text alone, in a batch, and typed bare. Then the length block."""

import numpy as np
import pytest

from classifier.features import (
    LENGTH_EDGES, LENGTH_VALUE, NEGATION_SCOPE, Featurizer, doc_of, negated_mask, negated_polarity, without_negated,
)
from classifier.text import tokenize


def _docs(texts):
    return [doc_of(tokenize(text), text) for text in texts]


def _negated_names(featurizer, features, row):
    """The negated-word columns set in one row of a Features matrix, by name."""
    start, end = featurizer.block_starts[3:5]
    names = featurizer.names()
    columns = features.X[row].indices
    return sorted(names[c] for c in columns if start <= c < end)


@pytest.mark.parametrize("words, expected", [
    (["cán", "bộ", "không", "nhiệt", "tình"], [3, 4]),
    (["nhiệt", "tình", "không"], []),  # a negator at the end negates nothing
    (["chưa", "a", "b", "c", "d", "e"], [1, 2, 3, 4]),  # the scope ends after NEGATION_SCOPE words
    (["không", "chẳng", "x"], [1, 2]),  # a second negator is itself negated and renews the scope
    (["khong", "nhiet"], []),  # bare: only after its accents are restored
])
def test_negated_words(words, expected):
    assert NEGATION_SCOPE == 4
    assert np.flatnonzero(negated_mask(words, np.zeros(len(words), dtype=int))).tolist() == expected


@pytest.mark.parametrize("text, expected", [
    ("cán bộ không nhiệt tình", [("<praise>", 3, 2)]),  # two syllables, one entry
    ("cán bộ nhiệt tình", []),  # praise, not negated
    ("không hề chậm trễ", [("<complaint>", 2, 2)]),  # "chậm trễ" counts once, not "trễ" again
    ("thủ tục chưa rõ ràng, cán bộ không cáu gắt", [("<praise>", 3, 2), ("<complaint>", 8, 2)]),
    ("không những tốt", [("<praise>", 2, 1)]),
    ("không giải quyết", []),  # not an evaluative word
])
def test_negated_praise_and_complaint_words(text, expected):
    words = doc_of(tokenize(text), text).words
    assert negated_polarity(words, np.zeros(len(words), dtype=int), negated_mask(words, np.zeros(len(words), dtype=int))) == expected


def test_a_negated_entry_does_not_straddle_two_texts():
    words = ["không", "nhiệt", "tình"]
    word_doc = np.array([0, 0, 1])
    assert negated_polarity(words, word_doc, negated_mask(words, word_doc)) == []


@pytest.fixture(scope="module")
def fitted():
    texts = ["cán bộ không nhiệt tình", "cán bộ nhiệt tình", "thái độ không thân thiện",
             "thái độ thân thiện", "chưa giải quyết hồ sơ", "đã giải quyết hồ sơ"] * 30
    featurizer = Featurizer()
    featurizer.fit_transform(_docs(texts))
    return featurizer


def test_negated_words_have_their_own_columns(fitted):
    features = fitted.transform(_docs(["cán bộ không nhiệt tình", "cán bộ nhiệt tình", "chưa giải quyết"]))
    assert _negated_names(fitted, features, 0) == ["¬<praise>", "¬nhiet", "¬tinh"]
    assert _negated_names(fitted, features, 1) == []
    assert _negated_names(fitted, features, 2) == ["¬giai", "¬quyet"]
    # The plain word columns are there too: negation adds, it does not hide.
    names = fitted.names()
    assert {"nhiet", "tinh"} <= {names[c] for c in features.X[0].indices}


def test_an_unseen_negated_praise_word_still_counts_as_negated_praise(fitted):
    # "niềm nở" is never in the fitted texts; the praise column generalises.
    assert _negated_names(fitted, fitted.transform(_docs(["cán bộ không niềm nở"])), 0) == ["¬<praise>"]


def test_bare_text_is_negated_after_its_accents_are_restored(fitted):
    accented, bare = fitted.transform(_docs(["thái độ không thân thiện", "thai do khong than thien"])).X
    assert np.array_equal(accented.indices, bare.indices)
    assert np.allclose(accented.data, bare.data)


def test_negation_does_not_reach_across_texts_of_a_batch(fitted):
    texts = ["cán bộ không", "nhiệt tình", "thái độ chưa", "thân thiện"]
    batch = fitted.transform(_docs(texts))
    for row, text in enumerate(texts):
        alone = fitted.transform(_docs([text]))
        assert _negated_names(fitted, batch, row) == _negated_names(fitted, alone, 0) == []
        assert np.array_equal(batch.X[row].toarray(), alone.X.toarray())


def test_big_batches_match_small_ones(fitted):
    # From REGROUP_FROM docs, transform puts its matrices in order another way.
    texts = ["cán bộ không nhiệt tình, chưa giải quyết hồ sơ", "thái độ thân thiện"] * 80
    big = fitted.transform(_docs(texts)).X
    small = fitted.transform(_docs(texts[:2])).X
    assert np.allclose(big[:2].toarray(), small.toarray())
    assert _negated_names(fitted, fitted.transform(_docs(texts)), 0) == ["¬<praise>", "¬giai", "¬ho", "¬nhiet", "¬quyet", "¬so", "¬tinh"]


def _length_columns(featurizer, features, row):
    """{name: value} of the length columns set in one row."""
    start, names = featurizer.block_starts[4], featurizer.names()
    X = features.X[row]
    return {names[c]: round(float(v), 4) for c, v in zip(X.indices, X.data) if c >= start}


def test_each_text_has_one_length_column_with_a_fixed_value(fitted):
    assert LENGTH_EDGES == (2, 4)
    texts = ["", "hồ sơ", "chưa giải quyết", "cán bộ không nhiệt tình", "日本語"]
    features = fitted.transform(_docs(texts))
    assert [_length_columns(fitted, features, row) for row in range(len(texts))] == [
        {"#words<=2": LENGTH_VALUE}, {"#words<=2": LENGTH_VALUE}, {"#words<=4": LENGTH_VALUE},
        {"#words>4": LENGTH_VALUE}, {"#words<=2": LENGTH_VALUE},
    ]
    # Nothing but the length column: the empty text and the one in a script the corpus never had.
    assert features.empty.tolist() == [True, False, False, False, True]


def test_the_length_block_is_not_normalised_with_the_others(fitted):
    X = fitted.transform(_docs(["cán bộ không nhiệt tình"])).X.toarray()[0]
    starts = list(fitted.block_starts) + [X.shape[0]]
    norms = [np.linalg.norm(X[a:b]) for a, b in zip(starts, starts[1:])]
    assert np.allclose(norms, [1, 1, 1, 1, LENGTH_VALUE], atol=1e-6)


def test_topic_features_drop_only_the_negated_block(fitted):
    features = fitted.transform(_docs(["cán bộ không nhiệt tình"]))
    kept = without_negated(fitted, features.X)
    start, end = fitted.block_starts[3:5]
    dropped = [c for c in features.X.indices if c not in set(kept.indices)]
    assert dropped and all(start <= c < end for c in dropped)
    assert _length_columns(fitted, features, 0) == {"#words>4": LENGTH_VALUE}
    assert kept[0, fitted.block_starts[4] + 2] == pytest.approx(LENGTH_VALUE)
