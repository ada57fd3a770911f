"""The staff inbox: find, tag, assign, answer and close opinions; deadlines and escalation."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from classifier.text import canonical, fold_diacritics
from feedback.accounts.models import Role, User
from feedback.accounts.scope import can_see_unit, scope_filter
from feedback import spreadsheets
from feedback.extensions import db
from feedback.forum.models import (
    SENTIMENT_CODES,
    TOPIC_CODES,
    Answer,
    Channel,
    Opinion,
    OpinionKind,
    OpinionStatus,
    OpinionTopic,
    TagCorrection,
)
from feedback.inbox.models import InternalNote, ReplyTemplate
from feedback.signals import opinion_answered
from feedback.units.models import Unit, UnitClosure, utcnow
from feedback.units.services import subtree_ids

LOW_CONFIDENCE = 0.6
PER_PAGE = 25
MAX_EXPORT_ROWS = 50_000
OPEN_STATUSES = (OpinionStatus.new, OpinionStatus.in_progress)

# Manual status changes; answering moves to "answered" by itself.
TRANSITIONS = {
    OpinionStatus.new: {OpinionStatus.in_progress},
    OpinionStatus.in_progress: {OpinionStatus.answered},
    OpinionStatus.answered: {OpinionStatus.closed, OpinionStatus.in_progress},
    OpinionStatus.closed: {OpinionStatus.in_progress},
}
INBOX_ROLES = {Role.officer, Role.chief, Role.admin}


class InboxError(Exception):
    """A rule of the inbox was broken; the message is shown to the user."""


class InvalidTransition(InboxError):
    pass


class InvalidTags(InboxError):
    pass


class InvalidAssignee(InboxError):
    pass


def is_overdue(opinion, now=None):
    return (opinion.due_at is not None and opinion.status in OPEN_STATUSES
            and opinion.due_at < (now or utcnow()))


def days_left(opinion, now=None):
    """Whole days until the deadline (negative when overdue), or None without a deadline."""
    if opinion.due_at is None:
        return None
    delta = opinion.due_at - (now or utcnow())
    return delta.days if delta.total_seconds() >= 0 else -max(1, (-delta).days)


# --- Listing ---------------------------------------------------------------------------------------


@dataclass
class InboxFilter:
    unit_id: int | None = None
    topic: str | None = None
    sentiment: str | None = None
    kind: OpinionKind | None = None
    status: OpinionStatus | None = None
    channel: Channel | None = None
    date_from: date | None = None
    date_to: date | None = None
    review_first: bool = False
    overdue: bool = False
    mine: bool = False
    escalated: bool = False
    q: str = ""
    extra: dict = field(default_factory=dict)


def _like_pattern(word):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def inbox_query(user, filters, now=None):
    """The SELECT of the opinions the user may see, narrowed by the filters, in display order."""
    now = now or utcnow()
    query = select(Opinion).where(scope_filter(user, Opinion.unit_id))
    if filters.unit_id:
        query = query.where(Opinion.unit_id.in_(subtree_ids(filters.unit_id)))
    if filters.topic:
        query = query.where(Opinion.id.in_(select(OpinionTopic.opinion_id).where(OpinionTopic.topic == filters.topic)))
    if filters.sentiment:
        query = query.where(Opinion.sentiment == filters.sentiment)
    if filters.kind:
        query = query.where(Opinion.kind == filters.kind)
    if filters.status:
        query = query.where(Opinion.status == filters.status)
    if filters.channel:
        query = query.where(Opinion.channel == filters.channel)
    if filters.date_from:
        query = query.where(Opinion.created_at >= datetime.combine(filters.date_from, datetime.min.time()))
    if filters.date_to:
        query = query.where(Opinion.created_at < datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time()))
    if filters.overdue:
        query = query.where(Opinion.due_at < now, Opinion.status.in_(OPEN_STATUSES))
    if filters.mine:
        query = query.where(Opinion.assigned_to_id == user.id)
    if filters.escalated:
        query = query.where(Opinion.escalated_at.is_not(None))
        if not user.is_admin:
            query = query.where(Opinion.unit_id.in_(select(Unit.id).where(Unit.parent_id == user.unit_id)))
    for word in fold_diacritics(filters.q or "").split()[:8]:
        query = query.where(Opinion.search_text.like(_like_pattern(word), escape="\\"))
    if filters.review_first:
        low = or_(Opinion.needs_review.is_(True), Opinion.classified_at.is_(None),
                  Opinion.sentiment_confidence < LOW_CONFIDENCE)
        query = query.order_by(case((and_(low, Opinion.sentiment_confirmed.is_(False)), 0), else_=1),
                               func.coalesce(Opinion.sentiment_confidence, 0))
    return query.order_by(Opinion.created_at.desc(), Opinion.id.desc())


def list_opinions(user, filters, page=1, per_page=PER_PAGE):
    """One page of the inbox, with topics, units and assignees loaded."""
    query = inbox_query(user, filters).options(
        selectinload(Opinion.topics), selectinload(Opinion.unit), selectinload(Opinion.assigned_to))
    return db.paginate(query, page=page, per_page=per_page, error_out=False, max_per_page=100)


def units_in_scope(user):
    """The units the user may filter by, in code order."""
    return db.session.scalars(select(Unit).where(scope_filter(user, Unit.id)).order_by(Unit.code)).all()


def inbox_counts(user, now=None):
    """Counts for the inbox header: open, overdue, escalated to me, needing review."""
    now = now or utcnow()
    scope = scope_filter(user, Opinion.unit_id)
    open_ = Opinion.status.in_(OPEN_STATUSES)
    row = db.session.execute(select(
        func.count().filter(open_),
        func.count().filter(open_, Opinion.due_at < now),
        func.count().filter(open_, Opinion.needs_review.is_(True)),
    ).select_from(Opinion).where(scope)).one()
    escalated = db.session.scalar(inbox_query(user, InboxFilter(escalated=True, status=None), now)
                                  .where(open_).with_only_columns(func.count()).order_by(None))
    return {"open": row[0], "overdue": row[1], "review": row[2], "escalated": escalated}


# --- Export ----------------------------------------------------------------------------------------

EXPORT_HEADER = ["id", "created_at", "unit_code", "unit", "kind", "channel", "status", "topics", "topics_confirmed",
                 "sentiment", "sentiment_confidence", "sentiment_confirmed", "due_at", "first_answered_at",
                 "assigned_to", "identity", "public_name", "officer_named", "body"]


def export_rows(user, filters):
    """Rows of the filtered view for CSV/XLSX; no contact details except names the citizen made public."""
    query = inbox_query(user, filters).options(
        selectinload(Opinion.topics), selectinload(Opinion.unit), selectinload(Opinion.assigned_to)
    ).limit(MAX_EXPORT_ROWS)
    for opinion in db.session.scalars(query):
        yield (
            opinion.id,
            opinion.created_at.isoformat(sep=" ", timespec="minutes"),
            opinion.unit.code,
            opinion.unit.name_vi,
            opinion.kind.value,
            opinion.channel.value,
            opinion.status.value,
            ";".join(opinion.topic_codes),
            "yes" if opinion.topics and all(t.is_confirmed for t in opinion.topics) else "no",
            opinion.sentiment or "",
            "" if opinion.sentiment_confidence is None else round(opinion.sentiment_confidence, 3),
            "yes" if opinion.sentiment_confirmed else "no",
            opinion.due_at.isoformat(sep=" ", timespec="minutes") if opinion.due_at else "",
            opinion.first_answered_at.isoformat(sep=" ", timespec="minutes") if opinion.first_answered_at else "",
            opinion.assigned_to.full_name if opinion.assigned_to else "",
            opinion.identity.value,
            (opinion.contact_name or "") if opinion.identity.value == "public" else "",
            opinion.officer_name or "",
            opinion.body,
        )


def export_csv(user, filters):
    """The filtered view as CSV bytes (see feedback.spreadsheets)."""
    return spreadsheets.to_csv(EXPORT_HEADER, export_rows(user, filters))


def export_xlsx(user, filters):
    """The filtered view as the bytes of an XLSX workbook."""
    return spreadsheets.to_xlsx([("opinions", EXPORT_HEADER, export_rows(user, filters))])


# --- Acting on one opinion -------------------------------------------------------------------------


def confirm_tags(opinion, topics, sentiment, actor):
    """Confirm or correct the topics (1–3) and sentiment; the change is kept as a TagCorrection."""
    topics = list(dict.fromkeys(t for t in topics if t))
    if not 1 <= len(topics) <= 3 or any(t not in TOPIC_CODES for t in topics):
        raise InvalidTags("Choose one to three topics.")
    if sentiment not in SENTIMENT_CODES:
        raise InvalidTags("Choose a sentiment.")
    old_topics = ",".join(opinion.topic_codes)
    old_sentiment = opinion.sentiment
    existing = {t.topic: t for t in opinion.topics}
    for code, topic in existing.items():
        if code not in topics:
            opinion.topics.remove(topic)
    for code in topics:
        topic = existing.get(code)
        if topic is None:
            topic = OpinionTopic(topic=code, confidence=None)
            opinion.topics.append(topic)
        topic.is_confirmed = True
    opinion.sentiment = sentiment
    opinion.sentiment_confirmed = True
    opinion.needs_review = False
    db.session.add(TagCorrection(opinion_id=opinion.id, user_id=actor.id, old_topics=old_topics,
                                 new_topics=",".join(topics), old_sentiment=old_sentiment, new_sentiment=sentiment))
    db.session.commit()
    # A correction to "integrity" (or negative demeanour) makes it a conduct complaint.
    from feedback.cases import services as cases

    cases.open_case_for(opinion)
    return opinion


def confirm_model_tags(opinion, actor):
    """Accept the classifier's suggestion as it is; False when there is nothing to confirm."""
    if not opinion.topics or not opinion.sentiment:
        return False
    confirm_tags(opinion, opinion.topic_codes[:3], opinion.sentiment, actor)
    return True


def change_status(opinion, status, actor, now=None):
    """Move along new → in progress → answered → closed; closed may be reopened to in progress."""
    status = OpinionStatus(status)
    if status == opinion.status:
        return opinion
    if status not in TRANSITIONS[opinion.status]:
        raise InvalidTransition(f"{opinion.status.value} -> {status.value}")
    if status == OpinionStatus.answered and not opinion.answers:
        raise InvalidTransition("answer first")
    now = now or utcnow()
    opinion.status = status
    opinion.closed_at = now if status == OpinionStatus.closed else None
    db.session.commit()
    return opinion


def assignable_users(opinion, actor):
    """Officers of the opinion's unit and chiefs above it, within the actor's scope."""
    ancestors = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == opinion.unit_id)
    query = select(User).where(
        User.is_active.is_(True),
        scope_filter(actor, User.unit_id),
        or_(and_(User.role == Role.officer, User.unit_id == opinion.unit_id),
            and_(User.role == Role.chief, User.unit_id.in_(ancestors))),
    ).order_by(User.full_name)
    return db.session.scalars(query).all()


def staff_in_scope(actor):
    """Officers and chiefs the actor may assign work to (for bulk assignment)."""
    query = select(User).where(User.is_active.is_(True), User.role.in_([Role.officer, Role.chief]),
                               scope_filter(actor, User.unit_id)).order_by(User.full_name)
    return db.session.scalars(query).all()


def _check_assignee(opinion, assignee, actor):
    if (assignee is None or not assignee.is_active or assignee.role not in (Role.officer, Role.chief)
            or not can_see_unit(actor, assignee.unit_id) or not can_see_unit(assignee, opinion.unit_id)):
        raise InvalidAssignee("not assignable")


def assign(opinion, assignee, actor):
    """Give the opinion to a named officer or chief; a new opinion moves to in progress."""
    _check_assignee(opinion, assignee, actor)
    opinion.assigned_to = assignee
    if opinion.status == OpinionStatus.new:
        opinion.status = OpinionStatus.in_progress
    db.session.commit()
    return opinion


def add_note(opinion, body, actor):
    """An internal note, never shown to the citizen."""
    note = InternalNote(opinion_id=opinion.id, author_id=actor.id, body=canonical(body.strip()))
    db.session.add(note)
    db.session.commit()
    return note


def notes_of(opinion):
    return db.session.scalars(select(InternalNote).where(InternalNote.opinion_id == opinion.id)
                              .options(selectinload(InternalNote.author)).order_by(InternalNote.id)).all()


def corrections_of(opinion):
    return db.session.scalars(select(TagCorrection).where(TagCorrection.opinion_id == opinion.id)
                              .options(selectinload(TagCorrection.user)).order_by(TagCorrection.id)).all()


def answer_opinion(opinion, body, is_public, actor, now=None):
    """Answer in the unit's name; sets the status to answered and signals opinion_answered."""
    if opinion.status == OpinionStatus.closed:
        raise InvalidTransition("closed")
    now = now or utcnow()
    answer = Answer(opinion_id=opinion.id, unit_id=opinion.unit_id, author_id=actor.id,
                    body=canonical(body.strip()), is_public=bool(is_public), created_at=now)
    db.session.add(answer)
    opinion.status = OpinionStatus.answered
    opinion.first_answered_at = opinion.first_answered_at or now
    db.session.commit()
    opinion_answered.send(current_app._get_current_object(), opinion=opinion, answer=answer)
    return answer


def explanation_of(opinion):
    """The classifier's reasons: {label: [(phrase, weight), ...]}, empty when absent or unreadable."""
    if not opinion.explanation:
        return {}
    try:
        data = json.loads(opinion.explanation)
    except ValueError:
        return {}
    if isinstance(data, dict) and isinstance(data.get("explanation"), dict):
        data = data["explanation"]  # the forum stores it next to the scores
    if not isinstance(data, dict):
        return {}
    return {str(label): [(str(p[0]), float(p[1])) for p in phrases if isinstance(p, (list, tuple)) and len(p) == 2]
            for label, phrases in data.items() if isinstance(phrases, list)}


# --- Bulk actions ----------------------------------------------------------------------------------


def opinions_by_ids(user, ids):
    """The opinions among ids that the user may see (others are silently left out)."""
    ids = [int(i) for i in ids][:500]
    if not ids:
        return []
    return db.session.scalars(select(Opinion).where(Opinion.id.in_(ids), scope_filter(user, Opinion.unit_id))
                              .order_by(Opinion.id)).all()


def bulk_action(user, ids, action, assignee=None, status=None):
    """Apply one action to the selected opinions in scope; returns (done, skipped)."""
    done = skipped = 0
    for opinion in opinions_by_ids(user, ids):
        try:
            if action == "assign":
                assign(opinion, assignee, user)
            elif action == "status":
                change_status(opinion, status, user)
            elif action == "confirm":
                if not confirm_model_tags(opinion, user):
                    skipped += 1
                    continue
            else:
                raise InboxError(action)
        except InboxError:
            db.session.rollback()
            skipped += 1
            continue
        done += 1
    skipped += max(0, len(set(ids)) - done - skipped)
    return done, skipped


# --- Reply templates -------------------------------------------------------------------------------


def templates_for(opinion_or_user):
    """Templates usable for an opinion: those of its unit and of every unit above it."""
    unit_id = opinion_or_user.unit_id
    ancestors = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit_id)
    return db.session.scalars(select(ReplyTemplate).where(ReplyTemplate.unit_id.in_(ancestors))
                              .order_by(ReplyTemplate.title)).all()


def manageable_templates(user):
    return db.session.scalars(select(ReplyTemplate).where(scope_filter(user, ReplyTemplate.unit_id))
                              .options(selectinload(ReplyTemplate.unit)).order_by(ReplyTemplate.title)).all()


def save_template(template, unit, title, body, actor):
    """Create (template None) or update a reply template of a unit in the actor's scope."""
    if not can_see_unit(actor, unit.id):
        raise InboxError("unit out of scope")
    if template is None:
        template = ReplyTemplate()
        db.session.add(template)
    template.unit_id, template.title, template.body = unit.id, title.strip(), canonical(body.strip())
    template.updated_by_id = actor.id
    db.session.commit()
    return template


def delete_template(template, actor):
    db.session.delete(template)
    db.session.commit()


# --- Deadlines -------------------------------------------------------------------------------------


def escalate_overdue(now=None):
    """Mark newly overdue opinions escalated and tell the chiefs of each parent unit; returns the count."""
    from feedback.inbox import notifications

    now = now or utcnow()
    opinions = db.session.scalars(select(Opinion).where(
        Opinion.due_at < now, Opinion.status.in_(OPEN_STATUSES), Opinion.escalated_at.is_(None)
    ).options(selectinload(Opinion.unit)).order_by(Opinion.id)).all()
    for opinion in opinions:
        opinion.escalated_at = now
    db.session.commit()
    notifications.notify_escalated(opinions)
    return len(opinions)


def set_notify_mode(user, mode):
    """How the user wants e-mail: immediate, digest or none."""
    if mode not in ("immediate", "digest", "none"):
        raise InboxError(mode)
    user.notify_mode = mode
    db.session.commit()
    return user
