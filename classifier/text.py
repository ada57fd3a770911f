"""Vietnamese text normalisation for storage (`canonical`), search (`fold_diacritics`)
and features (`tokenize`, `normalize_for_features`).

Storage keeps what the citizen wrote (NFC, one tone-mark placement); only the
feature path lower-cases, expands informal spellings and swaps personal data
(phone, ID and plate numbers, URLs, e-mails) and emoji for placeholder tokens.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import groupby
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

_TOKEN = re.compile(
    r"""
    (?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    |(?P<url>(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|vn|net|org|gov|edu|info)\b(?:/\S*)?)
    |(?P<plate>(?<![\w.])\d{2}\s?-?\s?[A-Za-z][A-Za-z0-9]?\s?-?\s?(?:\d{3}\.\d{2}|\d{4,5})(?![\w.]))
    |(?P<phone>(?<![\w.])(?:\+?84[\s.-]?|0)(?:\d[\s.-]?){8,9}\d(?![\w.]))
    |(?P<idnum>(?<![\w.])(?:\d{12}|\d{9})(?![\w.]))
    |(?P<emoticon>(?<!\w)(?:[:;=]-?[)(DPpd3]+|<3|\^\^|=\)+)(?!\w))
    |(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u3297\u3299])
    |(?P<word>[^\W\d_][/][^\W\d_](?![^\W_])|[^\W_]+)
    |(?P<punct>[?!])
    """,
    re.VERBOSE,
)

# Most comments hold no URL, number or smiley: they skip the costly alternatives.
# Words first: the alternatives are disjoint and words are by far the most common.
_PLAIN_TOKEN = re.compile(
    r"(?P<word>[^\W_]+)"
    r"|(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u3297\u3299])|(?P<punct>[?!])"
)
_NEEDS_FULL = re.compile(r"[\d@:;=<^/]|www|\.(?:com|vn|net|org|gov|edu|info)\b", re.IGNORECASE)

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


# Token(norm, start, end) without the Python-level __new__ NamedTuple adds:
# 10,000 comments make about 250,000 tokens: this is the inner loop.
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
def _normalize_word(word):
    """Feature words for one written word: lower-case, canonical, expanded."""
    lowered = _canonical_word(word.lower())
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
    if not isinstance(text, str):
        raise InvalidText(f"text must be a str, not {type(text).__name__}")
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    tokens = []
    add = tokens.append
    pattern = _TOKEN if _NEEDS_FULL.search(text) else _PLAIN_TOKEN
    for match in pattern.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "word":
            for norm in _normalize_word(match.group()):
                add(_new_token(Token, (norm, start, end)))
        elif kind == "emoji":
            add(Token(_emoji_token(match.group()), start, end))
        elif kind == "emoticon":
            add(Token(_emoticon_token(match.group()), start, end))
        elif kind == "punct":
            if not tokens or tokens[-1].norm != match.group():
                add(Token(match.group(), start, end))
        else:
            add(Token(_PLACEHOLDERS[kind], start, end))
    return _mark_police(tokens, text)


def _mark_police(tokens, text):
    """Read "CA" as "công an" where it names a police unit (see _POLICE_LEVELS)."""
    if not any(t.norm == "ca" for t in tokens):
        return tokens
    marked = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        written = text[token.start:token.end]
        if token.norm == "ca" and (written == "CA" or following in _POLICE_LEVELS):
            marked.append(Token("công", token.start, token.end))
            marked.append(Token("an", token.start, token.end))
        else:
            marked.append(token)
    return marked


def normalize_for_features(text):
    """The words the model reads, space-separated: lower-case, canonical tone
    marks, abbreviations expanded, personal data and emoji as placeholders.

    Never store this form: it is for features only.
    """
    return " ".join(token.norm for token in tokenize(text))
