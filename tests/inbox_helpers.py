"""Helpers for the inbox, cases, dashboard and mail tests: opinions with chosen tags, quickly."""

import json
from datetime import timedelta

from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import Identity, OpinionKind, OpinionTopic
from feedback.units.models import utcnow


def make_opinion(unit, body="Thủ tục làm căn cước ở đây rất chậm, phải chờ cả buổi sáng.",
                 kind=OpinionKind.suggestion, topics=("procedure",), sentiment="negative", confidence=0.9,
                 identity=Identity.anonymous, created_days_ago=None, due_in_days=None, needs_review=False,
                 explanation=None, **contact):
    """Submit through the forum service (no model), then put the tags the test wants; returns (opinion, receipt)."""
    if identity != Identity.anonymous:
        contact.setdefault("contact_name", "Nguyễn Văn An")
    if contact.get("contact_phone") or contact.get("contact_email"):
        contact.setdefault("contact_consent", True)
    opinion, receipt = forum.submit_opinion(unit, kind, body, identity=identity, classifier=False, **contact)
    if topics:
        opinion.topics = [OpinionTopic(topic=t, confidence=confidence) for t in topics]
        opinion.sentiment = sentiment
        opinion.sentiment_confidence = confidence
        opinion.model_version = "test-1"
        opinion.classified_at = utcnow()
        opinion.needs_review = needs_review
        opinion.explanation = json.dumps({"explanation": explanation or {topics[0]: [["chờ cả buổi", 1.2]]}},
                                         ensure_ascii=False)
    if created_days_ago is not None:
        opinion.created_at = utcnow() - timedelta(days=created_days_ago)
    if due_in_days is not None:
        opinion.due_at = utcnow() + timedelta(days=due_in_days)
    db.session.commit()
    return opinion, receipt


def outbox(app):
    return app.extensions.setdefault("mail_outbox", [])
