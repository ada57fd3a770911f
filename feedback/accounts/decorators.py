"""Route guards for staff pages."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from feedback.accounts.models import Role


def roles_required(*roles):
    """Logged in, active, and holding one of the roles (an administrator always passes)."""
    allowed = {Role(r) for r in roles} | {Role.admin}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = roles_required(*Role)
admin_required = roles_required(Role.admin)
