"""Throwaway databases for tests: built once per session as a template, copied for every test.

Building the seeded database (schema, the 88-action import, one user per role) costs far more than
copying it, so a session builds each kind once and every test gets its own copy: a file copy on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL (TEST_DATABASE_URL names the server).
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text


def server_url() -> str | None:
    """The PostgreSQL server the tests may create databases on, or None for SQLite."""
    return os.environ.get("TEST_DATABASE_URL")


def _postgres_create(template: str | None = None) -> str:
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    admin.dispose()
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def fresh_database_url(tmp_path: Path) -> str:
    """A new empty database: a SQLite file in `tmp_path`, or a new PostgreSQL database."""
    if not server_url():
        tmp_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{tmp_path / 'board.sqlite3'}"
    return _postgres_create()


# Sessions signed in while a template was built, by database URL then role: (session cookie, CSRF token).
# A copy of the database holds the same session rows, so it gets its own copy of the entry.
SIGNED_IN: dict[str, dict[str, tuple[str, str]]] = {}


def copy_database(template_url: str, tmp_path: Path) -> str:
    """A new database holding exactly what `template_url` holds (nothing may be connected to it)."""
    url = make_url(template_url)
    if url.get_backend_name() == "sqlite":
        tmp_path.mkdir(parents=True, exist_ok=True)
        # Its own name: a test holding two databases (two fixtures) must not have one copied over the other.
        target = tmp_path / f"board-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(url.database, target)
        copy = f"sqlite:///{target}"
    else:
        copy = _postgres_create(template=url.database)
    if template_url in SIGNED_IN:  # a template without signed-in sessions gives its copies none
        SIGNED_IN[copy] = dict(SIGNED_IN[template_url])
    return copy
