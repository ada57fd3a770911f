"""Conduct-complaint cases and their append-only, hash-chained history."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.accounts.models import User
from feedback.database import enum_column
from feedback.extensions import db
from feedback.forum.models import Opinion
from feedback.units.models import Unit, utcnow



class CaseStatus(enum.Enum):
    open = "open"
    investigating = "investigating"
    closed = "closed"

    @property
    def label(self):
        return CASE_STATUS_LABELS[self]


CASE_STATUS_LABELS = {
    CaseStatus.open: _l("Open"),
    CaseStatus.investigating: _l("Under investigation"),
    CaseStatus.closed: _l("Closed"),
}


class Disposition(enum.Enum):
    substantiated = "substantiated"
    partly_substantiated = "partly_substantiated"
    unsubstantiated = "unsubstantiated"
    withdrawn = "withdrawn"
    referred = "referred"

    @property
    def label(self):
        return DISPOSITION_LABELS[self]


DISPOSITION_LABELS = {
    Disposition.substantiated: _l("Substantiated"),
    Disposition.partly_substantiated: _l("Partly substantiated"),
    Disposition.unsubstantiated: _l("Unsubstantiated"),
    Disposition.withdrawn: _l("Withdrawn by the complainant"),
    Disposition.referred: _l("Referred to another body"),
}


class Case(db.Model):
    __tablename__ = "conduct_case"  # "case" is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    # One case per opinion: opening is idempotent.
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), default=CaseStatus.open)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    disposition: Mapped[Disposition | None] = mapped_column(enum_column(Disposition, "case_disposition"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Hash of the newest event: deleting events from the end of the chain would otherwise go unnoticed.
    head_hash: Mapped[str | None] = mapped_column(String(64))

    opinion: Mapped[Opinion] = relationship()
    unit: Mapped[Unit] = relationship()
    assigned_to: Mapped[User | None] = relationship()
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.seq")


class CaseEvent(db.Model):
    """One entry of a case's history. Never updated: hash = sha256(canonical JSON of the entry + prev_hash)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("conduct_case.id"), index=True)
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_case_seq"),)


class IdentityView(db.Model):
    """Every time an inspector revealed a complainant's identity."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("conduct_case.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
