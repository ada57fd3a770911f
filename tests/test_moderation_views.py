"""Moderation: queue in scope, publish with masking (and edits), hide, unpublish, the log, 404 out of scope."""

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.forum.models import Opinion, Publication
from feedback.moderation import services as moderation
from feedback.moderation.models import ModerationAction, ModerationLog
from tests.forum_helpers import submit

BODY = "Tôi là Lan, số 0912 345 678, xe 69A-123.45 bị giữ mà không có biên bản."


@pytest.fixture
def pending(tree):
    opinion, _ = submit(tree["CM-TPCM-P5"], body=BODY, wants_publication=True)
    return opinion


def test_queue_shows_masked_preview_in_scope_only(client, auth, tree, make_user, pending):
    other, _ = submit(tree["CM-THB-TANLOC"], body="Ở xã Tân Lộc có tụ điểm cờ bạc", wants_publication=True)
    private, _ = submit(tree["CM-TPCM-P5"], body="Không muốn công khai ý kiến này")
    auth.login(make_user("moderator", "CM-TPCM"))
    page = client.get("/staff/moderation/").get_data(as_text=True)
    assert "[số điện thoại đã ẩn]" in page and "[biển số xe đã ẩn]" in page and "0912 345 678" not in page
    assert "Tân Lộc" not in page and "Không muốn công khai" not in page
    assert client.get(f"/staff/moderation/{other.id}").status_code == 404
    assert client.post(f"/staff/moderation/{other.id}/publish", data={}).status_code == 404
    assert client.post(f"/staff/moderation/{other.id}/hide", data={f"h{other.id}-reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Opinion, other.id).publication == Publication.pending


def test_only_moderators_and_admins(client, auth, make_user, pending):
    assert client.get("/staff/moderation/").status_code == 302
    auth.login(make_user("chief", "CM"))
    assert client.get("/staff/moderation/").status_code == 403
    assert client.post(f"/staff/moderation/{pending.id}/publish", data={}).status_code == 403
    auth.logout()
    auth.login(make_user("admin", "BCA"))
    assert client.get("/staff/moderation/").status_code == 200


def test_publish_with_edit_is_masked_again_and_logged(client, auth, make_user, pending):
    moderator = make_user("moderator", "CM")
    auth.login(moderator)
    edited = "Một người dân (số 0987654321) phản ánh xe bị giữ mà không có biên bản."
    response = client.post(f"/staff/moderation/{pending.id}/publish", data={f"p{pending.id}-public_text": edited})
    assert response.status_code == 303
    db.session.expire_all()
    opinion = db.session.get(Opinion, pending.id)
    assert opinion.publication == Publication.published and opinion.published_at is not None
    assert opinion.public_body == "Một người dân (số [số điện thoại đã ẩn]) phản ánh xe bị giữ mà không có biên bản."
    assert opinion.body == BODY
    log = db.session.scalar(select(ModerationLog))
    assert (log.action, log.moderator_id, log.edited) == (ModerationAction.publish, moderator.id, True)
    # Publishing twice is refused with a message, not an error page.
    assert client.post(f"/staff/moderation/{pending.id}/publish", data={}).status_code == 400


def test_publish_without_edit_uses_the_automatic_mask(client, auth, make_user, pending):
    auth.login(make_user("moderator", "CM-TPCM"))
    client.post(f"/staff/moderation/{pending.id}/publish", data={f"p{pending.id}-public_text": ""})
    db.session.expire_all()
    assert db.session.get(Opinion, pending.id).public_body == (
        "Tôi là Lan, số [số điện thoại đã ẩn], xe [biển số xe đã ẩn] bị giữ mà không có biên bản.")


def test_hide_needs_a_reason_and_unpublish_works(client, auth, make_user, pending):
    moderator = make_user("moderator", "CM")
    auth.login(moderator)
    assert client.post(f"/staff/moderation/{pending.id}/hide", data={f"h{pending.id}-reason": " "}).status_code == 400
    assert client.post(f"/staff/moderation/{pending.id}/hide",
                       data={f"h{pending.id}-reason": "Nêu tên người khác"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Opinion, pending.id).publication == Publication.hidden
    assert client.post(f"/staff/moderation/{pending.id}/publish", data={}).status_code == 303
    assert client.get("/forum").get_data(as_text=True).count('class="opinion"') == 1
    assert client.post(f"/staff/moderation/{pending.id}/unpublish",
                       data={f"h{pending.id}-reason": "Citizen asked"}).status_code == 303
    assert client.get("/forum").get_data(as_text=True).count('class="opinion"') == 0
    actions = db.session.scalars(select(ModerationLog.action).order_by(ModerationLog.id)).all()
    assert actions == [ModerationAction.hide, ModerationAction.publish, ModerationAction.unpublish]
    page = client.get(f"/staff/moderation/{pending.id}").get_data(as_text=True)
    assert "Nêu tên người khác" in page and "Citizen asked" in page


def test_service_refuses_opinions_without_consent(tree, make_user):
    opinion, _ = submit(tree["CM-TPCM-P5"])
    with pytest.raises(moderation.ModerationError):
        moderation.publish(opinion, make_user("moderator", "CM"))
    with pytest.raises(moderation.ModerationError):
        moderation.unpublish(opinion, make_user("moderator", "CM"), "x")


def test_published_list_in_scope(client, auth, tree, make_user):
    moderator = make_user("moderator", "CM-THB")
    mine, _ = submit(tree["CM-THB-TANLOC"], body="Cảm ơn công an xã Tân Lộc", wants_publication=True)
    theirs, _ = submit(tree["CM-TPCM-P5"], body="Cảm ơn công an phường 5", wants_publication=True)
    admin = make_user("admin", "BCA")
    moderation.publish(mine, admin)
    moderation.publish(theirs, admin)
    auth.login(moderator)
    page = client.get("/staff/moderation/published").get_data(as_text=True)
    assert "Tân Lộc" in page and "phường 5" not in page
    assert client.post(f"/staff/moderation/{theirs.id}/unpublish", data={f"h{theirs.id}-reason": "x"}).status_code == 404
