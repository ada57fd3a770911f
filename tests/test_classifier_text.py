import unicodedata

import pytest

from classifier import InvalidText
from classifier.text import MAX_CHARS, canonical, fold_diacritics, normalize_for_features, tokenize


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("Hoà Bình", "Hòa Bình"), ("HOÀ", "HÒA"), ("uỷ ban", "ủy ban")],
)
def test_canonical_puts_tone_marks_in_one_place(old, new):
    assert canonical(old) == new
    assert canonical(new) == new


@pytest.mark.parametrize("word", ["hoàng", "toán", "thuyết", "quý", "quả", "giá", "gì", "người", "khuỷu", "ngoài", "mía", "cửa"])
def test_canonical_leaves_correct_words_alone(word):
    assert canonical(word) == word


def test_canonical_composes_nfc_and_keeps_everything_else():
    decomposed = unicodedata.normalize("NFD", "Phường 5, TP Cà Mau!! 😡 hoà")
    assert canonical(decomposed) == "Phường 5, TP Cà Mau!! 😡 hòa"
    assert canonical("Hello world 123") == "Hello world 123"


def test_canonical_rejects_none():
    with pytest.raises(InvalidText):
        canonical(None)


def test_fold_diacritics():
    assert fold_diacritics("Phường 5, TP Cà Mau") == "phuong 5, tp ca mau"
    assert fold_diacritics("ĐƯỜNG Đê La Thành") == "duong de la thanh"
    assert fold_diacritics(unicodedata.normalize("NFD", "hoà")) == "hoa"
    assert fold_diacritics("hòa") == fold_diacritics("hoà")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("k dc", "không được"),
        ("ko đc", "không được"),
        ("hk biết", "không biết"),
        ("khong", "không"),
        ("làm cccd", "làm căn cước công dân"),
        ("CMND", "chứng minh nhân dân"),
        ("csgt", "cảnh sát giao thông"),
        ("ae ng ta", "anh em người ta"),
        ("j vậy", "gì vậy"),
        ("vs", "với"),
        ("oke", "ok"),
        ("CA phường", "công an phường"),
        ("ca trực", "ca trực"),
        ("quáaaaa lâuuuu", "quá lâu"),
    ],
)
def test_informal_spellings(written, expected):
    assert normalize_for_features(written) == expected


@pytest.mark.parametrize(
    ("written", "placeholder"),
    [
        ("gọi 0912 345 678 nhé", "xxphone"),
        ("sđt 0912.345.678", "xxphone"),
        ("+84912345678", "xxphone"),
        ("cccd 079123456789", "xxidnum"),
        ("cmnd 025123456", "xxidnum"),
        ("xe 59-X1 234.56", "xxplate"),
        ("biển 29A-123.45", "xxplate"),
        ("xem https://dichvucong.gov.vn/abc", "xxurl"),
        ("trang dichvucong.gov.vn", "xxurl"),
        ("mail a.b@gmail.com", "xxemail"),
        ("tốt 👍", "xxemojipos"),
        ("tệ 😡", "xxemojineg"),
        ("hay :)", "xxemojipos"),
    ],
)
def test_personal_data_and_emoji_become_placeholders(written, placeholder):
    words = normalize_for_features(written).split()
    assert placeholder in words
    assert not any(ch.isdigit() for w in words for ch in w if w.startswith("xx")), words


def test_numbers_that_are_not_personal_data_stay():
    assert normalize_for_features("gọi 113, chờ 2 tiếng") == "gọi 113 chờ 2 tiếng"


def test_tokens_point_back_to_the_written_text():
    text = "Làm CCCD đợi lâuuu quá"
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["làm", "căn", "cước", "công", "dân", "đợi", "lâu", "quá"]
    assert {text[t.start:t.end] for t in tokens[1:5]} == {"CCCD"}
    assert text[tokens[6].start:tokens[6].end] == "lâuuu"


def test_diacritics_and_no_diacritics_share_folded_words():
    accented = fold_diacritics(normalize_for_features("Làm căn cước đợi lâu quá, k đc giải quyết"))
    bare = fold_diacritics(normalize_for_features("lam can cuoc doi lau qua, ko dc giai quyet"))
    assert accented == bare


def test_long_text_is_truncated():
    tokens = tokenize("a " * (MAX_CHARS))
    assert tokens[-1].end <= MAX_CHARS


def test_tokenize_rejects_non_strings():
    for bad in (None, b"bytes", 12, ["list"]):
        with pytest.raises(InvalidText):
            tokenize(bad)


def test_tokens_are_token_tuples():
    from classifier.text import Token
    tokens = tokenize("Cán bộ CA phường 👍 :) 0912345678 cccd!")
    assert tokens and all(type(t) is Token for t in tokens)
    assert tokens[0] == Token("cán", 0, 3) and tokens[0].norm == "cán" and tokens[0].end == 3


def test_word_grams_join_neighbours_shortest_first():
    from classifier.features import word_grams
    words = ["a", "bb", "c", "d"]
    assert word_grams(words) == ["a", "bb", "c", "d", "a bb", "bb c", "c d", "a bb c", "bb c d"]
    assert word_grams(words, 2) == words + ["a bb", "bb c", "c d"]
    assert word_grams([]) == [] and word_grams(("x",), 3) == ["x"]
