"""Who may see and act on what: the one place that answers scope questions.

A chief, an inspector and a moderator see their home unit's subtree, an officer their own unit,
an administrator everything. Views use `scope_filter` for lists and `get_in_scope_or_404` for one object.
"""

from flask import abort
from sqlalchemy import select, true

from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.units.models import UnitClosure

SUBTREE_ROLES = {Role.chief, Role.inspector, Role.moderator}


def visible_unit_ids(user):
    """A SELECT of the unit ids the user may see, or None for an administrator (no restriction)."""
    if user.role == Role.admin:
        return None
    query = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == user.unit_id)
    if user.role not in SUBTREE_ROLES:
        query = query.where(UnitClosure.depth == 0)
    return query


def scope_filter(user, unit_id_column):
    """A WHERE clause restricting unit_id_column to the units the user may see."""
    ids = visible_unit_ids(user)
    return true() if ids is None else unit_id_column.in_(ids)


def can_see_unit(user, unit_id):
    """May this user see or act on objects of this unit?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    ids = visible_unit_ids(user)
    if ids is None:
        return True
    return db.session.scalar(select(ids.where(UnitClosure.descendant_id == unit_id).exists())) or False


def require_unit(user, unit_id):
    """Abort with 404 (not 403: do not reveal that the object exists) when out of scope."""
    if unit_id is None or not can_see_unit(user, unit_id):
        abort(404)


def get_in_scope_or_404(model, object_id, user, unit_attr="unit_id"):
    """Load one object by id and check that the user may see its unit."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    require_unit(user, getattr(obj, unit_attr))
    return obj
