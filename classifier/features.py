"""Features: TF-IDF blocks over the normalised words of a text.

* folded word 1-3-grams and char 2-5-grams (diacritics stripped), so that
  "lam can cuoc" and "làm căn cước" look the same;
* accented word 1-2-grams, which tell apart words that folding merges
  ("bán"/"bàn"/"bạn" are all "ban"). A text typed without diacritics gets its
  accents restored first, from the accented words seen in training, so it
  still lands on these columns.
"""

from collections import Counter
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from classifier.text import fold_diacritics

CHAR_NGRAMS = (2, 5)
ACCENTED_NGRAMS = 2  # longest accented word n-gram; 3 gained nothing in cross-validation
# Column blocks, in order; each is L2-normalised on its own, as separate
# TfidfVectorizers side by side would be.
BLOCKS = ("word", "char", "accented")


def word_grams(words, longest=3):
    """Word 1- to `longest`-grams of a word list, shortest first."""
    grams = list(words)
    # map(" ".join, ...) rather than a comprehension: no Python-level loop body.
    if longest >= 2:
        grams += map(" ".join, zip(words, words[1:]))
    if longest >= 3:
        grams += map(" ".join, zip(words, words[1:], words[2:]))
    return grams


@lru_cache(maxsize=1024)
def _layout(n_words, longest):
    """(first word, length) of each n-gram in word_grams' order, for n words."""
    first = [i for n in range(1, longest + 1) for i in range(n_words - n + 1)]
    length = [n for n in range(1, longest + 1) for _ in range(max(n_words - n + 1, 0))]
    return first, length


@lru_cache(maxsize=65536)
def _word_char_grams(word):
    """Char 2- to 5-grams of one word padded with spaces (as sklearn's char_wb)."""
    padded = f" {word} "
    grams = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return tuple(grams)


@lru_cache(maxsize=131072)
def fold_word(word):
    """One normalised word without diacritics (cached: the vocabulary is small)."""
    return fold_diacritics(word)


def is_bare(text):
    """True when a text carries no diacritics at all (typed on a plain keyboard)."""
    return text.isascii() or fold_diacritics(text) == text.lower()


class Doc:
    """What the featurizer reads of one text: its normalised words, accented
    (as tokenize gives them) and folded, and whether it was typed bare."""

    __slots__ = ("words", "folded", "bare")

    def __init__(self, words, bare):
        self.words = words
        self.folded = [fold_word(w) for w in words]
        self.bare = bare


def doc_of(tokens, text):
    """The Doc of a text from its tokens (see text.tokenize)."""
    return Doc([token.norm for token in tokens], is_bare(text))


class Restorer:
    """Puts diacritics back on bare words: the accented form seen most often in
    training after the same previous word, else before the same next word,
    else overall. Words it never saw stay as they are."""

    def __init__(self, docs):
        alone, after, before = Counter(), Counter(), Counter()
        for doc in docs:
            if not doc.bare:
                f, w = doc.folded, doc.words
                alone.update(zip(f, w))
                after.update(zip(f, f[1:], w[1:]))  # (previous, this) -> this word's accented form
                before.update(zip(f, f[1:], w))  # (this, next) -> this word's accented form
        self.alone, self.after, self.before = (_most_common_form(table) for table in (alone, after, before))

    def restore(self, doc):
        """The accented words for a bare doc (its own words otherwise)."""
        if not doc.bare:
            return doc.words
        f, words = doc.folded, doc.words
        restored = []
        for i, folded in enumerate(f):
            word = words[i]
            if word == folded:  # an abbreviation's expansion already carries its accents
                word = ((i and self.after.get((f[i - 1], folded)))
                        or (i + 1 < len(f) and self.before.get((folded, f[i + 1])))
                        or self.alone.get((folded,), word))
            restored.append(word)
        return restored


def _most_common_form(counts):
    """{context: accented form} from {(*context, form): count}; ties go to the
    alphabetically first form, so the result is deterministic."""
    best = {}
    for (*context, form), count in counts.items():
        key = tuple(context)
        if key not in best or (-count, form) < best[key]:
            best[key] = (-count, form)
    return {key: form for key, (_, form) in best.items()}


class Features:
    """A batch's feature matrix, plus what explanations need to map it back to
    words (explain.py): where each word n-gram occurs, each word's char
    n-grams, and each row's block norms."""

    def __init__(self, X, block_starts, norms, grams, chars, word_ids, word_offsets):
        self.X = X
        self.block_starts = block_starts  # first column of each block
        self.norms = norms  # docs x BLOCKS: the L2 norm each block was divided by
        self.grams = grams  # (doc, column, first word, length) of each word n-gram occurrence
        self.chars = chars  # distinct words of the batch x columns: their char n-grams
        self.word_ids = word_ids  # each word of the batch (all docs end to end) -> row of chars
        self.word_offsets = word_offsets  # doc i's words are word_offsets[i]:word_offsets[i + 1]


class Featurizer:
    """Turns docs into a sparse matrix and knows which n-gram each column is.

    The weighting is TfidfVectorizer's with sublinear_tf and smooth idf; it is
    computed here because Vietnamese has only a few thousand syllables: caching
    each word's char n-gram columns makes fitting and predicting several times
    faster than sklearn's analyzers.
    """

    def __init__(self, min_df=2, accented=True):
        self.min_df = min_df
        self.accented = accented
        self.word_vocabulary = {}
        self.char_vocabulary = {}
        self.accented_vocabulary = {}
        self.restorer = None
        self.idf = np.zeros(0, dtype=np.float32)
        self._names = None
        self._char_columns = {}

    def fit_transform(self, docs):
        """Learn vocabularies, idf weights and the accent restorer from `docs`; return their Features."""
        self.restorer = Restorer(docs) if self.accented else None
        word_df, char_df, accented_df = Counter(), Counter(), Counter()
        for doc in docs:
            word_df.update(set(word_grams(doc.folded)))
            char_df.update(set().union(*map(_word_char_grams, doc.folded)))
            if self.accented:
                accented_df.update(set(word_grams(self.restorer.restore(doc), ACCENTED_NGRAMS)))
        # A tiny corpus would lose every n-gram to min_df; keep them all then.
        min_df = self.min_df if len(docs) >= 50 else 1
        self.word_vocabulary = _vocabulary(word_df, min_df)
        self.char_vocabulary = _vocabulary(char_df, min_df)
        self.accented_vocabulary = _vocabulary(accented_df, min_df)
        df = np.array([word_df[g] for g in self.word_vocabulary] + [char_df[g] for g in self.char_vocabulary]
                      + [accented_df[g] for g in self.accented_vocabulary])
        self.idf = (np.log((1 + len(docs)) / (1 + df)) + 1).astype(np.float32)
        self._names, self._char_columns = None, {}
        return self.transform(docs)

    def transform(self, docs):
        """Features of docs (see Doc): the matrix and its n-gram occurrences."""
        word_lookup, accented_lookup = self.word_vocabulary.get, self.accented_vocabulary.get
        restore = self.restorer.restore if self.accented else None
        # Two streams of n-gram occurrences, (column, first word, length) each;
        # accented columns get their block's offset afterwards, all at once.
        word_stream, accented_stream = ([], [], []), ([], [], [])
        word_columns, word_firsts, word_lengths = word_stream
        accented_columns, accented_firsts, accented_lengths = accented_stream
        n_words, all_words = [], []
        for doc in docs:
            n = len(doc.folded)
            n_words.append(n)
            all_words += doc.folded
            word_columns += map(word_lookup, word_grams(doc.folded), repeat(-1))
            first, length = _layout(n, 3)
            word_firsts += first
            word_lengths += length
            if restore is not None:
                accented_columns += map(accented_lookup, word_grams(restore(doc), ACCENTED_NGRAMS), repeat(-1))
                first, length = _layout(n, ACCENTED_NGRAMS)
                accented_firsts += first
                accented_lengths += length
        word_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(n_words, out=word_offsets[1:])
        starts = np.array([0, len(self.word_vocabulary), len(self.word_vocabulary) + len(self.char_vocabulary)])
        grams = []
        for (columns, firsts, lengths), offset, longest in zip((word_stream, accented_stream), starts[[0, 2]], (3, ACCENTED_NGRAMS)):
            columns = np.array(columns, dtype=np.int64)
            doc_of = np.repeat(np.arange(len(docs)), _grams_per_doc(np.array(n_words), longest) if columns.size else 0)
            first = np.array(firsts, dtype=np.int64) + word_offsets[doc_of]
            known = columns >= 0
            grams.append((doc_of[known], columns[known] + offset, first[known], np.array(lengths, dtype=np.int64)[known]))
        doc_of, columns, first, length = (np.concatenate(parts) for parts in zip(*grams))
        # Char n-grams go word by word: each distinct word of the batch is looked
        # up once, then (docs x words) @ (words x char n-grams) counts them.
        batch_words = {word: i for i, word in enumerate(dict.fromkeys(all_words))}
        word_ids = np.fromiter(map(batch_words.__getitem__, all_words), dtype=np.int64, count=len(all_words))
        char_matrix = self._char_matrix(list(batch_words))
        word_doc = np.repeat(np.arange(len(docs)), n_words)
        words_in_docs = sp.csr_matrix((np.ones(len(word_ids), dtype=np.float32), (word_doc, word_ids)),
                                      shape=(len(docs), len(batch_words)))
        gram_counts = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), (doc_of, columns)),
                                    shape=(len(docs), len(self.idf)))
        X, norms = self._weigh(gram_counts + words_in_docs @ char_matrix)
        return Features(X, starts, norms, (doc_of, columns, first, length), char_matrix, word_ids, word_offsets)

    def _char_matrix(self, words):
        """Words x columns 0/1 matrix of the char n-grams of `words` (folded)."""
        rows = [self.char_columns(word) for word in words]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(indptr[-1]))
        return sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                             shape=(len(rows), len(self.idf)))

    def _weigh(self, counts):
        """Sublinear TF-IDF of a docs x columns count matrix, each block of a row
        L2-normalised, as float32 CSR; and the docs x BLOCKS norms divided by."""
        X = counts.tocsr()
        X.sum_duplicates()
        n_docs = X.shape[0]
        X.data = (1 + np.log(X.data)) * self.idf[X.indices]
        rows = np.repeat(np.arange(n_docs), np.diff(X.indptr))
        blocks = (X.indices >= len(self.word_vocabulary)).astype(np.int64) + (
            X.indices >= len(self.word_vocabulary) + len(self.char_vocabulary))
        cell = rows * len(BLOCKS) + blocks
        norms = np.sqrt(np.bincount(cell, weights=X.data.astype(np.float64) ** 2, minlength=n_docs * len(BLOCKS)))
        norms[norms == 0] = 1.0
        X.data = (X.data / norms[cell]).astype(np.float32)
        return X, norms.reshape(n_docs, len(BLOCKS))

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
        """Every column's n-gram; char n-grams are wrapped in brackets, "[hoa]",
        accented word n-grams in braces, "{hòa}"."""
        if self._names is None:
            self._names = (list(self.word_vocabulary) + [f"[{g}]" for g in self.char_vocabulary]
                           + [f"{{{g}}}" for g in self.accented_vocabulary])
        return self._names

    @property
    def n_word_features(self):
        """Number of folded word n-gram columns; the other blocks come after them."""
        return len(self.word_vocabulary)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_names"] = None  # rebuilt on demand
        state["_char_columns"] = {}
        return state


def _grams_per_doc(n_words, longest):
    """How many 1- to `longest`-grams docs of `n_words` words have."""
    return sum(np.maximum(n_words - n + 1, 0) for n in range(1, longest + 1))


def _vocabulary(df, min_df):
    """{n-gram: column} of the n-grams in at least min_df docs, in sorted order."""
    return {gram: i for i, gram in enumerate(sorted(g for g, count in df.items() if count >= min_df))}
