"""The staff inbox: list, filter, export, tag, assign, answer; reply templates; mail preferences."""


import click
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.decorators import roles_required, staff_required
from feedback.accounts.models import User
from feedback.accounts.scope import get_in_scope_or_404, require_unit
from feedback.extensions import db
from feedback.forum.models import (SENTIMENT_LABELS, TOPIC_LABELS, Channel, Identity, Opinion, OpinionKind,
                                   OpinionStatus)
from feedback.inbox import notifications, services
from feedback.inbox.forms import (AnswerForm, AssignForm, BulkForm, FilterForm, NoteForm, NotifyForm, StatusForm,
                                  TagForm, TemplateForm, options)
from feedback.inbox.models import ReplyTemplate
from feedback.units.models import Unit, utcnow
from feedback.urls import safe_next_url

bp = Blueprint("inbox", __name__, template_folder="templates", cli_group="inbox")
bp.record_once(lambda state: notifications.connect_receivers())

inbox_required = roles_required("officer", "chief")


@bp.context_processor
def labels():
    return {"sentiment_labels": SENTIMENT_LABELS, "topic_labels": TOPIC_LABELS}


chief_required = roles_required("chief")

FILTER_KEYS = ("q", "unit", "topic", "sentiment", "kind", "status", "channel", "date_from", "date_to",
               "review_first", "overdue", "mine", "escalated")


def _enum_or_none(enum_class, value):
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


def read_filters():
    """The filter form and the service's InboxFilter from the query string; bad values are ignored."""
    form = FilterForm(request.args)
    units = services.units_in_scope(current_user)
    form.unit.choices = options([("", _("All my units"))] + [(str(u.id), f"{u.name} ({u.code})") for u in units])
    form.validate()
    unit_id = None
    if form.unit.data and str(form.unit.data).isdigit():
        unit_id = int(form.unit.data)
        require_unit(current_user, unit_id)
    filters = services.InboxFilter(
        unit_id=unit_id,
        topic=form.topic.data or None if not form.topic.errors else None,
        sentiment=form.sentiment.data or None if not form.sentiment.errors else None,
        kind=_enum_or_none(OpinionKind, form.kind.data),
        status=_enum_or_none(OpinionStatus, form.status.data),
        channel=_enum_or_none(Channel, form.channel.data),
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        review_first=bool(form.review_first.data),
        overdue=bool(form.overdue.data),
        mine=bool(form.mine.data),
        escalated=bool(form.escalated.data),
        q=(form.q.data or "")[:200],
    )
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v}
    return form, filters, args


@bp.route("/staff/inbox")
@inbox_required
def index():
    form, filters, args = read_filters()
    page = services.list_opinions(current_user, filters, page=request.args.get("page", 1, type=int))
    bulk = BulkForm(prefix="bulk")
    bulk.assignee.choices = options([(0, "—")] + [(u.id, f"{u.full_name} · {u.unit.code}")
                                          for u in services.staff_in_scope(current_user)])
    bulk.next.data = request.full_path
    return render_template("inbox/index.html", form=form, page=page, args=args, bulk=bulk,
                           counts=services.inbox_counts(current_user), now=utcnow(), services=services)


@bp.route("/staff/inbox/export.<any(csv, xlsx):fmt>")
@inbox_required
def export(fmt):
    _form, filters, _args = read_filters()
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, mimetype = services.export_csv(current_user, filters), "text/csv; charset=utf-8"
    else:
        body = services.export_xlsx(current_user, filters)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=opinions-{stamp}.{fmt}",
                             "Cache-Control": "no-store"})


@bp.route("/staff/inbox/bulk", methods=["POST"])
@inbox_required
def bulk():
    form = BulkForm(prefix="bulk")
    form.assignee.choices = []
    back = safe_next_url(form.next.data, url_for("inbox.index"))
    if not form.validate_on_submit() or not form.ids.data:
        flash(_("Select at least one opinion and an action."), "error")
        return redirect(back)
    assignee = None
    if form.action.data == "assign":
        assignee = db.session.get(User, form.assignee.data or 0)
        if assignee is None:
            flash(_("Choose the person to assign to."), "error")
            return redirect(back)
    if form.action.data == "status" and not form.status.data:
        flash(_("Choose the new status."), "error")
        return redirect(back)
    done, skipped = services.bulk_action(current_user, form.ids.data, form.action.data, assignee=assignee,
                                         status=form.status.data or None)
    flash(_("Done for %(done)d opinions.", done=done), "success")
    if skipped:
        flash(_("%(n)d opinions were left unchanged (the action does not apply to them).", n=skipped), "error")
    return redirect(back)


def _opinion(opinion_id):
    return get_in_scope_or_404(Opinion, opinion_id, current_user)


def _show(opinion, tag_form=None, answer_form=None, note_form=None, status=200):
    tag_form = tag_form or TagForm(data={"topics": opinion.topic_codes, "sentiment": opinion.sentiment})
    assign_form = AssignForm(data={"assignee": opinion.assigned_to_id})
    assign_form.assignee.choices = options([(u.id, f"{u.full_name} · {u.role.label} · {u.unit.code}")
                                    for u in services.assignable_users(opinion, current_user)])
    templates = services.templates_for(opinion)
    answer_form = answer_form or AnswerForm()
    answer_form.template.choices = options([("", "—")] + [(str(t.id), t.title) for t in templates])
    status_form = StatusForm()
    status_form.status.choices = options([(s.value, s.label) for s in sorted(services.TRANSITIONS[opinion.status], key=lambda s: s.value)
                                  if s != OpinionStatus.answered or opinion.answers])
    return render_template(
        "inbox/show.html", opinion=opinion, tag_form=tag_form, assign_form=assign_form, answer_form=answer_form,
        note_form=note_form or NoteForm(), status_form=status_form, templates=templates,
        notes=services.notes_of(opinion), corrections=services.corrections_of(opinion),
        explanation=services.explanation_of(opinion), overdue=services.is_overdue(opinion),
        days_left=services.days_left(opinion), Identity=Identity,
    ), status


@bp.route("/staff/inbox/<int:opinion_id>")
@inbox_required
def show(opinion_id):
    opinion = _opinion(opinion_id)
    answer_form = None
    template_id = request.args.get("template", type=int)
    if template_id:
        template = next((t for t in services.templates_for(opinion) if t.id == template_id), None)
        if template is not None:
            answer_form = AnswerForm(formdata=None, data={"body": template.body, "template": str(template.id)})
    return _show(opinion, answer_form=answer_form)


@bp.route("/staff/inbox/<int:opinion_id>/tags", methods=["POST"])
@inbox_required
def tags(opinion_id):
    opinion = _opinion(opinion_id)
    form = TagForm()
    if not form.validate_on_submit():
        return _show(opinion, tag_form=form, status=400)
    try:
        services.confirm_tags(opinion, form.topics.data, form.sentiment.data, current_user)
    except services.InvalidTags:
        flash(_("Choose one to three topics and a sentiment."), "error")
        return _show(opinion, tag_form=form, status=400)
    flash(_("The tags were saved."), "success")
    return redirect(url_for("inbox.show", opinion_id=opinion.id))


@bp.route("/staff/inbox/<int:opinion_id>/confirm", methods=["POST"])
@inbox_required
def confirm(opinion_id):
    opinion = _opinion(opinion_id)
    if services.confirm_model_tags(opinion, current_user):
        flash(_("The suggested tags were confirmed."), "success")
    else:
        flash(_("There are no suggested tags to confirm; choose the tags yourself."), "error")
    return redirect(url_for("inbox.show", opinion_id=opinion.id))


@bp.route("/staff/inbox/<int:opinion_id>/status", methods=["POST"])
@inbox_required
def status(opinion_id):
    opinion = _opinion(opinion_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(opinion, form.status.data, current_user)
        except services.InvalidTransition:
            flash(_("This status change is not allowed."), "error")
        else:
            flash(_("Status changed to %(status)s.", status=opinion.status.label), "success")
    else:
        flash(_("This status change is not allowed."), "error")
    return redirect(url_for("inbox.show", opinion_id=opinion.id))


@bp.route("/staff/inbox/<int:opinion_id>/assign", methods=["POST"])
@inbox_required
def assign(opinion_id):
    opinion = _opinion(opinion_id)
    form = AssignForm()
    form.assignee.choices = options([(u.id, u.full_name) for u in services.assignable_users(opinion, current_user)])
    if form.validate_on_submit():
        try:
            services.assign(opinion, db.session.get(User, form.assignee.data), current_user)
        except services.InvalidAssignee:
            pass
        else:
            flash(_("Assigned to %(name)s.", name=opinion.assigned_to.full_name), "success")
            return redirect(url_for("inbox.show", opinion_id=opinion.id))
    flash(_("This person cannot be assigned this opinion."), "error")
    return redirect(url_for("inbox.show", opinion_id=opinion.id))


@bp.route("/staff/inbox/<int:opinion_id>/notes", methods=["POST"])
@inbox_required
def add_note(opinion_id):
    opinion = _opinion(opinion_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _show(opinion, note_form=form, status=400)
    services.add_note(opinion, form.body.data, current_user)
    flash(_("The note was added."), "success")
    return redirect(url_for("inbox.show", opinion_id=opinion.id) + "#notes")


@bp.route("/staff/inbox/<int:opinion_id>/answer", methods=["POST"])
@inbox_required
def answer(opinion_id):
    opinion = _opinion(opinion_id)
    form = AnswerForm()
    form.template.choices = options([("", "—")] + [(str(t.id), t.title) for t in services.templates_for(opinion)])
    if not form.validate_on_submit():
        return _show(opinion, answer_form=form, status=400)
    try:
        services.answer_opinion(opinion, form.body.data, form.visibility.data == "public", current_user)
    except services.InvalidTransition:
        flash(_("A closed opinion cannot be answered; reopen it first."), "error")
        return _show(opinion, answer_form=form, status=409)
    flash(_("The answer was sent in the name of %(unit)s.", unit=opinion.unit.name), "success")
    return redirect(url_for("inbox.show", opinion_id=opinion.id))


# --- Reply templates ---------------------------------------------------------------------------------


def _template_form(obj=None):
    form = TemplateForm(obj=obj, data={"unit": obj.unit_id} if obj else None)
    form.unit.choices = options([(u.id, f"{u.name} ({u.code})") for u in services.units_in_scope(current_user)])
    if obj is None and request.method == "GET":
        form.unit.data = current_user.unit_id
    return form


@bp.route("/staff/inbox/templates")
@chief_required
def templates():
    return render_template("inbox/templates.html", templates=services.manageable_templates(current_user))


@bp.route("/staff/inbox/templates/new", methods=["GET", "POST"])
@chief_required
def template_new():
    form = _template_form()
    if form.validate_on_submit():
        unit = get_in_scope_or_404(Unit, form.unit.data, current_user, unit_attr="id")
        services.save_template(None, unit, form.title.data, form.body.data, current_user)
        flash(_("The template was saved."), "success")
        return redirect(url_for("inbox.templates"))
    return render_template("inbox/template_edit.html", form=form, template=None)


@bp.route("/staff/inbox/templates/<int:template_id>", methods=["GET", "POST"])
@chief_required
def template_edit(template_id):
    template = get_in_scope_or_404(ReplyTemplate, template_id, current_user)
    form = _template_form(template)
    if form.validate_on_submit():
        unit = get_in_scope_or_404(Unit, form.unit.data, current_user, unit_attr="id")
        services.save_template(template, unit, form.title.data, form.body.data, current_user)
        flash(_("The template was saved."), "success")
        return redirect(url_for("inbox.templates"))
    return render_template("inbox/template_edit.html", form=form, template=template)


@bp.route("/staff/inbox/templates/<int:template_id>/delete", methods=["POST"])
@chief_required
def template_delete(template_id):
    template = get_in_scope_or_404(ReplyTemplate, template_id, current_user)
    services.delete_template(template, current_user)
    flash(_("The template was deleted."), "success")
    return redirect(url_for("inbox.templates"))


# --- Mail preference ---------------------------------------------------------------------------------


@bp.route("/staff/notifications", methods=["GET", "POST"])
@staff_required
def notification_settings():
    form = NotifyForm(data={"notify_mode": current_user.notify_mode})
    if form.validate_on_submit():
        services.set_notify_mode(current_user, form.notify_mode.data)
        flash(_("Your e-mail settings were saved."), "success")
        return redirect(url_for("inbox.notification_settings"))
    return render_template("inbox/notifications.html", form=form)


# --- Commands ----------------------------------------------------------------------------------------


@bp.cli.command("escalate")
def escalate_command():
    """Escalate overdue opinions to the chiefs of the parent units (safe to run again)."""
    count = services.escalate_overdue()
    click.echo(f"escalated {count} overdue opinions")


@bp.cli.command("send-digests")
def send_digests_command():
    """Send the daily digest to every staff member who chose one."""
    sent = notifications.send_digests()
    click.echo(f"sent {sent} digests")
