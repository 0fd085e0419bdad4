"""Consistent online backups, and restores into an empty database only.

SQLite uses its backup API (a consistent copy while the app keeps serving). PostgreSQL uses
pg_dump / pg_restore (custom format), which must be on the PATH.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, literal, select, table
from sqlalchemy.engine import Engine

# The first bytes of every SQLite database file, and of every pg_dump custom-format archive.
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(RuntimeError):
    pass


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(engine: Engine, target: Path) -> str:
    """Write a backup of the whole database to `target`; returns a line saying how."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file.")
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(engine.url.database)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
        return f"SQLite online backup written to {target}."
    if engine.dialect.name == "postgresql":
        _need("pg_dump")
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url(engine)])
        return f"PostgreSQL backup written to {target} with pg_dump (custom format)."
    raise BackupError(f"No backup method for {engine.dialect.name}.")


def restore(engine: Engine, source: Path) -> str:
    """Restore a backup into an empty database. Refuses, with one line (BackupError), a path that does not
    exist, a file that is not a backup for this kind of database, a SQLite backup that fails its integrity
    check, and a database holding any row at all."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(source)
    elif engine.dialect.name == "postgresql":
        _check_pg_dump(source)
    else:
        raise BackupError(f"No restore method for {engine.dialect.name}.")
    occupied = _tables_with_rows(engine)
    if occupied:
        raise BackupError(f"The database already holds data (in {', '.join(occupied)}): "
                          "restore only into an empty database.")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        backup_db = sqlite3.connect(source)
        destination = sqlite3.connect(engine.url.database)
        try:
            backup_db.backup(destination)
        finally:
            destination.close()
            backup_db.close()
        return f"Restored {source} into {engine.url.database}."
    _need("pg_restore")
    _run(["pg_restore", "--no-owner", "--clean", "--if-exists", f"--dbname={_libpq_url(engine)}", str(source)])
    return f"Restored {source} with pg_restore."


def _check_sqlite_backup(source: Path) -> None:
    """A SQLite database file, whole (integrity check), holding the board's tables."""
    with source.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{source} is not a SQLite database, so not a backup of the board.")
    backup_db = sqlite3.connect(source)
    try:
        verdict = backup_db.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {name for (name,) in backup_db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as problem:
        raise BackupError(f"{source} fails SQLite's integrity check ({problem}).") from None
    finally:
        backup_db.close()
    if verdict != "ok":
        raise BackupError(f"{source} fails SQLite's integrity check ({verdict}).")
    if "plan" not in tables:
        raise BackupError(f"{source} is a SQLite database but not a backup of the board (it has no plan table).")


def _check_pg_dump(source: Path) -> None:
    """A pg_dump custom-format archive (what `backup` writes on PostgreSQL) starts with PGDMP."""
    with source.open("rb") as file:
        if file.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
            raise BackupError(f"{source} is not a pg_dump custom-format archive, so not a backup of the board.")


def _tables_with_rows(engine: Engine) -> list[str]:
    """Every table holding at least one row; Alembic's version table does not count."""
    with engine.connect() as connection:
        names = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
        return [name for name in sorted(names)
                if connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first()]


def _run(command: list[str]) -> None:
    """Run pg_dump or pg_restore; a failure is one line here (the tool has printed its own reasons)."""
    try:
        subprocess.run(command, check=True)
    except subprocess.CalledProcessError as failed:
        raise BackupError(f"{command[0]} failed (exit status {failed.returncode}); its messages are above.") from None


def _need(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client).")
