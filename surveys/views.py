"""Survey routes: staff under /staff/surveys, citizens under /s/<survey>/<unit code>."""

import re
from datetime import date

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from feedback import spreadsheets
from feedback.accounts.decorators import roles_required
from feedback.accounts.scope import require_unit
from feedback.extensions import db, limiter
from feedback.units.models import Unit
from feedback.units.services import get_unit_by_code
from surveys import charts, collection, distribution, exports, services, statistics
from surveys.forms import QuestionForm, ResponseForm, SurveyCreateForm, SurveyEditForm, TokenForm, choices, read_replies
from surveys.models import AGREEMENT_LABELS, CRITERIA, QuestionType, Survey, SurveyQuestion, SurveyState

bp = Blueprint("surveys", __name__, template_folder="templates", cli_group="surveys")

manager_required = roles_required("chief")
reader_required = roles_required("chief", "officer")

# pygal draws its SVG with an inline <style>: only the chart responses allow inline styles.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
INLINE_SCRIPT = re.compile(rb"<script[^>]*>.*?</script>", re.S)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def survey_helpers():
    """Number formats in the visitor's locale and the enums the survey templates need."""
    return {
        "decimal": lambda value, digits=2: format_decimal(value, "#,##0" + ("." + "0" * digits if digits else "")),
        "pct": lambda value: format_percent(value, "#,##0.0%") if value is not None else "—",
        "state_enum": SurveyState,
        "criteria": CRITERIA,
        "agreement_labels": AGREEMENT_LABELS,
    }


def response_limit():
    return current_app.config.get("SURVEY_RESPONSE_LIMIT", "20 per 10 minutes")


def survey_or_404(survey_id):
    """A survey the current user may see; 404 otherwise (do not reveal that it exists)."""
    survey = db.get_or_404(Survey, survey_id)
    if not services.can_view(current_user, survey):
        abort(404)
    return survey


def managed_survey_or_404(survey_id):
    """A survey the current user manages: 404 when out of scope, 403 when only allowed to read it."""
    survey = survey_or_404(survey_id)
    if not services.can_manage(current_user, survey):
        abort(403)
    return survey


def question_or_404(survey, question_id):
    question = db.get_or_404(SurveyQuestion, question_id)
    if question.survey_id != survey.id:
        abort(404)
    return question


def unit_in_scope_or_404(code):
    unit = get_unit_by_code((code or "").strip().upper()[:32])
    if unit is None:
        abort(404)
    require_unit(current_user, unit.id)
    return unit


def target_unit_or_404(survey, code):
    unit = unit_in_scope_or_404(code)
    if not services.is_target(survey, unit):
        abort(404)
    return unit


def download(data, filename, mimetype):
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def svg_response(data):
    response = Response(INLINE_SCRIPT.sub(b"", data), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


# --- staff: building ---------------------------------------------------------------


@bp.route("/staff/surveys")
@reader_required
def index():
    return render_template("surveys/index.html", surveys=services.visible_surveys(current_user))


@bp.route("/staff/surveys/new", methods=["GET", "POST"])
@manager_required
def new():
    form = SurveyCreateForm()
    form.target_unit.choices = choices((u.id, f"{u.code} · {u.name}") for u in services.manageable_units(current_user))
    if form.validate_on_submit():
        unit = db.get_or_404(Unit, form.target_unit.data)
        try:
            if form.start.data == "template":
                survey = services.create_from_template(current_user, unit, form.include_subtree.data,
                                                       form.opens_on.data, form.closes_on.data, form.uses_tokens.data)
            else:
                survey = services.create_survey(current_user, unit, form.title_vi.data, form.title_en.data,
                                                include_subtree=form.include_subtree.data, opens_on=form.opens_on.data,
                                                closes_on=form.closes_on.data, uses_tokens=form.uses_tokens.data)
        except services.SurveyError as error:
            flash(str(error), "error")
        else:
            flash(_("Survey created as a draft. Check the questions, then open it."), "success")
            return redirect(url_for("surveys.show", survey_id=survey.id))
    return render_template("surveys/new.html", form=form)


@bp.route("/staff/surveys/<int:survey_id>")
@manager_required
def show(survey_id):
    survey = survey_or_404(survey_id)
    return render_template("surveys/show.html", survey=survey, can_manage=services.can_manage(current_user, survey),
                           responses=services.response_count(survey), locked=services.has_responses(survey),
                           versions=services.versions_of(survey))


@bp.route("/staff/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@manager_required
def edit(survey_id):
    survey = managed_survey_or_404(survey_id)
    form = SurveyEditForm(obj=survey)
    if form.validate_on_submit():
        try:
            services.update_survey(survey, current_user, form.title_vi.data, form.title_en.data, form.description_vi.data,
                                   form.description_en.data, form.opens_on.data, form.closes_on.data,
                                   form.uses_tokens.data)
        except services.SurveyError as error:
            flash(str(error), "error")
        else:
            flash(_("Survey saved."), "success")
            return redirect(url_for("surveys.show", survey_id=survey.id))
    return render_template("surveys/edit.html", survey=survey, form=form)


@bp.route("/staff/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@manager_required
def question_new(survey_id):
    survey = managed_survey_or_404(survey_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(survey, current_user, QuestionType(form.type.data), form.text_vi.data,
                                  form.text_en.data, form.help_vi.data, form.help_en.data, form.required.data,
                                  form.criterion.data, form.has_other.data, form.option_pairs())
        except services.SurveyError as error:
            flash(str(error), "error")
        else:
            flash(_("Question added."), "success")
            return redirect(url_for("surveys.show", survey_id=survey.id) + "#questions")
    return render_template("surveys/question.html", survey=survey, form=form, question=None)


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@manager_required
def question_edit(survey_id, question_id):
    survey = managed_survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    form = QuestionForm(obj=question, data={
        "type": question.type.value, "criterion": question.criterion or "",
        "options_vi": "\n".join(o.label_vi for o in question.options),
        "options_en": "\n".join(o.label_en or "" for o in question.options)} if request.method == "GET" else None)
    form.type.data = question.type.value  # the type of an existing question does not change
    if form.validate_on_submit():
        try:
            services.update_question(question, current_user, form.text_vi.data, form.text_en.data, form.help_vi.data,
                                     form.help_en.data, form.required.data, form.criterion.data, form.has_other.data,
                                     form.option_pairs())
        except services.SurveyError as error:
            flash(str(error), "error")
        else:
            flash(_("Question saved."), "success")
            return redirect(url_for("surveys.show", survey_id=survey.id) + "#questions")
    return render_template("surveys/question.html", survey=survey, form=form, question=question)


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
@manager_required
def question_delete(survey_id, question_id):
    survey = managed_survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    try:
        services.delete_question(question, current_user)
    except services.SurveyError as error:
        flash(str(error), "error")
    else:
        flash(_("Question deleted."), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id) + "#questions")


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@manager_required
def question_move(survey_id, question_id):
    survey = managed_survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    try:
        services.move_question(question, current_user, -1 if request.form.get("direction") == "up" else 1)
    except services.SurveyError as error:
        flash(str(error), "error")
    return redirect(url_for("surveys.show", survey_id=survey.id) + "#questions")


@bp.route("/staff/surveys/<int:survey_id>/state", methods=["POST"])
@manager_required
def change_state(survey_id):
    survey = managed_survey_or_404(survey_id)
    try:
        state = SurveyState(request.form.get("state", ""))
    except ValueError:
        abort(400)
    try:
        services.change_state(survey, current_user, state)
    except services.SurveyError as error:
        flash(str(error), "error")
    else:
        flash(_("The survey is now: %(state)s.", state=state.label), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.route("/staff/surveys/<int:survey_id>/copy", methods=["POST"])
@manager_required
def copy(survey_id):
    survey = managed_survey_or_404(survey_id)
    try:
        new_version = services.copy_as_new_version(survey, current_user)
    except services.SurveyError as error:
        flash(str(error), "error")
        return redirect(url_for("surveys.show", survey_id=survey.id))
    flash(_("Version %(n)d created as a draft: change it, then open it and close the old one.", n=new_version.version),
          "success")
    return redirect(url_for("surveys.show", survey_id=new_version.id))


# --- staff: distribution ------------------------------------------------------------


@bp.route("/staff/surveys/<int:survey_id>/links")
@manager_required
def links(survey_id):
    survey = managed_survey_or_404(survey_id)
    units = services.target_units(survey, current_user)
    return render_template("surveys/links.html", survey=survey, units=units,
                           links={u.id: distribution.survey_link(survey, u) for u in units},
                           tokens=collection.token_counts(survey))


@bp.route("/staff/surveys/<int:survey_id>/qr/<unit_code>.<fmt>")
@manager_required
def qr(survey_id, unit_code, fmt):
    survey = managed_survey_or_404(survey_id)
    unit = target_unit_or_404(survey, unit_code)
    link = distribution.survey_link(survey, unit)
    if fmt == "png":
        return download(distribution.qr_png(link), f"{survey.slug}-{unit.code}.png", "image/png")
    if fmt == "svg":
        return download(distribution.qr_svg(link), f"{survey.slug}-{unit.code}.svg", "image/svg+xml")
    abort(404)


@bp.route("/staff/surveys/<int:survey_id>/tokens", methods=["GET", "POST"])
@manager_required
def tokens(survey_id):
    survey = managed_survey_or_404(survey_id)
    units = services.target_units(survey, current_user)
    form = TokenForm()
    form.unit.choices = choices((u.id, f"{u.code} · {u.name}") for u in units)
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.unit.data), None)
        if unit is None:
            abort(404)
        try:
            codes = collection.issue_tokens(survey, unit, form.count.data, current_user)
        except services.SurveyError as error:
            flash(str(error), "error")
        else:
            flash(_("%(n)d codes made for %(unit)s.", n=len(codes), unit=unit.name), "success")
            return redirect(url_for("surveys.token_sheet", survey_id=survey.id, unit_code=unit.code))
    return render_template("surveys/tokens.html", survey=survey, form=form, units=units,
                           counts=collection.token_counts(survey))


@bp.route("/staff/surveys/<int:survey_id>/tokens/<unit_code>")
@manager_required
def token_sheet(survey_id, unit_code):
    survey = managed_survey_or_404(survey_id)
    unit = target_unit_or_404(survey, unit_code)
    codes = [t.code for t in collection.unit_tokens(survey, unit, unused_only=True)]
    sheet = [(collection.format_token(code), distribution.qr_data_uri(distribution.survey_link(survey, unit, code)))
             for code in codes]
    return render_template("surveys/token_sheet.html", survey=survey, unit=unit, sheet=sheet,
                           link=distribution.survey_link(survey, unit))


@bp.route("/staff/surveys/<int:survey_id>/tokens/<unit_code>.csv")
@manager_required
def tokens_csv(survey_id, unit_code):
    survey = managed_survey_or_404(survey_id)
    unit = target_unit_or_404(survey, unit_code)
    data = collection.tokens_csv(survey, unit, lambda code: distribution.survey_link(survey, unit, code))
    return download(("\ufeff" + data).encode(), f"{survey.slug}-{unit.code}-codes.csv", "text/csv")


# --- staff: results -------------------------------------------------------------------


def _results_scope(survey):
    root = unit_in_scope_or_404(request.args["unit"]) if request.args.get("unit") else None
    focus = None
    if request.args.get("q", "").isascii() and request.args.get("q", "").isdigit() and len(request.args["q"]) <= 12:
        focus = question_or_404(survey, int(request.args["q"]))
        if not focus.type.is_scale:
            focus = None
    return root, focus


@bp.route("/staff/surveys/<int:survey_id>/results")
@reader_required
def results(survey_id):
    survey = survey_or_404(survey_id)
    root, focus = _results_scope(survey)
    summary = statistics.summarize(survey, current_user, root, focus)
    return render_template("surveys/results.html", survey=survey, summary=summary, root=root,
                           can_manage=services.can_manage(current_user, survey))


@bp.route("/staff/surveys/<int:survey_id>/results/<int:question_id>.svg")
@reader_required
def chart(survey_id, question_id):
    survey = survey_or_404(survey_id)
    question = question_or_404(survey, question_id)
    root, _focus = _results_scope(survey)
    result = statistics.question_summary(survey, question, current_user, root)
    if result is None or question.type.is_text:
        abort(404)
    return svg_response(charts.distribution_svg(result, question.text))


@bp.route("/staff/surveys/<int:survey_id>/results/timeline.svg")
@reader_required
def timeline(survey_id):
    survey = survey_or_404(survey_id)
    root, _focus = _results_scope(survey)
    return svg_response(charts.timeline_svg(statistics.responses_per_day(survey, current_user, root),
                                            _("Responses per day")))


@bp.route("/staff/surveys/<int:survey_id>/export/<kind>.<fmt>")
@reader_required
def export(survey_id, kind, fmt):
    survey = survey_or_404(survey_id)
    if kind not in ("responses", "summary") or fmt not in ("csv", "xlsx"):
        abort(404)
    root, _focus = _results_scope(survey)
    minimum = statistics.min_group_size()
    tables = []
    if kind == "responses":
        tables.append((_("Responses"),) + exports.response_table(survey, current_user, root, minimum))
    if kind == "summary" or fmt == "xlsx":
        tables.append((_("Summary"),) + exports.summary_table(statistics.summarize(survey, current_user, root)))
    name = f"{survey.slug}-{kind}-{date.today().isoformat()}"
    if fmt == "csv":
        _title, header, rows = tables[0]
        return download(spreadsheets.to_csv(header, rows), name + ".csv", "text/csv")
    return download(spreadsheets.to_xlsx(tables), name + ".xlsx", XLSX)


# --- citizens ------------------------------------------------------------------------------


def answered_cookie(survey):
    return f"survey_{survey.id}"


def _public_survey_or_404(key, unit_code):
    survey = services.get_survey(key)
    unit = get_unit_by_code((unit_code or "").strip().upper()[:32])
    if survey is None or unit is None or survey.state == SurveyState.draft or not services.is_target(survey, unit):
        abort(404)
    return survey, unit


@bp.route("/s/<key>/<unit_code>", methods=["GET", "POST"])
@limiter.limit(response_limit, methods=["POST"])
def respond(key, unit_code):
    survey, unit = _public_survey_or_404(key, unit_code)
    if not survey.accepts_responses(services.today()):
        newer = services.newer_open_version(survey)
        if newer is not None and request.method == "GET":
            return redirect(url_for("surveys.respond", key=newer.slug, unit_code=unit.code, **request.args))
        return render_template("surveys/message.html", survey=survey, unit=unit, title=_("This survey is closed"),
                               message=_("This survey does not accept responses at the moment. Thank you for your interest.")), 410
    if not survey.uses_tokens and request.cookies.get(answered_cookie(survey)):
        return render_template("surveys/message.html", survey=survey, unit=unit, title=_("You have already answered"),
                               message=_("This browser has already sent a response to this survey. Thank you!")), (
            409 if request.method == "POST" else 200)
    form = ResponseForm(data={"token": request.args.get("t", "")[:40]} if request.method == "GET" else None)
    errors, status = {}, 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                collection.submit_response(survey, unit, read_replies(survey, request.form), form.token.data)
            except collection.InvalidResponse as error:
                errors = error.errors
            except collection.TokenRejected as error:
                form.token.errors.append(str(error))
            except collection.SurveyClosed as error:
                return render_template("surveys/message.html", survey=survey, unit=unit,
                                       title=_("This survey is closed"), message=str(error)), 410
            else:
                response = redirect(url_for("surveys.thanks", key=survey.slug, unit_code=unit.code))
                if not survey.uses_tokens:
                    response.set_cookie(answered_cookie(survey), "1", max_age=400 * 24 * 3600, path="/s/",
                                        httponly=True, samesite="Lax",
                                        secure=current_app.config["SESSION_COOKIE_SECURE"])
                return response
    return render_template("surveys/respond.html", survey=survey, unit=unit, form=form, errors=errors,
                           posted=request.form if request.method == "POST" else None), status


@bp.route("/s/<key>/<unit_code>/thanks")
def thanks(key, unit_code):
    survey, unit = _public_survey_or_404(key, unit_code)
    return render_template("surveys/message.html", survey=survey, unit=unit, title=_("Thank you!"),
                           message=_("Your answers were recorded anonymously. They help the unit serve you better."))


@bp.cli.command("close-expired")
def close_expired_command():
    """Close the open surveys whose closing date has passed."""
    for survey in services.close_expired():
        click.echo(f"closed {survey.slug}")
