"""The Alembic migrations build exactly the models' schema, and downgrade cleanly, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from feedback.extensions import db
from tests.conftest import DATABASES, _postgres_database, make_app


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    url, drop = _postgres_database("migrations")
    yield url
    drop()


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_matches_models_and_round_trips(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        try:
            upgrade()
            assert schema_differences() == []
            tables = set(inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            upgrade()
            assert schema_differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()
