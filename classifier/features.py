"""Features: TF-IDF blocks over the normalised words of a text.

* folded word 1-3-grams and char 2-5-grams (diacritics stripped), so that
  "lam can cuoc" and "làm căn cước" look the same;
* accented word 1-2-grams, which tell apart words that folding merges
  ("bán"/"bàn"/"bạn" are all "ban"). A text typed without diacritics gets its
  accents restored first, from the accented words seen in training, so it
  still lands on these columns;
* negated words: the folded words that follow a negation ("không", "chưa",
  ...) closely, as separate columns, so that "không nhiệt tình" is not read
  as "nhiệt tình" plus a "không". On UIT-VSFC (5-fold cross-validation on
  train + dev) this added about 0.5-1 point of sentiment macro-F1;
* the text's length, as one of a few word-count ranges: each block above is
  normalised to unit length, which hides whether a text is two words or
  fifty, and short fragments ("giao tiếp .", "không có gì") are most often
  neutral. On UIT-VSFC (same cross-validation) this added 0.9 points of
  sentiment and of topic macro-F1.
"""

from collections import Counter
from functools import cached_property, lru_cache
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from classifier.polarity import polarity_at
from classifier.text import fold_diacritics, is_bare

CHAR_NGRAMS = (2, 5)
ACCENTED_NGRAMS = 2  # longest accented word n-gram; 3 gained nothing in cross-validation
# Column blocks, in order; each is L2-normalised on its own, as separate
# TfidfVectorizers side by side would be.
BLOCKS = ("word", "char", "accented", "negated", "length")
# The length block: one column per range of word counts (at most 2, 3-4, ...),
# its value not normalised but fixed. 0.3-0.6 scored alike in cross-validation;
# finer ranges gained nothing.
LENGTH_EDGES = (2, 4)
LENGTH_VALUE = 0.45
ACCENTED_BLOCK, NEGATED_BLOCK, LENGTH_BLOCK = map(BLOCKS.index, ("accented", "negated", "length"))
# Accented forms: a text typed bare is matched after its accents are restored
# ("chua" alone could be "chua", sour). "ko", "k", "hk" are "không" by then.
NEGATORS = frozenset({"không", "chưa", "chẳng", "chả", "đừng", "chớ"})
# Words (syllables) after a negator that count as negated: about two
# Vietnamese words. 2, 3 and 4 scored alike in cross-validation, 4 a hair
# best; so did stopping the scope at punctuation, which is not done.
NEGATION_SCOPE = 4
# From this many docs, a batch's count matrices are put in order by regrouping
# rather than by sorting (see Featurizer.transform).
REGROUP_FROM = 100


def word_grams(words, longest=3):
    """Word 1- to `longest`-grams of a word list, shortest first."""
    grams = list(words)
    # map(" ".join, ...) rather than a comprehension: no Python-level loop body.
    if longest >= 2:
        grams += map(" ".join, zip(words, words[1:]))
    if longest >= 3:
        grams += map(" ".join, zip(words, words[1:], words[2:]))
    return grams


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


class Doc:
    """What the featurizer reads of one text: its normalised words, accented
    (as tokenize gives them) and folded, and whether it was typed bare."""

    __slots__ = ("words", "folded", "bare")

    def __init__(self, words, bare):
        self.words = words
        self.folded = list(map(fold_word, words))
        self.bare = bare


def negated_mask(words, word_doc):
    """Which words are within NEGATION_SCOPE words after a negator of the same
    doc: `words` are docs' accented words end to end (restored, for a doc typed
    bare), word_doc[i] the doc of word i."""
    negator = np.fromiter(map(NEGATORS.__contains__, words), dtype=bool, count=len(words))
    negated = np.zeros(len(words), dtype=bool)
    for k in range(1, NEGATION_SCOPE + 1):
        negated[k:] |= negator[:-k] & (word_doc[k:] == word_doc[:-k])
    return negated


def negated_polarity(words, word_doc, negated):
    """(key, first word, length) of each praise or complaint word (see
    polarity.py) that starts at a negated word; a word of several syllables
    counts once."""
    items, covered = [], 0
    for i in np.flatnonzero(negated).tolist():
        if i < covered:
            continue
        hit = polarity_at(words, i)
        if hit and word_doc[i + hit[1] - 1] == word_doc[i]:
            items.append((hit[0], i, hit[1]))
            covered = i + hit[1]
    return items


def doc_of(tokens, text):
    """The Doc of a text from its tokens (see text.tokenize)."""
    return Doc([token.norm for token in tokens], is_bare(text))


class Restorer:
    """Puts diacritics back on bare words: the accented form seen most often in
    training between the same previous and next words, else after the same
    two previous words, else after the same previous word, else before the
    same next word, else overall. Words it never saw stay as they are.
    (Held out on the corpus, 91.7% of marked words come back right; 90.7%
    before the two longer contexts.)"""

    def __init__(self, docs):
        alone, after, before, between, after_two = Counter(), Counter(), Counter(), Counter(), Counter()
        for doc in docs:
            if not doc.bare:
                f, w = doc.folded, doc.words
                alone.update(zip(f, w))
                after.update(zip(f, f[1:], w[1:]))  # (previous, this) -> this word's accented form
                before.update(zip(f, f[1:], w))  # (this, next) -> this word's accented form
                between.update(zip(f, f[1:], f[2:], w[1:]))  # (previous, this, next) -> this word's form
                after_two.update(zip(f, f[1:], f[2:], w[2:]))  # (two before, previous, this) -> its form
        self.alone, self.after, self.before, self.between, self.after_two = (
            _most_common_form(table) for table in (alone, after, before, between, after_two))

    def restore(self, doc):
        """The accented words for a bare doc (its own words otherwise)."""
        if not doc.bare:
            return doc.words
        f, words = doc.folded, doc.words
        last = len(f) - 1
        restored = []
        for i, folded in enumerate(f):
            word = words[i]
            if word == folded:  # an abbreviation's expansion already carries its accents
                word = ((0 < i < last and self.between.get((f[i - 1], folded, f[i + 1])))
                        or (i > 1 and self.after_two.get((f[i - 2], f[i - 1], folded)))
                        or (i and self.after.get((f[i - 1], folded)))
                        or (i < last and self.before.get((folded, f[i + 1])))
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
    n-grams, and each row's block norms. Every row has its one length column;
    `empty` marks the rows with nothing else, texts with no known n-gram."""

    def __init__(self, X, block_starts, norms, grams, chars, word_ids, word_offsets):
        self.X = X
        self.block_starts = block_starts  # first column of each block
        self.norms = norms  # docs x BLOCKS: the L2 norm each block was divided by
        self.grams = grams  # (doc, column, first word, length) of each word n-gram occurrence
        self.chars = chars  # distinct words of the batch x columns: their char n-grams
        self.word_ids = word_ids  # each word of the batch (all docs end to end) -> row of chars
        self.word_offsets = word_offsets  # doc i's words are word_offsets[i]:word_offsets[i + 1]

    @property
    def empty(self):
        """One bool per row: no column but the length one."""
        return np.diff(self.X.indptr) <= 1


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
        self.negated_vocabulary = {}
        self.restorer = None
        self.idf = np.zeros(0, dtype=np.float32)
        self._names = None
        self._char_columns = {}

    def fit_transform(self, docs):
        """Learn vocabularies, idf weights and the accent restorer from `docs`; return their Features."""
        self.restorer = Restorer(docs) if self.accented else None
        word_df, char_df, accented_df = Counter(), Counter(), Counter()
        accented = []
        for doc in docs:
            word_df.update(set(word_grams(doc.folded)))
            char_df.update(set().union(*map(_word_char_grams, doc.folded)))
            words = self.restorer.restore(doc) if self.accented else doc.words
            if self.accented:
                accented_df.update(set(word_grams(words, ACCENTED_NGRAMS)))
            accented += words
        # Document frequency of each negated word: one count per (doc, word).
        word_doc = np.repeat(np.arange(len(docs)), [len(doc.folded) for doc in docs])
        folded = list(chain.from_iterable(doc.folded for doc in docs))
        negated = negated_mask(accented, word_doc)
        negated_df = Counter(word for _, word in {(word_doc[i], folded[i]) for i in np.flatnonzero(negated).tolist()})
        negated_df.update(key for _, key in {(word_doc[i], key) for key, i, _ in negated_polarity(accented, word_doc, negated)})
        # A tiny corpus would lose every n-gram to min_df; keep them all then.
        min_df = self.min_df if len(docs) >= 50 else 1
        self.word_vocabulary = _vocabulary(word_df, min_df)
        self.char_vocabulary = _vocabulary(char_df, min_df)
        self.accented_vocabulary = _vocabulary(accented_df, min_df)
        self.negated_vocabulary = _vocabulary(negated_df, min_df)
        df = np.array([word_df[g] for g in self.word_vocabulary] + [char_df[g] for g in self.char_vocabulary]
                      + [accented_df[g] for g in self.accented_vocabulary]
                      + [negated_df[g] for g in self.negated_vocabulary])
        idf = np.log((1 + len(docs)) / (1 + df)) + 1
        # The length columns' "idf" is their fixed value (see _weigh).
        self.idf = np.concatenate([idf, np.full(len(LENGTH_EDGES) + 1, LENGTH_VALUE)]).astype(np.float32)
        self._names, self._char_columns = None, {}
        self.__dict__.pop("_gram_tables", None)
        return self.transform(docs)

    def transform(self, docs):
        """Features of docs (see Doc): the matrix and its n-gram occurrences."""
        folded = [doc.folded for doc in docs]
        n_words = np.fromiter(map(len, folded), dtype=np.int64, count=len(docs))
        all_words = list(chain.from_iterable(folded))
        word_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(n_words, out=word_offsets[1:])
        word_doc = np.repeat(np.arange(len(docs)), n_words)
        starts = self.block_starts
        # Each distinct word of the batch is looked up once: its unigram column
        # here, its char n-grams below.
        batch_words = {word: i for i, word in enumerate(dict.fromkeys(all_words))}
        word_ids = np.fromiter(map(batch_words.__getitem__, all_words), dtype=np.int64, count=len(all_words))
        unigrams = np.fromiter(map(self.word_vocabulary.get, batch_words, repeat(-1)), dtype=np.int64,
                               count=len(batch_words))[word_ids]
        # Word n-grams of the whole batch at once, its docs end to end.
        tables = self._gram_tables
        occurrences = [_occurrences(unigrams, tables[0], len(self.word_vocabulary), 3, word_doc)]
        if self.accented:
            accented = list(chain.from_iterable(map(self.restorer.restore, docs)))
            unigrams = np.fromiter(map(self.accented_vocabulary.get, accented, repeat(-1)), dtype=np.int64,
                                   count=len(accented))
            occurrences.append(_occurrences(unigrams, tables[1], len(self.accented_vocabulary), ACCENTED_NGRAMS,
                                            word_doc, starts[ACCENTED_BLOCK]))
        else:
            accented = list(chain.from_iterable(doc.words for doc in docs))
        occurrences.append(self._negated_occurrences(accented, word_ids, word_doc, batch_words, starts[NEGATED_BLOCK]))
        columns, first, length = (np.concatenate(parts) for parts in zip(*occurrences))
        doc_of = word_doc[first]
        length_columns = starts[LENGTH_BLOCK] + np.searchsorted(LENGTH_EDGES, n_words)
        gram_counts = sp.coo_matrix((np.ones(len(columns) + len(docs), dtype=np.float32),
                                     (np.concatenate([doc_of, np.arange(len(docs))]),
                                      np.concatenate([columns, length_columns]))),
                                    shape=(len(docs), len(self.idf)))
        # (docs x words) @ (words x char n-grams) counts the char n-grams.
        char_matrix = self._char_matrix(list(batch_words))
        words_in_docs = sp.csr_matrix((np.ones(len(word_ids), dtype=np.float32), word_ids, word_offsets),
                                      shape=(len(docs), len(batch_words)))
        # Both counts with each row's columns in order (CSR's canonical form,
        # which the heads' sums must see), X is a merge of their disjoint columns.
        if len(docs) >= REGROUP_FROM:
            # Regrouped by column, then by doc, the columns come out in order:
            # passes over the entries and over every column, no sort.
            gram_counts = gram_counts.tocsc().tocsr()
            char_counts = (char_matrix.T.tocsr() @ words_in_docs.T.tocsr()).tocsc().T
        else:  # few docs: sorting their rows costs less than a pass over every column
            gram_counts = gram_counts.tocsr()
            char_counts = words_in_docs @ char_matrix
            char_counts.sort_indices()
        X, norms = self._weigh(gram_counts + char_counts)
        return Features(X, starts, norms, (doc_of, columns, first, length), char_matrix, word_ids, word_offsets)

    @property
    def block_starts(self):
        """First column of each of BLOCKS."""
        sizes = [len(self.word_vocabulary), len(self.char_vocabulary), len(self.accented_vocabulary),
                 len(self.negated_vocabulary)]
        return np.cumsum([0] + sizes)

    def _negated_occurrences(self, accented, word_ids, word_doc, batch_words, offset):
        """(column + offset, first word, length) of each negated word of the
        batch (see negated_mask) that is in the negated vocabulary, and of each
        negated praise or complaint word (see negated_polarity)."""
        negated = negated_mask(accented, word_doc)
        columns = np.fromiter(map(self.negated_vocabulary.get, batch_words, repeat(-1)), dtype=np.int64,
                              count=len(batch_words))[word_ids]
        first = np.flatnonzero(negated & (columns >= 0))
        columns, length = columns[first], np.ones(len(first), dtype=np.int64)
        polar = [(self.negated_vocabulary[key], i, n) for key, i, n in negated_polarity(accented, word_doc, negated)
                 if key in self.negated_vocabulary]
        if polar:
            extra_columns, extra_first, extra_length = (np.array(part, dtype=np.int64) for part in zip(*polar))
            columns, first, length = (np.concatenate(pair) for pair in (
                (columns, extra_columns), (first, extra_first), (length, extra_length)))
        return columns + offset, first, length

    @cached_property
    def _gram_tables(self):
        """The word and accented vocabularies' longer n-grams by number (see _gram_table)."""
        return _gram_table(self.word_vocabulary), _gram_table(self.accented_vocabulary)

    def _char_matrix(self, words):
        """Words x columns 0/1 matrix of the char n-grams of `words` (folded)."""
        rows = [self.char_columns(word) for word in words]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(indptr[-1]))
        return sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                             shape=(len(rows), len(self.idf)))

    def _weigh(self, X):
        """Sublinear TF-IDF of a docs x columns count matrix (float32 canonical
        CSR, weighed in place), each block of a row L2-normalised but the
        length block (its value is its "idf"); and the docs x BLOCKS norms
        divided by."""
        n_docs = X.shape[0]
        np.log(X.data, out=X.data)
        X.data += 1
        X.data *= self.idf[X.indices]
        cell = np.repeat(np.arange(0, n_docs * len(BLOCKS), len(BLOCKS)), np.diff(X.indptr))
        for start in self.block_starts[1:]:
            cell += X.indices >= start
        squares = X.data.astype(np.float64)
        squares *= squares
        norms = np.sqrt(np.bincount(cell, weights=squares, minlength=n_docs * len(BLOCKS)))
        norms[norms == 0] = 1.0
        norms[LENGTH_BLOCK::len(BLOCKS)] = 1.0  # the length block keeps its fixed value
        # Into squares' memory (fewer fresh pages); "clip" as the cells are all
        # in range and the default would buffer.
        divisors = np.take(norms, cell, out=squares, mode="clip")
        X.data = np.divide(X.data, divisors, out=divisors).astype(np.float32)
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
        accented word n-grams in braces, "{hòa}", negated words marked "¬hoa",
        word-count ranges as "#words<=2", "#words>20"."""
        if self._names is None:
            self._names = (list(self.word_vocabulary) + [f"[{g}]" for g in self.char_vocabulary]
                           + [f"{{{g}}}" for g in self.accented_vocabulary]
                           + [f"¬{g}" for g in self.negated_vocabulary]
                           + [f"#words<={edge}" for edge in LENGTH_EDGES] + [f"#words>{LENGTH_EDGES[-1]}"])
        return self._names

    @property
    def n_word_features(self):
        """Number of folded word n-gram columns; the other blocks come after them."""
        return len(self.word_vocabulary)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_names"] = None  # rebuilt on demand
        state["_char_columns"] = {}
        state.pop("_gram_tables", None)
        return state


def without_negated(featurizer, X):
    """X with the negated-words block zeroed, for the topic heads: negation says
    how a citizen feels, not what about (with it, police-feedback topic
    micro-F1 fell by about 3 points)."""
    columns = np.arange(X.shape[1])
    starts = featurizer.block_starts
    keep = ((columns < starts[NEGATED_BLOCK]) | (columns >= starts[NEGATED_BLOCK + 1])).astype(X.dtype)
    return X @ sp.diags(keep)


def _gram_table(vocabulary):
    """{key: column} of the 2-grams and longer of `vocabulary`, an n-gram's key
    being (column of its first n-1 words) x len(vocabulary) + (column of its
    last word). Both are in the vocabulary whenever the n-gram is: every doc
    holding an n-gram holds both, so they pass min_df too."""
    table = {}
    for gram, column in vocabulary.items():
        *head, last = gram.split(" ")
        if head:
            table[vocabulary[" ".join(head)] * len(vocabulary) + vocabulary[last]] = column
    return table


def _occurrences(unigrams, table, size, longest, word_doc, offset=0):
    """(column + offset, first word, length) of each 1- to `longest`-gram in
    the vocabulary of `size` n-grams of a batch's words, docs end to end:
    unigrams[i] is the column of word i (-1 if none), word_doc[i] its doc.
    Longer n-grams are looked up by number in `table` (see _gram_table), and
    those straddling two docs are left out."""
    found = unigrams
    parts = []
    for n in range(1, longest + 1):
        if n > 1:
            head, last = found[:-1], unigrams[n - 1:]
            known = np.flatnonzero((head >= 0) & (last >= 0) & (word_doc[:len(last)] == word_doc[n - 1:]))
            keys = (head[known] * size + last[known]).tolist()
            found = np.full(len(last), -1)
            found[known] = np.fromiter(map(table.get, keys, repeat(-1)), dtype=np.int64, count=len(keys))
        first = np.flatnonzero(found >= 0)
        parts.append((found[first] + offset, first, np.full(len(first), n)))
    return [np.concatenate(column) for column in zip(*parts)]


def _vocabulary(df, min_df):
    """{n-gram: column} of the n-grams in at least min_df docs, in sorted order."""
    return {gram: i for i, gram in enumerate(sorted(g for g, count in df.items() if count >= min_df))}
