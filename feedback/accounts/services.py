"""Account operations: create, authenticate, change password, re-role, deactivate."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from feedback.accounts.models import Role, User, new_session_token
from feedback.extensions import db
from feedback.units.models import utcnow

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher_for(time_cost, memory_cost):
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    # Verified against when the e-mail is unknown, so a failed login takes the same time either way.
    return hasher, hasher.hash("not a real password, only for timing")


def password_hasher():
    """Argon2id with the library's defaults; tests lower the cost through ARGON2_* settings."""
    config = current_app.config
    return _hasher_for(config.get("ARGON2_TIME_COST", 3), config.get("ARGON2_MEMORY_COST", 65536))


class AccountError(Exception):
    """An account rule was broken; the message is shown to the user."""


def normalise_email(email):
    return (email or "").strip().lower()


def check_password_strength(password, email=""):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if password.isdigit() or password.lower() in normalise_email(email):
        raise AccountError(_l("The password is too easy to guess."))


def get_user_by_email(email):
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email, full_name, role, unit, password):
    """Create a staff account attached to a home unit."""
    email = normalise_email(email)
    if get_user_by_email(email) is not None:
        raise AccountError(_l("An account with this e-mail address already exists."))
    check_password_strength(password, email)
    hasher, _dummy = password_hasher()
    user = User(email=email, full_name=full_name.strip(), role=Role(role), unit=unit,
                password_hash=hasher.hash(password), password_changed_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email, password):
    """The active user with this e-mail and password, or None."""
    user = get_user_by_email(email)
    hasher, dummy_hash = password_hasher()
    try:
        hasher.verify(user.password_hash if user else dummy_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user, current_password, new_password):
    """Change the password and end every other session of the user."""
    hasher, _dummy = password_hasher()
    try:
        hasher.verify(user.password_hash, current_password or "")
    except (VerificationError, InvalidHashError):
        raise AccountError(_l("The current password is wrong.")) from None
    set_password(user, new_password)


def set_password(user, new_password):
    check_password_strength(new_password, user.email)
    user.password_hash = password_hasher()[0].hash(new_password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    db.session.commit()


def update_account(user, role, unit, is_active, actor):
    """Change role, home unit or active flag; an admin cannot lock themselves out."""
    role = Role(role)
    if user.id == actor.id and (role != Role.admin or not is_active):
        raise AccountError(_l("You cannot remove your own administrator rights or deactivate yourself."))
    if user.role == Role.admin and (role != Role.admin or not is_active) and count_active_admins() <= 1:
        raise AccountError(_l("There must remain at least one active administrator."))
    changed_access = (user.role, user.unit_id, user.is_active) != (role, unit.id, is_active)
    user.role, user.unit, user.is_active = role, unit, is_active
    if changed_access:
        # Sessions opened under the old role or unit must not keep their old powers.
        user.session_token = new_session_token()
    db.session.commit()
    return user


def count_active_admins():
    return db.session.scalar(select(func.count()).where(User.role == Role.admin, User.is_active.is_(True)))


def list_users(search=None):
    query = select(User).order_by(User.full_name)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.full_name).like(pattern) | User.email.like(pattern))
    return db.session.scalars(query).all()
