"""Citizens' opinions, their tags, answers and follow-up messages."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.accounts.models import User
from feedback.database import enum_column
from feedback.extensions import db
from feedback.units.models import Unit, utcnow



class OpinionKind(enum.Enum):
    suggestion = "suggestion"   # góp ý
    report = "report"           # phản ánh
    praise = "praise"           # khen ngợi
    question = "question"       # hỏi
    complaint = "complaint"     # khiếu nại / tố cáo cán bộ

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    OpinionKind.suggestion: _l("Suggestion"),
    OpinionKind.report: _l("Report"),
    OpinionKind.praise: _l("Praise"),
    OpinionKind.question: _l("Question"),
    OpinionKind.complaint: _l("Complaint about an officer's conduct"),
}


class Identity(enum.Enum):
    public = "public"        # name shown with the opinion
    sealed = "sealed"        # name known only to the inspectors of a case
    anonymous = "anonymous"  # no name, no IP, no user agent

    @property
    def label(self):
        return IDENTITY_LABELS[self]


IDENTITY_LABELS = {
    Identity.public: _l("Public name"),
    Identity.sealed: _l("Sealed name (only inspectors can see it)"),
    Identity.anonymous: _l("Anonymous"),
}


class OpinionStatus(enum.Enum):
    new = "new"
    in_progress = "in_progress"
    answered = "answered"
    closed = "closed"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    OpinionStatus.new: _l("New"),
    OpinionStatus.in_progress: _l("In progress"),
    OpinionStatus.answered: _l("Answered"),
    OpinionStatus.closed: _l("Closed"),
}


class Channel(enum.Enum):
    web = "web"
    survey = "survey"


class Publication(enum.Enum):
    not_requested = "not_requested"  # the citizen did not consent to publication
    pending = "pending"              # waiting in the moderation queue
    published = "published"
    hidden = "hidden"

    @property
    def label(self):
        return PUBLICATION_LABELS[self]


PUBLICATION_LABELS = {
    Publication.not_requested: _l("Not for publication"),
    Publication.pending: _l("Waiting for moderation"),
    Publication.published: _l("Published"),
    Publication.hidden: _l("Hidden"),
}


TOPIC_CODES = ("demeanour", "procedure", "integrity", "responsiveness", "public_order", "traffic", "facilities", "other")
SENTIMENT_CODES = ("negative", "neutral", "positive")

TOPIC_LABELS = {
    "demeanour": _l("Demeanour and conduct"),
    "procedure": _l("Administrative procedure"),
    "integrity": _l("Integrity, harassment"),
    "responsiveness": _l("Responsiveness to reports"),
    "public_order": _l("Public order and security"),
    "traffic": _l("Traffic order and safety"),
    "facilities": _l("Facilities and equipment"),
    "other": _l("Other"),
}
SENTIMENT_LABELS = {
    "negative": _l("Negative"),
    "neutral": _l("Neutral"),
    "positive": _l("Positive"),
}


class Opinion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[OpinionKind] = mapped_column(enum_column(OpinionKind, "opinion_kind"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "opinion_channel"), default=Channel.web)
    # As written, after Unicode NFC and one tone-mark placement (classifier.text.canonical).
    body: Mapped[str] = mapped_column(Text)
    # Lower-case body without diacritics, for staff search that ignores accents.
    search_text: Mapped[str] = mapped_column(Text, default="")

    officer_name: Mapped[str | None] = mapped_column(String(200))
    officer_rank: Mapped[str | None] = mapped_column(String(100))
    officer_badge: Mapped[str | None] = mapped_column(String(50))

    identity: Mapped[Identity] = mapped_column(enum_column(Identity, "opinion_identity"))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_consent: Mapped[bool] = mapped_column(default=False)

    publication: Mapped[Publication] = mapped_column(enum_column(Publication, "opinion_publication"),
                                                     default=Publication.not_requested)
    # The text shown on the public forum: personal data masked, possibly edited by a moderator.
    public_body: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]

    # Only a hash of the receipt code is kept; the code itself is shown to the citizen once.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)

    status: Mapped[OpinionStatus] = mapped_column(enum_column(OpinionStatus, "opinion_status"), default=OpinionStatus.new)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Anonymous and sealed opinions keep the day only (see forum.services.submit_opinion).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    first_answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    # Classifier output; confirmed labels live in OpinionTopic.is_confirmed / sentiment_confirmed.
    sentiment: Mapped[str | None] = mapped_column(String(16))
    sentiment_confidence: Mapped[float | None] = mapped_column(Float)
    sentiment_confirmed: Mapped[bool] = mapped_column(default=False)
    model_version: Mapped[str | None] = mapped_column(String(64))
    classified_at: Mapped[datetime | None]
    # The model abstained: a person should look at the tags first.
    needs_review: Mapped[bool] = mapped_column(default=False)
    explanation: Mapped[str | None] = mapped_column(Text)  # JSON from the classifier
    is_conduct_complaint: Mapped[bool] = mapped_column(default=False)

    agree_count: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship()
    assigned_to: Mapped[User | None] = relationship()
    topics: Mapped[list["OpinionTopic"]] = relationship(back_populates="opinion", cascade="all, delete-orphan",
                                                        order_by="OpinionTopic.confidence.desc()")
    answers: Mapped[list["Answer"]] = relationship(back_populates="opinion", cascade="all, delete-orphan",
                                                   order_by="Answer.created_at")
    follow_ups: Mapped[list["FollowUp"]] = relationship(back_populates="opinion", cascade="all, delete-orphan",
                                                        order_by="FollowUp.id")

    __table_args__ = (
        Index("ix_opinion_unit_created", "unit_id", "created_at"),
        Index("ix_opinion_publication_published", "publication", "published_at"),
        Index("ix_opinion_status_due", "status", "due_at"),
        # The public forum filtered by unit subtree, newest first.
        Index("ix_opinion_unit_publication", "unit_id", "publication", "published_at"),
    )

    @property
    def topic_codes(self):
        return [t.topic for t in self.topics]

    @property
    def is_tagged(self):
        return self.classified_at is not None or any(t.is_confirmed for t in self.topics)


class OpinionTopic(db.Model):
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(24), primary_key=True)
    # The model's probability; None when staff added the topic.
    confidence: Mapped[float | None] = mapped_column(Float)
    is_confirmed: Mapped[bool] = mapped_column(default=False)

    opinion: Mapped[Opinion] = relationship(back_populates="topics")

    __table_args__ = (Index("ix_opinion_topic_topic", "topic", "opinion_id"),)

    @property
    def label(self):
        return TOPIC_LABELS.get(self.topic, self.topic)


class TagCorrection(db.Model):
    """A staff member's confirmation or correction of the tags: kept forever, becomes training data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    old_topics: Mapped[str] = mapped_column(String(200))   # comma-separated codes
    new_topics: Mapped[str] = mapped_column(String(200))
    old_sentiment: Mapped[str | None] = mapped_column(String(16))
    new_sentiment: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship()


class Answer(db.Model):
    """An answer signed with the unit's name; the author is recorded internally only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    opinion: Mapped[Opinion] = relationship(back_populates="answers")
    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship()


class FollowUp(db.Model):
    """A message the citizen added later with the receipt code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    opinion: Mapped[Opinion] = relationship(back_populates="follow_ups")


class Agreement(db.Model):
    """One "agree" per browser: a hash of a random cookie value, never an IP address."""

    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), primary_key=True)
    voter_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
