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
