"""The citizen pages over HTTP: search, unit page, QR codes, the form, the receipt, tracking, the forum."""

import re

import pytest
from sqlalchemy import event, select, update

from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import Answer, FollowUp, Opinion, OpinionStatus, Publication
from feedback.moderation import services as moderation
from tests.forum_helpers import submit, use_fake_model, use_no_model

RECEIPT = re.compile(r"\d{5}(?:-\d{5}){4}")
GOOD = {"kind": "report", "body": "Đèn đường trước trụ sở hư lâu rồi, tối rất tối.", "identity": "anonymous"}


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def count_opinions():
    return db.session.scalar(select(db.func.count()).select_from(Opinion))


def send(client, code="CM-TPCM-P5", **data):
    return client.post(f"/u/{code}/new", data={**GOOD, **data})


def test_search_is_accent_insensitive_and_works_without_js(client, tree):
    response = client.get("/search?q=phuong+5+ca+mau")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Công an Phường 5" in page and 'href="/u/CM-TPCM-P5"' in page and 'href="/u/CM-TPCM-P5/new"' in page
    assert "<script" not in page
    assert client.get("/search?q=" + "x" * 5000).status_code == 200
    assert client.get("/search").status_code == 200


def test_unit_page_shows_chain_form_link_recent_opinions_and_qr(client, tree, make_user):
    opinion, _ = submit(tree["CM-TPCM-P5"], body="Gọi 0912345678 nhưng không ai nghe máy", wants_publication=True)
    moderation.publish(opinion, make_user("moderator", "CM"))
    page = client.get("/u/cm-tpcm-p5").get_data(as_text=True)
    assert "Công an Phường 5" in page and "Công an thành phố Cà Mau" in page and "Công an tỉnh Cà Mau" in page
    assert "/u/CM-TPCM-P5/new" in page and "/u/CM-TPCM-P5/qr.svg" in page and "/u/CM-TPCM-P5/poster" in page
    assert "[số điện thoại đã ẩn]" in page and "0912345678" not in page
    assert client.get("/u/NOPE").status_code == 404


def test_qr_codes_point_to_the_absolute_unit_url(app, client, tree):
    png = client.get("/u/CM-TPCM-P5/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get("/u/CM-TPCM-P5/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    with app.test_request_context("/", base_url="https://gopy.example.vn"):
        from feedback.forum.views import unit_url

        assert unit_url(tree["CM-TPCM-P5"]) == "https://gopy.example.vn/u/CM-TPCM-P5"
        app.config["SITE_URL"] = "https://langnghe.congan.camau.gov.vn/"
        assert unit_url(tree["CM-TPCM-P5"]) == "https://langnghe.congan.camau.gov.vn/u/CM-TPCM-P5"
    poster = client.get("/u/CM-TPCM-P5/poster").get_data(as_text=True)
    assert "https://langnghe.congan.camau.gov.vn/u/CM-TPCM-P5" in poster and "qr.svg" in poster
    assert client.get("/u/NOPE/qr.png").status_code == 404


def test_form_explains_tracks_and_has_labelled_honeypot(en, tree):
    page = en.get("/u/CM-TPCM-P5/new").get_data(as_text=True)
    for text in ("Complaint (khiếu nại)", "Denunciation (tố cáo)", "who, what, when and where", "Leave this field empty",
                 "Sealed name", "Publish my opinion on the public forum"):
        assert text in page
    assert 'class="hp"' in page and 'for="website"' in page
    assert " style=" not in page and "onclick" not in page


def test_submission_happy_path_shows_the_receipt_once(app, client, tree):
    use_fake_model(app)
    response = send(client, body="Cán bộ đòi tiền bồi dưỡng khi làm hồ sơ", kind="complaint", identity="sealed",
                    contact_name="Trần Thị E", contact_phone="0912 345 678", contact_consent="y",
                    wants_publication="y", officer_name="Nguyễn Văn F", officer_rank="Thượng úy", officer_badge="123-456")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    receipt = RECEIPT.search(page).group(0)
    opinion = db.session.scalar(select(Opinion))
    assert opinion.receipt_hash == forum.receipt_hash(receipt)
    assert (opinion.contact_name, opinion.officer_badge, opinion.publication) == ("Trần Thị E", "123-456", Publication.pending)
    assert opinion.topic_codes == ["integrity"] and opinion.is_conduct_complaint
    assert receipt not in client.get("/track").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"body": ""}, "Please write your opinion."),
    ({"body": "   ngắn   "}, "Please write at least 10 characters."),
    ({"body": "a" * 5001}, "Please write at most 5000 characters"),
    ({"kind": "bribe"}, "Not a valid choice"),
    ({"identity": "secret"}, "Not a valid choice"),
    ({"identity": "public"}, "Please give your name, or choose to stay anonymous."),
    ({"identity": "sealed", "contact_name": "A", "contact_phone": "0912345678"}, "Please agree that the unit may use"),
    ({"identity": "public", "contact_name": "A", "contact_phone": "gọi tôi"}, "Please enter a phone number"),
    ({"identity": "public", "contact_name": "A", "contact_email": "not-an-email", "contact_consent": "y"},
     "Please enter a valid e-mail address."),
    ({"website": "http://spam.example"}, "This field must stay empty."),
    ({"officer_badge": "9" * 60}, "Field cannot be longer than 50 characters."),
])
def test_every_validation_error_is_a_400_with_a_message(en, tree, data, message):
    response = send(en, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_opinions() == 0


def test_validation_messages_are_vietnamese_by_default(client, tree):
    page = send(client, body="ngắn").get_data(as_text=True)
    assert "Vui lòng viết ít nhất 10 ký tự." in page and "Gửi ý kiến đến Công an Phường 5" in page


def test_inactive_unit_takes_no_opinion(client, tree):
    tree["CM-TPCM-P9"].is_active = False
    db.session.commit()
    assert client.get("/u/CM-TPCM-P9/new").status_code == 200
    assert send(client, code="CM-TPCM-P9").status_code == 410
    assert send(client, code="NOPE").status_code == 404
    assert count_opinions() == 0


def test_missing_model_stores_untagged_then_backfill_tags(app, client, runner, tree):
    use_no_model(app)
    assert send(client).status_code == 200
    opinion = db.session.scalar(select(Opinion))
    assert opinion.classified_at is None
    use_fake_model(app)  # the model is back (the configured directory is unchanged)
    result = runner.invoke(args=["classifier", "backfill"])
    assert result.exit_code == 0, result.output
    assert "tagged 1" in result.output and "still untagged 0" in result.output
    db.session.expire_all()
    assert db.session.get(Opinion, opinion.id).classified_at is not None
    assert "tagged 0" in runner.invoke(args=["classifier", "backfill"]).output


def test_track_answers_and_follow_up(en, tree, make_user):
    opinion, receipt = submit(tree["CM-TPCM-P5"], body="Xin hỏi thủ tục đăng ký tạm trú", wants_publication=True)
    chief = make_user("chief", "CM-TPCM", name="Chỉ Huy Bí Mật")
    db.session.add_all([Answer(opinion=opinion, unit=tree["CM-TPCM"], author=chief, body="Câu trả lời công khai"),
                        Answer(opinion=opinion, unit=tree["CM-TPCM"], author=chief, body="Trả lời riêng", is_public=False)])
    opinion.status = OpinionStatus.answered
    db.session.commit()

    assert en.get("/track").status_code == 200
    response = en.post("/track", data={"code": receipt.replace("-", " ")})
    assert response.status_code == 303 and receipt not in response.headers["Location"]
    page = en.get("/track").get_data(as_text=True)
    assert "Câu trả lời công khai" in page and "Trả lời riêng" in page and "Answered" in page
    assert "Answer from Ca Mau City Police" in page and "Chỉ Huy Bí Mật" not in page

    response = en.post("/track/follow-up", data={"body": "Tôi bổ sung thêm giấy tờ"})
    assert response.status_code == 303
    assert db.session.scalar(select(FollowUp.body)) == "Tôi bổ sung thêm giấy tờ"
    assert en.post("/track/follow-up", data={"body": ""}).status_code == 400
    assert en.post("/track/forget").status_code == 303
    assert en.post("/track/follow-up", data={"body": "Lần nữa"}).status_code == 303
    assert db.session.scalar(select(db.func.count()).select_from(FollowUp)) == 1


def test_wrong_receipt_is_a_clear_404_and_malformed_is_400(en, tree):
    submit(tree["CM-TPCM-P5"])
    wrong = en.post("/track", data={"code": "12345-67890-12345-67890-12345"})
    assert wrong.status_code == 404 and "No opinion matches this receipt code" in wrong.get_data(as_text=True)
    malformed = en.post("/track", data={"code": "12345"})
    assert malformed.status_code == 404 and "25 digits" in malformed.get_data(as_text=True)
    assert en.post("/track", data={}).status_code == 400


def test_receipt_guessing_is_throttled(extra_app):
    client = extra_app(RATELIMIT_ENABLED=True, RECEIPT_LOOKUP_LIMIT="3 per hour").test_client()
    codes = [client.post("/track", data={"code": "11111-22222-33333-44444-%05d" % i}).status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_submissions_are_rate_limited(extra_app, tree):
    client = extra_app(RATELIMIT_ENABLED=True, OPINION_SUBMIT_LIMIT="2 per minute").test_client()
    responses = [send(client) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429] and count_opinions() == 2
    # The refusal says when to come back: within the minute of the limit (rounded up to whole seconds).
    assert 1 <= int(responses[2].headers["Retry-After"]) <= 61
    assert "X-RateLimit-Remaining" not in responses[0].headers


def _published(tree, moderator, n, unit="CM-TPCM-P5", **kwargs):
    made = []
    for i in range(n):
        opinion, _ = submit(tree[unit], body=f"Ý kiến số {i} gọi 0987 654 321", wants_publication=True, **kwargs)
        moderation.publish(opinion, moderator)
        made.append(opinion)
    return made


def test_forum_lists_masked_opinions_with_filters_and_pages_without_count(app, en, tree, make_user):
    moderator = make_user("moderator", "CM")
    app.config["FORUM_PAGE_SIZE"] = 3
    made = _published(tree, moderator, 4) + _published(tree, moderator, 1, unit="CM-THB")
    submit(tree["CM-TPCM-P5"], body="Chưa duyệt 0912345678", wants_publication=True)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = en.get("/forum")
        page = first.get_data(as_text=True)
        cursor = re.search(r'href="/forum\?after=([^"&]+)"', page).group(1)
        second = en.get(f"/forum?after={cursor}").get_data(as_text=True)
        filtered = en.get("/forum?unit=CM-THB&subtree=y&kind=suggestion&answered=no").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert first.status_code == 200
    assert not [s for s in statements if "count(" in s]
    assert "[số điện thoại đã ẩn]" in page and "0987 654 321" not in page and "Chưa duyệt" not in page
    assert page.count('class="opinion"') == 3 and second.count('class="opinion"') == 2
    assert f'id="opinion-{made[-1].id}"' in page and f'id="opinion-{made[0].id}"' in second
    assert filtered.count('class="opinion"') == 1 and "Thoi Binh District Police" in filtered
    assert "Anonymous citizen" in page
    assert en.get("/forum?topic=nonsense").status_code == 400
    assert en.get("/forum?unit=NOPE").status_code == 200
    assert en.get("/forum?after=garbage").status_code == 200


def test_forum_shows_public_name_and_public_answers_only(en, tree, make_user):
    moderator, chief = make_user("moderator", "CM"), make_user("chief", "CM-TPCM")
    (public,) = _published(tree, moderator, 1, identity=forum.Identity.public, contact_name="Phạm Văn Công Khai")
    (sealed,) = _published(tree, moderator, 1, identity=forum.Identity.sealed, contact_name="Bí Mật Tên")
    db.session.add_all([Answer(opinion=public, unit=tree["CM-TPCM-P5"], author=chief, body="Trả lời công khai"),
                        Answer(opinion=public, unit=tree["CM-TPCM-P5"], author=chief, body="Nội bộ", is_public=False)])
    db.session.commit()
    page = en.get("/forum").get_data(as_text=True)
    assert "Phạm Văn Công Khai" in page and "Bí Mật Tên" not in page
    assert "Trả lời công khai" in page and "Nội bộ" not in page
    assert en.get("/forum?answered=yes").get_data(as_text=True).count('class="opinion"') == 1
    assert en.get(f"/forum/{public.id}").status_code == 200
    hidden, _ = submit(tree["CM-TPCM-P5"], wants_publication=True)
    assert en.get(f"/forum/{hidden.id}").status_code == 404


def test_agree_once_per_browser(client, app, tree, make_user):
    (opinion,) = _published(tree, make_user("moderator", "CM"), 1)
    response = client.post(f"/forum/{opinion.id}/agree", data={"next": "/forum"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/forum#opinion-{opinion.id}")
    assert "langnghe_voter" in response.headers["Set-Cookie"]
    client.post(f"/forum/{opinion.id}/agree", data={"next": "https://evil.example/"})
    other = app.test_client()
    other.post(f"/forum/{opinion.id}/agree")
    db.session.expire_all()
    assert db.session.get(Opinion, opinion.id).agree_count == 2
    assert client.post("/forum/999999/agree").status_code == 404


def test_forum_list_is_one_shared_public_page_for_visitors_without_a_session(app, client, tree, make_user):
    moderator = make_user("moderator", "CM")
    (first,) = _published(tree, moderator, 1)
    response = client.get("/forum")
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in response.headers and "Cookie" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    # No per-visitor token in the list: "agree" links to the opinion's page, where the form is.
    assert "csrf_token" not in page and f'href="/forum/{first.id}#agree"' in page
    detail = client.get(f"/forum/{first.id}").get_data(as_text=True)
    assert 'id="agree"' in detail and 'name="csrf_token"' in detail
    # A row changed behind the app's back shows only when the page expires...
    db.session.execute(update(Opinion).where(Opinion.id == first.id).values(public_body="Sửa thẳng trong cơ sở dữ liệu"))
    db.session.commit()
    assert "Sửa thẳng" not in client.get("/forum").get_data(as_text=True)
    # ...but a change made through the app (publishing) shows at once.
    (second,) = _published(tree, moderator, 1)
    page = client.get("/forum").get_data(as_text=True)
    assert f'id="opinion-{second.id}"' in page and "Sửa thẳng" in page


def test_a_citizen_who_opened_a_form_shares_the_public_list_unless_a_message_waits(app, client, tree, make_user):
    moderator = make_user("moderator", "CM")
    (first,) = _published(tree, moderator, 1)
    with client.session_transaction() as session:  # as after opening a form (CSRF is off in tests)
        session["csrf_token"] = "token-of-a-form-this-browser-opened"
    client.get("/track")  # Flask-Login marks such a session "not fresh" once, with a Set-Cookie
    page = client.get("/forum")
    assert page.headers["Cache-Control"].startswith("public, max-age=") and "Set-Cookie" not in page.headers
    # Served from the shared cache from now on: a change behind the app's back does not show.
    db.session.execute(update(Opinion).where(Opinion.id == first.id).values(public_body="Sửa thẳng trong cơ sở dữ liệu"))
    db.session.commit()
    assert client.get("/forum").get_data() == page.get_data()
    # A message waiting in the session is shown by the next page, which is then private.
    client.post("/track/forget")
    waiting = client.get("/forum")
    assert "public" not in waiting.headers.get("Cache-Control", "")
    assert "không còn hiển thị ý kiến của bạn" in waiting.get_data(as_text=True)
    assert client.get("/forum").headers["Cache-Control"].startswith("public")


def test_forum_list_is_private_for_signed_in_staff_and_sessions(app, client, tree, make_user, auth):
    moderator = make_user("moderator", "CM")
    _published(tree, moderator, 1)
    anonymous = client.get("/forum")
    assert anonymous.headers["Cache-Control"].startswith("public")
    auth.login(moderator)
    signed_in = client.get("/forum")
    assert "public" not in signed_in.headers.get("Cache-Control", "")
    assert moderator.full_name in signed_in.get_data(as_text=True)
    app.config["FORUM_CACHE_SECONDS"] = 0
    forum.forget_cached_pages()
    assert "public" not in app.test_client().get("/forum?kind=report").headers.get("Cache-Control", "")
