"""The classifier inside the app: which model version is in use, backfill, retraining, corrections."""

import json
import logging
import time
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update

from feedback import signals
from feedback.classifier_admin.models import ModelVersion
from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import Opinion, OpinionTopic, TagCorrection
from feedback.units.models import utcnow

log = logging.getLogger(__name__)

BACKFILL_BATCH = 200


class ClassifierAdminError(Exception):
    """A model version cannot be trained or activated; the message is shown to the admin."""


def _state():
    return current_app.extensions.setdefault("classifier_admin", {"checked_at": None})


def active_version():
    return db.session.scalar(select(ModelVersion).where(ModelVersion.is_active.is_(True)))


def current_model():
    """The app's model, following the active ModelVersion (re-checked every CLASSIFIER_REFRESH_SECONDS,
    so every worker picks up an activation made in another one); None when no model loads."""
    holder = current_app.extensions["classifier"]
    state = _state()
    now = time.monotonic()
    refresh = current_app.config.get("CLASSIFIER_REFRESH_SECONDS", 30)
    if state["checked_at"] is None or now - state["checked_at"] >= refresh:
        state["checked_at"] = now
        try:
            active = active_version()
        except Exception as error:  # no table yet, database down: keep the model we have
            db.session.rollback()
            log.warning("cannot read the active model version: %s", type(error).__name__)
        else:
            target = active.path if active is not None else current_app.config.get("CLASSIFIER_MODEL_DIR")
            if target != holder.model_dir:
                holder.reset(target)
    return holder.get()


def untagged_query():
    """Opinions with no model tags and no staff-confirmed topic."""
    confirmed = exists().where(OpinionTopic.opinion_id == Opinion.id, OpinionTopic.is_confirmed.is_(True))
    return select(Opinion.id).where(Opinion.classified_at.is_(None), ~confirmed)


def count_untagged():
    return db.session.scalar(select(func.count()).select_from(untagged_query().subquery()))


def backfill(model, batch_size=BACKFILL_BATCH):
    """Tag every untagged opinion; returns {"tagged", "failed", "remaining"}. Safe to run again."""
    if model is None:
        raise ClassifierAdminError(_l("No classifier model is available; nothing was tagged."))
    tagged = failed = 0
    failed_ids = set()
    app = current_app._get_current_object()
    while True:
        query = untagged_query().order_by(Opinion.id).limit(batch_size)
        if failed_ids:
            query = query.where(Opinion.id.not_in(failed_ids))
        ids = db.session.scalars(query).all()
        if not ids:
            break
        opinions = db.session.scalars(select(Opinion).where(Opinion.id.in_(ids)).order_by(Opinion.id)).all()
        done = forum.classify_opinions(opinions, model)
        left_untagged = {o.id for o in opinions} - {o.id for o in done}
        failed_ids |= left_untagged
        failed += len(left_untagged)
        tagged += len(done)
        for opinion in done:
            signals.opinion_classified.send(app, opinion=opinion)
    return {"tagged": tagged, "failed": failed, "remaining": count_untagged()}


def export_corrections():
    """Staff-confirmed labels as taxonomy JSONL records: the latest correction per opinion, then
    opinions whose topics and sentiment were confirmed without a correction row."""
    from classifier.corpus import check_example

    latest = select(func.max(TagCorrection.id)).group_by(TagCorrection.opinion_id)
    records, seen = [], set()
    rows = db.session.execute(
        select(TagCorrection, Opinion.body).join(Opinion, Opinion.id == TagCorrection.opinion_id)
        .where(TagCorrection.id.in_(latest)).order_by(TagCorrection.opinion_id)
    )
    for correction, body in rows:
        topics = [t for t in correction.new_topics.split(",") if t]
        records.append({"text": body, "topics": topics, "sentiment": correction.new_sentiment})
        seen.add(correction.opinion_id)
    confirmed = db.session.scalars(
        select(Opinion).where(Opinion.sentiment_confirmed.is_(True), Opinion.sentiment.is_not(None),
                              exists().where(OpinionTopic.opinion_id == Opinion.id, OpinionTopic.is_confirmed.is_(True)))
        .order_by(Opinion.id)
    )
    for opinion in confirmed:
        if opinion.id not in seen:
            topics = [t.topic for t in opinion.topics if t.is_confirmed]
            records.append({"text": opinion.body, "topics": topics, "sentiment": opinion.sentiment})
    return [r for r in records if not check_example(r)]


def models_root():
    return Path(current_app.instance_path) / "models"


def retrain(note=None, data_paths=None, random_state=0):
    """Train on the corpus plus staff corrections, save under instance/models/<version>, register it.

    Returns (ModelVersion, created): the same data gives the same version, which is not duplicated.
    """
    from classifier import train
    from classifier.corpus import corpus_files, load_examples

    examples = load_examples(data_paths or corpus_files())
    corrections = export_corrections()
    try:
        model = train(examples, corrections=corrections, random_state=random_state)
    except ValueError as error:
        raise ClassifierAdminError(str(error)) from None
    existing = db.session.scalar(select(ModelVersion).where(ModelVersion.version == model.version))
    if existing is not None:
        return existing, False
    path = models_root() / model.version
    model.save(path)
    version = ModelVersion(
        version=model.version, path=str(path), notes=note,
        metrics=json.dumps(model.metadata.get("metrics_holdout") or {}, ensure_ascii=False),
        n_examples=model.metadata.get("n_examples"), n_corrections=model.metadata.get("n_corrections"),
    )
    db.session.add(version)
    db.session.commit()
    return version, True


def list_versions():
    return db.session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())).all()


def activate_version(version, actor):
    """Make this version the one every worker uses (also after a restart); checks it loads first."""
    from classifier import ModelError, load_model

    try:
        model = load_model(version.path)
    except ModelError as error:
        log.warning("model version %s does not load: %s", version.version, error)
        raise ClassifierAdminError(_l("This model version cannot be loaded; it was not activated.")) from None
    db.session.execute(update(ModelVersion).where(ModelVersion.id != version.id).values(is_active=False))
    version.is_active = True
    version.activated_at = utcnow()
    version.activated_by = actor
    db.session.commit()
    holder = current_app.extensions["classifier"]
    holder.reset(version.path)
    holder.replace(model)
    _state()["checked_at"] = time.monotonic()
    return version


def use_default_model(actor=None):
    """Deactivate every trained version: back to the configured (bundled) model."""
    db.session.execute(update(ModelVersion).values(is_active=False))
    db.session.commit()
    current_app.extensions["classifier"].reset(current_app.config.get("CLASSIFIER_MODEL_DIR"))
    _state()["checked_at"] = time.monotonic()
