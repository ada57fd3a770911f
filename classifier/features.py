"""Features: TF-IDF word 1-3-grams and char 2-5-grams of the diacritic-folded,
normalised text.

Folding before featurising makes "lam can cuoc" and "làm căn cước" the same
input, so the model works equally on text typed without diacritics.
"""

from collections import Counter
from functools import lru_cache
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from classifier.text import fold_diacritics, tokenize

CHAR_NGRAMS = (2, 5)


def word_grams(doc):
    """Word 1- to 3-grams of a space-joined doc."""
    words = doc.split()
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    return grams + [f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:])]


@lru_cache(maxsize=65536)
def _word_char_grams(word):
    """Char 2- to 5-grams of one word padded with spaces (as sklearn's char_wb)."""
    padded = f" {word} "
    grams = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return tuple(grams)


class Featurizer:
    """Turns texts into a sparse matrix and knows which n-gram each column is.

    The weighting is TfidfVectorizer's with sublinear_tf and smooth idf, word
    and char blocks each L2-normalised; it is computed here because Vietnamese
    has only a few thousand syllables: caching each word's char n-gram columns
    makes fitting and predicting several times faster than sklearn's analyzers.
    """

    def __init__(self, min_df=2):
        self.min_df = min_df
        self.word_vocabulary = {}
        self.char_vocabulary = {}
        self.idf = np.zeros(0, dtype=np.float32)
        self._names = None
        self._char_columns = {}

    def fit_transform(self, texts):
        """Learn vocabularies and idf weights from `texts`; return their features."""
        docs = [folded_words(tokenize(text)) for text in texts]
        word_df, char_df = Counter(), Counter()
        for doc in docs:
            words = doc.split()
            word_df.update(set(word_grams(doc)))
            char_df.update(set().union(*map(_word_char_grams, words)))
        # A tiny corpus would lose every n-gram to min_df; keep them all then.
        min_df = self.min_df if len(docs) >= 50 else 1
        self.word_vocabulary = _vocabulary(word_df, min_df)
        self.char_vocabulary = _vocabulary(char_df, min_df)
        df = np.array([word_df[g] for g in self.word_vocabulary] + [char_df[g] for g in self.char_vocabulary])
        self.idf = (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)
        self._names, self._char_columns = None, {}
        return self.transform_docs(docs)

    def transform_docs(self, docs, with_sources=False):
        """Features of texts already turned into folded word strings (see folded_words).

        With `with_sources`, also return for each doc the n-gram occurrences
        behind its features, (columns, first word, number of words), which is
        what an explanation maps back to phrases.
        """
        lookup = self.word_vocabulary.get
        n_word = len(self.word_vocabulary)
        indptr, indices, sources = [0], [], []
        for doc in docs:
            words = doc.split()
            grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
            grams += [f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:])]
            word_columns = list(map(lookup, grams, repeat(-1)))
            char_columns = [self.char_columns(word) for word in words]
            indices += [c for c in word_columns if c >= 0]
            for columns in char_columns:
                indices += columns
            indptr.append(len(indices))
            if with_sources:
                sources.append(_sources(len(words), word_columns, char_columns))
        counts = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
            shape=(len(docs), len(self.idf)),
        )
        counts.sum_duplicates()
        counts.data = 1 + np.log(counts.data)  # sublinear tf, as TfidfVectorizer does
        weighted = counts.multiply(self.idf).tocsr()
        # Each block normalised on its own, as two TfidfVectorizers side by side would be.
        X = sp.hstack([normalize(weighted[:, :n_word]), normalize(weighted[:, n_word:])], format="csr", dtype=np.float32)
        X.sort_indices()  # explanations look columns up by binary search
        return (X, sources) if with_sources else X

    def char_columns(self, word):
        """Columns (offset past the word columns) of one folded word's char n-grams."""
        columns = self._char_columns.get(word)
        if columns is None:
            vocab, offset = self.char_vocabulary, len(self.word_vocabulary)
            columns = [vocab[g] + offset for g in _word_char_grams(word) if g in vocab]
            if len(self._char_columns) < 200_000:  # bounded: junk words must not grow it forever
                self._char_columns[word] = columns
        return columns

    def names(self):
        """Every column's n-gram; char n-grams are wrapped in brackets, "[hoa]"."""
        if self._names is None:
            self._names = list(self.word_vocabulary) + [f"[{g}]" for g in self.char_vocabulary]
        return self._names

    @property
    def n_word_features(self):
        """Number of word n-gram columns; char n-gram columns come after them."""
        return len(self.word_vocabulary)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_names"] = None  # rebuilt on demand
        state["_char_columns"] = {}
        return state


def _sources(n_words, word_columns, char_columns):
    """(columns, first word, length) arrays of a doc's n-gram occurrences in the vocabulary."""
    word_columns = np.array(word_columns, dtype=np.int64)
    first = np.concatenate([np.arange(n_words - n + 1) for n in (1, 2, 3) if n_words >= n] or [np.zeros(0, int)])
    length = np.concatenate([np.full(max(n_words - n + 1, 0), n) for n in (1, 2, 3)])
    known = word_columns >= 0
    char_counts = [len(columns) for columns in char_columns]
    columns = np.concatenate([word_columns[known], np.array([c for cs in char_columns for c in cs], dtype=np.int64)])
    first = np.concatenate([first[known], np.repeat(np.arange(n_words), char_counts)])
    length = np.concatenate([length[known], np.ones(sum(char_counts), dtype=int)])
    return columns, first, length


def _vocabulary(df, min_df):
    """{n-gram: column} of the n-grams in at least min_df docs, in sorted order."""
    return {gram: i for i, gram in enumerate(sorted(g for g, count in df.items() if count >= min_df))}


def folded_words(tokens):
    """The folded, space-joined feature words of a token list."""
    return fold_diacritics(" ".join(token.norm for token in tokens))
