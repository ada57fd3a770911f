"""E-mail to staff and citizens about opinions: immediate notices, daily digests, answers, escalations.

Receivers run after the sender committed; they catch everything, so a mail problem never turns a
stored opinion or a saved answer into an error page.
"""

import functools
import logging
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import func, or_, and_, select

from feedback.accounts.models import Role, User
from feedback.accounts.scope import scope_filter
from feedback.extensions import db
from feedback.forum.models import Opinion
from feedback.inbox.models import DigestState
from feedback.mail import external_url, send_template
from feedback.signals import opinion_answered, opinion_submitted
from feedback.units.models import Unit, UnitClosure, utcnow

log = logging.getLogger(__name__)

NOTIFY_MODES = ("immediate", "digest", "none")
DIGEST_MAX_ITEMS = 50


def never_raise(receiver):
    @functools.wraps(receiver)
    def wrapped(*args, **kwargs):
        try:
            return receiver(*args, **kwargs)
        except Exception as error:  # the opinion or answer is already stored; report and move on
            log.error("%s failed: %s", receiver.__name__, type(error).__name__)
            try:
                db.session.rollback()
            except Exception:
                pass
            return None
    return wrapped


def immediate_recipients(opinion):
    """Active staff wanting immediate mail: officers of the unit, chiefs of the unit and every unit above.

    Remembered per unit for the rest of the request, or of the background tagging batch,
    where many opinions of one unit often arrive together."""
    known = g.setdefault("immediate_recipients", {})
    if opinion.unit_id not in known:
        known[opinion.unit_id] = _immediate_recipients(opinion.unit_id)
    return known[opinion.unit_id]


def _immediate_recipients(unit_id):
    ancestors = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit_id)
    return db.session.scalars(select(User).where(
        User.is_active.is_(True), User.notify_mode == "immediate",
        or_(and_(User.role == Role.officer, User.unit_id == unit_id),
            and_(User.role == Role.chief, User.unit_id.in_(ancestors))),
    ).order_by(User.id)).all()


@never_raise
def on_opinion_submitted(sender, opinion, **extra):
    """Set a missing deadline, then tell the staff who asked for immediate mail."""
    if opinion.due_at is None:
        from feedback.forum.services import due_at_for

        opinion.due_at = due_at_for(opinion.kind, opinion.created_at or utcnow())
        db.session.commit()
    link = external_url("inbox.show", opinion_id=opinion.id)
    for user in immediate_recipients(opinion):
        send_template(user.email, "new_opinion", user=user, opinion=opinion, link=link)


@never_raise
def on_opinion_answered(sender, opinion, answer, **extra):
    """Tell a citizen who left an e-mail and agreed to be contacted; the answer text stays on the site."""
    if not (opinion.contact_email and opinion.contact_consent):
        return
    link = external_url("forum.track") if "forum.track" in current_app.view_functions else external_url("core.home")
    send_template(opinion.contact_email, "answered", opinion=opinion, link=link)


def connect_receivers():
    opinion_submitted.connect(on_opinion_submitted)
    opinion_answered.connect(on_opinion_answered)


def notify_escalated(opinions):
    """One mail per chief of a parent unit, listing the opinions escalated to them."""
    by_parent = {}
    for opinion in opinions:
        if opinion.unit.parent_id is not None:
            by_parent.setdefault(opinion.unit.parent_id, []).append(opinion)
    sent = 0
    for parent_id, items in by_parent.items():
        chiefs = db.session.scalars(select(User).where(User.is_active.is_(True), User.role == Role.chief,
                                                       User.unit_id == parent_id, User.notify_mode != "none")).all()
        link = external_url("inbox.index", escalated=1)
        for chief in chiefs:
            sent += bool(send_template(chief.email, "escalated", user=chief, opinions=items, link=link))
    return sent


def send_digests(now=None):
    """Send each digest subscriber one mail listing the opinions that came in since their last digest."""
    now = now or utcnow()
    top_id = db.session.scalar(select(func.max(Opinion.id))) or 0
    users = db.session.scalars(select(User).where(
        User.is_active.is_(True), User.notify_mode == "digest", User.role.in_([Role.officer, Role.chief])
    ).order_by(User.id)).all()
    states = {s.user_id: s for s in db.session.scalars(select(DigestState).where(
        DigestState.user_id.in_([u.id for u in users])))}
    sent = 0
    for user in users:
        state = states.get(user.id)
        query = select(Opinion).where(scope_filter(user, Opinion.unit_id), Opinion.id <= top_id)
        if state is not None and state.last_opinion_id is not None:
            query = query.where(Opinion.id > state.last_opinion_id)
        else:
            query = query.where(Opinion.created_at >= now - timedelta(days=1))
        count = db.session.scalar(query.with_only_columns(func.count()))
        if count:
            items = db.session.scalars(query.join(Unit, Unit.id == Opinion.unit_id)
                                       .order_by(Opinion.id.desc()).limit(DIGEST_MAX_ITEMS)).all()
            link = external_url("inbox.index")
            sent += bool(send_template(user.email, "digest", user=user, count=count, opinions=items, link=link,
                                       item_link=lambda o: external_url("inbox.show", opinion_id=o.id)))
        if state is None:
            state = DigestState(user_id=user.id)
            db.session.add(state)
        state.last_sent_at = now
        state.last_opinion_id = top_id
        state.items_sent = (state.items_sent or 0) + (count or 0)
    db.session.commit()
    return sent
