"""The classifier inside the app: backfill, corrections export, retrain, the admin page, activate and roll back."""

import json

import pytest
from sqlalchemy import select

from classifier.corpus import corpus_files, read_jsonl
from feedback.classifier_admin import services
from feedback.classifier_admin.models import ModelVersion
from feedback.extensions import db
from feedback.forum.models import Opinion, OpinionTopic, TagCorrection
from tests.forum_helpers import FakeModel, submit, use_fake_model


@pytest.fixture
def small_corpus(tmp_path):
    """60 corpus examples: enough for a held-out slice, quick to train."""
    rows = []
    for path in corpus_files():
        rows += read_jsonl(path)[:15]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_backfill_tags_only_untagged_and_is_idempotent(app, runner, tree):
    for i in range(3):
        submit(tree["CM-TPCM-P5"], body=f"Cán bộ đòi tiền lần thứ {i}")
    confirmed, _ = submit(tree["CM-TPCM-P5"], body="Xe đậu trên vỉa hè")
    confirmed.topics = [OpinionTopic(topic="facilities", is_confirmed=True)]
    db.session.commit()
    model = use_fake_model(app)
    assert services.count_untagged() == 3
    assert services.backfill(model, batch_size=2) == {"tagged": 3, "failed": 0, "remaining": 0}
    assert services.backfill(model) == {"tagged": 0, "failed": 0, "remaining": 0}
    tagged = db.session.scalars(select(Opinion).where(Opinion.classified_at.is_not(None))).all()
    assert len(tagged) == 3 and all(o.is_conduct_complaint and o.topic_codes == ["integrity"] for o in tagged)
    assert db.session.get(Opinion, confirmed.id).topic_codes == ["facilities"]


def test_backfill_survives_a_failing_model(app, runner, tree):
    submit(tree["CM-TPCM-P5"])
    use_fake_model(app, FakeModel(fail=True))
    result = runner.invoke(args=["classifier", "backfill"])
    assert result.exit_code == 0 and "tagged 0, failed 1, still untagged 1" in result.output


def test_backfill_without_a_model_says_so(app, runner, tree):
    from tests.forum_helpers import use_no_model

    use_no_model(app)
    result = runner.invoke(args=["classifier", "backfill"])
    assert result.exit_code != 0 and "Không có mô hình phân loại" in result.output


def test_export_corrections_latest_per_opinion(app, runner, tree, make_user, tmp_path):
    chief = make_user("chief", "CM-TPCM")
    a, _ = submit(tree["CM-TPCM-P5"], body="Thủ tục căn cước chậm")
    b, _ = submit(tree["CM-TPCM-P5"], body="Công an đến rất nhanh")
    c, _ = submit(tree["CM-TPCM-P5"], body="Không có gì để nói thêm")
    db.session.add_all([
        TagCorrection(opinion_id=a.id, user_id=chief.id, old_topics="other", new_topics="procedure",
                      new_sentiment="neutral"),
        TagCorrection(opinion_id=a.id, user_id=chief.id, old_topics="procedure", new_topics="procedure,facilities",
                      new_sentiment="negative"),
        TagCorrection(opinion_id=c.id, user_id=chief.id, old_topics="x", new_topics="nonsense", new_sentiment="neutral"),
    ])
    b.topics = [OpinionTopic(topic="responsiveness", is_confirmed=True)]
    b.sentiment, b.sentiment_confirmed = "positive", True
    db.session.commit()
    out = tmp_path / "corrections.jsonl"
    result = runner.invoke(args=["classifier", "export-corrections", str(out)])
    assert result.exit_code == 0 and "exported 2" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {"text": "Thủ tục căn cước chậm", "topics": ["procedure", "facilities"], "sentiment": "negative"},
        {"text": "Công an đến rất nhanh", "topics": ["responsiveness"], "sentiment": "positive"},
    ]


def test_retrain_registers_a_version_and_admin_activates_and_rolls_back(app, client, auth, runner, tree, make_user,
                                                                       small_corpus, extra_app):
    admin = make_user("admin", "BCA")
    result = runner.invoke(args=["classifier", "retrain", "--data", str(small_corpus), "--note", "thử nghiệm"])
    assert result.exit_code == 0, result.output
    version = db.session.scalar(select(ModelVersion))
    assert f"model {version.version} registered" in result.output and "held-out" in result.output
    assert version.path.startswith(app.instance_path) and version.notes == "thử nghiệm" and not version.is_active
    assert version.metrics_dict["topics"]["micro_f1"] >= 0
    again = runner.invoke(args=["classifier", "retrain", "--data", str(small_corpus)])
    assert "already registered" in again.output
    assert db.session.scalar(select(db.func.count()).select_from(ModelVersion)) == 1

    auth.login(admin)
    page = client.get("/admin/classifier/").get_data(as_text=True)
    assert version.version in page and "thử nghiệm" in page
    assert client.post(f"/admin/classifier/{version.id}/activate").status_code == 303
    db.session.expire_all()
    assert db.session.get(ModelVersion, version.id).is_active
    model = app.extensions["classifier"].get()
    assert model.version == version.version
    opinion, _ = submit(tree["CM-TPCM-P5"], body="Cán bộ tiếp dân rất nhiệt tình, cảm ơn", classifier=None)
    assert opinion.model_version == version.version

    # A fresh app (a restart, another worker) follows the active version from the database.
    other = extra_app()
    other.instance_path = app.instance_path
    with other.app_context():
        assert services.current_model().version == version.version

    assert client.post("/admin/classifier/use-default").status_code == 303
    db.session.expire_all()
    assert not db.session.get(ModelVersion, version.id).is_active
    assert app.extensions["classifier"].model_dir == app.config["CLASSIFIER_MODEL_DIR"]


def test_broken_version_is_not_activated(app, client, auth, make_user, tmp_path):
    version = ModelVersion(version="broken", path=str(tmp_path / "nothing"))
    db.session.add(version)
    db.session.commit()
    auth.login(make_user("admin", "BCA"))
    response = client.post(f"/admin/classifier/{version.id}/activate", follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert not db.session.get(ModelVersion, version.id).is_active


def test_admin_page_is_for_admins(client, auth, make_user):
    auth.login(make_user("chief", "CM"))
    assert client.get("/admin/classifier/").status_code == 403
    assert client.post("/admin/classifier/use-default").status_code == 403
