"""Fixtures shared by every test: an app on a throwaway database, clients, and helpers."""
from __future__ import annotations

import contextlib
import os
import re
import uuid

import pytest
from sqlalchemy import create_engine, event, make_url, text

from app import create_app
from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Role, db
from tests.plans import seed_plan

PASSWORD = "correct horse battery"
# One account per role, named for it: admin@example.org, editor@example.org, ...
ROLES = [role.value for role in Role]

# A date inside the plan's own year, so overdue badges are predictable.
TEST_TODAY = "2023-12-15"


def fresh_database_url(tmp_path) -> str:
    """A new empty database: a SQLite file, or with TEST_DATABASE_URL a new PostgreSQL database."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp_path / 'board.sqlite3'}"
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def on_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def make_app(tmp_path, **config):
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": config.pop("SQLALCHEMY_DATABASE_URI", None) or fresh_database_url(tmp_path),
        "BOARD_TODAY": TEST_TODAY,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "BOARD_POLL_SECONDS": 1,  # browser tests wait for one poll
        **config,
    })
    with app.app_context():
        db.create_all()
    _apps_made.append(app)
    return app


_apps_made: list = []


@pytest.fixture(autouse=True)
def _close_databases():
    """Close every connection a test's apps opened (PostgreSQL warns about ones left open)."""
    yield
    while _apps_made:
        app = _apps_made.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    """An app with an empty schema."""
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def email_for(role: str) -> str:
    return f"{role}@example.org"


@pytest.fixture
def seeded_app(app):
    """An app holding the real seed plan and one user per role."""
    with app.app_context():
        import_plan(seed_plan())
        for role in Role:
            create_user(email_for(role.value), f"{role.label} Person", role, PASSWORD)
    return app


def csrf_token(client, path: str = "/sign-in") -> str:
    """The CSRF token a page hands its forms (the session keeps the same one)."""
    response = client.get(path)
    if response.status_code in (302, 303):  # signed in already: any page carries the token
        response = client.get("/")
    html = response.get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, role: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email_for(role), "password": password,
                                         "csrf_token": csrf_token(client)})


@pytest.fixture
def anon_client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def client_for(seeded_app):
    """A signed-in test client for a role: `client_for("editor")`."""
    def make(role: str):
        client = seeded_app.test_client()
        response = sign_in(client, role)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client
    return make


@pytest.fixture
def client(client_for):
    """A signed-in viewer: may read everything, change nothing."""
    return client_for("viewer")


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


@pytest.fixture
def ctx(seeded_app):
    """Run a test inside the seeded app's context (for service-level tests)."""
    with seeded_app.app_context():
        yield


def action_by_ref(ref: str):
    from sqlalchemy import select

    from models import Action

    return db.session.scalars(select(Action).where(Action.ref == ref)).one()


def user_for(role: str):
    from sqlalchemy import select

    from models import User

    return db.session.scalars(select(User).where(User.email == email_for(role))).one()
