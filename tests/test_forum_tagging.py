"""New opinions tagged and routed in the background tagging thread, as in production."""

import logging
import threading

import pytest
from sqlalchemy import func, select

from feedback.cases.models import Case
from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import Opinion, OpinionKind
from tests.forum_helpers import FakeModel, use_fake_model
from tests.inbox_helpers import outbox

FORM = {"kind": "report", "identity": "anonymous"}


@pytest.fixture
def background(app):
    """The app with background tagging on; every test waits for the queue before the database is emptied."""
    app.config["TAG_IN_BACKGROUND"] = True
    yield app.extensions["tagging"]
    assert app.extensions["tagging"].join(timeout=30)


class GatedModel(FakeModel):
    """A fake model that waits for the test to open a gate, so opinions pile up in the queue."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.batches = []

    def predict_batch(self, texts, explain=True):
        self.gate.wait(timeout=30)
        self.batches.append(len(texts))
        return super().predict_batch(texts, explain)


def stored(opinion_id):
    db.session.expire_all()
    return db.session.get(Opinion, opinion_id)


def test_submission_answers_first_then_the_opinion_is_tagged_routed_and_mailed(app, client, tree, make_user, background):
    model = use_fake_model(app, GatedModel())
    chief = make_user("chief", "CM-TPCM")
    chief.notify_mode = "immediate"
    db.session.commit()
    inspector = make_user("inspector", "CM")
    response = client.post("/u/CM-TPCM-P5/new", data={**FORM, "body": "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ"})
    assert response.status_code == 200 and "receipt-code" in response.get_data(as_text=True)
    opinion_id = db.session.scalar(select(func.max(Opinion.id)))
    # The citizen has the receipt while the model has not run yet.
    assert stored(opinion_id).classified_at is None and outbox(app) == []
    model.gate.set()
    assert background.join(timeout=30)
    opinion = stored(opinion_id)
    assert opinion.topic_codes == ["integrity"] and opinion.sentiment == "negative"
    assert opinion.model_version == "fake-1" and opinion.is_conduct_complaint
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.opinion_id == opinion_id)) == 1
    recipients = sorted(message["To"] for message in outbox(app))
    assert recipients == sorted([chief.email, inspector.email])
    # Links in the mails point at the site the citizen used, not at a placeholder host.
    assert all("http://localhost/" in message.get_content() for message in outbox(app))


def test_opinions_queued_together_are_tagged_in_one_model_call(app, tree, background):
    model = use_fake_model(app, GatedModel())
    bodies = [f"Thủ tục làm căn cước lần thứ {n} vẫn phải chờ lâu" for n in range(5)]
    with app.test_request_context():
        opinions = [forum.submit_opinion(tree["CM-TPCM-P5"], OpinionKind.report, body)[0] for body in bodies]
    model.gate.set()
    assert background.join(timeout=30)
    # The first opinion may be picked up alone before the rest arrive; the others share one call.
    assert sum(model.batches) == 5 and len(model.batches) <= 2
    assert all(stored(o.id).classified_at is not None for o in opinions)


def test_a_failing_model_leaves_the_opinion_stored_untagged_for_backfill(app, runner, tree, background, caplog):
    use_fake_model(app, FakeModel(fail=True))
    with app.test_request_context():
        opinion, receipt = forum.submit_opinion(tree["CM-TPCM-P5"], OpinionKind.report, "Đèn đường hư lâu rồi chưa sửa")
    assert background.join(timeout=30)
    assert stored(opinion.id).classified_at is None
    assert forum.find_by_receipt(receipt).id == opinion.id
    use_fake_model(app)
    result = runner.invoke(args=["classifier", "backfill"])
    assert result.exit_code == 0 and "tagged 1" in result.output
    assert stored(opinion.id).topic_codes == ["procedure"]


def test_the_thread_survives_an_error_and_logs_no_personal_data(app, tree, background, caplog, monkeypatch):
    use_fake_model(app)
    calls = []

    def broken_once(opinions, classifier=None):
        calls.append(len(opinions))
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return original(opinions, classifier)

    original = forum.tag_and_route
    monkeypatch.setattr(forum, "tag_and_route", broken_once)
    body = "Cán bộ Nguyễn Văn Hùng số điện thoại 0912345678 quát nạt"
    with caplog.at_level(logging.ERROR, logger="feedback.forum.tagging"):
        with app.test_request_context():
            first, _ = forum.submit_opinion(tree["CM-TPCM-P5"], OpinionKind.report, body)
        assert background.join(timeout=30)
        with app.test_request_context():
            second, _ = forum.submit_opinion(tree["CM-TPCM-P5"], OpinionKind.report, body)
        assert background.join(timeout=30)
    assert "background tagging of 1 opinions failed: RuntimeError" in caplog.text
    assert "0912345678" not in caplog.text and "Hùng" not in caplog.text
    assert stored(first.id).classified_at is None
    assert stored(second.id).topic_codes == ["demeanour"]


def test_services_called_with_an_explicit_model_tag_inline(app, tree, background):
    opinion, _ = forum.submit_opinion(tree["CM-TPCM-P5"], OpinionKind.praise, "Cảm ơn cán bộ rất nhiệt tình",
                                      classifier=FakeModel())
    assert opinion.sentiment == "positive" and opinion.classified_at is not None
