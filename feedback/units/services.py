"""Unit tree operations: add, move, search, CSV import/export, clusters."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, literal, select

from classifier.text import fold_diacritics
from feedback.extensions import db
from feedback.units.models import ALLOWED_PARENTS, Cluster, ClusterMember, Unit, UnitClosure, UnitLevel

UNIT_COLUMNS = ["code", "parent_code", "level", "name_vi", "name_en", "address", "active"]
CLUSTER_COLUMNS = ["year", "code", "name_vi", "name_en", "lead_code", "members"]
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")


class UnitError(Exception):
    """A rule of the unit tree was broken."""


@dataclass
class ImportProblem:
    line: int
    message: str

    def __str__(self):
        return str(_l("line %(line)d: %(message)s", line=self.line, message=self.message))


class ImportRejected(Exception):
    """The file was rejected; nothing was written. Carries every problem found."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class ImportSummary:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0


def search_text_for(code, name_vi, name_en, address):
    return fold_diacritics(" ".join(filter(None, [name_vi, name_en, address, code])))


def subtree_ids(unit_id):
    """SELECT of the ids of a unit and every unit below it (one indexed query)."""
    return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit_id)


def subtree(unit, include_inactive=True):
    """The unit and all units below it, ordered by depth then code."""
    query = (
        select(Unit)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == unit.id)
        .order_by(UnitClosure.depth, Unit.code)
    )
    if not include_inactive:
        query = query.where(Unit.is_active.is_(True))
    return db.session.scalars(query).all()


def ancestors(unit):
    """The chain from the root down to the unit's parent."""
    query = (
        select(Unit)
        .join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
        .where(UnitClosure.descendant_id == unit.id, UnitClosure.depth > 0)
        .order_by(UnitClosure.depth.desc())
    )
    return db.session.scalars(query).all()


def is_descendant(unit_id, ancestor_id):
    return db.session.scalar(
        select(func.count()).where(UnitClosure.ancestor_id == ancestor_id, UnitClosure.descendant_id == unit_id)
    ) > 0


def get_unit_by_code(code):
    return db.session.scalar(select(Unit).where(Unit.code == code))


def check_parent(level, parent):
    if parent is None and level != UnitLevel.ministry and ALLOWED_PARENTS[level]:
        raise UnitError(_l("A unit of this level needs a parent."))
    if parent is not None and parent.level not in ALLOWED_PARENTS[level]:
        raise UnitError(_l("A %(level)s cannot be placed under a %(parent)s.", level=level.label, parent=parent.level.label))


def _link(unit_id, parent_id):
    """Add the closure rows of a new leaf: itself, and every ancestor of its parent one step further."""
    db.session.execute(insert(UnitClosure).values(ancestor_id=unit_id, descendant_id=unit_id, depth=0))
    if parent_id is not None:
        rows = select(UnitClosure.ancestor_id, literal(unit_id), UnitClosure.depth + 1).where(
            UnitClosure.descendant_id == parent_id
        )
        db.session.execute(insert(UnitClosure).from_select(["ancestor_id", "descendant_id", "depth"], rows))


def add_unit(code, name_vi, level, parent=None, name_en=None, address="", is_active=True, commit=True):
    """Create a unit under parent, keeping the closure table in step."""
    code = code.strip().upper()
    if not CODE_PATTERN.match(code):
        raise UnitError(_l("A unit code has 1 to 32 capital letters, digits or hyphens."))
    if get_unit_by_code(code) is not None:
        raise UnitError(_l("The unit code %(code)s is already used.", code=code))
    check_parent(level, parent)
    unit = Unit(
        code=code,
        name_vi=name_vi.strip(),
        name_en=(name_en or "").strip() or None,
        level=level,
        parent=parent,
        address=(address or "").strip(),
        is_active=is_active,
        search_text=search_text_for(code, name_vi, name_en, address),
    )
    db.session.add(unit)
    db.session.flush()
    _link(unit.id, parent.id if parent else None)
    if commit:
        db.session.commit()
    return unit


def move_unit(unit, new_parent, commit=True):
    """Re-parent a unit with its whole subtree."""
    if new_parent is not None and is_descendant(new_parent.id, unit.id):
        raise UnitError(_l("A unit cannot be moved under itself or one of its own units."))
    check_parent(unit.level, new_parent)
    sub = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit.id)
    outside = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit.id, UnitClosure.depth > 0)
    db.session.execute(
        delete(UnitClosure).where(UnitClosure.descendant_id.in_(sub), UnitClosure.ancestor_id.in_(outside))
    )
    if new_parent is not None:
        above = select(UnitClosure).where(UnitClosure.descendant_id == new_parent.id).subquery()
        below = select(UnitClosure).where(UnitClosure.ancestor_id == unit.id).subquery()
        rows = select(above.c.ancestor_id, below.c.descendant_id, above.c.depth + below.c.depth + 1).select_from(
            above.join(below, literal(True))
        )
        db.session.execute(insert(UnitClosure).from_select(["ancestor_id", "descendant_id", "depth"], rows))
    unit.parent = new_parent
    if commit:
        db.session.commit()
    return unit


def update_unit(unit, name_vi, name_en, address, is_active, commit=True):
    unit.name_vi = name_vi.strip()
    unit.name_en = (name_en or "").strip() or None
    unit.address = (address or "").strip()
    unit.is_active = is_active
    unit.search_text = search_text_for(unit.code, unit.name_vi, unit.name_en, unit.address)
    if commit:
        db.session.commit()
    return unit


def search_units(query, limit=20, active_only=True):
    """Accent-insensitive search by name, address or code: every word must appear."""
    words = fold_diacritics(query or "").split()
    if not words:
        return []
    statement = select(Unit)
    for word in words[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Unit.search_text.like(f"%{escaped}%", escape="\\"))
    if active_only:
        statement = statement.where(Unit.is_active.is_(True))
    units = db.session.scalars(statement.order_by(Unit.code).limit(200)).all()
    phrase = " ".join(words)
    level_order = list(UnitLevel)

    def rank(unit):
        # The code itself, then the phrase in the unit's own name, then whole-word matches
        # ("phuong 5" must not rank "phuong 15" first), higher levels before lower ones.
        name = " " + re.sub(r"[^a-z0-9]+", " ", fold_diacritics(unit.name_vi)) + " "
        padded = " " + re.sub(r"[^a-z0-9]+", " ", unit.search_text) + " "
        leading = next((i for i, w in enumerate(words) if f" {w} " not in name), len(words))
        whole_in_name = sum(f" {w} " in name for w in words)
        whole = sum(f" {w} " in padded for w in words)
        # People type the unit's name first, then the place: "phuong 5 ca mau".
        return (unit.code.lower() != phrase, f" {phrase} " not in name, -leading, -whole_in_name, -whole,
                level_order.index(unit.level), len(unit.name_vi), unit.code)

    return sorted(units, key=rank)[:limit]


# --- CSV import and export -------------------------------------------------


def _decode(data):
    if isinstance(data, str):
        return data, None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, ImportProblem(line, _l("the file is not UTF-8 text (invalid byte at position %(pos)d)", pos=error.start))


def _read_rows(data, columns):
    """Parse CSV text into (line number, row dict) pairs, or problems when the header is wrong."""
    text, problem = _decode(data)
    if problem:
        return None, [problem]
    text = unicodedata.normalize("NFC", text)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        return None, [ImportProblem(1, _l("missing column(s): %(columns)s", columns=", ".join(missing)))]
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if None in row:
                return None, [ImportProblem(reader.line_num, _l("too many fields on this line"))]
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
    except csv.Error as error:
        return None, [ImportProblem(reader.line_num, _l("unreadable CSV: %(error)s", error=str(error)))]
    return rows, []


def import_units(data):
    """Create or update units from CSV (bytes or str). All or nothing: raises ImportRejected with every problem."""
    rows, problems = _read_rows(data, UNIT_COLUMNS)
    if problems:
        raise ImportRejected(problems)
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    parent_of = {code: (u.parent.code if u.parent else "") for code, u in existing.items()}
    level_of = {code: u.level for code, u in existing.items()}
    line_of = {}
    parsed = {}
    for line, row in rows:
        code = row["code"].upper()
        if not CODE_PATTERN.match(code):
            problems.append(ImportProblem(line, _l("invalid unit code %(code)r", code=row["code"])))
            continue
        if code in line_of:
            problems.append(ImportProblem(line, _l("duplicate code %(code)s (first on line %(first)d)", code=code, first=line_of[code])))
            continue
        line_of[code] = line
        try:
            level = UnitLevel(row["level"].lower())
        except ValueError:
            problems.append(ImportProblem(line, _l("unknown level %(level)r", level=row["level"])))
            continue
        if not row["name_vi"]:
            problems.append(ImportProblem(line, _l("the Vietnamese name is empty")))
        if row["active"] not in {"", "0", "1", "true", "false"}:
            problems.append(ImportProblem(line, _l("active must be 1 or 0")))
        if code in level_of and level_of[code] != level:
            problems.append(ImportProblem(line, _l("the level of an existing unit cannot change")))
        parsed[code] = row | {"code": code, "level": level, "parent_code": row["parent_code"].upper()}
        parent_of[code] = parsed[code]["parent_code"]
        level_of[code] = level

    for code, row in parsed.items():
        line, parent_code = line_of[code], row["parent_code"]
        if parent_code and parent_code not in parent_of:
            problems.append(ImportProblem(line, _l("unknown parent %(parent)s", parent=parent_code)))
            continue
        if parent_code and level_of[parent_code] not in ALLOWED_PARENTS[row["level"]]:
            problems.append(
                ImportProblem(
                    line,
                    _l("a %(level)s cannot be placed under a %(parent)s (%(code)s)",
                       level=row["level"].value, parent=level_of[parent_code].value, code=parent_code),
                )
            )
        if not parent_code and row["level"] != UnitLevel.ministry:
            problems.append(ImportProblem(line, _l("a %(level)s needs a parent", level=row["level"].value)))
        seen, current = {code}, parent_code
        while current:
            if current in seen:
                problems.append(ImportProblem(line, _l("cycle: %(code)s would sit below itself", code=code)))
                break
            seen.add(current)
            current = parent_of.get(current, "")
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))

    def depth(code):
        count, current = 0, parent_of.get(code, "")
        while current:
            count, current = count + 1, parent_of.get(current, "")
        return count

    summary = ImportSummary()
    try:
        for code in sorted(parsed, key=lambda c: (depth(c), line_of[c])):
            row = parsed[code]
            is_active = row["active"] in {"", "1", "true"}
            parent = existing.get(row["parent_code"]) if row["parent_code"] else None
            unit = existing.get(code)
            if unit is None:
                existing[code] = add_unit(code, row["name_vi"], row["level"], parent, row["name_en"], row["address"],
                                          is_active, commit=False)
                summary.created.append(code)
                continue
            before = (unit.name_vi, unit.name_en, unit.address, unit.is_active, unit.parent)
            if unit.parent is not parent:
                move_unit(unit, parent, commit=False)
            update_unit(unit, row["name_vi"], row["name_en"] or None, row["address"], is_active, commit=False)
            after = (unit.name_vi, unit.name_en, unit.address, unit.is_active, unit.parent)
            if before != after:
                summary.updated.append(code)
            else:
                summary.unchanged += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


def export_units():
    """All units as CSV text, parents before children, in the import format."""
    depth = (
        select(UnitClosure.descendant_id, func.max(UnitClosure.depth).label("depth"))
        .group_by(UnitClosure.descendant_id)
        .subquery()
    )
    units = db.session.scalars(
        select(Unit).join(depth, depth.c.descendant_id == Unit.id).order_by(depth.c.depth, Unit.code)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UNIT_COLUMNS)
    for unit in units:
        writer.writerow([unit.code, unit.parent.code if unit.parent else "", unit.level.value, unit.name_vi,
                         unit.name_en or "", unit.address, "1" if unit.is_active else "0"])
    return out.getvalue()


def import_clusters(data):
    """Replace the clusters of the years in the file. All or nothing, like import_units."""
    rows, problems = _read_rows(data, CLUSTER_COLUMNS)
    if problems:
        raise ImportRejected(problems)
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    seen_codes, seen_members, parsed = {}, {}, []
    for line, row in rows:
        if not row["year"].isdigit() or not 2000 <= int(row["year"]) <= 2100:
            problems.append(ImportProblem(line, _l("invalid year %(year)r", year=row["year"])))
            continue
        year, code = int(row["year"]), row["code"].upper()
        if not CODE_PATTERN.match(code):
            problems.append(ImportProblem(line, _l("invalid cluster code %(code)r", code=row["code"])))
            continue
        if (year, code) in seen_codes:
            problems.append(ImportProblem(line, _l("duplicate cluster %(code)s for %(year)d", code=code, year=year)))
            continue
        seen_codes[(year, code)] = line
        members = [m.strip().upper() for m in row["members"].split(";") if m.strip()]
        lead = row["lead_code"].upper()
        for member in members:
            if member not in units:
                problems.append(ImportProblem(line, _l("unknown unit %(code)s", code=member)))
            elif (year, member) in seen_members:
                problems.append(ImportProblem(line, _l("unit %(code)s is already in a cluster for %(year)d (line %(first)d)",
                                                       code=member, year=year, first=seen_members[(year, member)])))
            else:
                seen_members[(year, member)] = line
        if lead not in units:
            problems.append(ImportProblem(line, _l("unknown lead unit %(code)s", code=lead)))
        elif lead not in members:
            problems.append(ImportProblem(line, _l("the lead unit must be one of the members")))
        if not row["name_vi"]:
            problems.append(ImportProblem(line, _l("the Vietnamese name is empty")))
        parsed.append((year, code, row, lead, members))
    if problems:
        raise ImportRejected(problems)
    try:
        for year in {p[0] for p in parsed}:
            for cluster in db.session.scalars(select(Cluster).where(Cluster.year == year)):
                db.session.delete(cluster)
        db.session.flush()
        for year, code, row, lead, members in parsed:
            cluster = Cluster(year=year, code=code, name_vi=row["name_vi"], name_en=row["name_en"] or None,
                              lead_unit=units[lead])
            cluster.members = [ClusterMember(unit=units[m], year=year) for m in members]
            db.session.add(cluster)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(parsed)


def clusters_for_year(year):
    return db.session.scalars(select(Cluster).where(Cluster.year == year).order_by(Cluster.code)).all()


def clusters_of_unit(unit):
    return db.session.scalars(
        select(Cluster).join(ClusterMember).where(ClusterMember.unit_id == unit.id).order_by(Cluster.year.desc())
    ).all()
