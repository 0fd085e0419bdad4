"""Fixtures shared by every test: an app on a throwaway database, clients, and helpers."""
from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import re

import jinja2
import pytest
from sqlalchemy import event

from app import create_app
from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Role, db
from tests.databases import SIGNED_IN, copy_database, fresh_database_url, server_url
from tests.plans import seed_plan

PASSWORD = "correct horse battery"
# One account per role, named for it: admin@example.org, editor@example.org, ...
ROLES = [role.value for role in Role]

# Examples per property-based test: a few, fixed (derandomized), so CI is quick and a failure reproduces;
# `BOARD_FUZZ_EXAMPLES=500 make test-fast` runs a deep search.
FUZZ_EXAMPLES = int(os.environ.get("BOARD_FUZZ_EXAMPLES", "8"))

# A date inside the plan's own year, so overdue badges are predictable.
TEST_TODAY = "2023-12-15"


def on_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


class _SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the whole session: every test makes a new app, none recompiles."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecodeCache()


def _share_url_builders() -> None:
    """Werkzeug writes and compiles Python source for each URL rule of every new app: 55 ms of each test's
    setup for our hundred rules. The builder depends only on the rule's shape, so the session builds each
    shape once; the function it returns is unbound and reads the converters from the rule it is bound to."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    built: dict = {}

    def shared(rule: Rule, append_unknown: bool = True):
        key = (repr(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    Rule._compile_builder = shared

    # Parsing a rule runs one slow regular expression per part (another 25 ms per app); the match for
    # a given rule and position never changes, so each is made once.
    from werkzeug.routing import rules

    class _Parsed:
        def __init__(self, match) -> None:
            self.groups, self.stop = match.groupdict(), match.end()

        def groupdict(self) -> dict:
            return self.groups

        def end(self) -> int:
            return self.stop

    pattern, parsed = rules._part_re, {}

    class _RememberingPattern:
        def match(self, rule: str, pos: int):
            if (rule, pos) not in parsed:
                match = pattern.match(rule, pos)
                parsed[rule, pos] = match and _Parsed(match)
            return parsed[rule, pos]

    rules._part_re = _RememberingPattern()


_share_url_builders()


def _share_compiled_statements() -> None:
    """SQLAlchemy compiles a statement once per engine, and every test's app has an engine of its own: about
    twenty compilations per test, a fourteenth of the suite's time. The engines of one kind of database
    share one dialect and so one cache of compiled statements (keyed by dialect), as engines made with
    `execution_options()` do. The first engine of a kind connects once so its dialect is initialised, and
    drops that connection."""
    from flask_sqlalchemy.extension import SQLAlchemy
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.util import LRUCache

    make_engine = SQLAlchemy._make_engine
    kinds: dict[str, tuple] = {}

    def sharing(self, bind_key, options, app):
        engine = make_engine(self, bind_key, options, app)
        kind = repr(sorted((key, value) for key, value in options.items() if key != "url"))
        kind = f"{engine.url.drivername} {kind}"
        if kind not in kinds:
            try:
                with engine.connect():
                    pass
            except OperationalError:  # a test's unreachable database: its engine keeps its own dialect
                return engine
            # That connection was made before the app's own "connect" listeners (SQLite's WAL, foreign keys,
            # busy timeout): not kept, so every connection the app uses has them.
            engine.dispose()
            kinds[kind] = engine.dialect, LRUCache(5000)
        engine.dialect, engine._compiled_cache = kinds[kind]
        engine.pool._dialect = engine.dialect
        return engine

    SQLAlchemy._make_engine = sharing


_share_compiled_statements()


def make_app(tmp_path, *, schema: bool = True, **config):
    """An app for a test; a new empty database in `tmp_path` unless `SQLALCHEMY_DATABASE_URI` is given."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app({
        "TESTING": True,
        "BOARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": config.pop("SQLALCHEMY_DATABASE_URI", None) or fresh_database_url(tmp_path),
        "BOARD_TODAY": TEST_TODAY,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "BOARD_POLL_SECONDS": 1,  # browser tests wait for one poll
        **config,
    })
    app.jinja_env.bytecode_cache = _TEMPLATES
    if schema:
        with app.app_context():
            db.create_all()
    _apps_made.append(app)
    return app


_apps_made: list = []


@pytest.fixture(autouse=True)
def _instance_folder_outside_the_checkout(tmp_path, monkeypatch):
    """Apps a test builds itself keep their instance folder (secret, database, address) in tmp_path."""
    monkeypatch.setenv("BOARD_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture(autouse=True)
def _close_databases():
    """Close every connection a test's apps opened (PostgreSQL warns about ones left open)."""
    yield
    while _apps_made:
        app = _apps_made.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if server_url():
        # A connection something forgot to close is found here, in the test that left it, not later
        # in whichever test the garbage collector happens to run.
        gc.collect()


def _template(tmp_path_factory, name: str, fill) -> str:
    """A database built once for the run, to copy for each test (see `built_once`)."""
    return built_once(tmp_path_factory, name, fill)[0]


def built_once(tmp_path_factory, name: str, fill) -> tuple[str, object]:
    """A database filled by `fill` once for the whole run: its URL and what `fill` returned (kept as JSON)."""
    built = _once(tmp_path_factory, name, lambda folder: _build(folder, fill))
    _TEMPLATE_NAMES[built["url"]] = name
    return built["url"], built["facts"]


_TEMPLATE_NAMES: dict[str, str] = {}


def _once(tmp_path_factory, name: str, build) -> dict:
    """What `build` made (a dict, kept as JSON), once for the whole run, whichever xdist worker first
    needs it: the others wait for it, then use it too."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one folder per run
    made = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            made.write_text(json.dumps(build(tmp_path_factory.mktemp(name))))
        return json.loads(made.read_text())


def _build(folder, fill) -> dict:
    """A new database filled by `fill`; nothing stays connected to it."""
    app = make_app(folder)
    with app.app_context():
        facts = fill()
    _let_go(app)
    return {"url": app.config["SQLALCHEMY_DATABASE_URI"], "facts": facts}


def _let_go(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _apps_made.remove(app)


def template_for(request, template: str) -> str:
    """The template to copy for this test: `template` itself, or for a test that uses `client_for`, its
    copy where each role has signed in once through the sign-in form (made once for the run; see
    `client_for`). Other tests see no session they did not open."""
    if "client_for" not in request.fixturenames:
        return template
    tmp_path_factory = request.getfixturevalue("tmp_path_factory")
    built = _once(tmp_path_factory, f"{_TEMPLATE_NAMES[template]}-signed-in",
                  lambda folder: _everyone_signed_in(folder, template))
    SIGNED_IN[built["url"]] = {role: tuple(session) for role, session in built["signed_in"].items()}
    return built["url"]


def _everyone_signed_in(folder, template: str) -> dict:
    app = make_app(folder, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(template, folder))
    signed_in = {role: _signed_in(app, role) for role in ROLES}
    _let_go(app)
    return {"url": app.config["SQLALCHEMY_DATABASE_URI"], "signed_in": signed_in}


def _signed_in(app, role: str) -> tuple[str, str]:
    """Sign `role` in through the sign-in form: the session cookie, and the CSRF token its pages carry."""
    client = app.test_client()
    assert sign_in(client, role).status_code == 303
    token = csrf_token(client)  # also reads away the "Signed in as" message
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value, token


def _users() -> None:
    for role in Role:
        create_user(email_for(role.value), f"{role.label} Person", role, PASSWORD)


def _seed() -> None:
    import_plan(seed_plan())
    _users()


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory) -> str:
    return _template(tmp_path_factory, "empty-template", lambda: None)


@pytest.fixture(scope="session")
def users_template(tmp_path_factory) -> str:
    """One user per role and no plan yet, for tests that import plans of their own."""
    return _template(tmp_path_factory, "users-template", _users)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> str:
    """The real seed plan and one user per role, imported once per session."""
    return _template(tmp_path_factory, "seeded-template", _seed)


def _quarter() -> None:
    from tests.quarter import make_quarter

    _seed()
    make_quarter()


@pytest.fixture(scope="session")
def quarter_template(tmp_path_factory) -> str:
    """The seed plan after a realistic quarter of work (tests/quarter.py), built once per session."""
    return _template(tmp_path_factory, "quarter-template", _quarter)


@pytest.fixture
def app(tmp_path, empty_template):
    """An app with an empty schema."""
    return make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(empty_template, tmp_path))


def email_for(role: str) -> str:
    return f"{role}@example.org"


@pytest.fixture
def seeded_app(request, tmp_path, seeded_template):
    """An app holding the real seed plan and one user per role (a copy of the session's template); for a
    test that asks for `two_years`, the seed plan after its year and the next year's plan imported."""
    template = request.getfixturevalue("two_years_template") if "two_years" in request.fixturenames \
        else seeded_template
    return make_app(tmp_path, schema=False,
                    SQLALCHEMY_DATABASE_URI=copy_database(template_for(request, template), tmp_path))


@pytest.fixture
def quarter_app(request, tmp_path, quarter_template):
    """The seed plan after a quarter of moves, completions, due changes, ratings and notes (a copy)."""
    return make_app(tmp_path, schema=False,
                    SQLALCHEMY_DATABASE_URI=copy_database(template_for(request, quarter_template), tmp_path))


# Every page puts the session's token in <body hx-headers>; read with a pattern, not a parser, as this
# runs before most posts in the suite.
_BODY_CSRF = re.compile(r'<body[^>]*"X-CSRFToken": "([^"]+)"')


def _two_years() -> None:
    from datetime import date

    from board.services.evidence import add_note, change_due
    from board.services.moves import move_action, record_reason
    from board.services.plan_file import load_plan_file
    from tests.plans import NEXT_YEAR_PATH

    _seed()
    editor = user_for("editor")
    moved = move_action(action_by_ref("1.3"), "red", 0, 1, editor)
    record_reason(moved.event, "Recruitment to the team paused", editor)
    move_action(action_by_ref("2.7"), "green", 0, 1, editor)  # the 2024-25 file says amber
    add_note(action_by_ref("1.3"), "Interim standards agreed with partners", None, user_for("contributor"))
    change_due(action_by_ref("1.3"), "Jun 2024", "Waiting for the new practice lead", editor, date(2023, 11, 1))
    summary = import_plan(load_plan_file(NEXT_YEAR_PATH), new_slug="2024-25")
    assert summary.archived == ["2023-24"] and summary.made_live


@pytest.fixture(scope="session")
def two_years_template(tmp_path_factory) -> str:
    return _template(tmp_path_factory, "two-years-template", _two_years)


@pytest.fixture
def two_years(seeded_app):
    """2023-24 worked on through the year, then 2024-25 imported carrying actions forward: `seeded_app`
    itself, made from its own template when a test asks for this (see `seeded_app`)."""
    return seeded_app


def _session_csrf(client) -> str | None:
    """The secret behind the session's CSRF tokens, read from the client's session cookie (nothing sent)."""
    app = client.application
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return None
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return session.get("csrf_token")


# Tokens read from pages, by (app secret, session's CSRF secret): a session keeps its token until it
# changes (signing in starts a new one), so a test posting many forms reads a page once, not per post.
_TOKENS_READ: dict[tuple, str] = {}


def csrf_token(client, path: str = "/accessibility") -> str:
    """The CSRF token the client's session hands its forms (the same on every page it opens).

    By default read from the accessibility statement, the cheapest page anyone may open.
    """
    secret = _session_csrf(client)
    key = (client.application.secret_key, secret)
    if path == "/accessibility" and secret and key in _TOKENS_READ:
        return _TOKENS_READ[key]
    response = client.get(path)
    if response.status_code in (302, 303):
        response = client.get("/accessibility")
    match = _BODY_CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    _TOKENS_READ[client.application.secret_key, _session_csrf(client)] = match.group(1)
    return match.group(1)


def sign_in(client, role: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email_for(role), "password": password,
                                         "csrf_token": csrf_token(client)})


@pytest.fixture
def anon_client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def client_for(seeded_app):
    """A signed-in test client for a role: `client_for("editor")`.

    The first client of each role takes up the session that role signed in to in the test's template
    (see `template_for`: the sign-in form, a real session row in this copy): two requests fewer per test.
    A second client of the same role signs in anew, so it has a session of its own.
    """
    ready = SIGNED_IN.get(seeded_app.config["SQLALCHEMY_DATABASE_URI"], {})

    def make(role: str):
        client = seeded_app.test_client()
        if role in ready:
            cookie, token = ready.pop(role)
            client.set_cookie(seeded_app.config["SESSION_COOKIE_NAME"], cookie)
            _TOKENS_READ[seeded_app.secret_key, _session_csrf(client)] = token
            return client
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


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a loopback port, one per test worker."""
    from tests.mail import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The SMTP server with an empty inbox."""
    smtp_server.inbox.clear()
    return smtp_server


@pytest.fixture
def mail_app(tmp_path, seeded_template, smtp):
    """The seeded app sending its email to the test SMTP server."""
    return make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(seeded_template, tmp_path),
                    MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FROM="Board <board@example.org>")


def signed_in(app, role: str):
    client = app.test_client()
    assert sign_in(client, role).status_code == 303
    return client


def answered(response):
    """The response as the browser had it, once the server has finished with it: closing it runs the work
    the app does after answering (sending email), as a real server does after writing the response."""
    response.close()
    return response


def papers(count: int = 2):
    """`count` publications of the seeded plan (numbers 1..count, version 1) and one draft left unpublished,
    for tests that need a URL for each; returns the draft."""
    from datetime import date

    from board.services import publications
    from board.services.board_view import current_plan

    plan, admin = current_plan(), user_for("admin")
    for _ in range(count):
        draft = publications.start_draft(plan, date(2023, 11, 1), date(2023, 11, 30), admin)
        publications.publish(draft, admin, draft.version)
    return publications.start_draft(plan, date(2023, 12, 1), date(2023, 12, 15), admin)


def pytest_collection_finish(session) -> None:
    """Everything loaded so far (the app's modules, every test) lives for the whole run: freezing it keeps
    the garbage collector from walking it again and again, which was half of each new app's setup."""
    gc.collect()
    gc.freeze()
