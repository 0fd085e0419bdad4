"""Performance clinics: what is tagged to them and their minutes."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from board.services import clinics
from board.services.board_view import current_plan
from board.services.evidence import add_note, change_due
from board.services.moves import move_action, record_reason
from models import ActionEvent, Clinic, db
from tests.conftest import action_by_ref, csrf_token, user_for

TODAY = date(2023, 12, 15)


def _tagged(clinic):
    return [(e.kind, e.action.ref) for e in db.session.scalars(
        select(ActionEvent).where(ActionEvent.clinic_id == clinic.id).order_by(ActionEvent.id))]


def test_only_participants_changes_in_covered_areas_while_open_are_tagged(ctx):
    clinic = clinics.start_clinic(current_plan(), TODAY, "Head of Service CP", "HoS CP\nPSW", [2],
                                  user_for("editor"))
    moved = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor"))
    record_reason(moved.event, "QA schedule slipped", user_for("editor"))
    move_action(action_by_ref("3.1"), "red", 0, 1, user_for("editor"))          # area 3: not covered
    add_note(action_by_ref("2.6"), "ICPC timeliness 78%", None, user_for("contributor"))  # not taking part
    clinics.join_clinic(clinic, user_for("contributor"))
    add_note(action_by_ref("2.6"), "ICPC timeliness 81%", None, user_for("contributor"))
    change_due(action_by_ref("2.9"), "Feb 2024", "Clinics paused over Christmas", user_for("editor"), TODAY)
    clinics.end_clinic(clinic, user_for("editor"))
    move_action(action_by_ref("2.8"), "green", 0, 1, user_for("editor"))          # after the end
    assert _tagged(clinic) == [("status", "2.7"), ("reason", "2.7"), ("note", "2.6"), ("due", "2.9")]
    [(area, lines)] = clinics.minutes(clinic)
    assert area.number == 2
    assert [(line.ref, line.summary, line.why, line.who) for line in lines] == [
        ("2.7", "Moved from Not started to Amber", "QA schedule slipped", "Editor Person"),
        ("2.6", "Evidence note added", "ICPC timeliness 81%", "Contributor Person"),
        ("2.9", "Due changed from Jan 2024 to Feb 2024", "Clinics paused over Christmas", "Editor Person"),
    ]


def test_one_clinic_at_a_time_and_no_changes_after_the_end(ctx):
    clinic = clinics.start_clinic(current_plan(), TODAY, "Chair", "", [], user_for("editor"))
    with pytest.raises(clinics.ClinicRefused, match="already in progress"):
        clinics.start_clinic(current_plan(), TODAY, "Chair", "", [], user_for("admin"))
    clinics.end_clinic(clinic, user_for("admin"))
    with pytest.raises(clinics.ClinicRefused):
        clinics.join_clinic(clinic, user_for("contributor"))
    with pytest.raises(clinics.ClinicRefused):
        clinics.end_clinic(clinic, user_for("admin"))


def test_start_clinic_route_banner_minutes_and_csv(seeded_app, client_for):
    editor = client_for("editor")
    token = csrf_token(editor, "/")
    missing = editor.post("/clinics", data={"held_on": "2023-12-15", "csrf_token": token})
    assert missing.status_code == 422 and "Say who chairs the clinic." in missing.get_data(as_text=True)
    started = editor.post("/clinics", data={"held_on": "2023-12-15", "chair": "HoS CP", "areas": ["2", "3"],
                                            "attendees": "Ann\nBen", "csrf_token": token})
    assert started.status_code == 303 and started.headers["Location"] == "/?area=2&area=3"
    board = editor.get("/?area=2").get_data(as_text=True)
    assert "Performance clinic in progress" in board and "You are taking part" in board
    viewer_board = client_for("viewer").get("/").get_data(as_text=True)
    assert "Performance clinic in progress" in viewer_board and "Take part" not in viewer_board
    with seeded_app.app_context():
        clinic_id = db.session.scalars(select(Clinic.id)).one()
        move_action(action_by_ref("3.3"), "green", 0, 1, user_for("editor"))
    ended = editor.post(f"/clinics/{clinic_id}/end", data={"csrf_token": token})
    assert ended.status_code == 303 and ended.headers["Location"] == f"/clinics/{clinic_id}"
    minutes = editor.get(f"/clinics/{clinic_id}").get_data(as_text=True)
    assert "3 Cared for children" in minutes and "Moved from Not started to Green" in minutes
    assert "no reason given" in minutes
    rows = list(csv.reader(io.StringIO(editor.get(f"/clinics/{clinic_id}/minutes.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Area" and rows[1][1] == "3.3" and rows[1][5] == "Moved from Not started to Green"
    contributor = client_for("contributor")
    assert contributor.post("/clinics", data={
        "held_on": "2023-12-15", "chair": "x", "csrf_token": csrf_token(contributor, "/")}).status_code == 403
