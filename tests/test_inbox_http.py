"""The inbox over HTTP: roles, scope, filters, tagging, answering, bulk actions, exports, templates."""

from feedback.extensions import db
from feedback.forum.models import Answer, Identity, OpinionStatus
from feedback.inbox.models import ReplyTemplate
from tests.inbox_helpers import make_opinion


def test_roles_and_scope(client, auth, tree, make_user):
    opinion, _ = make_opinion(tree["CM-THB-TANLOC"])
    assert client.get("/staff/inbox").status_code == 302
    for role in ("inspector", "moderator"):
        auth.login(make_user(role, "CM"))
        assert client.get("/staff/inbox").status_code == 403
        auth.logout()
    auth.login(make_user("chief", "CM-TPCM"))
    assert client.get("/staff/inbox").status_code == 200
    assert client.get(f"/staff/inbox/{opinion.id}").status_code == 404
    assert client.post(f"/staff/inbox/{opinion.id}/answer", data={"body": "x y z", "visibility": "public"}).status_code == 404
    assert client.get(f"/staff/inbox?unit={tree['CM-THB'].id}").status_code == 404


def test_list_shows_suggested_tags_overdue_badge_and_search(client, auth, tree, make_user):
    make_opinion(tree["CM-TPCM-P5"], body="Cán bộ hướng dẫn làm căn cước rất tận tình.", topics=("procedure",),
                 sentiment="positive", due_in_days=-2)
    make_opinion(tree["CM-TPCM-P9"], body="Đường phố nhiều xe đậu trên vỉa hè.", topics=("traffic",))
    auth.login(make_user("chief", "CM-TPCM"))
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert "tag-suggested" in html and "Quá hạn" in html and "2 ngày" in html
    html = client.get("/staff/inbox?q=can+cuoc").get_data(as_text=True)
    assert "tận tình" in html and "vỉa hè" not in html
    html = client.get("/staff/inbox?overdue=1&date_from=not-a-date&kind=bogus").get_data(as_text=True)
    assert "tận tình" in html and "vỉa hè" not in html


def test_detail_tags_answer_and_seal(client, auth, tree, make_user, app):
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], identity=Identity.sealed, contact_name="Phạm Kín",
                              contact_phone="0900111222", explanation={"procedure": [["chờ cả buổi", 1.3]]})
    chief = make_user("chief", "CM-TPCM")
    auth.login(chief)
    html = client.get(f"/staff/inbox/{opinion.id}").get_data(as_text=True)
    assert "Phạm Kín" not in html and "0900111222" not in html and "chờ cả buổi" in html
    response = client.post(f"/staff/inbox/{opinion.id}/tags", data={"topics": ["demeanour", "procedure", "traffic",
                                                                                "other"], "sentiment": "negative"})
    assert response.status_code == 400
    response = client.post(f"/staff/inbox/{opinion.id}/tags", data={"topics": ["procedure", "responsiveness"],
                                                                     "sentiment": "negative"})
    assert response.status_code == 302
    db.session.refresh(opinion)
    assert sorted(opinion.topic_codes) == ["procedure", "responsiveness"] and opinion.sentiment_confirmed
    assert client.post(f"/staff/inbox/{opinion.id}/answer", data={"body": "", "visibility": "public"}).status_code == 400
    response = client.post(f"/staff/inbox/{opinion.id}/answer",
                           data={"body": "Công an phường đã tiếp nhận.", "visibility": "private"})
    assert response.status_code == 302
    answer = db.session.scalar(db.select(Answer))
    assert answer.author_id == chief.id and not answer.is_public
    html = client.get(f"/staff/inbox/{opinion.id}").get_data(as_text=True)
    assert tree["CM-TPCM-P5"].name_vi in html and "Công an phường đã tiếp nhận." in html


def test_officer_cannot_see_explanation_but_chief_can(client, auth, tree, make_user):
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], explanation={"procedure": [["giấy hẹn", 0.9]]})
    auth.login(make_user("officer", "CM-TPCM-P5"))
    assert "giấy hẹn" not in client.get(f"/staff/inbox/{opinion.id}").get_data(as_text=True)


def test_status_assign_note_and_bulk(client, auth, tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    officer = make_user("officer", "CM-TPCM-P5")
    a, _ = make_opinion(tree["CM-TPCM-P5"])
    b, _ = make_opinion(tree["CM-TPCM-P5"])
    foreign, _ = make_opinion(tree["CM-THB-TANLOC"])
    auth.login(chief)
    client.post(f"/staff/inbox/{a.id}/status", data={"status": "closed"})
    db.session.refresh(a)
    assert a.status == OpinionStatus.new
    client.post(f"/staff/inbox/{a.id}/assign", data={"assignee": officer.id})
    client.post(f"/staff/inbox/{a.id}/notes", data={"body": "Ghi chú nội bộ"})
    html = client.get(f"/staff/inbox/{a.id}").get_data(as_text=True)
    assert "Ghi chú nội bộ" in html and officer.full_name in html
    response = client.post("/staff/inbox/bulk", data={"bulk-ids": [a.id, b.id, foreign.id], "bulk-action": "confirm",
                                                      "bulk-next": "/staff/inbox?overdue=1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/inbox?overdue=1")
    db.session.refresh(b)
    db.session.refresh(foreign)
    assert b.sentiment_confirmed and not foreign.sentiment_confirmed
    response = client.post("/staff/inbox/bulk", data={"bulk-ids": [b.id], "bulk-action": "assign",
                                                      "bulk-assignee": officer.id, "bulk-next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/staff/inbox")
    db.session.refresh(b)
    assert b.assigned_to_id == officer.id


def test_exports(client, auth, tree, make_user):
    make_opinion(tree["CM-TPCM-P5"], identity=Identity.sealed, contact_name="Ẩn Danh Tính")
    auth.login(make_user("chief", "CM-TPCM"))
    response = client.get("/staff/inbox/export.csv?topic=procedure")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Ẩn Danh Tính" not in response.get_data(as_text=True)
    response = client.get("/staff/inbox/export.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_templates_for_chiefs_only(client, auth, tree, make_user):
    auth.login(make_user("officer", "CM-TPCM-P5"))
    assert client.get("/staff/inbox/templates").status_code == 403
    auth.logout()
    chief = make_user("chief", "CM-TPCM")
    auth.login(chief)
    response = client.post("/staff/inbox/templates/new", data={"unit": tree["CM-TPCM"].id, "title": "Cảm ơn",
                                                               "body": "Cảm ơn ông/bà đã góp ý."})
    assert response.status_code == 302
    template = db.session.scalar(db.select(ReplyTemplate))
    assert client.post("/staff/inbox/templates/new", data={"unit": tree["CM-THB"].id, "title": "x",
                                                           "body": "y"}).status_code == 200  # not a valid choice
    opinion, _ = make_opinion(tree["CM-TPCM-P5"])
    html = client.get(f"/staff/inbox/{opinion.id}?template={template.id}").get_data(as_text=True)
    assert "Cảm ơn ông/bà đã góp ý." in html
    assert client.post(f"/staff/inbox/templates/{template.id}/delete").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ReplyTemplate)) == 0


def test_notification_settings(client, auth, make_user):
    user = make_user("inspector", "CM")
    auth.login(user)
    assert client.get("/staff/notifications").status_code == 200
    client.post("/staff/notifications", data={"notify_mode": "immediate"})
    db.session.refresh(user)
    assert user.notify_mode == "immediate"
    assert client.post("/staff/notifications", data={"notify_mode": "hourly"}).status_code == 200
