"""The unit tree (closure table) and emulation clusters."""

import enum
from datetime import datetime, timezone

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.database import enum_column
from feedback.extensions import db


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class UnitLevel(enum.Enum):
    ministry = "ministry"
    province = "province"
    district = "district"
    commune = "commune"
    department = "department"
    team = "team"

    @property
    def label(self):
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    UnitLevel.ministry: _l("Ministry"),
    UnitLevel.province: _l("Province"),
    UnitLevel.district: _l("District"),
    UnitLevel.commune: _l("Commune / ward"),
    UnitLevel.department: _l("Department"),
    UnitLevel.team: _l("Team"),
}

# Which levels may hold a unit of each level.
ALLOWED_PARENTS = {
    UnitLevel.ministry: set(),
    UnitLevel.province: {UnitLevel.ministry},
    UnitLevel.district: {UnitLevel.province},
    UnitLevel.commune: {UnitLevel.district},
    UnitLevel.department: {UnitLevel.ministry, UnitLevel.province},
    UnitLevel.team: {UnitLevel.province, UnitLevel.department, UnitLevel.district},
}


class Unit(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[UnitLevel] = mapped_column(enum_column(UnitLevel, "unit_level", length=16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Lower-case name, address and code without diacritics, for accent-insensitive search.
    search_text: Mapped[str] = mapped_column(String(1200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.code")

    @property
    def name(self):
        """The unit's name in the visitor's language, Vietnamese when there is no English one."""
        if self.name_en and str(get_locale()) == "en":
            return self.name_en
        return self.name_vi

    def __repr__(self):
        return f"<Unit {self.code}>"


class UnitClosure(db.Model):
    """One row per (ancestor, descendant) pair, self included at depth 0: subtree = one indexed query."""

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    depth: Mapped[int]

    __table_args__ = (Index("ix_unit_closure_descendant", "descendant_id", "depth"),)


class Cluster(db.Model):
    """An emulation cluster (cụm thi đua) for one year, with a lead unit (cụm trưởng)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    code: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    lead_unit: Mapped[Unit] = relationship()
    members: Mapped[list["ClusterMember"]] = relationship(back_populates="cluster", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("year", "code", name="uq_cluster_year_code"),)

    @property
    def name(self):
        if self.name_en and str(get_locale()) == "en":
            return self.name_en
        return self.name_vi


class ClusterMember(db.Model):
    cluster_id: Mapped[int] = mapped_column(ForeignKey("cluster.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    # Repeated from the cluster so the database itself keeps a unit in one cluster per year.
    year: Mapped[int]

    cluster: Mapped[Cluster] = relationship(back_populates="members")
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("year", "unit_id", name="uq_cluster_member_year_unit"),)
