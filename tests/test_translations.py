"""Every message in the code has a Vietnamese translation; the English catalogue is complete too."""

import re
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def extracted_messages(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    return {entry.msgid for entry in polib.pofile(str(pot)) if entry.msgid}


def untranslated(catalogue):
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            missing.append(entry.msgid)
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif not entry.msgstr:
            missing.append(entry.msgid)
    return missing


def test_every_message_has_a_vietnamese_translation(tmp_path):
    messages = extracted_messages(tmp_path)
    catalogue = polib.pofile(str(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"))
    in_catalogue = {entry.msgid for entry in catalogue if not entry.obsolete}
    assert sorted(messages - in_catalogue) == [], "run `flask translate update` and translate the new messages"
    assert untranslated(catalogue) == []


def test_english_catalogue_is_complete(tmp_path):
    messages = extracted_messages(tmp_path)
    catalogue = polib.pofile(str(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"))
    assert messages <= {entry.msgid for entry in catalogue if not entry.obsolete}
    assert untranslated(catalogue) == []


def test_placeholders_survive_translation():
    catalogue = polib.pofile(str(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"))
    for entry in catalogue:
        if entry.obsolete or not entry.msgstr:
            continue
        wanted = sorted(re.findall(r"%\(\w+\)\w", entry.msgid))
        assert sorted(re.findall(r"%\(\w+\)\w", entry.msgstr)) == wanted, entry.msgid
