"""Inbox services: filters, search, tags, workflow, assignment, answers, export, escalation."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from feedback.extensions import db
from feedback.forum.models import Identity, OpinionKind, OpinionStatus, TagCorrection
from feedback.inbox import services
from feedback.inbox.services import InboxFilter
from feedback.signals import opinion_answered
from tests.inbox_helpers import make_opinion, outbox


def ids(user, **filters):
    return [o.id for o in db.session.scalars(services.inbox_query(user, InboxFilter(**filters)))]


def test_scope_officer_chief_admin(tree, make_user):
    p5, _ = make_opinion(tree["CM-TPCM-P5"])
    p9, _ = make_opinion(tree["CM-TPCM-P9"])
    thb, _ = make_opinion(tree["CM-THB-TANLOC"])
    assert ids(make_user("officer", "CM-TPCM-P5")) == [p5.id]
    assert sorted(ids(make_user("chief", "CM-TPCM"))) == [p5.id, p9.id]
    assert sorted(ids(make_user("chief", "CM-THB"))) == [thb.id]
    assert sorted(ids(make_user("admin", "CM"))) == sorted([p5.id, p9.id, thb.id])
    chief = make_user("chief", "CM-TPCM")
    assert ids(chief, unit_id=tree["CM-TPCM-P9"].id) == [p9.id]


def test_filters_and_diacritic_free_search(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    a, _ = make_opinion(tree["CM-TPCM-P5"], body="Cán bộ quát tháo người dân khi làm căn cước.",
                        topics=("demeanour",), sentiment="negative", kind=OpinionKind.report)
    b, _ = make_opinion(tree["CM-TPCM-P9"], body="Cảm ơn đội CSGT đã hướng dẫn tận tình.", topics=("traffic",),
                        sentiment="positive", kind=OpinionKind.praise, confidence=0.3, needs_review=True)
    assert ids(chief, q="can cuoc") == [a.id]
    assert ids(chief, q="CĂN CƯỚC") == [a.id]
    assert ids(chief, q="csgt tan tinh") == [b.id]
    assert ids(chief, q="100%_") == []
    assert ids(chief, topic="traffic") == [b.id]
    assert ids(chief, sentiment="negative") == [a.id]
    assert ids(chief, kind=OpinionKind.praise) == [b.id]
    assert ids(chief, status=OpinionStatus.new) == [b.id, a.id]
    assert ids(chief, review_first=True)[0] == b.id
    assert ids(chief, date_from=date.today() + timedelta(days=1)) == []
    assert sorted(ids(chief, date_from=date.today() - timedelta(days=1), date_to=date.today())) == [a.id, b.id]


def test_overdue_mine_and_deadline_text(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    officer = make_user("officer", "CM-TPCM-P5")
    late, _ = make_opinion(tree["CM-TPCM-P5"], due_in_days=-3)
    fine, _ = make_opinion(tree["CM-TPCM-P5"], due_in_days=4)
    assert ids(chief, overdue=True) == [late.id]
    assert services.is_overdue(late) and not services.is_overdue(fine)
    assert services.days_left(late) == -3
    assert services.days_left(fine) == 3  # 4 days minus the seconds elapsed
    services.assign(fine, officer, chief)
    assert ids(officer, mine=True) == [fine.id]
    assert fine.status == OpinionStatus.in_progress


def test_deadline_from_config_with_fallback(app):
    from feedback.forum import services as forum

    assert forum.deadline_days(OpinionKind.question) == app.config["OPINION_DEADLINE_DAYS"]["question"]
    app.config["OPINION_DEADLINE_DAYS"] = {"question": 3}
    assert forum.due_at_for(OpinionKind.question, datetime(2026, 11, 21, 15, 30)) == datetime(2026, 11, 25)
    app.config["OPINION_DEADLINE_DAYS"] = {}
    assert forum.deadline_days(OpinionKind.question) == forum.DEFAULT_DEADLINE_DAYS["question"]


def test_confirm_and_correct_tags_are_recorded(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], topics=("procedure", "facilities"), sentiment="neutral")
    services.confirm_tags(opinion, ["procedure", "responsiveness"], "negative", chief)
    assert sorted(t.topic for t in opinion.topics) == ["procedure", "responsiveness"]
    assert all(t.is_confirmed for t in opinion.topics)
    assert opinion.sentiment == "negative" and opinion.sentiment_confirmed
    correction = db.session.scalar(db.select(TagCorrection))
    assert correction.user_id == chief.id
    assert sorted(correction.old_topics.split(",")) == ["facilities", "procedure"]
    assert correction.new_topics == "procedure,responsiveness"
    assert (correction.old_sentiment, correction.new_sentiment) == ("neutral", "negative")
    with pytest.raises(services.InvalidTags):
        services.confirm_tags(opinion, [], "negative", chief)
    with pytest.raises(services.InvalidTags):
        services.confirm_tags(opinion, ["procedure", "traffic", "other", "facilities"], "negative", chief)
    with pytest.raises(services.InvalidTags):
        services.confirm_tags(opinion, ["nonsense"], "negative", chief)


def test_correction_to_integrity_opens_a_case(tree, make_user):
    from feedback.cases.models import Case

    chief = make_user("chief", "CM-TPCM")
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], topics=("procedure",), sentiment="neutral")
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0
    services.confirm_tags(opinion, ["integrity"], "negative", chief)
    assert db.session.scalar(db.select(Case.opinion_id)) == opinion.id


def test_status_transitions(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    opinion, _ = make_opinion(tree["CM-TPCM-P5"])
    with pytest.raises(services.InvalidTransition):
        services.change_status(opinion, "closed", chief)
    with pytest.raises(services.InvalidTransition):
        services.change_status(opinion, "answered", chief)
    services.change_status(opinion, "in_progress", chief)
    services.answer_opinion(opinion, "Đơn vị đã tiếp nhận và xử lý.", True, chief)
    services.change_status(opinion, "closed", chief)
    assert opinion.closed_at is not None
    with pytest.raises(services.InvalidTransition):
        services.answer_opinion(opinion, "Thêm.", True, chief)
    services.change_status(opinion, "in_progress", chief)  # reopen
    assert opinion.status == OpinionStatus.in_progress and opinion.closed_at is None


def test_answer_is_signed_by_unit_and_signals(tree, make_user, app):
    officer = make_user("officer", "CM-TPCM-P5")
    opinion, _ = make_opinion(tree["CM-TPCM-P5"])
    received = []

    def receiver(sender, opinion, answer, **extra):
        received.append(answer.id)

    opinion_answered.connect(receiver)
    try:
        answer = services.answer_opinion(opinion, "Cảm ơn ông/bà đã góp ý.", False, officer)
    finally:
        opinion_answered.disconnect(receiver)
    assert received == [answer.id]
    assert answer.unit_id == opinion.unit_id and answer.author_id == officer.id and not answer.is_public
    assert opinion.status == OpinionStatus.answered and opinion.first_answered_at is not None
    first = opinion.first_answered_at
    services.answer_opinion(opinion, "Bổ sung.", True, officer)
    assert opinion.first_answered_at == first


def test_assignment_rules(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    p5_officer = make_user("officer", "CM-TPCM-P5")
    p9_officer = make_user("officer", "CM-TPCM-P9")
    thb_officer = make_user("officer", "CM-THB-TANLOC")
    inspector = make_user("inspector", "CM")
    opinion, _ = make_opinion(tree["CM-TPCM-P5"])
    assert {u.id for u in services.assignable_users(opinion, chief)} == {chief.id, p5_officer.id}
    for wrong in (p9_officer, thb_officer, inspector):
        with pytest.raises(services.InvalidAssignee):
            services.assign(opinion, wrong, chief)
    services.assign(opinion, p5_officer, chief)
    assert opinion.assigned_to_id == p5_officer.id


def test_notes_and_templates(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    opinion, _ = make_opinion(tree["CM-TPCM-P5"])
    services.add_note(opinion, "Đã gọi điện cho tổ trưởng.", chief)
    assert [n.body for n in services.notes_of(opinion)] == ["Đã gọi điện cho tổ trưởng."]
    district = services.save_template(None, tree["CM-TPCM"], "Cảm ơn", "Cảm ơn ông/bà.", chief)
    services.save_template(None, tree["CM-TPCM-P9"], "P9", "Riêng P9.", chief)
    assert [t.id for t in services.templates_for(opinion)] == [district.id]
    with pytest.raises(services.InboxError):
        services.save_template(None, tree["CM-THB"], "x", "y", chief)


def test_bulk_actions_skip_out_of_scope(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    officer = make_user("officer", "CM-TPCM-P5")
    mine1, _ = make_opinion(tree["CM-TPCM-P5"])
    mine2, _ = make_opinion(tree["CM-TPCM-P5"])
    other, _ = make_opinion(tree["CM-THB-TANLOC"])
    done, skipped = services.bulk_action(chief, [mine1.id, mine2.id, other.id], "confirm")
    assert (done, skipped) == (2, 1)
    assert all(t.is_confirmed for t in mine1.topics) and mine1.sentiment_confirmed
    assert not other.sentiment_confirmed
    done, _ = services.bulk_action(chief, [mine1.id, mine2.id], "assign", assignee=officer)
    assert done == 2 and mine2.assigned_to_id == officer.id
    done, skipped = services.bulk_action(chief, [mine1.id], "status", status="closed")
    assert (done, skipped) == (0, 1)


def test_exports_hide_sealed_contacts(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    make_opinion(tree["CM-TPCM-P5"], identity=Identity.sealed, contact_name="Trần Kín Tên",
                 contact_phone="0912345678", contact_email="kin@example.test")
    make_opinion(tree["CM-TPCM-P5"], identity=Identity.public, contact_name="Lê Công Khai",
                 contact_phone="0987654321", body="=HYPERLINK(\"http://x\") thủ tục chậm")
    make_opinion(tree["CM-THB-TANLOC"], body="Ở huyện khác, không được xuất.")
    text = services.export_csv(chief, InboxFilter()).decode("utf-8")
    assert "Trần Kín Tên" not in text and "0912345678" not in text and "kin@example.test" not in text
    assert "0987654321" not in text and "Lê Công Khai" in text
    assert "huyện khác" not in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == services.EXPORT_HEADER and len(rows) == 3
    assert any(row[-1].startswith("'=") for row in rows[1:])
    sheet = load_workbook(io.BytesIO(services.export_xlsx(chief, InboxFilter()))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and "Trần Kín Tên" not in str(values)


def test_escalation_is_idempotent_and_mails_parent_chiefs(app, tree, make_user, runner):
    parent_chief = make_user("chief", "CM-TPCM")
    make_user("chief", "CM-THB")
    late, _ = make_opinion(tree["CM-TPCM-P5"], due_in_days=-1)
    make_opinion(tree["CM-TPCM-P5"], due_in_days=2)
    outbox(app).clear()
    result = runner.invoke(args=["inbox", "escalate"])
    assert result.exit_code == 0 and "escalated 1" in result.output
    assert late.escalated_at is not None or db.session.get(type(late), late.id).escalated_at is not None
    mails = outbox(app)
    assert [m["To"] for m in mails] == [parent_chief.email]
    assert f"#{late.id}" in mails[0].get_content()
    result = runner.invoke(args=["inbox", "escalate"])
    assert "escalated 0" in result.output and len(outbox(app)) == 1
    assert ids(parent_chief, escalated=True) == [late.id]
    assert services.inbox_counts(parent_chief)["escalated"] == 1


def test_explanation_of_reads_both_formats(tree):
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], explanation={"procedure": [["chờ lâu", 0.8]]})
    assert services.explanation_of(opinion) == {"procedure": [("chờ lâu", 0.8)]}
    opinion.explanation = '{"integrity": [["bồi dưỡng", 1.5]]}'
    assert services.explanation_of(opinion) == {"integrity": [("bồi dưỡng", 1.5)]}
    opinion.explanation = "not json"
    assert services.explanation_of(opinion) == {}
