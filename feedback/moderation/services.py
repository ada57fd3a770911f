"""Moderation: publish opinions whose authors consented (with personal data masked), hide, unpublish."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from feedback.accounts.scope import scope_filter
from feedback.extensions import db
from feedback.forum.masking import mask_personal_data
from feedback.forum.services import forget_cached_pages
from feedback.forum.models import Opinion, Publication
from feedback.moderation.models import ModerationAction, ModerationLog
from feedback.units.models import utcnow

MAX_REASON = 1000


class ModerationError(Exception):
    """A moderation rule was broken; the message is shown to the moderator."""


def queue(user, limit=100):
    """Opinions waiting for moderation in the user's scope, oldest first."""
    return db.session.scalars(
        select(Opinion).where(Opinion.publication == Publication.pending, scope_filter(user, Opinion.unit_id))
        .options(joinedload(Opinion.unit)).order_by(Opinion.created_at, Opinion.id).limit(limit)
    ).all()


def published(user, limit=100):
    """Recently published opinions in the user's scope, newest first (to unpublish one)."""
    return db.session.scalars(
        select(Opinion).where(Opinion.publication == Publication.published, scope_filter(user, Opinion.unit_id))
        .options(joinedload(Opinion.unit)).order_by(Opinion.published_at.desc(), Opinion.id.desc()).limit(limit)
    ).all()


def history(opinion):
    return db.session.scalars(
        select(ModerationLog).where(ModerationLog.opinion_id == opinion.id).options(joinedload(ModerationLog.moderator))
        .order_by(ModerationLog.created_at, ModerationLog.id)
    ).all()


def _log(opinion, moderator, action, reason=None, edited=False):
    db.session.add(ModerationLog(opinion=opinion, moderator=moderator, action=action, reason=reason, edited=edited))


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_l("Please give a reason."))
    return reason[:MAX_REASON]


def publish(opinion, moderator, public_text=None):
    """Publish with personal data masked; an edited text is masked again, to be safe."""
    if opinion.publication == Publication.not_requested:
        raise ModerationError(_l("The citizen did not agree to publish this opinion."))
    if opinion.publication == Publication.published:
        raise ModerationError(_l("This opinion is already published."))
    edited = bool(public_text and public_text.strip())
    text = mask_personal_data(public_text.strip() if edited else opinion.body)
    if not text.strip():
        raise ModerationError(_l("The public text is empty."))
    opinion.public_body = text
    opinion.publication = Publication.published
    opinion.published_at = utcnow()
    _log(opinion, moderator, ModerationAction.publish, edited=edited and text != mask_personal_data(opinion.body))
    db.session.commit()
    forget_cached_pages()
    return opinion


def hide(opinion, moderator, reason):
    """Keep a pending opinion off the forum, with a reason (it stays in the unit's inbox)."""
    if opinion.publication not in (Publication.pending, Publication.published):
        raise ModerationError(_l("This opinion is not waiting for moderation."))
    reason = _reason(reason)
    action = ModerationAction.unpublish if opinion.publication == Publication.published else ModerationAction.hide
    opinion.publication = Publication.hidden
    _log(opinion, moderator, action, reason=reason)
    db.session.commit()
    forget_cached_pages()
    return opinion


def unpublish(opinion, moderator, reason):
    """Take a published opinion off the forum, with a reason."""
    if opinion.publication != Publication.published:
        raise ModerationError(_l("This opinion is not published."))
    return hide(opinion, moderator, reason)
