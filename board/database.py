"""Database engine settings that matter in production."""
from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError


def configure_sqlite(engine: Engine) -> None:
    """WAL (readers never wait for the writer), foreign keys enforced, and a busy timeout so two
    workers writing at once wait briefly instead of failing."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed write
        cursor.close()


def database_ok(session) -> bool:
    try:
        session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:  # any driver error means the database cannot answer
        session.rollback()
        return False
