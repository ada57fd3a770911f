"""`python -m classifier ...`: train, evaluate, predict, benchmark, and the corpus tools."""

import json
import sys

import click

from classifier.corpus import corpus_files, corpus_stats, load_examples, training_data_hash, validate_corpus
from classifier.errors import ModelError
from classifier.labels import SENTIMENTS, TOPICS
from classifier.storage import default_model_dir, load_model, stale_reason

# Commands that train or score import numpy/sklearn in their body, so that
# `build-default --if-stale` (run by every start and test script) stays fast.


@click.group()
def cli():
    """Lắng nghe feedback classifier: topics and sentiment of citizen comments."""


def _load(model_dir):
    try:
        return load_model(model_dir)
    except ModelError as error:
        raise click.ClickException(str(error)) from None


def _examples(paths):
    try:
        return load_examples(paths)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@click.option("--data", "data", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled JSON Lines file; repeat for several.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Model directory to write.")
@click.option("--corrections", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Staff corrections (same format), weighted above the corpus.")
@click.option("--seed", default=0, show_default=True, help="Random seed (same data + seed = same model).")
def train(data, out, corrections, seed):
    """Train a model on labelled files and write it to OUT."""
    from classifier.model import train as train_model

    try:
        model = train_model(_examples(data), corrections=_examples(corrections), random_state=seed)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    path = model.save(out)
    click.echo(f"model {model.version} written to {path}")
    metrics = model.metadata.get("metrics_holdout")
    if metrics:
        click.echo(
            f"held-out: topic micro-F1 {metrics['topics']['micro_f1']:.3f}, "
            f"macro-F1 {metrics['topics']['macro_f1']:.3f}; sentiment macro-F1 {metrics['sentiment']['macro_f1']:.3f}"
        )


@cli.command()
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="Model directory (default: bundled model).")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False), help="Labelled JSON Lines file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate(model_dir, data, as_json):
    """Score a model on labelled data, as written and with diacritics stripped."""
    from classifier.evaluation import evaluate as evaluate_model

    model = _load(model_dir)
    report = evaluate_model(model, _examples([data]))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(f"model {model.version} on {data} ({report['n']} examples)")
    for title, part in (("as written", report), ("without diacritics", report["no_diacritics"])):
        topics, sentiment = part["topics"], part["sentiment"]
        click.echo(f"\n{title}: topic micro-F1 {topics['micro_f1']:.3f}  macro-F1 {topics['macro_f1']:.3f}  "
                   f"sentiment macro-F1 {sentiment['macro_f1']:.3f}  accuracy {sentiment['accuracy']:.3f}")
        click.echo(f"  {'label':<16}{'precision':>10}{'recall':>8}{'F1':>8}{'n':>6}")
        for label, row in list(topics["per_label"].items()) + list(sentiment["per_label"].items()):
            click.echo(f"  {label:<16}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}{row['support']:>6}")


@cli.command()
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="Model directory (default: bundled model).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per text.")
@click.argument("texts", nargs=-1, required=True)
def predict(model_dir, as_json, texts):
    """Tag TEXTS: topics, sentiment, confidences and the phrases behind them."""
    model = _load(model_dir)
    for text, prediction in zip(texts, model.predict_batch(texts)):
        if as_json:
            click.echo(json.dumps(prediction.to_dict(), ensure_ascii=False))
            continue
        click.echo(text)
        topics = ", ".join(f"{t} ({prediction.topic_scores[t]:.2f})" for t in prediction.topics)
        sentiment = prediction.sentiment
        click.echo(f"  topics:    {topics}")
        click.echo(f"  sentiment: {sentiment} ({prediction.sentiment_scores[sentiment]:.2f})")
        click.echo(f"  confidence {prediction.confidence:.2f}" + ("  ABSTAIN: please check by hand" if prediction.abstain else ""))
        for label, phrases in prediction.explanation.items():
            click.echo(f"  why {label}: " + "; ".join(f"{p!r} {s:+.2f}" for p, s in phrases))


@cli.command()
@click.argument("dataset", type=click.Choice(["uit-vsfc"]))
@click.option("--data-dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder with train.jsonl, dev.jsonl, test.jsonl.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def benchmark(dataset, data_dir, as_json):
    """Train the same engine on a public dataset in memory and report test scores (nothing is saved)."""
    from classifier.benchmark import benchmark_uit

    report = benchmark_uit(data_dir)
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"UIT-VSFC ({report['n']['train']} train / {report['n']['dev']} dev / {report['n']['test']} test), "
               f"{report['seconds']} s; research use only, cite Nguyen et al., KSE 2018")
    for task in ("sentiment", "topic"):
        part = report[task]
        for name in ("test", "test_no_diacritics"):
            s = part[name]
            click.echo(f"  {task:<9} {name:<19} macro-F1 {s['macro_f1']:.4f}  weighted-F1 {s['weighted_f1']:.4f}  "
                       f"accuracy {s['accuracy']:.4f}  (C={part['C']}, class weights {part['class_weight']})")


@cli.command("build-default")
@click.option("--out", type=click.Path(file_okay=False), help="Directory (default: classifier/models/default or $LANGNGHE_MODEL_DIR).")
@click.option("--if-stale", is_flag=True,
              help="Only rebuild when the model is missing, does not load, or was trained on other corpus files.")
def build_default(out, if_stale):
    """Build the bundled model from classifier/data/corpus_*.jsonl (deterministic)."""
    directory = out if out is not None else default_model_dir()
    if if_stale:
        try:
            data_hash = training_data_hash(_examples(corpus_files()), [])
        except (KeyError, TypeError):
            data_hash = None  # a malformed record: the build below names it
        reason = stale_reason(directory, data_hash)
        if reason is None:
            click.echo(f"default model in {directory} is up to date with the corpus; nothing to do")
            return
        click.echo(f"rebuilding the default model: {reason}")
    from classifier.model import build_default_model

    try:
        path = build_default_model(directory)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"default model written to {path}")


@cli.command("validate-corpus")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--forbid", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An evaluation file whose texts must not appear in the corpus.")
def validate_corpus_command(files, forbid):
    """Check corpus files (default: the shipped ones): format, labels, NFC, duplicates."""
    paths = list(files) or corpus_files()
    problems = validate_corpus(paths, forbidden=forbid)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(paths)} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(paths)} file(s) OK")


@cli.command("corpus-stats")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def corpus_stats_command(files, as_json):
    """Label counts of corpus files (default: the shipped ones), as in data/README.md."""
    paths = list(files) or corpus_files()
    try:
        stats = corpus_stats(paths)
    except (ValueError, KeyError, TypeError) as error:
        raise click.ClickException(f"cannot count labels, run validate-corpus first ({error})") from None
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    click.echo(f"{stats['n']} examples, {stats['multi_topic']} with 2-3 topics, "
               f"{stats['without_diacritics']} typed without diacritics, median {stats['median_words']} words")
    click.echo("| label | count |\n|---|---:|")
    for label in TOPICS:
        click.echo(f"| topic `{label}` | {stats['topics'][label]} |")
    for label in SENTIMENTS:
        click.echo(f"| sentiment `{label}` | {stats['sentiments'][label]} |")
    for name, count in stats["files"].items():
        click.echo(f"| file `{name}` | {count} |")


@cli.command("model-dir")
def model_dir():
    """Print where the default model is read from."""
    click.echo(default_model_dir())
