"""Sessions end on the server: a saved cookie opens nothing once its session has ended."""
from datetime import timedelta

from sqlalchemy import select

from board.services import accounts
from models import Action, User, UserSession, db
from tests.conftest import PASSWORD, csrf_token, email_for, sign_in
from tests.pages import page_of

NEW_PASSWORD = "plum orchard lantern 42"


def _replay(app, cookie: str):
    """Another browser holding a copy of a session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _signed_in(app, role="editor"):
    client = app.test_client()
    assert sign_in(client, role).status_code == 303
    return client


def test_a_saved_cookie_stops_working_at_sign_out_and_cannot_move_a_card(seeded_app):
    client = _signed_in(seeded_app)
    cookie, token = _cookie(client), csrf_token(client)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 303
    thief = _replay(seeded_app, cookie)
    assert thief.get("/").status_code == 302
    moved = thief.post("/actions/1.1/move", data={"status": "red", "version": 1, "from_form": "1",
                                                   "csrf_token": token})
    assert moved.status_code in (302, 400)
    with seeded_app.app_context():
        assert db.session.scalars(select(Action.status).where(Action.ref == "1.1")).one() == "not_started"
        ended = db.session.scalars(select(UserSession.ended_reason)).all()
        assert ended == ["signed out"]


def test_the_csrf_token_changes_at_sign_in(seeded_app):
    client = seeded_app.test_client()
    before = csrf_token(client)
    assert sign_in(client, "editor").status_code == 303
    after = csrf_token(client)
    assert after != before
    refused = client.post("/actions/1.1/move", data={"status": "red", "version": 1, "from_form": "1",
                                                     "csrf_token": before})
    assert refused.status_code == 400


def test_changing_your_password_signs_out_your_other_sessions(seeded_app):
    laptop, phone = _signed_in(seeded_app), _signed_in(seeded_app)
    response = laptop.post("/account", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                             "csrf_token": csrf_token(laptop, "/account")})
    assert response.status_code == 303
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert sign_in(seeded_app.test_client(), "editor").status_code == 422  # the old password
    assert sign_in(seeded_app.test_client(), "editor", NEW_PASSWORD).status_code == 303


def test_a_new_password_must_be_long_uncommon_and_typed_twice(seeded_app):
    client = _signed_in(seeded_app)
    token = csrf_token(client, "/account")
    cases = [
        ({"current": "wrong current pw", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "That is not your current password."),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "Use at least 12 characters"),
        ({"current": PASSWORD, "new": "qwerty123456", "confirm": "qwerty123456"}, "one of the most common"),
        ({"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "are not the same"),
    ]
    for data, message in cases:
        response = client.post("/account", data={**data, "csrf_token": token})
        assert response.status_code == 422
        assert any(message in error for error in page_of(response).form_errors()), (message, page_of(response).form_errors())
    assert sign_in(seeded_app.test_client(), "editor").status_code == 303  # unchanged


def test_sign_out_everywhere_else_keeps_this_session(seeded_app):
    here, elsewhere = _signed_in(seeded_app), _signed_in(seeded_app)
    response = here.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(here, "/account")})
    assert response.status_code == 303
    assert "1 other session ended" in page_of(here.get("/account")).flash_text()
    assert here.get("/").status_code == 200 and elsewhere.get("/").status_code == 302


def test_the_admin_signs_a_user_out_everywhere_and_resets_their_password(seeded_app, client_for):
    editor = _signed_in(seeded_app)
    admin = client_for("admin")
    with seeded_app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.email == email_for("editor"))).one()
    token = csrf_token(admin)
    assert admin.post(f"/admin/users/{user_id}/sign-out-everywhere", data={"csrf_token": token}).status_code == 303
    assert editor.get("/").status_code == 302
    editor = _signed_in(seeded_app)
    reset = admin.post(f"/admin/users/{user_id}/reset-password", data={"csrf_token": token})
    one_time = page_of(reset).field_value("one_time_password") or page_of(reset).root.select_one(
        "#one-time-password")["value"]
    assert reset.status_code == 200 and len(one_time) >= 12
    assert editor.get("/").status_code == 302
    assert sign_in(seeded_app.test_client(), "editor").status_code == 422
    assert sign_in(seeded_app.test_client(), "editor", one_time).status_code == 303
    assert one_time not in page_of(admin.get(f"/admin/users/{user_id}")).html  # shown once


def test_an_idle_session_ends(seeded_app):
    client = _signed_in(seeded_app)
    with seeded_app.app_context():
        session = db.session.scalars(select(UserSession)).one()
        session.last_seen_at -= timedelta(minutes=seeded_app.config["BOARD_SESSION_IDLE_MINUTES"] + 1)
        db.session.commit()
    assert client.get("/").status_code == 302
    with seeded_app.app_context():
        assert db.session.scalars(select(UserSession.ended_reason)).one() == "timed out"


def test_a_session_ends_after_its_lifetime_however_busy(seeded_app):
    client = _signed_in(seeded_app)
    with seeded_app.app_context():
        session = db.session.scalars(select(UserSession)).one()
        session.created_at -= timedelta(hours=seeded_app.config["BOARD_SESSION_MAX_HOURS"], minutes=1)
        db.session.commit()
    assert client.get("/").status_code == 302


def test_set_password_on_the_command_line(seeded_app):
    runner = seeded_app.test_cli_runner()
    signed_in = _signed_in(seeded_app)
    result = runner.invoke(args=["set-password", email_for("editor"), "--password-stdin"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert signed_in.get("/").status_code == 302
    assert sign_in(seeded_app.test_client(), "editor", NEW_PASSWORD).status_code == 303
    weak = runner.invoke(args=["set-password", email_for("editor"), "--password-stdin"], input="password123\n")
    assert weak.exit_code == 1 and "Use at least 12 characters" in weak.output
    generated = runner.invoke(args=["set-password", email_for("viewer")])
    assert generated.exit_code == 0 and "One-time password (shown once):" in generated.output
    assert runner.invoke(args=["set-password", "nobody@example.org"]).exit_code == 1


def test_a_stale_admin_form_changes_nothing(seeded_app, client_for):
    admin = client_for("admin")
    with seeded_app.app_context():
        user = db.session.scalars(select(User).where(User.email == email_for("viewer"))).one()
        user_id, version = user.id, user.version
        accounts.set_role(user, accounts.Role.CONTRIBUTOR, expected_version=version)
    token = csrf_token(admin)
    stale = admin.post(f"/admin/users/{user_id}/role", data={"role": "editor", "version": version, "csrf_token": token})
    assert stale.status_code == 409 and "changed by someone else" in page_of(stale).flash_text()
    deactivate = admin.post(f"/admin/users/{user_id}/deactivate", data={"version": version, "csrf_token": token})
    assert deactivate.status_code == 409
    with seeded_app.app_context():
        user = db.session.get(User, user_id)
        assert (user.role, user.active) == ("contributor", True)
