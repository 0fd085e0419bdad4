"""Fixtures shared by every test: an app on a throwaway database, clients, and helpers."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from app import create_app
from board.services.plan_import import import_plan
from models import db
from tests.plans import seed_plan

# A date inside the plan's own year, so overdue badges are predictable.
TEST_TODAY = "2023-12-15"


def make_app(tmp_path, **config):
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'board.sqlite3'}",
        "BOARD_TODAY": TEST_TODAY,
        **config,
    })
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    """An app with an empty schema."""
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded_app(app):
    """An app holding the real seed plan."""
    with app.app_context():
        import_plan(seed_plan())
    return app


@pytest.fixture
def client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


HTMX = {"HX-Request": "true"}


@contextlib.contextmanager
def count_queries(engine):
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
