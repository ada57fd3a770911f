"""Conduct-complaint cases for inspectors: list, assign, investigate, dispose, reveal identity."""

import json

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from feedback.accounts.decorators import roles_required
from feedback.accounts.models import Role, User
from feedback.accounts.scope import get_in_scope_or_404
from feedback.cases import services
from feedback.cases.forms import AssignCaseForm, CaseNoteForm, DispositionForm
from feedback.cases.models import DISPOSITION_LABELS, Case, CaseStatus
from feedback.extensions import db
from feedback.inbox.forms import options

bp = Blueprint("cases", __name__, template_folder="templates", cli_group="cases")
bp.record_once(lambda state: services.connect_receivers())

inspector_required = roles_required("inspector")

EVENT_LABELS = {
    "opened": _l("Case opened"),
    "assigned": _l("Assigned"),
    "note": _l("Investigation note"),
    "identity_viewed": _l("Complainant's identity viewed"),
    "closed": _l("Disposition recorded, case closed"),
}


@bp.context_processor
def labels():
    def event_detail(event):
        try:
            return json.loads(event.detail)
        except ValueError:
            return {}

    return {"event_labels": EVENT_LABELS, "event_detail": event_detail,
            "disposition_labels": {k.value: v for k, v in DISPOSITION_LABELS.items()}}


def _case(case_id):
    return get_in_scope_or_404(Case, case_id, current_user)


def _show(case, identity=None, note_form=None, disposition_form=None, status=200):
    assign_form = AssignCaseForm(data={"inspector": case.assigned_to_id})
    assign_form.inspector.choices = options([(u.id, u.full_name) for u in services.case_inspectors(case)])
    return render_template(
        "cases/show.html", case=case, opinion=case.opinion, identity=identity,
        assign_form=assign_form, note_form=note_form or CaseNoteForm(),
        disposition_form=disposition_form or DispositionForm(),
        is_case_inspector=current_user.role == Role.inspector, has_identity=services.has_identity(case.opinion),
        views=services.identity_views(case),
    ), status


@bp.route("/staff/cases")
@inspector_required
def index():
    status = request.args.get("status")
    status = status if status in {s.value for s in CaseStatus} else None
    mine = bool(request.args.get("mine"))
    page = services.list_cases(current_user, status=status, mine=mine, page=request.args.get("page", 1, type=int))
    return render_template("cases/index.html", page=page, status=status, mine=mine, statuses=list(CaseStatus))


@bp.route("/staff/cases/<int:case_id>")
@inspector_required
def show(case_id):
    return _show(_case(case_id))


@bp.route("/staff/cases/<int:case_id>/assign", methods=["POST"])
@inspector_required
def assign(case_id):
    case = _case(case_id)
    form = AssignCaseForm()
    form.inspector.choices = options([(u.id, u.full_name) for u in services.case_inspectors(case)])
    if form.validate_on_submit():
        try:
            services.assign_case(case, db.session.get(User, form.inspector.data), current_user)
        except services.CaseError:
            pass
        else:
            flash(_("The case was assigned."), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    flash(_("The case could not be assigned to this person."), "error")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/staff/cases/<int:case_id>/notes", methods=["POST"])
@inspector_required
def add_note(case_id):
    case = _case(case_id)
    form = CaseNoteForm()
    if not form.validate_on_submit():
        return _show(case, note_form=form, status=400)
    try:
        services.add_case_note(case, form.text.data, current_user)
    except services.CaseError:
        flash(_("Only an inspector of this jurisdiction can add to an open case."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    flash(_("The note was added to the case log."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/staff/cases/<int:case_id>/close", methods=["POST"])
@inspector_required
def close(case_id):
    case = _case(case_id)
    form = DispositionForm()
    if not form.validate_on_submit():
        return _show(case, disposition_form=form, status=400)
    try:
        services.close_case(case, form.disposition.data, form.summary.data, current_user)
    except services.CaseError:
        flash(_("Only an inspector of this jurisdiction can close an open case."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    flash(_("The disposition was recorded and the case closed."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/staff/cases/<int:case_id>/identity", methods=["POST"])
@inspector_required
def reveal(case_id):
    case = _case(case_id)
    try:
        identity = services.reveal_identity(case, current_user)
    except services.NotAllowed:
        flash(_("Only the inspectors of this case can see the complainant's identity."), "error")
        return _show(case, status=403)
    except services.CaseError:
        flash(_("The complainant stayed anonymous: there is nothing to reveal."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    response = _show(case, identity=identity)
    return response[0], 200, {"Cache-Control": "no-store"}


@bp.cli.command("verify-log")
def verify_log_command():
    """Check every case's hash chain; exit code 1 when an entry was changed or removed."""
    checked, problems = services.verify_log()
    for problem in problems:
        click.echo(f"BROKEN {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"ok: {checked} case events verified")
