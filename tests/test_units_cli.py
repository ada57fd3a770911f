"""`flask units import|export|import-clusters` and `flask demo`."""

from pathlib import Path

from sqlalchemy import func, select

from feedback.accounts.models import User
from feedback.units.models import Cluster, Unit
from tests.conftest import SMALL_TREE_CSV


def test_import_and_export_commands(runner, db, tmp_path):
    source = tmp_path / "units.csv"
    source.write_text(SMALL_TREE_CSV, encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "created 11" in result.output
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["units", "export", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("BCA,,ministry")


def test_rejected_import_exits_1_with_line_numbers(runner, db, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("code,parent_code,level,name_vi,name_en,address,active\nX1,NOPE,team,Đội,,,1\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(source)])
    assert result.exit_code == 1
    assert "2" in result.output and "NOPE" in result.output
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_demo_is_idempotent_and_complete(runner, db, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.langnghe.vn" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "admin@demo.langnghe.vn" not in second.output  # the logins are printed once
    levels = dict(db.session.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
    from feedback.units.models import UnitLevel

    assert levels[UnitLevel.province] == 1
    assert levels[UnitLevel.district] >= 8
    assert levels[UnitLevel.commune] >= 60
    assert levels[UnitLevel.department] >= 2
    assert db.session.scalar(select(func.count()).select_from(Cluster)) > 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 6
    logins = Path(app.instance_path, "demo-logins.txt")
    assert logins.stat().st_mode & 0o077 == 0
