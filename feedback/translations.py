"""Catalogue maintenance used by `flask translate`: find and fill missing translations."""

import fcntl
from contextlib import contextmanager
from pathlib import Path

import polib

CATALOGUES = Path(__file__).resolve().parent.parent / "translations"


def catalogue_path(locale):
    return CATALOGUES / locale / "LC_MESSAGES" / "messages.po"


@contextmanager
def locked(locale, load=True):
    """Several people fill the catalogue at once; serialise writers."""
    lock_path = CATALOGUES / f".{locale}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield polib.pofile(str(catalogue_path(locale)), wrapwidth=0) if load else None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_untranslated(entry):
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


def missing(locale):
    catalogue = polib.pofile(str(catalogue_path(locale)))
    result = {}
    for entry in catalogue:
        if is_untranslated(entry):
            result[entry.msgid] = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else ""
    return result


def apply(mapping, locale):
    count = 0
    with locked(locale) as catalogue:
        for entry in catalogue:
            if entry.obsolete or entry.msgid not in mapping:
                continue
            value = mapping[entry.msgid]
            if not value:
                continue
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                entry.msgstr_plural = {i: form for i, form in enumerate(forms)}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            count += 1
        catalogue.save()
    return count


def fill_english():
    """English is the language of the message ids: its catalogue repeats them."""
    with locked("en") as catalogue:
        for entry in catalogue:
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            elif not entry.msgstr:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()
