"""Database set-up: SQLite pragmas and the health check."""

import sqlite3

from sqlalchemy import Enum, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from feedback.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite leaves foreign keys off and uses a rollback journal unless asked.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def is_database_up():
    """True when a trivial query succeeds; used by /healthz."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def is_sqlite():
    return db.engine.dialect.name == "sqlite"


def enum_column(enum_class, name, length=24):
    """A portable enum column: VARCHAR plus a CHECK constraint, so the database itself refuses other values."""
    return Enum(enum_class, native_enum=False, length=length, name=name, create_constraint=True,
                validate_strings=True)
