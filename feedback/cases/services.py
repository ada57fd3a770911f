"""Conduct-complaint cases: open, assign, investigate, dispose; the hash-chained log and its check."""

import hashlib
import json
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from classifier.text import canonical
from feedback.accounts.models import Role, User
from feedback.accounts.scope import can_see_unit, scope_filter
from feedback.cases.models import Case, CaseEvent, CaseStatus, Disposition, IdentityView
from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import Identity, OpinionKind
from feedback.mail import external_url, send_template
from feedback.signals import opinion_classified, opinion_submitted
from feedback.units.models import UnitClosure, utcnow

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


class CaseError(Exception):
    """A rule of the case workflow was broken."""


class NotAllowed(CaseError):
    pass


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(case_id, seq, action, actor_id, detail, created_at, prev_hash):
    """sha256 over the canonical JSON of the event followed by the previous event's hash."""
    payload = canonical_json({
        "case_id": case_id, "seq": seq, "action": action, "actor_id": actor_id,
        "detail": json.loads(detail), "created_at": created_at.isoformat(timespec="microseconds"),
    })
    return hashlib.sha256((payload + prev_hash).encode()).hexdigest()


def append_event(case, action, actor, detail=None):
    """Add the next entry to the case's chain (the caller commits)."""
    # Lock the case row (PostgreSQL) so two writers cannot take the same seq; the unique key backs it up.
    db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    last = db.session.execute(select(CaseEvent.seq, CaseEvent.hash).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    detail_json = canonical_json(detail or {})
    created_at = utcnow()
    actor_id = actor.id if actor is not None else None
    event = CaseEvent(case_id=case.id, seq=seq, action=action, actor_id=actor_id, detail=detail_json,
                      created_at=created_at, prev_hash=prev_hash,
                      hash=event_hash(case.id, seq, action, actor_id, detail_json, created_at, prev_hash))
    db.session.add(event)
    case.head_hash = event.hash
    return event


def is_conduct_complaint(opinion):
    """Flagged by the forum, or its current kind and tags make it one (the taxonomy rule lives in forum)."""
    return opinion.is_conduct_complaint or forum.is_conduct_complaint(opinion.kind, opinion.topic_codes,
                                                                      opinion.sentiment)


def case_of(opinion):
    return db.session.scalar(select(Case).where(Case.opinion_id == opinion.id))


def open_case_for(opinion):
    """The opinion's case, opened now when it is a conduct complaint; None otherwise. Idempotent."""
    existing = case_of(opinion)
    if existing is not None or not is_conduct_complaint(opinion):
        return existing
    case = Case(opinion_id=opinion.id, unit_id=opinion.unit_id, status=CaseStatus.open, opened_at=utcnow())
    db.session.add(case)
    try:
        db.session.flush()
        reason = "complaint" if opinion.kind == OpinionKind.complaint else "tags"
        append_event(case, "opened", None, {"opinion_id": opinion.id, "reason": reason})
        db.session.commit()
    except IntegrityError:
        # Another worker opened it first (submit and classify signals can race).
        db.session.rollback()
        return case_of(opinion)
    notify_inspectors(case)
    return case


def jurisdiction_inspectors(unit_id):
    """Active inspectors whose home unit is the unit or above it."""
    ancestors = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit_id)
    return db.session.scalars(select(User).where(User.is_active.is_(True), User.role == Role.inspector,
                                                 User.unit_id.in_(ancestors)).order_by(User.full_name)).all()


def notify_inspectors(case):
    link = external_url("cases.show", case_id=case.id)
    for user in jurisdiction_inspectors(case.unit_id):
        if user.notify_mode != "none":
            send_template(user.email, "new_case", user=user, case=case, link=link)


def _receiver(sender, opinion, **extra):
    if not is_conduct_complaint(opinion):
        return  # most opinions: no case to open, no query needed
    try:
        open_case_for(opinion)
    except Exception as error:  # the opinion is stored; the case opens on the next signal or by hand
        log.error("opening a case failed: %s", type(error).__name__)
        db.session.rollback()


def connect_receivers():
    opinion_submitted.connect(_receiver)
    opinion_classified.connect(_receiver)


# --- Workflow -------------------------------------------------------------------------------------


def _require_inspector(case, actor):
    if actor.role != Role.inspector or not can_see_unit(actor, case.unit_id):
        raise NotAllowed("only an inspector of the jurisdiction")


def _require_open(case):
    if case.status == CaseStatus.closed:
        raise CaseError("closed")


def list_cases(user, status=None, mine=False, page=1):
    query = select(Case).where(scope_filter(user, Case.unit_id)).options(
        selectinload(Case.unit), selectinload(Case.assigned_to), selectinload(Case.opinion))
    if status:
        query = query.where(Case.status == CaseStatus(status))
    if mine:
        query = query.where(Case.assigned_to_id == user.id)
    query = query.order_by(Case.status == CaseStatus.closed, Case.opened_at.desc(), Case.id.desc())
    return db.paginate(query, page=page, per_page=25, error_out=False)


def assign_case(case, inspector, actor):
    """Give the case to an inspector of its jurisdiction; an open case moves to investigation."""
    _require_open(case)
    if actor.role not in (Role.inspector, Role.admin) or not can_see_unit(actor, case.unit_id):
        raise NotAllowed("assign")
    if inspector is None or inspector.role != Role.inspector or not inspector.is_active \
            or not can_see_unit(inspector, case.unit_id):
        raise CaseError("not an inspector of this jurisdiction")
    case.assigned_to_id = inspector.id
    case.status = CaseStatus.investigating
    append_event(case, "assigned", actor, {"inspector_id": inspector.id, "inspector": inspector.full_name})
    db.session.commit()
    return case


def add_case_note(case, text, actor):
    """An investigation note, appended to the case's log."""
    _require_open(case)
    _require_inspector(case, actor)
    if case.status == CaseStatus.open:
        case.status = CaseStatus.investigating
    event = append_event(case, "note", actor, {"text": canonical(text.strip())})
    db.session.commit()
    return event


def close_case(case, disposition, summary, actor):
    """Record the disposition and close the case."""
    _require_open(case)
    _require_inspector(case, actor)
    disposition = Disposition(disposition)
    case.disposition = disposition
    case.status = CaseStatus.closed
    case.closed_at = utcnow()
    append_event(case, "closed", actor, {"disposition": disposition.value, "summary": canonical(summary.strip())})
    db.session.commit()
    return case


def has_identity(opinion):
    return opinion.identity != Identity.anonymous and any(
        (opinion.contact_name, opinion.contact_phone, opinion.contact_email))


def reveal_identity(case, actor):
    """Log that the inspector viewed the complainant's contact details, then return them."""
    _require_inspector(case, actor)
    opinion = case.opinion
    if not has_identity(opinion):
        raise CaseError("anonymous")
    db.session.add(IdentityView(user_id=actor.id, case_id=case.id, created_at=utcnow()))
    append_event(case, "identity_viewed", actor, {})
    db.session.commit()
    return {"name": opinion.contact_name, "phone": opinion.contact_phone, "email": opinion.contact_email}


def identity_views(case):
    return db.session.scalars(select(IdentityView).where(IdentityView.case_id == case.id)
                              .options(selectinload(IdentityView.user)).order_by(IdentityView.id)).all()


def case_inspectors(case):
    return jurisdiction_inspectors(case.unit_id)


def event_counts_by_case(case_ids):
    rows = db.session.execute(select(CaseEvent.case_id, func.count()).where(CaseEvent.case_id.in_(case_ids))
                              .group_by(CaseEvent.case_id))
    return dict(rows.all())


# --- Verification ---------------------------------------------------------------------------------


@dataclass
class BrokenLink:
    case_id: int
    seq: int
    reason: str

    def __str__(self):
        return f"case {self.case_id}: event {self.seq}: {self.reason}"


def verify_log():
    """Check every case's chain; returns (events checked, the first broken event of each broken case)."""
    problems, checked = [], 0
    current_case, expected_seq, prev_hash, broken = None, 1, GENESIS_HASH, False
    rows = db.session.execute(select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.action, CaseEvent.actor_id,
                                     CaseEvent.detail, CaseEvent.created_at, CaseEvent.prev_hash, CaseEvent.hash)
                              .order_by(CaseEvent.case_id, CaseEvent.seq).execution_options(yield_per=1000))
    for row in rows:
        if row.case_id != current_case:
            current_case, expected_seq, prev_hash, broken = row.case_id, 1, GENESIS_HASH, False
        checked += 1
        if broken:
            continue
        reason = None
        if row.seq != expected_seq:
            reason = f"expected sequence number {expected_seq}, found {row.seq}"
        elif row.prev_hash != prev_hash:
            reason = "previous hash does not match"
        else:
            try:
                recomputed = event_hash(row.case_id, row.seq, row.action, row.actor_id, row.detail, row.created_at,
                                        row.prev_hash)
            except (ValueError, TypeError):
                recomputed = None
            if recomputed != row.hash:
                reason = "content does not match its hash"
        if reason:
            problems.append(BrokenLink(row.case_id, row.seq, reason))
            broken = True
            continue
        expected_seq, prev_hash = row.seq + 1, row.hash
    # A case whose events were all deleted leaves no rows to compare: check it opened.
    missing = db.session.scalars(select(Case.id).where(~Case.id.in_(select(CaseEvent.case_id))))
    problems.extend(BrokenLink(case_id, 1, "no events") for case_id in missing)
    # Events cut from the end leave a valid but shorter chain: its newest hash must be the case's head.
    broken_cases = {p.case_id for p in problems}
    newest = select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq")).group_by(CaseEvent.case_id).subquery()
    heads = db.session.execute(
        select(Case.id, Case.head_hash, CaseEvent.seq, CaseEvent.hash)
        .join(newest, newest.c.case_id == Case.id)
        .join(CaseEvent, (CaseEvent.case_id == Case.id) & (CaseEvent.seq == newest.c.seq))
    )
    problems.extend(BrokenLink(case_id, seq, "the newest events are missing (the chain ends before the case's head)")
                    for case_id, head_hash, seq, last_hash in heads
                    if case_id not in broken_cases and head_hash != last_hash)
    return checked, problems
