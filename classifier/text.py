"""Vietnamese text normalisation for storage (`canonical`), search (`fold_diacritics`)
and features (`tokenize`, `normalize_for_features`).

Storage keeps what the citizen wrote (NFC, one tone-mark placement); only the
feature path lower-cases, expands informal spellings and swaps personal data
(phone, ID and plate numbers, URLs, e-mails) and emoji for placeholder tokens.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import accumulate, chain, groupby, repeat
from typing import NamedTuple

from classifier.errors import InvalidText

# Texts are cut to this many characters before featurising, so a 100 KB paste
# costs no more than a long letter.
MAX_CHARS = 20_000

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aăâeêioôơuưy")
_MODIFIED_VOWELS = set("ăâêôơư")
_CONSONANTS = set("bcdđghklmnpqrstvx")


def _build_fold_table():
    """Map every precomposed Latin letter to its bare lower-case ASCII base."""
    table = {}
    for code in range(0x00C0, 0x1F00):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if base.isascii() and base.isalpha() and base != char:
            table[code] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    return table


_FOLD_TABLE = _build_fold_table()
_COMBINING = re.compile(r"[\u0300-\u036f]")
# The characters fold_diacritics changes, once lower-cased: an NFC text whose
# lower-case form has none of them folds to that form.
_FOLDED_AWAY = re.compile("[" + "".join(map(re.escape, map(chr, sorted(_FOLD_TABLE)))) + "\u0300-\u036f]")


def fold_diacritics(text):
    """Lower-case, strip every diacritic and turn đ into d: "Cà Mau" -> "ca mau".

    Used for accent-insensitive search and for the model's features, so that
    "lam can cuoc" and "làm căn cước" look the same.
    """
    folded = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
    if _COMBINING.search(folded):
        # Marks that have no precomposed form (or stray ones) are dropped too.
        folded = unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", folded)))
    return folded


def is_bare(text):
    """True when a text carries no diacritics at all (typed on a plain keyboard):
    when fold_diacritics(text) == text.lower(), found without folding it."""
    if text.isascii():
        return True
    if unicodedata.is_normalized("NFC", text):  # as nearly every text is
        return not _FOLDED_AWAY.search(text.lower())
    return fold_diacritics(text) == text.lower()


def _letters(decomposed):
    """Split an NFD string into letters, each a base char plus its non-tone marks."""
    letters = []
    for char in decomposed:
        if unicodedata.combining(char) and letters:
            letters[-1] += char
        else:
            letters.append(char)
    return letters


def _tone_position(bases):
    """Index of the letter that carries the tone mark in a syllable, or None.

    `bases` are the syllable's lower-case letters without tone. The rule is the
    one that writes "hòa, thúy, khỏe": a modified vowel (â, ơ...) takes the mark;
    else the last vowel when a consonant closes the syllable; else the middle of
    three vowels or the first of two.
    """
    vowel_positions = [i for i, b in enumerate(bases) if b in _VOWELS]
    if not vowel_positions:
        return None
    first, last = vowel_positions[0], vowel_positions[-1]
    if last - first + 1 != len(vowel_positions):
        return None  # two vowel groups: not one Vietnamese syllable
    if any(b not in _CONSONANTS for b in bases[:first]):
        return None
    if any(b not in _CONSONANTS for b in bases[last + 1:]):
        return None
    initial = "".join(bases[:first])
    # "qu" and "gi" (before another vowel) belong to the initial consonant.
    if last > first and ((initial == "q" and bases[first] == "u") or (initial == "g" and bases[first] == "i")):
        first += 1
    nucleus = list(range(first, last + 1))
    if len(nucleus) > 3:
        return None
    modified = [i for i in nucleus if bases[i] in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if last + 1 < len(bases):
        return last
    if len(nucleus) == 3:
        return nucleus[1]
    return nucleus[0]


@lru_cache(maxsize=65536)
def _canonical_word(word):
    """Put the tone mark of one word on its canonical vowel; other words unchanged."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word
    letters = _letters(decomposed.replace(tones[0], ""))
    bases = [unicodedata.normalize("NFC", letter.lower()) for letter in letters]
    position = _tone_position(bases)
    if position is None:
        return word
    letters[position] += tones[0]
    return unicodedata.normalize("NFC", "".join(letters))


_WORD = re.compile(r"[^\W\d_]+")
_ELONGATED = re.compile(r"(.)\1\1")


def canonical(text):
    """NFC with one tone-mark placement ("hoà" -> "hòa"); case and all else kept.

    This is the form the app stores, so that old- and new-style spellings of the
    same word compare equal.
    """
    if not isinstance(text, str):
        raise InvalidText(f"text must be a str, not {type(text).__name__}")
    return _WORD.sub(lambda m: _canonical_word(m.group()), unicodedata.normalize("NFC", text))


# Informal spellings and abbreviations citizens type, keyed by the lower-cased
# token, mapped to the words the model should see.
ABBREVIATIONS = {
    "k": "không", "ko": "không", "kh": "không", "hk": "không", "hok": "không", "hông": "không",
    "hong": "không", "khong": "không", "kg": "không", "khg": "không", "kô": "không",
    "dc": "được", "đc": "được", "duoc": "được",
    "cccd": "căn cước công dân", "cmnd": "chứng minh nhân dân", "cmt": "chứng minh nhân dân",
    "csgt": "cảnh sát giao thông", "cstt": "cảnh sát trật tự", "csđt": "cảnh sát điều tra",
    "gplx": "giấy phép lái xe", "pccc": "phòng cháy chữa cháy", "tthc": "thủ tục hành chính",
    "atgt": "an toàn giao thông", "antt": "an ninh trật tự", "ubnd": "ủy ban nhân dân",
    "ae": "anh em", "ng": "người", "ngta": "người ta", "mn": "mọi người", "mng": "mọi người",
    "j": "gì", "gi": "gì", "ji": "gì", "vs": "với", "ok": "ok", "oke": "ok", "okie": "ok", "oki": "ok",
    "okela": "ok", "okay": "ok", "r": "rồi", "ròi": "rồi", "cx": "cũng", "cg": "cũng", "cũg": "cũng",
    "bt": "bình thường", "ntn": "như thế nào", "nt": "nhắn tin", "sdt": "số điện thoại",
    "sđt": "số điện thoại", "đt": "điện thoại", "dt": "điện thoại", "tks": "cảm ơn", "thanks": "cảm ơn",
    "thank": "cảm ơn", "cám": "cảm", "bik": "biết", "bít": "biết", "wa": "quá",
    "qá": "quá", "mk": "mình", "mik": "mình", "lm": "làm", "ms": "mới", "hnay": "hôm nay",
    "bh": "bây giờ", "bjo": "bây giờ", "bg": "bây giờ", "trc": "trước", "thui": "thôi", "nhìu": "nhiều",
    "nhiu": "nhiều", "đ/c": "đồng chí", "d/c": "đồng chí", "cb": "cán bộ", "cbcs": "cán bộ chiến sĩ",
    "e": "em", "ak": "à", "ah": "à", "z": "vậy", "zậy": "vậy", "hs": "hồ sơ",
    "ncl": "nói chung là", "tp": "thành phố", "tx": "thị xã", "đ": "đồng",
}

# "CA phường", "ca xã": CA is the police (công an) right before an
# administrative level; elsewhere "ca" is a shift or a song.
_POLICE_LEVELS = {"phường", "xã", "quận", "huyện", "tỉnh", "thành", "tp", "thị", "p", "q", "h"}

_POSITIVE_EMOJI = set("😀😁😃😄😆😊😇🙂😍🥰😘🤗👍👏🙏❤💖💕💯🌹💐🎉✅☺😌🫶💪⭐🌟")
_NEGATIVE_EMOJI = set("😡😠🤬😤👎😢😭😞😔😒🙄💢😩😫🤦😓😰😱😥😣😖🤮💩😑😐😕☹🥲😪")

_EMOJI = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u3297\u3299]"

# Two shortcuts, which change no token but find them several times faster:
# * every alternative starts with one of the characters of the first lookahead,
#   so a space or a comma fails at once instead of trying each of them;
# * tried first because most tokens are words: a run of word characters
#   starting with a letter (not an emoji-range character) and not followed by
#   any of \w . + @ / : - can only be the `word` alternative's whole run: email
#   needs an "@" after its run, url a "." or "://", "d/c" a "/", and the others
#   start with a digit or a symbol.
_TOKEN = re.compile(
    r"(?=[\w.+\-:;=<^?!]|" + _EMOJI + r")(?:"
    r"(?P<letters>(?!" + _EMOJI + r")[^\W\d_][^\W_]*+(?![\w.+@/:-]))"
    r"""
    |(?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    |(?P<url>(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|vn|net|org|gov|edu|info)\b(?:/\S*)?)
    |(?P<plate>(?<![\w.])\d{2}\s?-?\s?[A-Za-z][A-Za-z0-9]?\s?-?\s?(?:\d{3}\.\d{2}|\d{4,5})(?![\w.]))
    |(?P<phone>(?<![\w.])(?:\+?84[\s.-]?|0)(?:\d[\s.-]?){8,9}\d(?![\w.]))
    |(?P<idnum>(?<![\w.])(?:\d{12}|\d{9})(?![\w.]))
    |(?P<emoticon>(?<!\w)(?:[:;=]-?[)(DPpd3]+|<3|\^\^|=\)+)(?!\w))
    |(?P<emoji>""" + _EMOJI + r""")
    |(?P<word>[^\W\d_][/][^\W\d_](?![^\W_])|[^\W_]+)
    |(?P<punct>[?!])
    )""",
    re.VERBOSE,
)

# Most comments hold no URL, number or smiley: they skip the costly alternatives.
# One capturing group: split() returns gap, token, gap, token, ..., gap.
_PLAIN_TOKEN = re.compile(r"([^\W_]+|" + _EMOJI + r"|[?!])")
# Numbers ("phường 5", "2 tiếng") need the full tokenizer only when they
# could be a plate, phone or ID number: a plate or ID number has a run of 3
# digits, a phone number 10 digits in all (9 here, a digit to spare).
_NEEDS_FULL = re.compile(r"[@:;=<^/]|\d{3}|www|\.(?:com|vn|net|org|gov|edu|info)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_DIGITS_FOR_FULL = 9

_PLACEHOLDERS = {
    "email": "xxemail",
    "url": "xxurl",
    "plate": "xxplate",
    "phone": "xxphone",
    "idnum": "xxidnum",
}


class Token(NamedTuple):
    """One feature word with the span of the (NFC) text it came from."""

    norm: str  # lower-case, canonical tone marks, abbreviation expanded
    start: int
    end: int


# Token(norm, start, end) without the Python-level __new__ NamedTuple adds.
_new_token = tuple.__new__


def _collapse_elongation(word):
    """Shorten runs of three or more of one letter ("quáaaa" -> "quá", "lâuuu" -> "lâu")."""
    folded = word.translate(_FOLD_TABLE)
    if not _ELONGATED.search(folded):
        return word
    kept = []
    for _, run in groupby(zip(word, folded), key=lambda pair: pair[1]):
        run = [char for char, _ in run]
        if len(run) < 3:
            kept.extend(run)
        else:
            # Keep the accented member of the run: "áaa" -> "á".
            kept.append(next((char for char in run if char != _folded_char(char)), run[0]))
    return "".join(kept)


def _folded_char(char):
    """One character folded like fold_diacritics does (lower-case, no marks)."""
    return char.translate(_FOLD_TABLE)


@lru_cache(maxsize=131072)
def _piece_words(piece):
    """Feature words for one matched word, emoji or "?"/"!": a word lower-cased,
    canonical and expanded; an emoji as its placeholder; a mark as itself."""
    if not piece[0].isalnum():  # isalnum() is exactly the regexes' [^\W_]
        return (piece,) if piece in ("?", "!") else (_emoji_token(piece),)
    lowered = _canonical_word(piece.lower())
    if lowered not in ABBREVIATIONS:
        lowered = _collapse_elongation(lowered)  # after the lookup: "cccd" has a run too
    return tuple(ABBREVIATIONS.get(lowered, lowered).split())


def _emoji_token(char):
    """Placeholder for an emoji, keeping whether it smiles or frowns."""
    if char in _POSITIVE_EMOJI:
        return "xxemojipos"
    if char in _NEGATIVE_EMOJI:
        return "xxemojineg"
    return "xxemoji"


def _emoticon_token(text):
    """Placeholder for a typed smiley: ":)" smiles, ":(" frowns."""
    if "(" in text:
        return "xxemojineg"
    return "xxemojipos"


def tokenize(text):
    """Feature tokens of a text, each pointing back to its span in `canonical(text)`.

    Raises InvalidText for anything that is not a str. Text past MAX_CHARS is ignored.
    """
    norms, starts, ends, _ = token_columns(text)
    return [_new_token(Token, token) for token in zip(norms, starts, ends)]


def token_columns(text):
    """tokenize() as parallel lists (norms, starts, ends), plus `written`, the
    NFC text the spans point into: a batch then makes no tuple per token (some
    250,000 for 10,000 comments)."""
    if not isinstance(text, str):
        raise InvalidText(f"text must be a str, not {type(text).__name__}")
    written = unicodedata.normalize("NFC", text[:MAX_CHARS])
    if _needs_full_tokenizer(written):
        norms, starts, ends = _full_columns(written)
    else:
        norms, starts, ends = _plain_columns(written)
    if "ca" in norms:
        norms, starts, ends = _mark_police(norms, starts, ends, written)
    return norms, starts, ends, written


def _needs_full_tokenizer(text):
    """Whether `text` may hold a URL, email, smiley, "d/c", plate, phone or
    ID number, which _plain_columns would not see."""
    return bool(_NEEDS_FULL.search(text)) or len(_DIGIT.findall(text)) >= _DIGITS_FOR_FULL


def _plain_columns(text):
    """Columns of a text with nothing but words, emoji and ?/!: one split, the
    spans summed from the pieces' lengths, no loop per word."""
    pieces = _PLAIN_TOKEN.split(text)
    bounds = list(accumulate(map(len, pieces)))
    matched, starts, ends = pieces[1::2], bounds[0:-1:2], bounds[1::2]
    if "?" in text or "!" in text:
        # A mark right after the same mark adds nothing ("??", "! !").
        kept = [i for i, piece in enumerate(matched) if not (i and piece in ("?", "!") and matched[i - 1] == piece)]
        if len(kept) < len(matched):
            matched, starts, ends = ([column[i] for i in kept] for column in (matched, starts, ends))
    words = list(map(_piece_words, matched))
    norms = list(chain.from_iterable(words))
    if len(norms) > len(words):  # an abbreviation grew into several words, each with its span
        counts = list(map(len, words))
        starts, ends = (list(chain.from_iterable(map(repeat, column, counts))) for column in (starts, ends))
    return norms, starts, ends


def _full_columns(text):
    """Columns of any text, one regex match at a time."""
    norms, starts, ends = [], [], []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "letters" or kind == "word":
            words = _piece_words(match.group())
        elif kind == "punct":
            if norms and norms[-1] == match.group():
                continue  # a mark right after the same mark adds nothing
            words = (match.group(),)
        elif kind == "emoji":  # not _piece_words: "➊" is an emoji here but a word in plain text
            words = (_emoji_token(match.group()),)
        elif kind == "emoticon":
            words = (_emoticon_token(match.group()),)
        else:
            words = (_PLACEHOLDERS[kind],)
        start, end = match.span()
        norms += words
        if len(words) == 1:
            starts.append(start)
            ends.append(end)
        else:
            starts += [start] * len(words)
            ends += [end] * len(words)
    return norms, starts, ends


def _mark_police(norms, starts, ends, text):
    """Read "CA" as "công an" where it names a police unit (see _POLICE_LEVELS)."""
    marked_norms, marked_starts, marked_ends = [], [], []
    for i, norm in enumerate(norms):
        following = norms[i + 1] if i + 1 < len(norms) else ""
        start, end = starts[i], ends[i]
        police = norm == "ca" and (text[start:end] == "CA" or following in _POLICE_LEVELS)
        words = ("công", "an") if police else (norm,)
        marked_norms += words
        marked_starts += [start] * len(words)
        marked_ends += [end] * len(words)
    return marked_norms, marked_starts, marked_ends


def normalize_for_features(text):
    """The words the model reads, space-separated: lower-case, canonical tone
    marks, abbreviations expanded, personal data and emoji as placeholders.

    Never store this form: it is for features only.
    """
    return " ".join(token_columns(text)[0])
