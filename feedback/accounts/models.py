"""Staff accounts. Citizens have no account."""

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.database import enum_column
from feedback.extensions import db
from feedback.units.models import Unit, utcnow


class Role(enum.Enum):
    admin = "admin"
    chief = "chief"
    officer = "officer"
    inspector = "inspector"
    moderator = "moderator"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.chief: _l("Unit chief"),
    Role.officer: _l("Officer"),
    Role.inspector: _l("Inspector"),
    Role.moderator: _l("Moderator"),
}


def new_session_token():
    return secrets.token_urlsafe(32)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role", length=16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login remembers this token, not the id: changing it logs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # How new opinions reach this user by e-mail: "immediate", "digest" (daily) or "none".
    notify_mode: Mapped[str] = mapped_column(String(16), default="digest", server_default="digest")

    unit: Mapped[Unit] = relationship()

    # Flask-Login's interface.
    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return self.session_token

    @property
    def is_admin(self):
        return self.role == Role.admin

    def __repr__(self):
        return f"<User {self.id} {self.role.value}>"
