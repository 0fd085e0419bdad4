"""Signing in and out, the throttle, sessions, and the first admin."""
import pytest
from sqlalchemy import select

from app import create_app
from board.services.accounts import ensure_first_admin, find_user, set_active
from board.services.throttle import ADDRESS_FAILURES, PAIR_FREE_FAILURES
from models import AuditEntry, User, db
from tests.conftest import PASSWORD, csrf_token, email_for, sign_in
from tests.pages import page_of


def test_sign_in_then_board_then_sign_out(anon_client):
    assert anon_client.get("/").status_code == 302
    response = sign_in(anon_client, "viewer")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert anon_client.get("/").status_code == 200
    out = anon_client.post("/sign-out", data={"csrf_token": csrf_token(anon_client)})
    assert out.status_code == 303
    board = anon_client.get("/")
    assert board.status_code == 302 and board.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("email, password", [
    ("viewer@example.org", "wrong password!"),
    ("nobody@example.org", PASSWORD),
])
def test_unknown_email_and_wrong_password_get_the_same_answer(anon_client, email, password):
    response = anon_client.post("/sign-in", data={
        "email": email, "password": password, "csrf_token": csrf_token(anon_client)})
    assert response.status_code == 422
    assert "That email and password do not match an active account." in response.get_data(as_text=True)
    assert anon_client.get("/").status_code == 302


def test_next_only_goes_to_this_site(anon_client):
    token = csrf_token(anon_client)
    data = {"email": email_for("viewer"), "password": PASSWORD, "csrf_token": token}
    response = anon_client.post("/sign-in?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"


def test_next_returns_to_the_page_asked_for(anon_client):
    token = csrf_token(anon_client)
    data = {"email": email_for("viewer"), "password": PASSWORD, "csrf_token": token}
    response = anon_client.post("/sign-in?next=/actions/2.7", data=data)
    assert response.headers["Location"] == "/actions/2.7"


def _client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_repeated_failures_slow_that_address_at_that_account_only(seeded_app):
    guesser = _client_at(seeded_app, "198.51.100.7")
    for _ in range(PAIR_FREE_FAILURES):
        assert sign_in(guesser, "editor", password="not the password").status_code == 422
    waiting = sign_in(guesser, "editor")  # even the right password waits, from this address
    assert waiting.status_code == 422
    assert "wait 30 seconds before trying again" in page_of(waiting).text()
    assert sign_in(_client_at(seeded_app, "198.51.100.7"), "viewer").status_code == 303  # other accounts
    assert sign_in(_client_at(seeded_app, "203.0.113.5"), "editor").status_code == 303  # another address


def test_the_wait_doubles_with_each_further_failure_and_never_locks_for_ever(seeded_app):
    from board.services import throttle

    with seeded_app.app_context():
        keys = throttle.keys_for("editor@example.org", "198.51.100.7")
        waits = []
        for _ in range(PAIR_FREE_FAILURES + 8):
            throttle.record_failure(keys)
            waits.append(throttle.wait_seconds(keys))
        assert waits[:PAIR_FREE_FAILURES - 1] == [0] * (PAIR_FREE_FAILURES - 1)
        assert waits[PAIR_FREE_FAILURES - 1:PAIR_FREE_FAILURES + 2] == [30, 60, 120]
        assert max(waits) == 15 * 60


def test_made_up_emails_from_one_address_never_lock_out_anyone_else(seeded_app):
    attacker = _client_at(seeded_app, "198.51.100.66")
    for n in range(ADDRESS_FAILURES):
        attacker.post("/sign-in", data={"email": f"made-up-{n}@example.org", "password": "guess",
                                        "csrf_token": csrf_token(attacker)})
    assert "wait 15 minutes" in page_of(sign_in(attacker, "admin")).text()  # that address is paused
    assert sign_in(_client_at(seeded_app, "203.0.113.10"), "admin").status_code == 303
    assert sign_in(_client_at(seeded_app, "203.0.113.11"), "viewer").status_code == 303


def test_failures_counted_at_once_are_all_counted(seeded_app):
    import threading

    from board.services import throttle
    from models import SignInThrottle

    keys = throttle.keys_for("admin@example.org", "198.51.100.9")

    def fail():
        with seeded_app.app_context():
            throttle.record_failure(keys)

    threads = [threading.Thread(target=fail) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with seeded_app.app_context():
        assert db.session.get(SignInThrottle, keys.address).failures == 12
        assert db.session.get(SignInThrottle, keys.pair).failures == 12


def test_a_successful_sign_in_resets_the_count(seeded_app):
    client = seeded_app.test_client()
    for _ in range(PAIR_FREE_FAILURES - 1):
        sign_in(client, "editor", password="not the password")
    assert sign_in(client, "editor").status_code == 303
    other = seeded_app.test_client()
    for _ in range(PAIR_FREE_FAILURES - 1):
        sign_in(other, "editor", password="not the password")
    assert sign_in(other, "editor").status_code == 303


def test_deactivated_user_cannot_sign_in_and_is_signed_out(seeded_app, client_for):
    client = client_for("editor")
    with seeded_app.app_context():
        set_active(find_user(email_for("editor")), False)
    assert client.get("/").status_code == 302
    assert sign_in(seeded_app.test_client(), "editor").status_code == 422


def test_passwords_are_hashed(seeded_app):
    with seeded_app.app_context():
        user = find_user(email_for("viewer"))
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith("pbkdf2:")


def test_session_cookie_is_httponly_and_lax(anon_client):
    response = sign_in(anon_client, "viewer")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.mark.parametrize("path, headers", [
    ("/", {}), ("/actions/2.7", {}), ("/actions/2.7", {"HX-Request": "true"}), ("/outcomes", {}),
    ("/admin/links", {}), ("/actions/99.9", {}), ("/export.csv", {}), ("/export.xlsx", {})])
def test_what_a_signed_in_person_sees_is_never_stored(client_for, path, headers):
    response = client_for("admin").get(path, headers=headers)
    assert response.mimetype == "text/html" or response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_sign_in_page_is_never_stored_and_static_files_keep_their_caching(anon_client):
    assert anon_client.get("/sign-in").headers["Cache-Control"] == "no-store"
    refused = sign_in(anon_client, "viewer", password="not the password")
    assert refused.status_code == 422 and refused.headers["Cache-Control"] == "no-store"
    for client in (anon_client, _signed_in(anon_client)):
        script = client.get("/static/js/board.js")
        script.close()  # a file is streamed: close it
        assert script.status_code == 200 and "no-store" not in script.headers.get("Cache-Control", "")


def _signed_in(client):
    assert sign_in(client, "viewer").status_code == 303
    return client


def test_session_cookie_is_secure_when_served_over_https(tmp_path):
    app = create_app({"SECRET_KEY": "x" * 40, "SESSION_COOKIE_SECURE": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.db", "TESTING": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("secret", [None, "", "dev", "short"])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch, secret):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": secret, "BOARD_ENV": "production",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})


def test_development_uses_a_generated_local_secret(tmp_path):
    app = create_app({"BOARD_ENV": "development", "SECRET_KEY": None,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    assert len(app.config["SECRET_KEY"]) == 64


def test_first_admin_from_environment_or_generated(app):
    with app.app_context():
        user, generated = ensure_first_admin("boss@example.org", "a long enough password")
        assert (user.email, user.role, generated) == ("boss@example.org", "admin", None)
        assert ensure_first_admin(None, None) is None  # only when there is no user
        assert db.session.scalars(select(AuditEntry.kind)).all() == ["user_created"]


def test_setup_db_prints_a_generated_admin_password_once(app, runner, monkeypatch):
    monkeypatch.setattr("board.cli.upgrade", lambda: None)  # the schema already exists
    first = runner.invoke(args=["setup-db"])
    second = runner.invoke(args=["setup-db"])
    assert first.exit_code == 0 and "Created the first admin: admin@example.org with password" in first.output
    assert "Imported the seed plan (88 actions)" in first.output
    assert "password" not in second.output and "seed was not imported" in second.output
    with app.app_context():
        assert db.session.scalars(select(User.role)).all() == ["admin"]


def test_cli_creates_changes_and_deactivates_users(app, runner):
    created = runner.invoke(args=["create-user", "lead@example.org", "--name", "Lead Person",
                                  "--role", "contributor", "--password-stdin"],
                            input="a long enough password\n")
    assert created.exit_code == 0, created.output
    assert runner.invoke(args=["set-role", "lead@example.org", "editor"]).exit_code == 0
    assert runner.invoke(args=["deactivate-user", "lead@example.org"]).exit_code == 0
    assert runner.invoke(args=["set-role", "nobody@example.org", "editor"]).exit_code == 1
    short = runner.invoke(args=["create-user", "x@example.org", "--name", "X", "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    with app.app_context():
        user = find_user("lead@example.org")
        assert (user.role, user.active) == ("editor", False)
        kinds = db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.id)).all()
        assert kinds == ["user_created", "role_changed", "deactivated"]
