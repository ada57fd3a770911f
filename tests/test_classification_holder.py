"""The app's hold on the model: loaded once, warmed before serving, never fatal."""

from feedback.classification import ClassifierHolder
from tests.forum_helpers import FakeModel


def test_warm_up_loads_and_runs_the_bundled_model_once():
    holder = ClassifierHolder()
    assert holder.warm_up()
    model = holder.get()
    assert holder.get() is model and model.predict("Cán bộ quát tháo người dân").topics


def test_warm_up_reports_a_missing_or_failing_model_without_raising(tmp_path):
    assert not ClassifierHolder(str(tmp_path / "no-model-here")).warm_up()
    broken = ClassifierHolder()
    broken.replace(FakeModel(fail=True))
    assert not broken.warm_up()
    assert broken.get() is not None  # tagging will try again (and fall back to untagged) per opinion


def test_prepare_to_fork_loads_the_model_and_freezes_what_the_workers_inherit(tmp_path):
    import gc

    from feedback import create_app, prepare_to_fork

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3"})
    holder = app.extensions["classifier"]
    assert holder._model is None  # loaded on first use, unless prepared
    try:
        prepare_to_fork(app)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    assert holder._model is not None
