"""Consistent online backups and restores into an empty database.

SQLite uses its backup API (a consistent copy while the app keeps serving). PostgreSQL uses
pg_dump / pg_restore (custom format), which must be on the PATH.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from models import Plan, db


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
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url(engine)],
                       check=True)
        return f"PostgreSQL backup written to {target} with pg_dump (custom format)."
    raise BackupError(f"No backup method for {engine.dialect.name}.")


def restore(engine: Engine, source: Path) -> str:
    """Restore a backup into an empty database (one with no plan), refusing anything else."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file.")
    if _holds_data(engine):
        raise BackupError("The database already holds a plan: restore only into an empty database.")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        backup_db = sqlite3.connect(source)
        destination = sqlite3.connect(engine.url.database)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} fails SQLite's integrity check.")
            backup_db.backup(destination)
        finally:
            destination.close()
            backup_db.close()
        return f"Restored {source} into {engine.url.database}."
    if engine.dialect.name == "postgresql":
        _need("pg_restore")
        subprocess.run(["pg_restore", "--no-owner", "--clean", "--if-exists", f"--dbname={_libpq_url(engine)}",
                        str(source)], check=True)
        return f"Restored {source} with pg_restore."
    raise BackupError(f"No restore method for {engine.dialect.name}.")


def _holds_data(engine: Engine) -> bool:
    if "plan" not in inspect(engine).get_table_names():
        return False
    return db.session.scalars(select(Plan.id).limit(1)).first() is not None


def _need(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client).")
