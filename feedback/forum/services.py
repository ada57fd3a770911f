"""Citizen-side operations: send an opinion, tag it, find it by receipt, follow up, agree, list the forum.

Scoring rule for topics (use `counted_topics_filter()`): a topic of an opinion counts when staff
confirmed it, or when the model gave it a confidence of at least TAG_CONFIDENCE_THRESHOLD (0.6).
Staff corrections replace the model's rows by confirmed ones, so a corrected opinion counts only
what staff chose.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from classifier.text import canonical, fold_diacritics
from feedback import signals
from feedback.extensions import db
from feedback.forum.masking import mask_personal_data
from feedback.forum.models import (
    Agreement,
    Answer,
    Channel,
    FollowUp,
    Identity,
    Opinion,
    OpinionKind,
    OpinionTopic,
    Publication,
)
from feedback.units.models import utcnow
from feedback.units.services import subtree_ids

log = logging.getLogger(__name__)

MIN_BODY = 10
MAX_BODY = 5000
MAX_FOLLOW_UP = 5000
RECEIPT_GROUPS = 5
RECEIPT_GROUP_SIZE = 5
RECEIPT_DIGITS = RECEIPT_GROUPS * RECEIPT_GROUP_SIZE  # 10**25 codes: 83 bits
CONDUCT_TOPICS = {"integrity"}

# Days to answer, by kind (config OPINION_DEADLINE_DAYS overrides). Grounds:
# - complaint (khiếu nại / tố cáo cán bộ): Luật Khiếu nại 2011 art. 28 settles a first complaint
#   within 30 days of acceptance; Luật Tố cáo 2018 art. 30 settles a denunciation within 30 days.
# - report, suggestion (phản ánh, kiến nghị): Luật Tiếp công dân 2013 art. 28 and Nghị định
#   20/2008/NĐ-CP on handling phản ánh, kiến nghị ask for a reply/notice on handling within 10 working
#   days; we use 10 calendar days, stricter. Praise follows the same track.
# - question: no statutory term; 7 days is the unit's own service commitment.
# A legal officer should confirm these before go-live; they are configuration, not code.
DEFAULT_DEADLINE_DAYS = {"question": 7, "suggestion": 10, "report": 10, "praise": 10, "complaint": 30}


class OpinionError(Exception):
    """A rule about opinions was broken; the message is shown to the citizen."""


class InvalidReceipt(OpinionError):
    """The receipt code is malformed or matches no opinion."""


# --- receipts -----------------------------------------------------------------


def new_receipt_code():
    """25 random digits in five groups of five (83 bits): easy to copy and to read aloud."""
    digits = f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"
    return "-".join(digits[i : i + RECEIPT_GROUP_SIZE] for i in range(0, RECEIPT_DIGITS, RECEIPT_GROUP_SIZE))


def normalise_receipt(code):
    """The 25 digits of a receipt as typed (spaces, dashes, dots ignored), or None when malformed."""
    digits = re.sub(r"[\s\-.·_/]", "", code or "")
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def receipt_hash(code):
    """HMAC-SHA256 of the digits with the app's secret: lookup-able, useless offline without the key."""
    digits = normalise_receipt(code)
    if digits is None:
        raise InvalidReceipt(_l("A receipt code has 25 digits in five groups, for example 12345-67890-12345-67890-12345."))
    key = (current_app.config.get("RECEIPT_SECRET") or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"receipt:" + digits.encode(), hashlib.sha256).hexdigest()


def find_by_receipt(code):
    """The opinion with this receipt code; InvalidReceipt when malformed or unknown."""
    opinion = db.session.scalar(select(Opinion).where(Opinion.receipt_hash == receipt_hash(code)))
    if opinion is None:
        raise InvalidReceipt(_l("No opinion matches this receipt code. Please check the digits and try again."))
    return opinion


# --- submitting -----------------------------------------------------------------


def clean_text(text):
    """The stored form of a citizen's text: canonical Vietnamese, control characters dropped, trimmed."""
    text = "".join(ch for ch in (text or "") if ch in "\n\t" or ch.isprintable())
    return canonical(text.replace("\r\n", "\n")).strip()


def _optional(value, limit):
    value = clean_text(value)[:limit] if value else ""
    return value or None


def deadline_days(kind):
    days = dict(DEFAULT_DEADLINE_DAYS, **(current_app.config.get("OPINION_DEADLINE_DAYS") or {}))
    return int(days.get(kind.value, 10))


def start_of_day(moment):
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def due_at_for(kind, received):
    """The deadline: whole days counted from the start of the day received, so it never reveals the hour."""
    return start_of_day(received) + timedelta(days=deadline_days(kind) + 1)


def submit_opinion(unit, kind, body, identity=Identity.anonymous, contact_name=None, contact_phone=None,
                   contact_email=None, contact_consent=False, wants_publication=False, officer_name=None,
                   officer_rank=None, officer_badge=None, channel=Channel.web, classifier=None):
    """Store a citizen's opinion, then tag and route it; returns (opinion, receipt code shown once).

    classifier: a model with predict_batch(); None uses the app's model, False skips tagging.
    With the app's model and TAG_IN_BACKGROUND, tagging and routing happen in the background
    tagging thread, a few milliseconds later, instead of in the citizen's request.
    The opinion is committed first, so a classifier failure never loses it.
    """
    kind, identity, channel = OpinionKind(kind), Identity(identity), Channel(channel)
    text = clean_text(body)
    if len(text) < MIN_BODY:
        raise OpinionError(_l("Please write at least %(n)d characters.", n=MIN_BODY))
    if len(text) > MAX_BODY:
        raise OpinionError(_l("Please write at most %(n)d characters.", n=MAX_BODY))
    if unit is None or not unit.is_active:
        raise OpinionError(_l("This unit no longer receives opinions."))
    contact = {"contact_name": _optional(contact_name, 200), "contact_phone": _optional(contact_phone, 40),
               "contact_email": _optional(contact_email, 254)}
    if identity == Identity.anonymous:
        # Anonymous means anonymous: contact details are not kept even if they were typed.
        contact = dict.fromkeys(contact)
        contact_consent = False
    elif not contact["contact_name"]:
        raise OpinionError(_l("Please give your name, or choose to stay anonymous."))
    if (contact["contact_phone"] or contact["contact_email"]) and not contact_consent:
        raise OpinionError(_l("Please agree that the unit may use your contact details, or leave them empty."))

    now = utcnow()
    day = start_of_day(now)
    receipt = new_receipt_code()
    opinion = Opinion(
        unit=unit,
        kind=kind,
        channel=channel,
        body=text,
        search_text=fold_diacritics(text),
        identity=identity,
        contact_consent=bool(contact_consent),
        officer_name=_optional(officer_name, 200),
        officer_rank=_optional(officer_rank, 100),
        officer_badge=_optional(officer_badge, 50),
        publication=Publication.pending if wants_publication else Publication.not_requested,
        receipt_hash=receipt_hash(receipt),
        # Day only for anonymous and sealed opinions: a minute could identify who was at the desk.
        created_at=now if identity == Identity.public else day,
        # From the start of the day, so the deadline does not reveal the hour either.
        due_at=due_at_for(kind, day),
        is_conduct_complaint=kind == OpinionKind.complaint,
        **contact,
    )
    db.session.add(opinion)
    _commit_without_expiring()
    tagging = current_app.extensions.get("tagging")
    if classifier is None and tagging is not None and current_app.config["TAG_IN_BACKGROUND"]:
        tagging.put(opinion.id)
    else:
        tag_and_route([opinion], classifier)
    return opinion, receipt


def _commit_without_expiring():
    """Commit, keeping the loaded objects as they are: the receipt page reads the new opinion and
    its unit next, and they hold exactly what was written (no reloading them from the database)."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


# --- classification -------------------------------------------------------------


def app_classifier():
    """The app's current model, or None (no model, or it failed to load)."""
    from feedback.classifier_admin.services import current_model  # the admin module picks the active version

    return current_model()


def is_conduct_complaint(kind, topics, sentiment):
    """taxonomy.md routing: integrity, or demeanour with a negative stance, or an explicit complaint."""
    return (kind == OpinionKind.complaint or bool(CONDUCT_TOPICS & set(topics))
            or ("demeanour" in topics and sentiment == "negative"))


def apply_prediction(opinion, prediction, model_version):
    """Write the model's tags onto the opinion (confirmed labels are kept); no commit."""
    confirmed = [t for t in opinion.topics if t.is_confirmed]
    if not confirmed:
        opinion.topics = [OpinionTopic(topic=code, confidence=float(prediction.topic_scores.get(code, 0.0)))
                          for code in prediction.topics]
    if not opinion.sentiment_confirmed:
        opinion.sentiment = prediction.sentiment
        opinion.sentiment_confidence = float(prediction.sentiment_scores.get(prediction.sentiment, 0.0))
    opinion.model_version = str(model_version)[:64]
    now = utcnow()
    opinion.classified_at = now if opinion.identity == Identity.public else start_of_day(now)
    opinion.needs_review = bool(prediction.abstain)
    explanation = prediction.to_dict().get("explanation") or {}
    opinion.explanation = json.dumps({"explanation": explanation, "topic_scores": prediction.topic_scores,
                                      "sentiment_scores": prediction.sentiment_scores,
                                      "confidence": prediction.confidence}, ensure_ascii=False)
    topics = [t.topic for t in confirmed] or list(prediction.topics)
    opinion.is_conduct_complaint = opinion.is_conduct_complaint or is_conduct_complaint(
        opinion.kind, topics, opinion.sentiment)


def classify_opinions(opinions, classifier=None):
    """Tag stored opinions with one model call and one commit; returns the ones tagged.

    classifier: a model with predict_batch(); None uses the app's model, False skips tagging.
    Without a model, or when it fails, opinions stay untagged: `flask classifier backfill` tags them later.
    """
    model = app_classifier() if classifier is None else (classifier or None)
    if model is None or not opinions:
        return []
    try:
        predictions = model.predict_batch([opinion.body for opinion in opinions])
    except Exception as error:  # one at a time, to keep the others when one text breaks the model
        log.warning("batch classification failed: %s", type(error).__name__)
        predictions = [None] * len(opinions)
    version = getattr(model, "version", "unknown")
    tagged = []
    for opinion, prediction in zip(opinions, predictions):
        try:
            apply_prediction(opinion, prediction or model.predict(opinion.body), version)
        except Exception as error:  # tagging is optional: the opinion is already safe
            log.warning("classifying opinion %s failed: %s", opinion.id, type(error).__name__)
        else:
            tagged.append(opinion)
    try:
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.warning("storing tags failed: %s", type(error).__name__)
        return []
    return tagged


def tag_and_route(opinions, classifier=None):
    """What follows a submission: tag the new opinions, then announce each one
    (`opinion_submitted`: conduct cases open, staff get mail). Runs in the request,
    or in the background tagging thread (feedback/forum/tagging.py)."""
    classify_opinions(opinions, classifier)
    app = current_app._get_current_object()
    for opinion in opinions:
        signals.opinion_submitted.send(app, opinion=opinion)


def counted_topics_filter():
    """WHERE clause on OpinionTopic: the tags that count in scores and filters (see module docstring)."""
    threshold = current_app.config.get("TAG_CONFIDENCE_THRESHOLD", 0.6)
    return or_(OpinionTopic.is_confirmed.is_(True), OpinionTopic.confidence >= threshold)


# --- tracking -------------------------------------------------------------------


def add_follow_up(opinion, body):
    """The citizen adds information to their opinion (anonymously, with the receipt)."""
    text = clean_text(body)
    if len(text) < 2:
        raise OpinionError(_l("Please write your message."))
    if len(text) > MAX_FOLLOW_UP:
        raise OpinionError(_l("Please write at most %(n)d characters.", n=MAX_FOLLOW_UP))
    now = utcnow()
    message = FollowUp(opinion=opinion, body=text,
                       created_at=now if opinion.identity == Identity.public else start_of_day(now))
    db.session.add(message)
    db.session.commit()
    signals.follow_up_added.send(current_app._get_current_object(), opinion=opinion, message=message)
    return message


def answers_for_citizen(opinion):
    """Every answer the citizen may read (public and private), oldest first."""
    return db.session.scalars(
        select(Answer).where(Answer.opinion_id == opinion.id).options(joinedload(Answer.unit)).order_by(Answer.created_at, Answer.id)
    ).all()


# --- the public forum -----------------------------------------------------------


@dataclass
class ForumFilters:
    unit: object = None
    subtree: bool = True
    topic: str | None = None
    sentiment: str | None = None
    kind: OpinionKind | None = None
    answered: bool | None = None


@dataclass
class ForumPage:
    opinions: list
    answers: dict       # opinion id -> public answers
    next_cursor: str | None


def encode_cursor(opinion):
    return f"{opinion.published_at.isoformat()}_{opinion.id}"


def decode_cursor(cursor):
    """(published_at, id) from a cursor string, or None when absent or malformed."""
    try:
        moment, _, number = (cursor or "").partition("_")
        return datetime.fromisoformat(moment), int(number)
    except (ValueError, TypeError):
        return None


def _public_answer_exists():
    return exists().where(Answer.opinion_id == Opinion.id, Answer.is_public.is_(True))


def list_published(filters, cursor=None, limit=20):
    """One page of published opinions, newest first: keyset pagination, no COUNT."""
    query = select(Opinion).where(Opinion.publication == Publication.published)
    if filters.unit is not None:
        if filters.subtree:
            query = query.where(Opinion.unit_id.in_(subtree_ids(filters.unit.id)))
        else:
            query = query.where(Opinion.unit_id == filters.unit.id)
    if filters.topic:
        query = query.where(exists().where(OpinionTopic.opinion_id == Opinion.id, OpinionTopic.topic == filters.topic,
                                           counted_topics_filter()))
    if filters.sentiment:
        query = query.where(Opinion.sentiment == filters.sentiment)
    if filters.kind:
        query = query.where(Opinion.kind == filters.kind)
    if filters.answered is not None:
        query = query.where(_public_answer_exists() if filters.answered else ~_public_answer_exists())
    position = decode_cursor(cursor)
    if position:
        moment, number = position
        query = query.where(or_(Opinion.published_at < moment, and_(Opinion.published_at == moment, Opinion.id < number)))
    query = query.order_by(Opinion.published_at.desc(), Opinion.id.desc()).limit(limit + 1)
    query = query.options(joinedload(Opinion.unit), selectinload(Opinion.topics))
    opinions = db.session.scalars(query).unique().all()
    next_cursor = encode_cursor(opinions[limit - 1]) if len(opinions) > limit else None
    opinions = opinions[:limit]
    return ForumPage(opinions, public_answers([o.id for o in opinions]), next_cursor)


def public_answers(opinion_ids):
    """opinion id -> its public answers, oldest first, in one query."""
    result = {opinion_id: [] for opinion_id in opinion_ids}
    if not opinion_ids:
        return result
    rows = db.session.scalars(
        select(Answer).where(Answer.opinion_id.in_(opinion_ids), Answer.is_public.is_(True))
        .options(joinedload(Answer.unit)).order_by(Answer.created_at, Answer.id)
    )
    for answer in rows:
        result[answer.opinion_id].append(answer)
    return result


def get_opinion(opinion_id):
    return db.session.get(Opinion, opinion_id)


def get_published(opinion_id):
    opinion = db.session.get(Opinion, opinion_id)
    return opinion if opinion is not None and opinion.publication == Publication.published else None


def voter_hash(token):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"agree:" + token.encode(), hashlib.sha256).hexdigest()


def agree(opinion, voter_token):
    """Count one "agree" per browser token; False when this browser already agreed."""
    if opinion.publication != Publication.published:
        raise OpinionError(_l("This opinion is not published."))
    db.session.add(Agreement(opinion_id=opinion.id, voter_hash=voter_hash(voter_token)))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    db.session.execute(update(Opinion).where(Opinion.id == opinion.id).values(agree_count=Opinion.agree_count + 1))
    db.session.commit()
    return True


def cached_page(key):
    """(rendered forum page, seconds it stays fresh) kept by this worker, or None.

    The forum is read far more than written; cached pages hold only public data."""
    hit = current_app.extensions.get("forum_page_cache", {}).get(key)
    if hit is None:
        return None
    left = hit[0] - time.monotonic()
    return (hit[1], int(left)) if left > 0 else None


def cache_page(key, html):
    """Keep a rendered page for FORUM_CACHE_SECONDS; returns those seconds (0: no cache)."""
    ttl = current_app.config["FORUM_CACHE_SECONDS"]
    if ttl:
        cache = current_app.extensions.setdefault("forum_page_cache", {})
        if len(cache) >= 1000:
            cache.clear()
        cache[key] = (time.monotonic() + ttl, html)
    return ttl


def forget_cached_pages():
    """After a change this worker made (agree, publish): show it at once here; others follow within the TTL."""
    current_app.extensions.get("forum_page_cache", {}).clear()
    public_pages = current_app.extensions.get("public_page_cache")
    if public_pages is not None:
        public_pages.clear()


def public_author(opinion):
    """The name shown publicly: the citizen's name only when they chose a public identity."""
    if opinion.identity == Identity.public and opinion.contact_name:
        return opinion.contact_name
    return None


def masked_preview(opinion):
    """What the public would see if the opinion were published now."""
    return mask_personal_data(opinion.body)
