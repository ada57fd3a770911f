"""The labelled corpus: reading JSON Lines files, checking them, counting labels."""

import hashlib
import json
import unicodedata
from collections import Counter
from pathlib import Path

from classifier.labels import MAX_TOPICS, OTHER, SENTIMENTS, TOPICS
from classifier.text import fold_diacritics

DATA_DIR = Path(__file__).parent / "data"
FIELDS = {"text", "topics", "sentiment"}


def corpus_files(data_dir=DATA_DIR):
    """The shipped corpus files, `data/corpus_*.jsonl`, in a fixed order."""
    return sorted(Path(data_dir).glob("corpus_*.jsonl"))


def read_jsonl(path):
    """All records of a JSON Lines file; ValueError names the file and line of bad JSON."""
    records = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
    return records


def load_examples(paths):
    """Examples from several files, in order (the order seeds training)."""
    return [record for path in paths for record in read_jsonl(path)]


def check_example(example):
    """Problems with one labelled example, as short sentences; [] when it is fine."""
    if not isinstance(example, dict):
        return ["not a JSON object"]
    missing = FIELDS - set(example)
    if missing:
        return [f"missing {', '.join(sorted(missing))}"]
    problems = []
    text, topics, sentiment = example["text"], example["topics"], example["sentiment"]
    if not isinstance(text, str) or not text.strip():
        problems.append("text must be a non-empty string")
    if not isinstance(topics, list) or not 1 <= len(topics) <= MAX_TOPICS:
        problems.append(f"topics must be a list of 1 to {MAX_TOPICS} codes")
    else:
        unknown = [t for t in topics if t not in TOPICS]
        if unknown:
            problems.append(f"unknown topic {unknown[0]!r}")
        if len(set(map(str, topics))) != len(topics):
            problems.append("a topic is repeated")
        if OTHER in topics and len(topics) > 1:
            problems.append("`other` combined with another topic")
    if sentiment not in SENTIMENTS:
        problems.append(f"unknown sentiment {sentiment!r}")
    return problems


def duplicate_key(text):
    """Texts equal up to case and spacing are duplicates (accents do count)."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def validate_corpus(paths, forbidden=()):
    """Problems in the corpus files, as "file:line: problem" strings.

    Checks the format and label codes, NFC, duplicates across all files and,
    for each file in `forbidden` (the evaluation set), that no corpus text is
    one of its texts with or without accents.
    """
    problems = []
    seen = {}
    banned = {_fold_key(r.get("text", "")) for path in forbidden for r in read_jsonl(path) if isinstance(r, dict)}
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                where = f"{Path(path).name}:{number}"
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    problems.append(f"{where}: not JSON ({error.msg})")
                    continue
                problems += [f"{where}: {p}" for p in check_example(record)]
                if isinstance(record, dict) and set(record) - FIELDS:
                    problems.append(f"{where}: unexpected field {sorted(set(record) - FIELDS)[0]!r}")
                text = record.get("text") if isinstance(record, dict) else None
                if not isinstance(text, str):
                    continue
                if unicodedata.normalize("NFC", text) != text:
                    problems.append(f"{where}: text is not NFC")
                key = duplicate_key(text)
                if key in seen:
                    problems.append(f"{where}: duplicate of {seen[key]}")
                else:
                    seen[key] = where
                if _fold_key(text) in banned:
                    problems.append(f"{where}: text is in the evaluation set")
    return problems


def _fold_key(text):
    return " ".join(fold_diacritics(text).split()) if isinstance(text, str) else ""


def corpus_stats(paths):
    """Label counts and a few shape figures for the corpus files (for the data card)."""
    examples = load_examples(paths)
    topics = Counter(t for e in examples for t in e["topics"])
    sentiments = Counter(e["sentiment"] for e in examples)
    no_accents = sum(1 for e in examples if fold_diacritics(e["text"]) == e["text"].lower())
    return {
        "files": {Path(p).name: len(read_jsonl(p)) for p in paths},
        "n": len(examples),
        "topics": {t: topics.get(t, 0) for t in TOPICS},
        "sentiments": {s: sentiments.get(s, 0) for s in SENTIMENTS},
        "multi_topic": sum(1 for e in examples if len(e["topics"]) > 1),
        "without_diacritics": no_accents,
        "median_words": sorted(len(e["text"].split()) for e in examples)[len(examples) // 2] if examples else 0,
    }


def training_data_hash(examples, corrections):
    """SHA-256 of the training data in order (order matters: it seeds the folds)."""
    digest = hashlib.sha256()
    for kind, rows in (("example", examples), ("correction", corrections)):
        for e in rows:
            line = json.dumps([kind, e["text"], e["topics"], e["sentiment"]], ensure_ascii=False)
            digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()
