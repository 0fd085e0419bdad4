"""Database engine settings that matter in production."""
from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

# SQLSTATEs of PostgreSQL's "try again" failures: serialization, deadlock, lock not available, timed out.
_BUSY_SQLSTATES = {"40001", "40P01", "55P03", "57014"}


def configure_database(engine: Engine, lock_timeout_ms: int = 15_000) -> None:
    """How long a write waits for another's lock: long enough for a queue of moves on a busy machine,
    shorter than gunicorn's 30 s worker timeout, so the request still answers (503, try again) if it
    runs out. On SQLite also WAL (readers never wait for the writer) and foreign keys enforced."""
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _lock_timeout(dbapi_connection, connection_record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            dbapi_connection.commit()
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed write
        cursor.close()


def is_busy(error: OperationalError) -> bool:
    """The database was too busy to take this write in time (it was not applied): worth trying again."""
    if getattr(error.orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database table is locked" in message


def database_ok(session) -> bool:
    try:
        session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:  # any driver error means the database cannot answer
        session.rollback()
        return False


def read_in_autocommit(session) -> None:
    """On PostgreSQL, run this request's statements without a transaction around them: for a request that
    only reads (and at most writes one row in one statement), a transaction adds a BEGIN and a ROLLBACK,
    two round trips around a poll's one statement. Nothing is lost: PostgreSQL's default isolation (read
    committed) gives each statement its own snapshot inside a transaction too. SQLite opens no
    transaction for reads anyway. A request that has already run a statement is left as it is."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
