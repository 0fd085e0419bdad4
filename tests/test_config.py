"""How the server and the operator's commands find their settings (the secret, the database, the address),
and what the app believes behind a proxy.

The command and server tests run the real `flask` and `gunicorn` of `.venv` in the checkout, each with its
own instance folder (BOARD_INSTANCE_PATH) in tmp_path: nothing is written into the checkout's `instance/`.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from models import SignInThrottle, db
from tests.conftest import csrf_token, email_for, make_app, sign_in
from tests.databases import copy_database
from tests.http_client import free_port, request
from tests.pages import page_of

ROOT = Path(__file__).resolve().parent.parent
# Settings `make run` sets for the server that an operator's shell does not have.
SERVER_ONLY = {"BOARD_ENV", "SECRET_KEY", "DATABASE_URL", "BOARD_BASE_URL", "PORT", "HOST", "FLASK_RUN_FROM_CLI"}
HANG_S = 60  # only a hang takes this long
# Long enough, but printed in Flask's quickstart for everyone to copy.
FLASK_QUICKSTART_SECRET = "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf"


def _environment(instance: Path, **settings: str) -> dict[str, str]:
    """An operator's shell inside .venv: none of the server's settings unless given here."""
    kept = {name: value for name, value in os.environ.items() if name not in SERVER_ONLY}
    return {**kept, "BOARD_INSTANCE_PATH": str(instance), **settings}


def _flask(instance: Path, *args: str, stdin: str | None = None, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", *args], cwd=ROOT,
                          env=_environment(instance, **settings), input=stdin, capture_output=True, text=True,
                          check=False, timeout=HANG_S)


@contextlib.contextmanager
def _gunicorn(instance: Path, **settings: str):
    """gunicorn as `make run` starts it (its log on stderr), stopped when the block ends whatever happens."""
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py", "app:create_app()"],
                              cwd=ROOT, env=_environment(instance, WEB_CONCURRENCY="1", **settings),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield server
    finally:
        if server.poll() is None:
            server.terminate()
        server.communicate(timeout=HANG_S)


def _answers(port: int) -> bool:
    """Does the server answer /healthz within HANG_S (only a hang takes that long)?"""
    deadline = time.monotonic() + HANG_S
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def _log_until_a_worker_boots(server: subprocess.Popen) -> tuple[bool, str]:
    """gunicorn's log read until a worker boots (True) or gunicorn exits (False), and what it said."""
    said = []
    for line in server.stderr:
        said.append(line)
        if "Booting worker" in line:
            return True, "".join(said)
    return False, "".join(said)


def _gunicorn_refusal(instance: Path, **settings: str) -> str:
    """Start gunicorn expecting it to refuse: the one line it says (it exits 1 before booting a worker)."""
    with _gunicorn(instance, PORT=str(free_port()), **settings) as server:
        booted, said = _log_until_a_worker_boots(server)
        assert not booted, f"gunicorn started serving:\n{said}"
        assert server.wait(timeout=HANG_S) == 1
    [line] = _one_line_refusal(said)
    return line


def _one_line_refusal(output: str) -> list[str]:
    """The refusal's lines (blank lines and gunicorn's own log lines aside); there must be no traceback."""
    assert "Traceback" not in output, output
    return [line for line in output.splitlines() if line.strip() and "[INFO]" not in line]


@pytest.mark.server
def test_commands_typed_after_make_run_use_its_secret_and_database(tmp_path):
    instance = tmp_path / "instance"
    made = _flask(instance, "setup-db", BOARD_ENV="development")  # what `make run` does before serving
    assert made.returncode == 0, made.stderr
    created = _flask(instance, "create-user", "lead@example.org", "--name", "Lead Person", "--role", "editor",
                     "--password-stdin", stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created lead@example.org (Editor)."
    with sqlite3.connect(instance / "board.sqlite3") as database:  # the database `make run` serves
        emails = [email for (email,) in database.execute("SELECT email FROM user ORDER BY id")]
    assert emails == ["admin@example.org", "lead@example.org"]
    shell = _flask(instance, "shell", stdin="print('secret=' + app.config['SECRET_KEY'])\n")
    assert f"secret={(instance / 'secret_key').read_text().strip()}" in shell.stdout


@pytest.mark.server
def test_without_any_secret_commands_and_gunicorn_say_in_one_line_what_to_set(tmp_path):
    instance = tmp_path / "instance"  # no SECRET_KEY, no BOARD_ENV, no secret made by `make run`
    command = _flask(instance, "create-user", "lead@example.org", "--name", "Lead", "--password-stdin",
                     stdin="a long enough password\n")
    assert command.returncode == 1
    [line] = _one_line_refusal(command.stderr)
    assert line.startswith("Error: SECRET_KEY is not set. Set SECRET_KEY to a random value")
    assert _gunicorn_refusal(instance) == line
    assert not (instance / "secret_key").exists()


@pytest.mark.server
def test_production_never_serves_with_the_local_secret_or_a_weak_one(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("a" * 64)  # left by an earlier `make run`: for commands only
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):  # whatever serves the app
        create_app({"SECRET_KEY": None, "BOARD_ENV": "production", "BOARD_INSTANCE_PATH": str(instance)})
    for secret in ({}, {"SECRET_KEY": "short"}, {"SECRET_KEY": FLASK_QUICKSTART_SECRET}):
        line = _gunicorn_refusal(instance, **secret)
        assert line.startswith("Error: SECRET_KEY is ") and "BOARD_ENV=development" in line


@pytest.mark.server
def test_links_printed_after_the_server_started_reach_that_server(seeded_app, tmp_path):
    url = seeded_app.config["SQLALCHEMY_DATABASE_URI"]
    instance = Path(seeded_app.instance_path)
    port = free_port()
    with _gunicorn(instance, BOARD_ENV="development", PORT=str(port), DATABASE_URL=url) as server:
        booted, said = _log_until_a_worker_boots(server)  # it records its address before that
        assert booted, f"gunicorn stopped before booting a worker:\n{said}"
        # Serving, as `make run` leaves it: the worker has made the local secret the command reads (on a
        # slower database a worker can boot some time before its app exists).
        assert _answers(port), "gunicorn booted a worker but never answered"
        created = _flask(instance, "share-link", "create", "--label", "Committee", DATABASE_URL=url)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith(f"http://127.0.0.1:{port}/share/")


def _through_nginx(client):
    """Every request carries the headers docs/deploy.md's nginx sets (the client's address, https, the host),
    and the Referer a browser sends on the site's own forms (CSRF checks it over https)."""
    client.environ_base.update({"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https",
                                "HTTP_X_FORWARDED_HOST": "board.council.example",
                                "HTTP_REFERER": "https://board.council.example/"})
    return client


@pytest.mark.parametrize("proxies, client", [(1, "203.0.113.9"), (0, "127.0.0.1")])
def test_behind_a_proxy_the_app_sees_the_client_it_forwards(tmp_path, seeded_template, proxies, client):
    """nginx (one trusted proxy) passes on the client's address, scheme and host; with none trusted, the
    headers are anyone's and ignored."""
    app = make_app(tmp_path, schema=False, BOARD_TRUSTED_PROXIES=proxies,
                   SQLALCHEMY_DATABASE_URI=copy_database(seeded_template, tmp_path))
    visitor = _through_nginx(app.test_client())
    visitor.post("/sign-in", data={"email": email_for("viewer"), "password": "not the password",
                                   "csrf_token": csrf_token(visitor)})
    with app.app_context():  # the sign-in throttle counts failures per address
        assert db.session.scalars(select(SignInThrottle.key).where(SignInThrottle.key.startswith("addr:"))).all() \
            == [f"addr:{client}"]
    admin = _through_nginx(app.test_client())
    assert sign_in(admin, "admin").status_code == 303
    made = admin.post("/admin/links", data={"label": "Committee", "expires_on": "",
                                            "csrf_token": csrf_token(admin)})
    base = "https://board.council.example" if proxies else "http://localhost"
    assert page_of(made).value_labelled("Read-only link").startswith(f"{base}/share/")
