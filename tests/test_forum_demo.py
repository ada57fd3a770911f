"""The demo opinions: sent through the services, published masked, about half answered, idempotent."""

from sqlalchemy import func, select

from feedback import demo
from feedback.extensions import db
from feedback.forum import demo as forum_demo
from feedback.forum.models import Answer, Opinion, Publication
from feedback.units import services as units
from tests.forum_helpers import use_fake_model


def test_seed_opinions(app):
    units.import_units((demo.DEMO_DATA / "units.csv").read_bytes())
    list(demo.seed_accounts())
    use_fake_model(app)
    lines = list(forum_demo.seed_opinions())
    assert lines == ["opinions: 150 sent (tagged with model fake-1), 140 published, 70 answered, 0 skipped"]
    count = lambda *where: db.session.scalar(select(func.count()).select_from(Opinion).where(*where))  # noqa: E731
    assert count() == 150 and count(Opinion.classified_at.is_(None)) == 0
    assert count(Opinion.publication == Publication.published) == 140
    published = db.session.scalars(select(Opinion).where(Opinion.publication == Publication.published)).all()
    assert all(o.public_body and o.published_at for o in published)
    assert db.session.scalar(select(func.count(func.distinct(Answer.opinion_id)))) == 70
    assert list(forum_demo.seed_opinions()) == ["opinions: already present, demo opinions skipped"]
    assert count() == 150
