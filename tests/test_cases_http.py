"""Cases over HTTP: who may see them, the reveal action and its log, workflow forms."""

from feedback.cases import services
from feedback.cases.models import IdentityView
from feedback.extensions import db
from feedback.forum.models import Identity, OpinionKind
from tests.inbox_helpers import make_opinion


def sealed_case(tree, unit="CM-THB-TANLOC"):
    opinion, _ = make_opinion(tree[unit], body="Cán bộ đòi tiền khi làm hồ sơ.", kind=OpinionKind.complaint,
                              topics=("integrity",), identity=Identity.sealed, contact_name="Đỗ Bảo Mật",
                              contact_phone="0933444555")
    return services.case_of(opinion)


def test_access(client, auth, tree, make_user):
    case = sealed_case(tree)
    for role, unit in (("chief", "CM-THB"), ("officer", "CM-THB-TANLOC"), ("moderator", "CM")):
        auth.login(make_user(role, unit))
        assert client.get("/staff/cases").status_code == 403
        assert client.get(f"/staff/cases/{case.id}").status_code == 403
        auth.logout()
    auth.login(make_user("inspector", "CM-TPCM"))
    assert client.get(f"/staff/cases/{case.id}").status_code == 404
    assert client.post(f"/staff/cases/{case.id}/identity").status_code == 404
    auth.logout()
    auth.login(make_user("admin", "CM"))
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Đỗ Bảo Mật" not in html and "0933444555" not in html
    assert client.post(f"/staff/cases/{case.id}/identity").status_code == 403


def test_inspector_reveals_identity_with_a_logged_post(client, auth, tree, make_user):
    case = sealed_case(tree)
    inspector = make_user("inspector", "CM-THB")
    auth.login(inspector)
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Đỗ Bảo Mật" not in html and "0933444555" not in html
    assert client.get(f"/staff/cases/{case.id}/identity").status_code == 405
    response = client.post(f"/staff/cases/{case.id}/identity")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đỗ Bảo Mật" in html and "0933444555" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(db.select(IdentityView.user_id)) == inspector.id
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "0933444555" not in html and "Đã xem danh tính người phản ánh" in html


def test_workflow_forms(client, auth, tree, make_user):
    case = sealed_case(tree)
    inspector = make_user("inspector", "CM-THB")
    auth.login(inspector)
    client.post(f"/staff/cases/{case.id}/assign", data={"inspector": inspector.id})
    client.post(f"/staff/cases/{case.id}/notes", data={"text": "Đã làm việc với tổ công tác."})
    assert client.post(f"/staff/cases/{case.id}/close", data={"disposition": "maybe", "summary": "x"}).status_code == 400
    client.post(f"/staff/cases/{case.id}/close", data={"disposition": "unsubstantiated", "summary": "Không có căn cứ."})
    db.session.refresh(case)
    assert case.status.value == "closed" and [e.action for e in case.events] == ["opened", "assigned", "note", "closed"]
    assert services.verify_log()[1] == []
    html = client.get("/staff/cases?status=closed").get_data(as_text=True)
    assert f"/staff/cases/{case.id}" in html
