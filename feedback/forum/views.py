"""Citizen pages: find a unit, send an opinion, track it with the receipt, read the public forum."""

import io
import secrets

import segno
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from feedback import signals
from feedback.extensions import limiter
from feedback.forum import services
from feedback.forum.forms import IDENTITY_HINTS, KIND_HINTS, FilterForm, FollowUpForm, OpinionForm, TrackForm
from feedback.forum.models import Identity, OpinionKind
from feedback.page_cache import SHAREABLE_SESSION_KEYS
from feedback.units.services import ancestors, get_unit_by_code, search_units
from feedback.urls import safe_next_url

bp = Blueprint("forum", __name__, template_folder="templates")

TRACK_SESSION_KEY = "tracked_opinion"
VOTER_COOKIE = "langnghe_voter"
MAX_QUERY = 200


@bp.app_template_global()
def public_author(opinion):
    return services.public_author(opinion)


@bp.app_template_global()
def counted_topics(opinion):
    threshold = current_app.config["TAG_CONFIDENCE_THRESHOLD"]
    return [t for t in opinion.topics if t.is_confirmed or (t.confidence or 0) >= threshold]


@signals.opinion_answered.connect
def _answer_shows_at_once(sender, **kwargs):
    """A new public answer appears on this worker's forum pages at once (others within the cache TTL)."""
    services.forget_cached_pages()


def _submit_limit():
    return current_app.config["OPINION_SUBMIT_LIMIT"]


def _lookup_limit():
    return current_app.config["RECEIPT_LOOKUP_LIMIT"]


def _lookup_failed(response):
    return response.status_code in (400, 404)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _unit_or_404(code):
    unit = get_unit_by_code((code or "").strip().upper()[:32])
    if unit is None:
        abort(404)
    return unit


def unit_url(unit):
    """The absolute address printed on QR codes: SITE_URL when configured, else this request's host."""
    site = current_app.config.get("SITE_URL")
    if site:
        return site.rstrip("/") + url_for("forum.unit", code=unit.code)
    return url_for("forum.unit", code=unit.code, _external=True)


@bp.route("/search")
def search():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    units = search_units(query, limit=30) if query else []
    return render_template("forum/search.html", query=query, units=units)


@bp.route("/u/<code>")
def unit(code):
    unit = _unit_or_404(code)
    page = services.list_published(services.ForumFilters(unit=unit, subtree=True), limit=5)
    return render_template("forum/unit.html", unit=unit, chain=ancestors(unit), page=page, url=unit_url(unit))


def _qr(unit):
    return segno.make(unit_url(unit), error="m")


@bp.route("/u/<code>/qr.png")
def qr_png(code):
    buffer = io.BytesIO()
    _qr(_unit_or_404(code)).save(buffer, kind="png", scale=12, border=4)
    response = make_response(buffer.getvalue())
    response.headers.update({"Content-Type": "image/png", "Cache-Control": "public, max-age=86400"})
    return response


@bp.route("/u/<code>/qr.svg")
def qr_svg(code):
    unit = _unit_or_404(code)
    buffer = io.BytesIO()
    _qr(unit).save(buffer, kind="svg", scale=10, border=4, xmldecl=False,
                   title=_("Send an opinion to %(unit)s", unit=unit.name))
    response = make_response(buffer.getvalue())
    response.headers.update({"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400"})
    return response


@bp.route("/u/<code>/poster")
def poster(code):
    unit = _unit_or_404(code)
    return render_template("forum/poster.html", unit=unit, url=unit_url(unit))


@bp.route("/u/<code>/new", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def new(code):
    unit = _unit_or_404(code)
    if not unit.is_active:
        return render_template("forum/closed.html", unit=unit), 410 if request.method == "POST" else 200
    form = OpinionForm()
    if form.is_submitted():
        if form.website.data:
            form.website.errors = [_("This field must stay empty.")]
        elif form.validate():
            try:
                opinion, receipt = services.submit_opinion(
                    unit, form.kind.data, form.body.data, identity=form.identity.data,
                    contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
                    contact_email=form.contact_email.data, contact_consent=form.contact_consent.data,
                    wants_publication=form.wants_publication.data, officer_name=form.officer_name.data,
                    officer_rank=form.officer_rank.data, officer_badge=form.officer_badge.data,
                )
            except services.OpinionError as error:
                form.body.errors = list(form.body.errors) + [str(error)]
            else:
                # Shown once, never redirected to: the code must not sit in a URL, a log or the session.
                page = render_template("forum/sent.html", unit=unit, opinion=opinion, receipt=receipt)
                return _no_store(make_response(page))
        status = 400
    else:
        status = 200
    return render_template("forum/new.html", unit=unit, form=form, chain=ancestors(unit), kind_hints=KIND_HINTS,
                           identity_hints=IDENTITY_HINTS, kinds=OpinionKind, identities=Identity), status


def _tracked_opinion():
    opinion_id = session.get(TRACK_SESSION_KEY)
    if not isinstance(opinion_id, int):
        return None
    return services.get_opinion(opinion_id)


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"], deduct_when=_lookup_failed)
def track():
    form = TrackForm()
    if form.validate_on_submit():
        try:
            opinion = services.find_by_receipt(form.code.data)
        except services.InvalidReceipt as error:
            form.code.errors = [str(error)]
            return _no_store(make_response(render_template("forum/track.html", form=form), 404))
        session[TRACK_SESSION_KEY] = opinion.id
        return redirect(url_for("forum.track"), 303)
    if form.is_submitted():
        return _no_store(make_response(render_template("forum/track.html", form=form), 400))
    opinion = _tracked_opinion()
    if opinion is None:
        return _no_store(make_response(render_template("forum/track.html", form=form)))
    page = render_template("forum/tracked.html", opinion=opinion, answers=services.answers_for_citizen(opinion),
                           follow_up_form=FollowUpForm())
    return _no_store(make_response(page))


@bp.route("/track/follow-up", methods=["POST"])
@limiter.limit(_submit_limit)
def follow_up():
    opinion = _tracked_opinion()
    if opinion is None:
        flash(_("Please enter your receipt code again."), "error")
        return redirect(url_for("forum.track"), 303)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.add_follow_up(opinion, form.body.data)
        except services.OpinionError as error:
            form.body.errors = [str(error)]
        else:
            flash(_("Your message was added. The unit will see it with your opinion."), "success")
            return redirect(url_for("forum.track"), 303)
    page = render_template("forum/tracked.html", opinion=opinion, answers=services.answers_for_citizen(opinion),
                           follow_up_form=form)
    return _no_store(make_response(page, 400))


@bp.route("/track/forget", methods=["POST"])
def forget():
    session.pop(TRACK_SESSION_KEY, None)
    flash(_("This browser no longer shows your opinion. Keep your receipt code to open it again."), "success")
    return redirect(url_for("forum.track"), 303)


def _filters(form):
    unit = get_unit_by_code(form.unit.data.strip().upper()) if form.unit.data else None
    kind = OpinionKind(form.kind.data) if form.kind.data else None
    answered = {"yes": True, "no": False}.get(form.answered.data)
    subtree = form.subtree.data if "unit" in request.args else True
    return services.ForumFilters(unit=unit, subtree=subtree, topic=form.topic.data or None,
                                 sentiment=form.sentiment.data or None, kind=kind, answered=answered)


@bp.route("/forum")
def index():
    # Lists hold no per-visitor data (agreeing happens on an opinion's own page), so a rendered
    # list is kept for FORUM_CACHE_SECONDS; for visitors who are not signed in and have no
    # message waiting it is marked public, and the shared page cache (feedback/page_cache.py)
    # serves it without running the app. Decided before rendering, which takes any waiting
    # message out of the session.
    shareable = not current_user.is_authenticated and set(session) <= SHAREABLE_SESSION_KEYS
    key = (str(get_locale()), request.full_path)
    body, fresh_for = services.cached_page(key) or (None, 0)
    if body is None:
        form = FilterForm(formdata=request.args or None)
        if request.args and not form.validate():
            body = render_template("forum/_index_body.html", form=form, page=None, filters=None, args={})
            return render_template("forum/index.html", body=Markup(body)), 400
        filters = _filters(form)
        if form.unit.data and filters.unit is None:
            form.unit.errors = [_("There is no unit with this code.")]
        page = services.list_published(filters, cursor=request.args.get("after"),
                                       limit=current_app.config["FORUM_PAGE_SIZE"])
        args = {k: v for k, v in request.args.items() if k != "after" and v}
        body = render_template("forum/_index_body.html", form=form, page=page, filters=filters, args=args)
        fresh_for = services.cache_page(key, body)
    response = make_response(render_template("forum/index.html", body=Markup(body)))
    if shareable and fresh_for:
        response.cache_control.public = True
        response.cache_control.max_age = fresh_for
        response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.route("/forum/<int:opinion_id>")
def show(opinion_id):
    opinion = services.get_published(opinion_id)
    if opinion is None:
        abort(404)
    return render_template("forum/show.html", opinion=opinion,
                           answers=services.public_answers([opinion.id])[opinion.id])


@bp.route("/forum/<int:opinion_id>/agree", methods=["POST"])
@limiter.limit("30 per minute")
def agree(opinion_id):
    opinion = services.get_published(opinion_id)
    if opinion is None:
        abort(404)
    token = request.cookies.get(VOTER_COOKIE)
    if not token or len(token) > 64:
        token = secrets.token_urlsafe(24)
    services.forget_cached_pages()
    if services.agree(opinion, token):
        flash(_("Thank you: your agreement was counted."), "success")
    else:
        flash(_("You have already agreed with this opinion."), "info")
    target = safe_next_url(request.form.get("next"), url_for("forum.index"))
    response = redirect(f"{target}#opinion-{opinion.id}", 303)
    response.set_cookie(VOTER_COOKIE, token, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
