"""Odd input never causes a server error, a redirect off the site, or a half-done change.

One test per finding of the hardening review; the property-based fuzzing in test_fuzz.py covers
the rest of the input space.
"""
import contextlib

import pytest
from sqlalchemy import create_engine, func, select, text

from board.services.moves import move_action, record_reason
from models import ActionEvent, Clinic, EventKind, ImpactComment, KpiValue, db
from tests.conftest import HTMX, action_by_ref, csrf_token, make_app, sign_in, user_for
from tests.databases import copy_database
from tests.pages import page_of

HUGE = "99999999999999999999999"


def test_an_offsite_next_never_becomes_a_back_or_cancel_link(client_for):
    page = page_of(client_for("editor").get("/actions/1.1/move?next=http://evil.example/phish"))
    assert page.link("Back to the board") == "/"
    assert page.field_value("next") == "/"
    assert not [href for href in page.links() if "evil" in href]


@pytest.mark.parametrize("next_value", ["/?area=1\r\nSet-Cookie: x=1", "//evil.example/", "https://evil.example/",
                                        "/\x7fdel", "/" + "a" * 2000])
def test_a_move_with_a_bad_next_redirects_to_the_board_once(seeded_app, client_for, next_value):
    editor = client_for("editor")
    response = editor.post("/actions/1.1/move", data={
        "status": "red", "version": 1, "from_form": "1", "next": next_value, "csrf_token": csrf_token(editor)})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/?explain=")
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count()).where(ActionEvent.kind == EventKind.STATUS)) == 1


def test_a_reason_with_a_bad_next_is_saved_once_and_redirects_home(seeded_app, client_for):
    with seeded_app.app_context():
        event_id = move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor")).event.id
    editor = client_for("editor")
    response = editor.post(f"/moves/{event_id}/reason", data={
        "reason": "Capacity", "next": "/\r\nLocation: https://evil.example/", "csrf_token": csrf_token(editor)})
    assert response.status_code == 303 and response.headers["Location"] == "/#card-2-7"
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count()).where(ActionEvent.kind == EventKind.REASON)) == 1


def test_an_impact_comment_with_a_bad_next_is_stored_once(seeded_app, client_for):
    with seeded_app.app_context():
        outcome_id = action_by_ref("2.7").outcome_id
    contributor = client_for("contributor")
    response = contributor.post(f"/outcomes/{outcome_id}/comments", data={
        "text": "Plans reviewed sooner", "rating": "emerging", "next": "/outcomes\r\nX: y",
        "csrf_token": csrf_token(contributor)})
    assert response.status_code == 303 and response.headers["Location"] == f"/outcomes#outcome-{outcome_id}"
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count(ImpactComment.id))) == 1


@pytest.mark.parametrize("path", [f"/notes/{HUGE}/edit", f"/notes/{HUGE}/withdraw", f"/outcomes/{HUGE}",
                                  f"/clinics/{HUGE}", f"/clinics/{HUGE}/minutes.csv", f"/admin/users/{HUGE}",
                                  f"/areas/{HUGE}/lane"])
def test_ids_too_large_for_the_database_are_unknown_pages(client_for, path):
    assert client_for("admin").get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/moves/{HUGE}/reason", f"/outcomes/{HUGE}/comments", f"/clinics/{HUGE}/end",
                                  f"/admin/links/{HUGE}/revoke", f"/admin/users/{HUGE}/role"])
def test_posts_to_ids_too_large_for_the_database_are_unknown_pages(client_for, path):
    admin = client_for("admin")
    assert admin.post(path, data={"csrf_token": csrf_token(admin)}).status_code == 404


@pytest.mark.parametrize("field, value", [("version", HUGE), ("area", HUGE), ("position", HUGE), ("version", "-1")])
def test_a_drag_with_numbers_out_of_range_is_refused_and_changes_nothing(seeded_app, client_for, field, value):
    editor = client_for("editor")
    data = {"status": "red", "version": "1", "area": "1", "position": "0", "csrf_token": csrf_token(editor)}
    response = editor.post("/actions/1.1/move", headers=HTMX, data={**data, field: value})
    assert response.status_code == 400
    with seeded_app.app_context():
        assert action_by_ref("1.1").status == "not_started"


def test_a_reason_for_something_that_is_not_a_status_change_is_refused(seeded_app, client_for):
    with seeded_app.app_context():
        reorder = move_action(action_by_ref("1.2"), "not_started", 0, 1, user_for("editor")).event
        assert reorder.kind is EventKind.REORDER
        event_id = reorder.id
    editor = client_for("editor")
    for headers in ({}, HTMX):
        response = editor.post(f"/moves/{event_id}/reason", headers=headers,
                               data={"reason": "Why not", "csrf_token": csrf_token(editor)})
        assert response.status_code == 404
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count()).where(ActionEvent.kind == EventKind.REASON)) == 0


def test_a_second_reason_for_one_move_is_refused(seeded_app, client_for):
    with seeded_app.app_context():
        moved = move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor")).event
        record_reason(moved, "First", user_for("editor"))
        event_id = moved.id
    editor = client_for("editor")
    response = editor.post(f"/moves/{event_id}/reason", headers=HTMX,
                           data={"reason": "Second", "csrf_token": csrf_token(editor)})
    assert response.status_code == 422 and "already has a reason" in page_of(response).text()


def test_a_nul_character_in_the_path_is_refused_before_any_query(client_for):
    # PostgreSQL cannot compare text holding a NUL: the lookup of such a ref used to fail there with a 500.
    response = client_for("viewer").get("/actions/2.7%00")
    assert response.status_code == 400 and "NUL character" in page_of(response).text("main")


def test_a_clinic_starts_without_attendees(seeded_app, client_for):
    editor = client_for("editor")
    with seeded_app.app_context():
        chair_id = user_for("editor").id
    response = editor.post("/clinics", data={"held_on": "2023-12-15", "chair": str(chair_id),
                                             "csrf_token": csrf_token(editor)})
    assert response.status_code == 303
    with seeded_app.app_context():
        assert db.session.scalars(select(Clinic.attendees)).one() == ""


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e309"])
def test_kpi_values_must_be_real_numbers(seeded_app, client_for, value):
    admin = client_for("admin")
    with seeded_app.app_context():
        values_before = db.session.scalar(select(func.count(KpiValue.id)))
    response = admin.post("/kpis/1/values", data={"period": "2023/24 Q2", "value": value, "source_note": "Report",
                                                  "csrf_token": csrf_token(admin)})
    assert response.status_code == 422 and "Enter a number." in page_of(response).form_errors()
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count(KpiValue.id))) == values_before


@contextlib.contextmanager
def _area_locked_elsewhere(app, area_number: int):
    """Another connection holds the write lock a move needs (SQLite: the database's; PostgreSQL: the area row's)."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as other:
        if engine.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.execute(text("SELECT id FROM area WHERE number = :n FOR UPDATE"), {"n": area_number})
        try:
            yield
        finally:
            other.rollback()
    engine.dispose()


def test_a_move_that_waits_too_long_for_another_write_answers_busy_and_changes_nothing(tmp_path, seeded_template):
    app = make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(seeded_template, tmp_path),
                   DATABASE_LOCK_TIMEOUT_MS=200)
    editor = app.test_client()
    sign_in(editor, "editor")
    token = csrf_token(editor)
    with _area_locked_elsewhere(app, 1):
        busy = editor.post("/actions/1.4/move", data={"csrf_token": token, "status": "amber", "position": 0,
                                                       "version": 1, "area": 1}, headers=HTMX)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert "too busy to save that just now, so nothing was changed" in page_of(busy).text()
    with app.app_context():
        assert (action_by_ref("1.4").status, action_by_ref("1.4").version) == ("not_started", 1)
    again = editor.post("/actions/1.4/move", data={"csrf_token": token, "status": "amber", "position": 0,
                                                    "version": 1, "area": 1}, headers=HTMX)
    assert again.status_code == 200 and page_of(again).cards_in(1, "amber") == ["1.4"]
