"""The moderation log: who published, hid or unpublished which opinion, and why."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.accounts.models import User
from feedback.database import enum_column
from feedback.extensions import db
from feedback.forum.models import Opinion
from feedback.units.models import utcnow


class ModerationAction(enum.Enum):
    publish = "publish"
    hide = "hide"
    unpublish = "unpublish"

    @property
    def label(self):
        return ACTION_LABELS[self]


ACTION_LABELS = {
    ModerationAction.publish: _l("Published"),
    ModerationAction.hide: _l("Hidden"),
    ModerationAction.unpublish: _l("Unpublished"),
}


class ModerationLog(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[ModerationAction] = mapped_column(
        enum_column(ModerationAction, "moderation_action", length=16))
    reason: Mapped[str | None] = mapped_column(Text)
    # True when the moderator edited the automatically masked text before publishing.
    edited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    opinion: Mapped[Opinion] = relationship()
    moderator: Mapped[User] = relationship()

    __table_args__ = (Index("ix_moderation_log_opinion", "opinion_id", "created_at"),)
