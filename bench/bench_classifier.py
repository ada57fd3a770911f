"""Classifier benchmark: accuracy (UIT-VSFC, police-feedback-dev), speed, size, memory.

    .venv/bin/python bench/bench_classifier.py \
        --uit-dir ../shared/datasets/uit-vsfc \
        --police-dev ../shared/datasets/police-feedback-dev/dev.jsonl

Prints every figure next to its target, and a trivial baseline measured in the
same run where a ratio means something. Never asserts: targets are for people.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from classifier import build_default_model, load_model, train  # noqa: E402
from classifier.benchmark import benchmark_uit  # noqa: E402
from classifier.corpus import corpus_files, load_examples, read_jsonl  # noqa: E402
from classifier.evaluation import evaluate  # noqa: E402

# Peak RSS from /proc (VmHWM): ru_maxrss would report the parent's peak after exec.
RSS_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
{body}
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) // 1024)
"""


def line(name, value, target=""):
    print(f"  {name:<48} {value:<28} {target}")


def bench_uit(uit_dir):
    print(f"\n== UIT-VSFC (research use only; Nguyen et al., KSE 2018) from {uit_dir}")
    report = benchmark_uit(uit_dir)
    targets = {
        ("sentiment", "macro_f1"): 0.78, ("sentiment", "weighted_f1"): 0.90,
        ("topic", "macro_f1"): 0.77, ("topic", "weighted_f1"): 0.87,
    }
    for task in ("sentiment", "topic"):
        part = report[task]
        line(f"{task}: C, class weights chosen on dev / dev macro-F1",
             f"{part['C']}, {part['class_weight']} / {part['dev_macro_f1']:.4f}")
        for metric in ("macro_f1", "weighted_f1", "accuracy"):
            accented, bare = part["test"][metric], part["test_no_diacritics"][metric]
            target = targets.get((task, metric))
            line(f"{task} test {metric}", f"{accented:.4f}", f"target >= {target}" if target else "")
            line(f"{task} test {metric}, no diacritics", f"{bare:.4f} (gap {100 * (accented - bare):+.2f} pt)",
                 "target gap <= 1.5 pt")
        line(f"{task} per-class F1", json.dumps(part["test"]["per_label_f1"]))
    line("benchmark wall time", f"{report['seconds']} s")


def bench_police(model, dev_path):
    print(f"\n== police-feedback-dev (evaluation only) {dev_path}")
    examples = read_jsonl(dev_path)
    report = evaluate(model, examples)
    for title, part in (("as written", report), ("no diacritics", report["no_diacritics"])):
        line(f"{title}: topic micro-F1", f"{part['topics']['micro_f1']:.4f}", "target >= 0.85")
        line(f"{title}: topic macro-F1", f"{part['topics']['macro_f1']:.4f}", "target >= 0.80")
        line(f"{title}: sentiment macro-F1", f"{part['sentiment']['macro_f1']:.4f}", "target >= 0.85")
        line(f"{title}: sentiment accuracy", f"{part['sentiment']['accuracy']:.4f}")
    line("per-topic F1", json.dumps({k: v["f1"] for k, v in report["topics"]["per_label"].items()}))
    line("per-sentiment F1", json.dumps({k: v["f1"] for k, v in report["sentiment"]["per_label"].items()}))
    predictions = model.predict_batch([e["text"] for e in examples], explain=False)
    line("abstain rate on dev", f"{sum(p.abstain for p in predictions) / len(predictions):.3f}")
    majority = max(set(e["sentiment"] for e in examples), key=[e["sentiment"] for e in examples].count)
    line("baseline: majority-class sentiment accuracy",
         f"{sum(e['sentiment'] == majority for e in examples) / len(examples):.4f}")


def synthetic_examples(examples, n, seed=0):
    """n distinct training examples made from the corpus (word dropout, joined pairs)."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        a, b = rng.choice(examples), rng.choice(examples)
        words = [w for w in (a["text"] + " " + b["text"]).split() if rng.random() > 0.15] or ["x"]
        topics = list(dict.fromkeys(t for t in a["topics"] + b["topics"] if t != "other"))[:3] or ["other"]
        out.append({"text": " ".join(words), "topics": topics, "sentiment": a["sentiment"]})
    return out


def bench_speed(model, model_dir, examples):
    print("\n== speed, size, memory (this machine)")
    bench_predict_speed(model, examples)
    bench_train_size_memory(model_dir, examples)


def bench_predict_speed(model, examples):
    texts = [e["text"] for e in examples]
    batch = (texts * (10_000 // len(texts) + 1))[:10_000]
    model.predict_batch(batch[:200])  # warm caches

    def rate(work):
        """(comments per wall second, per CPU second): other jobs on the machine slow the first only."""
        started, cpu = time.perf_counter(), time.process_time()
        work()
        return len(batch) / (time.perf_counter() - started), len(batch) / (time.process_time() - cpu)

    # As the app tags opinions (backfill, then apply_prediction): one batch call,
    # then every prediction turned into a dict, explanation included.
    as_app = rate(lambda: [p.to_dict() for p in model.predict_batch(batch)])
    labels_only = rate(lambda: model.predict_batch(batch, explain=False))

    vectorizer = TfidfVectorizer()
    baseline = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform(texts), [e["sentiment"] for e in examples])
    trivial = rate(lambda: baseline.predict_proba(vectorizer.transform(batch)))
    line("batch predict_batch + to_dict (as the app), wall", f"{as_app[0]:,.0f} comments/s", "target >= 5,000")
    line("  same, per CPU second", f"{as_app[1]:,.0f} comments/s")
    line("batch predict, labels + scores only, wall / CPU", f"{labels_only[0]:,.0f} / {labels_only[1]:,.0f} comments/s")
    line("baseline: tfidf unigram + logreg, wall / CPU", f"{trivial[0]:,.0f} / {trivial[1]:,.0f} comments/s",
         f"ours = {as_app[0] / trivial[0]:.2f}x (wall), {as_app[1] / trivial[1]:.2f}x (CPU)")

    singles, cpu = [], time.process_time()
    for text in texts[:500]:
        started = time.perf_counter()
        model.predict(text).to_dict()
        singles.append(time.perf_counter() - started)
    cpu_ms = 1000 * (time.process_time() - cpu) / 500
    line("single predict median / p95", f"{1000 * statistics.median(singles):.2f} / "
         f"{1000 * statistics.quantiles(singles, n=20)[-1]:.2f} ms (CPU mean {cpu_ms:.2f} ms)", "target median < 5 ms")


def bench_train_size_memory(model_dir, examples):
    big = synthetic_examples(examples, 20_000)
    started, cpu = time.perf_counter(), time.process_time()
    train(big, random_state=0)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    vectorizer = TfidfVectorizer()
    LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform([e["text"] for e in big]), [e["sentiment"] for e in big])
    trivial_seconds = time.perf_counter() - started
    line("train on 20,000 examples, wall / CPU", f"{seconds:.1f} s / {cpu_seconds:.1f} s", "target < 60 s")
    line("baseline: tfidf unigram + logreg fit on 20,000", f"{trivial_seconds:.1f} s", f"ours = {seconds / trivial_seconds:.1f}x")

    size = sum(f.stat().st_size for f in Path(model_dir).iterdir())
    line("model directory size", f"{size / 1e6:.2f} MB", "target < 25 MB")
    root = str(Path(__file__).resolve().parents[1])
    body = f"from classifier import load_model\nm = load_model({str(model_dir)!r})\nm.predict_batch(['cán bộ quát tháo'] * 1000)"
    rss = _rss(RSS_SCRIPT.format(root=root, body=body))
    bare = _rss(RSS_SCRIPT.format(root=root, body="import numpy, scipy.sparse, sklearn.svm"))
    line("RSS of a process holding the model", f"{rss} MB", "target < 300 MB")
    line("baseline: RSS with numpy/scipy/sklearn, no model", f"{bare} MB", f"model adds {rss - bare} MB")


def _rss(script):
    return int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uit-dir", type=Path, help="UIT-VSFC folder (train/dev/test.jsonl)")
    parser.add_argument("--police-dev", type=Path, help="police-feedback-dev/dev.jsonl")
    parser.add_argument("--model", type=Path, help="model directory (default: build one from the corpus)")
    parser.add_argument("--speed-only", action="store_true",
                        help="only the prediction speed figures, on --model or the bundled model")
    args = parser.parse_args()

    examples = load_examples(corpus_files())
    print(f"load average at start: {os.getloadavg()} on {os.cpu_count()} CPUs (other work slows every timing)")
    print(f"corpus: {len(examples)} examples in {len(corpus_files())} files")
    if args.speed_only:
        model = load_model(args.model)
        print(f"model {model.version}\n\n== prediction speed (this machine)")
        bench_predict_speed(model, examples)
        print(f"\nload average at end: {os.getloadavg()}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            model_dir = args.model
        else:
            started = time.perf_counter()
            model_dir = build_default_model(Path(tmp) / "default")
            print(f"build-default: {time.perf_counter() - started:.1f} s (target < 60 s)")
        model = load_model(model_dir)
        print(f"model {model.version}, holdout metrics: {json.dumps(model.metadata.get('metrics_holdout', {}).get('topics', {}).get('micro_f1'))} topic micro-F1")
        if args.police_dev:
            bench_police(model, args.police_dev)
        bench_speed(model, model_dir, examples)
    if args.uit_dir:
        bench_uit(args.uit_dir)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
