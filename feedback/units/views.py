import sys
from datetime import date

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback.accounts.decorators import admin_required, staff_required
from feedback.accounts.scope import require_unit, scope_filter
from feedback.extensions import db
from feedback.units import services
from feedback.units.forms import UnitEditForm
from feedback.units.models import Unit, UnitClosure

bp = Blueprint("units", __name__, template_folder="templates", cli_group="units")

MAX_LISTED_UNITS = 500


def unit_in_scope_or_404(code):
    unit = services.get_unit_by_code(code.upper())
    if unit is None:
        abort(404)
    require_unit(current_user, unit.id)
    return unit


@bp.route("/staff/units")
@staff_required
def index():
    """The units the user may see, as an indented tree, optionally filtered by a search."""
    root_id = current_user.unit_id if not current_user.is_admin else None
    query_text = request.args.get("q", "").strip()[:200]
    if query_text:
        found = services.search_units(query_text, limit=MAX_LISTED_UNITS, active_only=False)
        visible = set(db.session.scalars(select(Unit.id).where(scope_filter(current_user, Unit.id))))
        rows = [(unit, 0) for unit in found if unit.id in visible]
    else:
        anchor = root_id or db.session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))
        statement = (
            select(Unit, UnitClosure.depth)
            .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
            .where(UnitClosure.ancestor_id == anchor, scope_filter(current_user, Unit.id))
        )
        rows = db.session.execute(statement).all() if anchor else []
        rows = tree_order(rows)[:MAX_LISTED_UNITS]
    return render_template("units/index.html", rows=rows, q=query_text, limit=MAX_LISTED_UNITS)


def tree_order(rows):
    """Sort (unit, depth) rows depth-first so children follow their parent."""
    children = {}
    units = {unit.id: (unit, depth) for unit, depth in rows}
    for unit, _depth in rows:
        children.setdefault(unit.parent_id, []).append(unit)
    roots = [u for u, _d in rows if u.parent_id not in units]
    ordered, stack = [], sorted(roots, key=lambda u: u.code, reverse=True)
    base = min((d for _u, d in rows), default=0)
    while stack:
        unit = stack.pop()
        ordered.append((unit, units[unit.id][1] - base))
        stack.extend(sorted(children.get(unit.id, []), key=lambda u: u.code, reverse=True))
    return ordered


@bp.route("/staff/units/<code>")
@staff_required
def show(code):
    unit = unit_in_scope_or_404(code)
    return render_template(
        "units/show.html",
        unit=unit,
        ancestors=services.ancestors(unit),
        children=unit.children,
        clusters=services.clusters_of_unit(unit),
    )


@bp.route("/staff/units/<code>/edit", methods=["GET", "POST"])
@admin_required
def edit(code):
    unit = unit_in_scope_or_404(code)
    form = UnitEditForm(obj=unit)
    if form.validate_on_submit():
        services.update_unit(unit, form.name_vi.data, form.name_en.data, form.address.data, form.is_active.data)
        flash(_("Unit saved."), "success")
        return redirect(url_for("units.show", code=unit.code))
    return render_template("units/edit.html", form=form, unit=unit)


@bp.route("/staff/clusters")
@staff_required
def clusters():
    year = request.args.get("year", type=int) or date.today().year
    clusters = services.clusters_for_year(year)
    return render_template("units/clusters.html", clusters=clusters, year=year)


def _print_problems(error):
    click.echo(_("The file was rejected; nothing was imported:"), err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@bp.cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file):
    """Create or update units from a CSV file (all or nothing)."""
    try:
        summary = services.import_units(file.read())
    except services.ImportRejected as error:
        _print_problems(error)
    click.echo(f"created {len(summary.created)}, updated {len(summary.updated)}, unchanged {summary.unchanged}")


@bp.cli.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def export_command(output):
    """Write every unit as CSV, in the import format."""
    output.write(services.export_units())


@bp.cli.command("import-clusters")
@click.argument("file", type=click.File("rb"))
def import_clusters_command(file):
    """Replace the emulation clusters of the years named in a CSV file."""
    try:
        count = services.import_clusters(file.read())
    except services.ImportRejected as error:
        _print_problems(error)
    click.echo(f"imported {count} clusters")
