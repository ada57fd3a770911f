"""Staff-side records around an opinion: internal notes, reply templates, digest state."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.accounts.models import User
from feedback.extensions import db
from feedback.units.models import Unit, utcnow


class InternalNote(db.Model):
    """A note staff leave on an opinion; never shown to the citizen."""

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ReplyTemplate(db.Model):
    """A reusable answer text of one unit, usable by the staff of the unit and the units below it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit] = relationship()


class DigestState(db.Model):
    """When a user's last daily digest went out: the next one lists what came in since."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    last_sent_at: Mapped[datetime]
    # Ids only grow: anonymous opinions keep the day only, so their created_at cannot mark "new".
    last_opinion_id: Mapped[int | None]
    items_sent: Mapped[int] = mapped_column(default=0)
