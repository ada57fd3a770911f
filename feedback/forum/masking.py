"""Masking personal data in opinions before anything is public.

Phone numbers, e-mail addresses, ID-card numbers (9-digit CMND, 12-digit CCCD), other long
numbers (bank accounts) and vehicle plates are replaced by a bracketed marker. Names cannot be
found reliably by a rule: the moderator edits them out by hand before publishing.
"""

import re

# Stored in Opinion.public_body, which is Vietnamese text; the markers are Vietnamese too.
PHONE_MARK = "[số điện thoại đã ẩn]"
EMAIL_MARK = "[email đã ẩn]"
ID_MARK = "[số giấy tờ đã ẩn]"
NUMBER_MARK = "[dãy số đã ẩn]"
PLATE_MARK = "[biển số xe đã ẩn]"

EMAIL = re.compile(r"[\w.+\-]+\s?(?:@|\(at\)|\[at\])\s?[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE)

# 69A-123.45, 51F1-234.56, 29-B1 123.45, 30A-1234, 59X1 23456, 29LD-123.45, 69a12345.
PLATE = re.compile(
    r"(?<![\w.])\d{2}\s?[-–]?\s?[A-ZĐ]{1,2}\d?\s?[-–.]?\s?(?:\d{3}[.,]?\d{2}|\d{4})(?![\w])",
    re.IGNORECASE,
)

# A run of digits with single spaces, dots or hyphens between them, optionally after +84 / (+84) or +;
# glued to letters too ("sdt0912345678").
NUMBER = re.compile(
    r"(?<!\d)(?P<prefix>\(\s*\+?\s?84\s*\)|\+\s?84)?\+?[ .\-]?\d(?:[ .\-]?\d){5,}(?!\d)"
)
# 100.000.000 or 2,500,000: an amount of money, not an identifier (identifiers never start with 0 here).
AMOUNT = re.compile(r"[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})*")


def _number_mark(match):
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if match.group("prefix"):
        return PHONE_MARK if len(digits) >= 9 else text
    core = text.strip(" .-")
    if AMOUNT.fullmatch(core):
        return text
    leading = text[: len(text) - len(text.lstrip(" .-"))]
    if digits.startswith("84") and len(digits) == 11:
        return leading + PHONE_MARK
    if digits.startswith("0") and len(digits) in (10, 11):
        return leading + PHONE_MARK
    if len(digits) in (9, 12):
        return leading + ID_MARK
    if len(digits) >= 9:
        return leading + NUMBER_MARK
    return text


def mask_personal_data(text):
    """The text with phones, e-mails, ID numbers, long numbers and plates replaced by markers."""
    if not text:
        return text or ""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = PLATE.sub(PLATE_MARK, text)
    return NUMBER.sub(_number_mark, text)
