"""Versions of the classifier model trained in the app, and which one is in use."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.accounts.models import User
from feedback.extensions import db
from feedback.units.models import utcnow


class ModelVersion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    metrics: Mapped[str | None] = mapped_column(Text)  # JSON: held-out figures from training
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # At most one row is active; none active means the configured (bundled) model.
    is_active: Mapped[bool] = mapped_column(default=False, index=True)
    activated_at: Mapped[datetime | None]
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    n_examples: Mapped[int | None]
    n_corrections: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)

    activated_by: Mapped[User | None] = relationship()

    @property
    def metrics_dict(self):
        try:
            return json.loads(self.metrics) if self.metrics else {}
        except ValueError:
            return {}
