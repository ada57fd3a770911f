"""The citizen-side services: submitting, tagging, receipts, anonymity, follow-ups, agreeing, listing."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from feedback import signals
from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import (
    Answer,
    Channel,
    FollowUp,
    Identity,
    Opinion,
    OpinionKind,
    OpinionTopic,
    Publication,
)
from tests.forum_helpers import FakeModel, submit, use_fake_model, use_no_model


def test_submit_stores_canonical_body_search_text_and_deadline(app, tree):
    decomposed = "Thu\u0309 tu\u0323c la\u0300m căn cước ở Phường 5 nhanh"
    opinion, receipt = submit(tree["CM-TPCM-P5"], body="  " + decomposed + "  ", kind=OpinionKind.question)
    assert opinion.body == "Thủ tục làm căn cước ở Phường 5 nhanh"
    assert opinion.search_text == "thu tuc lam can cuoc o phuong 5 nhanh"
    assert opinion.channel == Channel.web
    assert opinion.status.value == "new"
    assert opinion.due_at - opinion.created_at == timedelta(days=8)
    assert opinion.publication == Publication.not_requested
    assert not opinion.is_tagged


def test_deadlines_follow_the_kind_and_config(app, tree):
    complaint, _ = submit(tree["CM-TPCM-P5"], kind=OpinionKind.complaint)
    assert (complaint.due_at - complaint.created_at).days == 31
    assert complaint.is_conduct_complaint
    app.config["OPINION_DEADLINE_DAYS"] = {"praise": 3}
    praise, _ = submit(tree["CM-TPCM-P5"], kind=OpinionKind.praise)
    assert (praise.due_at - praise.created_at).days == 4


def test_anonymous_and_sealed_keep_the_day_only_and_no_ip_column(app, tree):
    columns = {c.key for c in inspect(Opinion).columns} | {c.key for c in inspect(FollowUp).columns}
    parts = {part for name in columns for part in name.split("_")}
    assert not parts & {"ip", "ua", "addr", "address", "agent", "remote", "device", "useragent"}
    for identity in (Identity.anonymous, Identity.sealed):
        opinion, _ = submit(tree["CM-TPCM-P5"], identity=identity, contact_name="Nguyễn Văn A",
                            classifier=FakeModel())
        db.session.expire_all()
        stored = db.session.get(Opinion, opinion.id)
        for moment in (stored.created_at, stored.due_at, stored.classified_at):
            assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
        message = forum.add_follow_up(stored, "Bổ sung thông tin thêm")
        assert (message.created_at.hour, message.created_at.minute, message.created_at.second) == (0, 0, 0)


def test_anonymous_drops_contact_details_and_sealed_keeps_them(app, tree):
    anonymous, _ = submit(tree["CM-TPCM-P5"], identity=Identity.anonymous, contact_name="Lê Văn B",
                          contact_phone="0912345678", contact_consent=True)
    assert (anonymous.contact_name, anonymous.contact_phone, anonymous.contact_consent) == (None, None, False)
    sealed, _ = submit(tree["CM-TPCM-P5"], identity=Identity.sealed, contact_name="Lê Văn B",
                       contact_phone="0912345678", contact_email="b@example.vn", contact_consent=True)
    assert (sealed.contact_name, sealed.contact_phone, sealed.contact_email) == ("Lê Văn B", "0912345678", "b@example.vn")


@pytest.mark.parametrize("body", ["", "   ", "ngắn quá", "a" * 5001, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"])
def test_body_length_is_checked_after_stripping(app, tree, body):
    with pytest.raises(forum.OpinionError):
        submit(tree["CM-TPCM-P5"], body=body)
    assert db.session.scalar(select(db.func.count()).select_from(Opinion)) == 0


def test_body_limits_count_characters_with_or_without_diacritics(app, tree):
    submit(tree["CM-TPCM-P5"], body="Cảm ơn anh")          # 10 characters
    submit(tree["CM-TPCM-P5"], body="Cam on anh")
    submit(tree["CM-TPCM-P5"], body="ở" * 5000)


def test_identity_rules(app, tree):
    with pytest.raises(forum.OpinionError):
        submit(tree["CM-TPCM-P5"], identity=Identity.public)
    with pytest.raises(forum.OpinionError):
        submit(tree["CM-TPCM-P5"], identity=Identity.sealed, contact_name="A", contact_phone="0912345678")
    inactive = tree["CM-TPCM-P9"]
    inactive.is_active = False
    db.session.commit()
    with pytest.raises(forum.OpinionError):
        submit(inactive)


def test_receipt_format_randomness_and_hash_only(app, tree):
    codes = set()
    for _ in range(30):
        opinion, receipt = submit(tree["CM-TPCM-P5"])
        assert re.fullmatch(r"\d{5}(-\d{5}){4}", receipt)
        assert receipt not in (opinion.receipt_hash or "")
        assert re.fullmatch(r"[0-9a-f]{64}", opinion.receipt_hash)
        codes.add(receipt)
    assert len(codes) == 30
    # 25 decimal digits = log2(10**25) ≈ 83 bits; the digits are spread (not a counter).
    digits = "".join(c.replace("-", "") for c in codes)
    assert len(set(digits)) == 10
    stored = db.session.execute(select(Opinion.__table__)).mappings().all()
    for row in stored:
        assert not any(isinstance(v, str) and v in codes for v in row.values())


def test_find_by_receipt_accepts_spacing_and_rejects_wrong_codes(app, tree):
    opinion, receipt = submit(tree["CM-TPCM-P5"])
    assert forum.find_by_receipt(receipt) == opinion
    assert forum.find_by_receipt(" " + receipt.replace("-", " ") + " ") == opinion
    assert forum.find_by_receipt(receipt.replace("-", "")) == opinion
    wrong = ("0" if receipt[0] != "0" else "1") + receipt[1:]
    for code in (wrong, "", "abc", receipt[:-1], "١٢٣٤٥" * 5):
        with pytest.raises(forum.InvalidReceipt):
            forum.find_by_receipt(code)


def test_receipt_hash_depends_on_the_secret(app, tree):
    code = forum.new_receipt_code()
    first = forum.receipt_hash(code)
    app.config["RECEIPT_SECRET"] = "another secret"
    assert forum.receipt_hash(code) != first


def test_classification_writes_topics_sentiment_and_routes_conduct(app, tree):
    received = []
    # A new opinion is announced once, already tagged: one signal opens its case and mails staff.
    signals.opinion_submitted.connect(lambda sender, opinion: received.append(("submitted", opinion.topic_codes)), weak=False)
    signals.opinion_classified.connect(lambda sender, opinion: received.append(("classified", opinion.is_conduct_complaint)), weak=False)
    try:
        opinion, _ = submit(tree["CM-TPCM-P5"], body="Cán bộ đòi tiền bồi dưỡng mới làm hồ sơ",
                            kind=OpinionKind.report, classifier=FakeModel())
    finally:
        signals.opinion_submitted.receivers.clear()
        signals.opinion_classified.receivers.clear()
    assert opinion.topic_codes == ["integrity"]
    assert opinion.topics[0].confidence == pytest.approx(0.9)
    assert opinion.sentiment == "negative" and opinion.sentiment_confidence == pytest.approx(0.8)
    assert opinion.model_version == "fake-1" and opinion.classified_at is not None
    assert opinion.is_conduct_complaint and not opinion.needs_review
    assert "integrity" in json.loads(opinion.explanation)["explanation"]
    assert received == [("submitted", ["integrity"])]


def test_demeanour_negative_is_conduct_but_positive_is_not(app, tree):
    rude, _ = submit(tree["CM-TPCM-P5"], body="Cán bộ quát nạt người dân", classifier=FakeModel())
    kind, _ = submit(tree["CM-TPCM-P5"], body="Cảm ơn cán bộ rất nhiệt tình", classifier=FakeModel())
    unsure, _ = submit(tree["CM-TPCM-P5"], body="Tôi không rõ nên hỏi ai", classifier=FakeModel())
    assert rude.is_conduct_complaint and not kind.is_conduct_complaint
    assert unsure.needs_review


def test_missing_or_failing_model_keeps_the_opinion_untagged(app, tree):
    use_no_model(app)
    opinion, receipt = forum.submit_opinion(tree["CM-TPCM-P5"], OpinionKind.report, "Đèn đường hư lâu rồi chưa sửa")
    assert opinion.id and not opinion.is_tagged and opinion.topics == []
    broken, _ = submit(tree["CM-TPCM-P5"], classifier=FakeModel(fail=True))
    db.session.expire_all()
    assert db.session.get(Opinion, broken.id).classified_at is None
    assert forum.find_by_receipt(receipt).id == opinion.id


def test_app_model_is_used_by_default_and_survey_channel(app, tree):
    model = use_fake_model(app)
    opinion, _ = forum.submit_opinion(tree["CM-TPCM-P5"], "praise", "Cảm ơn các anh đã giúp đỡ", channel=Channel.survey)
    assert model.calls == 1 and opinion.channel == Channel.survey and opinion.sentiment == "positive"


def test_publication_consent_puts_it_in_the_queue(app, tree):
    opinion, _ = submit(tree["CM-TPCM-P5"], wants_publication=True)
    assert opinion.publication == Publication.pending


def test_officer_fields_are_kept(app, tree):
    opinion, _ = submit(tree["CM-TPCM-P5"], officer_name="Trần Văn C", officer_rank="Đại úy", officer_badge="123-456")
    assert (opinion.officer_name, opinion.officer_rank, opinion.officer_badge) == ("Trần Văn C", "Đại úy", "123-456")


def test_follow_up_sends_signal_and_checks_length(app, tree):
    opinion, _ = submit(tree["CM-TPCM-P5"], identity=Identity.public, contact_name="Ngô D")
    seen = []
    signals.follow_up_added.connect(lambda sender, opinion, message: seen.append(message.body), weak=False)
    try:
        forum.add_follow_up(opinion, "  Tôi bổ sung: sự việc lúc 8 giờ sáng. ")
    finally:
        signals.follow_up_added.receivers.clear()
    assert seen == ["Tôi bổ sung: sự việc lúc 8 giờ sáng."]
    for body in ("", " ", "x" * 5001):
        with pytest.raises(forum.OpinionError):
            forum.add_follow_up(opinion, body)


def _publish(opinion, when):
    opinion.publication = Publication.published
    opinion.public_body = opinion.body
    opinion.published_at = when
    db.session.commit()


def test_list_published_filters_and_keyset_pages(app, tree, make_user):
    use_fake_model(app)
    chief = make_user("chief", "CM-TPCM")
    base = forum.utcnow()
    made = []
    for i in range(7):
        unit = tree["CM-TPCM-P5"] if i % 2 == 0 else tree["CM-THB"]
        body = "Cán bộ đòi tiền lần %d" % i if i < 3 else "Xe đậu trên vỉa hè số %d" % i
        opinion, _ = forum.submit_opinion(unit, OpinionKind.report, body, wants_publication=True)
        _publish(opinion, base - timedelta(minutes=i))
        made.append(opinion)
    hidden, _ = submit(tree["CM-TPCM-P5"], wants_publication=True)
    db.session.add(Answer(opinion=made[1], unit=made[1].unit, author=chief, body="Đã xử lý", is_public=True))
    db.session.add(Answer(opinion=made[2], unit=made[2].unit, author=chief, body="Riêng", is_public=False))
    db.session.commit()

    first = forum.list_published(forum.ForumFilters(), limit=3)
    assert [o.id for o in first.opinions] == [made[0].id, made[1].id, made[2].id]
    second = forum.list_published(forum.ForumFilters(), cursor=first.next_cursor, limit=3)
    third = forum.list_published(forum.ForumFilters(), cursor=second.next_cursor, limit=3)
    assert [o.id for o in second.opinions + third.opinions] == [o.id for o in made[3:]]
    assert third.next_cursor is None and hidden.id not in [o.id for o in first.opinions + second.opinions + third.opinions]
    assert [a.body for a in first.answers[made[1].id]] == ["Đã xử lý"] and first.answers[made[2].id] == []

    def ids(**kwargs):
        return {o.id for o in forum.list_published(forum.ForumFilters(**kwargs), limit=50).opinions}

    assert ids(unit=tree["CM-TPCM"]) == {made[i].id for i in (0, 2, 4, 6)}
    assert ids(unit=tree["CM-TPCM"], subtree=False) == set()
    assert ids(unit=tree["CM-THB"], subtree=False) == {made[i].id for i in (1, 3, 5)}
    assert ids(topic="integrity") == {made[i].id for i in range(3)}
    assert ids(topic="traffic", sentiment="neutral") == {made[i].id for i in range(3, 7)}
    assert ids(sentiment="negative", kind=OpinionKind.report) == {made[i].id for i in range(3)}
    assert ids(kind=OpinionKind.praise) == set()
    assert ids(answered=True) == {made[1].id}
    assert made[2].id in ids(answered=False) and made[1].id not in ids(answered=False)
    assert forum.list_published(forum.ForumFilters(), cursor="garbage", limit=3).opinions == first.opinions


def test_counted_topics_rule(app, tree):
    opinion, _ = submit(tree["CM-TPCM-P5"])
    opinion.topics = [OpinionTopic(topic="procedure", confidence=0.59), OpinionTopic(topic="traffic", confidence=0.6),
                      OpinionTopic(topic="other", confidence=None, is_confirmed=True)]
    db.session.commit()
    counted = db.session.scalars(select(OpinionTopic.topic).where(forum.counted_topics_filter())).all()
    assert sorted(counted) == ["other", "traffic"]
    app.config["TAG_CONFIDENCE_THRESHOLD"] = 0.5
    assert len(db.session.scalars(select(OpinionTopic.topic).where(forum.counted_topics_filter())).all()) == 3


def test_agree_once_per_browser_token(app, tree):
    opinion, _ = submit(tree["CM-TPCM-P5"], wants_publication=True)
    with pytest.raises(forum.OpinionError):
        forum.agree(opinion, "token-a")
    _publish(opinion, forum.utcnow())
    assert forum.agree(opinion, "token-a") is True
    assert forum.agree(opinion, "token-a") is False
    assert forum.agree(opinion, "token-b") is True
    db.session.expire_all()
    assert db.session.get(Opinion, opinion.id).agree_count == 2
