"""Classifier administration: model versions, activation and roll-back; `flask classifier ...` commands."""

import json

import click
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.decorators import admin_required
from feedback.classifier_admin import services
from feedback.classifier_admin.models import ModelVersion
from feedback.extensions import db

bp = Blueprint("classifier_admin", __name__, template_folder="templates", cli_group="classifier",
               url_prefix="/admin/classifier")


@bp.route("/")
@admin_required
def index():
    model = services.current_model()
    return render_template("classifier_admin/index.html", versions=services.list_versions(), model=model,
                           untagged=services.count_untagged())


@bp.route("/<int:version_id>/activate", methods=["POST"])
@admin_required
def activate(version_id):
    version = db.get_or_404(ModelVersion, version_id)
    try:
        services.activate_version(version, current_user)
    except services.ClassifierAdminError as error:
        flash(str(error), "error")
    else:
        flash(_("Model %(version)s is now in use.", version=version.version), "success")
    return redirect(url_for("classifier_admin.index"), 303)


@bp.route("/use-default", methods=["POST"])
@admin_required
def use_default():
    services.use_default_model(current_user)
    flash(_("The bundled model is in use again."), "success")
    return redirect(url_for("classifier_admin.index"), 303)


@bp.cli.command("backfill")
def backfill_command():
    """Tag every opinion that has no tags yet (safe to run again)."""
    model = services.current_model()
    try:
        counts = services.backfill(model)
    except services.ClassifierAdminError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"model {model.version}: tagged {counts['tagged']}, failed {counts['failed']}, "
               f"still untagged {counts['remaining']}")


@bp.cli.command("retrain")
@click.option("--note", default=None, help="A note stored with the version.")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Training file(s) instead of the project corpus (classifier/data/corpus_*.jsonl).")
@click.option("--activate", is_flag=True, help="Put the new version in use at once.")
def retrain_command(note, data, activate):
    """Train on the corpus plus staff corrections, save under instance/models/, register the version."""
    try:
        version, created = services.retrain(note=note, data_paths=list(data) or None)
    except services.ClassifierAdminError as error:
        raise click.ClickException(str(error)) from None
    metrics = version.metrics_dict
    state = "registered" if created else "already registered (same training data)"
    click.echo(f"model {version.version} {state}: {version.path}")
    click.echo(f"examples {version.n_examples}, staff corrections {version.n_corrections}")
    if metrics:
        click.echo(f"held-out ({metrics.get('n')} examples): topic micro-F1 {metrics['topics']['micro_f1']:.3f}, "
                   f"macro-F1 {metrics['topics']['macro_f1']:.3f}; sentiment macro-F1 "
                   f"{metrics['sentiment']['macro_f1']:.3f}")
    if activate:
        try:
            services.activate_version(version, None)
        except services.ClassifierAdminError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"model {version.version} is now active")


@bp.cli.command("export-corrections")
@click.argument("file", type=click.File("w", encoding="utf-8"))
def export_corrections_command(file):
    """Write staff-confirmed labels as taxonomy JSON Lines (training data)."""
    records = services.export_corrections()
    for record in records:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
    click.echo(f"exported {len(records)} corrections")


@bp.cli.command("activate")
@click.argument("version")
def activate_command(version):
    """Put a registered model version in use (`default` for the bundled model)."""
    if version == "default":
        services.use_default_model()
        click.echo("the bundled model is in use")
        return
    row = db.session.scalar(db.select(ModelVersion).filter_by(version=version))
    if row is None:
        raise click.ClickException(f"no model version {version}")
    try:
        services.activate_version(row, None)
    except services.ClassifierAdminError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"model {version} is now active")
