"""Conduct-complaint cases: opening from signals, workflow, identity reveal, the hash chain and its check."""

import pytest
from sqlalchemy import text

from feedback.cases import services
from feedback.cases.models import Case, CaseEvent, CaseStatus, IdentityView
from feedback.extensions import db
from feedback.forum.models import Identity, OpinionKind
from tests.inbox_helpers import make_opinion


def complaint(tree, unit="CM-THB-TANLOC", **kwargs):
    kwargs.setdefault("identity", Identity.sealed)
    kwargs.setdefault("contact_name", "Trần Thị Bí Mật")
    kwargs.setdefault("contact_phone", "0911222333")
    opinion, _ = make_opinion(tree[unit], body="Cán bộ đòi tiền bồi dưỡng khi làm hồ sơ.", kind=OpinionKind.complaint,
                              topics=("integrity",), **kwargs)
    return opinion


def test_complaint_opens_one_case(tree, make_user):
    opinion = complaint(tree)
    case = services.case_of(opinion)
    assert case is not None and case.unit_id == opinion.unit_id and case.status == CaseStatus.open
    assert services.open_case_for(opinion).id == case.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 1
    assert [e.action for e in case.events] == ["opened"]


def test_plain_opinion_opens_no_case(tree):
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], topics=("procedure",), sentiment="neutral")
    assert services.open_case_for(opinion) is None


def test_classified_signal_opens_case_for_negative_demeanour(app, tree):
    from feedback.signals import opinion_classified

    opinion, _ = make_opinion(tree["CM-TPCM-P5"], topics=("demeanour",), sentiment="negative")
    opinion_classified.send(app, opinion=opinion)
    assert services.case_of(opinion) is not None


def test_workflow_and_chain(tree, make_user, runner):
    inspector = make_user("inspector", "CM-THB")
    other = make_user("inspector", "CM-TPCM")
    case = services.case_of(complaint(tree))
    with pytest.raises(services.CaseError):
        services.assign_case(case, other, inspector)
    services.assign_case(case, inspector, inspector)
    assert case.status == CaseStatus.investigating
    with pytest.raises(services.NotAllowed):
        services.add_case_note(case, "x", other)
    services.add_case_note(case, "Đã làm việc với cán bộ bị phản ánh.", inspector)
    services.close_case(case, "partly_substantiated", "Có vi phạm một phần.", inspector)
    assert case.status == CaseStatus.closed and case.disposition.value == "partly_substantiated"
    with pytest.raises(services.CaseError):
        services.add_case_note(case, "late", inspector)
    events = case.events
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == services.GENESIS_HASH
    assert all(events[i].prev_hash == events[i - 1].hash for i in range(1, 4))
    checked, problems = services.verify_log()
    assert (checked, problems) == (4, [])
    result = runner.invoke(args=["cases", "verify-log"])
    assert result.exit_code == 0 and "4 case events verified" in result.output


def test_tampering_is_detected(tree, make_user, runner):
    inspector = make_user("inspector", "CM-THB")
    case = services.case_of(complaint(tree))
    services.add_case_note(case, "Ghi chú gốc.", inspector)
    services.add_case_note(case, "Ghi chú sau.", inspector)
    db.session.execute(text("UPDATE case_event SET detail = :d WHERE case_id = :c AND seq = 2"),
                       {"d": '{"text":"Ghi chú đã sửa."}', "c": case.id})
    db.session.commit()
    checked, problems = services.verify_log()
    assert [(p.case_id, p.seq) for p in problems] == [(case.id, 2)]
    result = runner.invoke(args=["cases", "verify-log"])
    assert result.exit_code == 1
    assert f"case {case.id}: event 2" in result.output


def test_deleted_event_is_detected(tree, make_user):
    inspector = make_user("inspector", "CM-THB")
    case = services.case_of(complaint(tree))
    services.add_case_note(case, "một", inspector)
    services.add_case_note(case, "hai", inspector)
    db.session.execute(text("DELETE FROM case_event WHERE case_id = :c AND seq = 2"), {"c": case.id})
    db.session.commit()
    _checked, problems = services.verify_log()
    assert [(p.case_id, p.seq) for p in problems] == [(case.id, 3)]


def test_reveal_identity_only_for_case_inspectors_and_logged(tree, make_user):
    inspector = make_user("inspector", "CM-THB")
    outsider = make_user("inspector", "CM-TPCM")
    admin = make_user("admin", "CM")
    chief = make_user("chief", "CM-THB")
    case = services.case_of(complaint(tree))
    for user in (outsider, admin, chief):
        with pytest.raises(services.NotAllowed):
            services.reveal_identity(case, user)
    identity = services.reveal_identity(case, inspector)
    assert identity == {"name": "Trần Thị Bí Mật", "phone": "0911222333", "email": None}
    views = db.session.scalars(db.select(IdentityView)).all()
    assert [(v.user_id, v.case_id) for v in views] == [(inspector.id, case.id)]
    assert case.events[-1].action == "identity_viewed"
    assert services.verify_log()[1] == []


def test_anonymous_complaint_has_nothing_to_reveal(tree, make_user):
    inspector = make_user("inspector", "CM-THB")
    case = services.case_of(complaint(tree, identity=Identity.anonymous))
    with pytest.raises(services.CaseError):
        services.reveal_identity(case, inspector)
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseEvent)) == 1


def test_list_scope(tree, make_user):
    complaint(tree, unit="CM-THB-TANLOC")
    complaint(tree, unit="CM-TPCM-P5")
    thb = make_user("inspector", "CM-THB")
    province = make_user("inspector", "CM")
    assert [c.unit.code for c in services.list_cases(thb).items] == ["CM-THB-TANLOC"]
    assert services.list_cases(province).total == 2


def test_events_cut_from_the_end_are_detected(tree, make_user, runner):
    inspector = make_user("inspector", "CM-THB")
    case = services.case_of(complaint(tree))
    services.add_case_note(case, "một", inspector)
    services.add_case_note(case, "hai", inspector)
    db.session.execute(text("DELETE FROM case_event WHERE case_id = :c AND seq = 3"), {"c": case.id})
    db.session.commit()
    _checked, problems = services.verify_log()
    assert [(p.case_id, p.seq) for p in problems] == [(case.id, 2)]
    assert "newest events are missing" in problems[0].reason
    assert runner.invoke(args=["cases", "verify-log"]).exit_code == 1
