"""Performance clinics: what is minuted in them, who may end them, their notes and actions arising,
what is carried to the next clinic, and their minutes (page, CSV)."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from board.services import clinic_minutes, clinics
from board.services.board_view import current_plan
from board.services.evidence import add_note, change_due
from board.services.moves import move_action, record_reason
from models import (
    ActionArising,
    ActionEvent,
    ArisingUpdate,
    ArisingUpdateKind,
    Clinic,
    ClinicNote,
    EventKind,
    db,
)
from models.action import HistoryIsAppendOnly
from tests.conftest import HTMX, action_by_ref, csrf_token, user_for
from tests.pages import page_of

TODAY = date(2023, 12, 15)
DONE, CARRIED = ArisingUpdateKind.DONE, ArisingUpdateKind.CARRIED


def _tagged(clinic):
    return [(e.kind, e.action.ref) for e in db.session.scalars(
        select(ActionEvent).where(ActionEvent.clinic_id == clinic.id).order_by(ActionEvent.id))]


def _start(areas, chair="editor", by="editor"):
    return clinics.start_clinic(current_plan(), TODAY, user_for(chair), "", areas, user_for(by))


def _record_rows():
    return [db.session.scalar(select(db.func.count()).select_from(model))
            for model in (ClinicNote, ActionArising, ArisingUpdate)]


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


# --- what is minuted ------------------------------------------------------------------------------

def test_a_change_by_anyone_signed_in_on_a_covered_area_is_minuted_while_the_clinic_is_open(ctx):
    clinic = clinics.start_clinic(current_plan(), TODAY, user_for("editor"), "HoS CP\nPSW", [2],
                                  user_for("editor"))
    assert user_for("contributor") not in clinic.participants and user_for("admin") not in clinic.participants
    moved = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("admin"))       # not taking part
    record_reason(moved.event, "QA schedule slipped", user_for("admin"))
    move_action(action_by_ref("3.1"), "red", 0, 1, user_for("editor"))             # area 3: not covered
    add_note(action_by_ref("2.6"), "ICPC timeliness 81%", None, user_for("contributor"))  # not taking part
    change_due(action_by_ref("2.9"), "Feb 2024", "Clinics paused over Christmas", user_for("editor"), TODAY)
    clinics.end_clinic(clinic, user_for("editor"))
    move_action(action_by_ref("2.8"), "green", 0, 1, user_for("editor"))           # after the end
    assert _tagged(clinic) == [("status", "2.7"), ("reason", "2.7"), ("note", "2.6"), ("due", "2.9")]
    [(area, lines)] = clinics.board_changes(clinic)
    assert area.number == 2
    assert [(line.ref, line.summary, line.why, line.who) for line in lines] == [
        ("2.7", "Moved from Not started to Amber", "QA schedule slipped", "Admin Person"),
        ("2.6", "Evidence note added", "ICPC timeliness 81%", "Contributor Person"),
        ("2.9", "Due changed from Jan 2024 to Feb 2024", "Clinics paused over Christmas", "Editor Person"),
    ]


def test_a_first_clinic_minutes_the_first_change(ctx):
    clinic = _start([])
    move_action(action_by_ref("1.1"), "green", 0, 1, user_for("admin"))
    assert _tagged(clinic) == [("status", "1.1")]


def test_a_reason_given_in_the_clinic_for_a_move_made_before_it_is_a_line_of_its_own(ctx):
    moved = move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor"))
    clinic = _start([2])
    record_reason(moved.event, "Supplier left", user_for("editor"))
    [(_, lines)] = clinics.board_changes(clinic)
    assert [(line.summary, line.why) for line in lines] == [("Reason given for the move to Red", "Supplier left")]


def test_two_clinics_for_different_areas_run_together_and_an_overlap_is_refused_naming_the_clinic(ctx):
    children_in_need = _start([2])
    cared_for = _start([3, 4], chair="admin")
    move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor"))
    move_action(action_by_ref("3.1"), "red", 0, 1, user_for("editor"))
    assert _tagged(children_in_need) == [("status", "2.7")] and _tagged(cared_for) == [("status", "3.1")]
    with pytest.raises(clinics.ClinicRefused) as refused:
        _start([4, 5])
    assert str(refused.value) == ("The clinic of 15 December 2023 for areas 3, 4, chaired by Admin Person, is still "
                                  "in progress and covers area 4: end it first, or choose other areas.")
    with pytest.raises(clinics.ClinicRefused, match="for area 2, chaired by Editor Person, is still in progress"):
        _start([])  # the whole plan covers every area
    clinics.end_clinic(cared_for, user_for("admin"))
    assert _start([4, 5]).area_numbers == [4, 5]
    assert [c.area_numbers for c in clinics.open_clinics(current_plan())] == [[2], [4, 5]]


def test_while_a_clinic_covers_the_whole_plan_no_other_can_start(ctx):
    _start([])
    with pytest.raises(clinics.ClinicRefused, match="for the whole plan, chaired by Editor Person.*covers area 9"):
        _start([9])


def test_when_two_open_clinics_cover_an_area_a_change_goes_to_the_one_you_take_part_in_else_the_narrower(ctx):
    # The start rule forbids this; a database edited by hand could still hold it.
    editor = user_for("editor")
    whole = Clinic(plan_id=current_plan().id, held_on=TODAY, chair="A", area_numbers=[], started_by=editor)
    narrow = Clinic(plan_id=current_plan().id, held_on=TODAY, chair="B", area_numbers=[2, 3], started_by=editor)
    db.session.add_all([whole, narrow])
    db.session.commit()
    move_action(action_by_ref("2.7"), "amber", 0, 1, editor)
    assert _tagged(narrow) == [("status", "2.7")]
    clinics.join_clinic(whole, user_for("admin"))
    move_action(action_by_ref("2.8"), "red", 0, 1, user_for("admin"))
    assert _tagged(whole) == [("status", "2.8")]


def test_a_change_without_a_signed_in_person_is_not_minuted(ctx):
    clinic = _start([2])
    action = action_by_ref("2.7")
    db.session.add(ActionEvent(action_id=action.id, kind=EventKind.STATUS, actor_label="flask command",
                               from_value="not_started", to_value="red"))
    db.session.commit()
    assert _tagged(clinic) == []


# --- who ends a clinic ----------------------------------------------------------------------------

def test_only_the_chair_or_an_admin_ends_a_clinic(ctx):
    chaired_by_contributor = _start([2], chair="contributor")
    with pytest.raises(clinics.NotAllowed, match=r"Only its chair \(Contributor Person\) or an admin"):
        clinics.end_clinic(chaired_by_contributor, user_for("editor"))  # started it, but does not chair it
    clinics.end_clinic(chaired_by_contributor, user_for("contributor"))
    chaired_by_editor = _start([3])
    clinics.end_clinic(chaired_by_editor, user_for("admin"))
    assert chaired_by_contributor.ended_by_id == user_for("contributor").id
    assert chaired_by_editor.ended_by_id == user_for("admin").id
    with pytest.raises(clinics.ClinicRefused):
        clinics.join_clinic(chaired_by_editor, user_for("contributor"))
    with pytest.raises(clinics.ClinicRefused, match="already ended"):
        clinics.end_clinic(chaired_by_editor, user_for("admin"))


def test_a_clinic_started_before_chairs_had_accounts_is_ended_by_an_admin_only(ctx):
    clinic = Clinic(plan_id=current_plan().id, held_on=TODAY, chair="HoS CP", area_numbers=[2],
                    started_by=user_for("editor"))
    db.session.add(clinic)
    db.session.commit()
    with pytest.raises(clinics.NotAllowed, match="^Only an admin can end this clinic.$"):
        clinics.end_clinic(clinic, user_for("editor"))
    clinics.end_clinic(clinic, user_for("admin"))


def test_another_editor_gets_403_with_a_plain_message_and_the_chair_ends_it(seeded_app, client_for):
    with seeded_app.app_context():
        clinic_id = _start([2], chair="contributor").id
    editor, chair = client_for("editor"), client_for("contributor")
    refused = editor.post(f"/clinics/{clinic_id}/end", data={"csrf_token": csrf_token(editor)})
    assert refused.status_code == 403
    assert page_of(refused).text("main") == ("Forbidden Only its chair (Contributor Person) or an admin can end "
                                             "this clinic. Go to the board")
    assert "End clinic" not in page_of(editor.get("/")).text(".clinic-banner")
    assert "End clinic" in page_of(chair.get("/")).text(".clinic-banner")
    ended = chair.post(f"/clinics/{clinic_id}/end", data={"csrf_token": csrf_token(chair)})
    assert ended.status_code == 303 and ended.headers["Location"] == f"/clinics/{clinic_id}"
    with seeded_app.app_context():
        assert db.session.get(Clinic, clinic_id).ended_by_id == user_for("contributor").id


# --- notes and actions arising --------------------------------------------------------------------

def test_notes_and_actions_arising_are_recorded_attributed_and_never_overwritten(ctx):
    clinic = _start([2])
    contributor = user_for("contributor")
    with pytest.raises(clinics.NotAllowed, match="Take part"):
        clinic_minutes.add_note(clinic, "Not in the room", contributor)
    clinics.join_clinic(clinic, contributor)
    first = clinic_minutes.add_note(clinic, "Re-audit agreed for 20 plans", contributor)
    clinic_minutes.add_note(clinic, "PSW to brief team managers", user_for("editor"))
    clinic_minutes.correct_note(clinic, first.id, "Re-audit agreed for 30 plans", user_for("editor"))
    with pytest.raises(clinics.ClinicRefused, match="Nothing changed"):
        clinic_minutes.correct_note(clinic, first.id, "Re-audit agreed for 30 plans", user_for("editor"))
    by_person = clinic_minutes.raise_arising(clinic, "Re-audit plans", contributor, None, date(2024, 1, 19),
                                             user_for("editor"))
    clinic_minutes.raise_arising(clinic, "Brief the board", None, "Head of QA (no account)", date(2024, 1, 12),
                                 contributor)
    with pytest.raises(clinics.ClinicRefused, match="Say who will do it"):
        clinic_minutes.raise_arising(clinic, "Nobody's job", None, " ", date(2024, 1, 12), contributor)
    with pytest.raises(clinics.ClinicRefused, match="not both"):
        clinic_minutes.raise_arising(clinic, "Two owners", contributor, "Head of QA", date(2024, 1, 12), contributor)
    clinic_minutes.correct_arising(clinic, by_person.id, "Re-audit 30 plans", None, "Principal Social Worker",
                                   date(2024, 1, 26), contributor)

    found = clinic_minutes.minutes(clinic)
    assert [(n.current.text, n.current.by, [(w.text, w.by) for w in n.earlier]) for n in found.notes] == [
        ("Re-audit agreed for 30 plans", "Editor Person", [("Re-audit agreed for 20 plans", "Contributor Person")]),
        ("PSW to brief team managers", "Editor Person", [])]
    assert [(a.what, a.owner, a.due_on, a.raised_by, a.outcome) for a in found.arisings] == [
        ("Brief the board", "Head of QA (no account)", date(2024, 1, 12), "Contributor Person", "Open"),
        ("Re-audit 30 plans", "Principal Social Worker", date(2024, 1, 26), "Editor Person", "Open")]
    corrected = found.arisings[1]
    assert corrected.first_written == "“Re-audit plans”, Contributor Person, by 19 January 2024"
    assert [(s.words, s.by) for s in corrected.steps] == [
        ("Corrected to “Re-audit 30 plans”, Principal Social Worker, by 26 January 2024", "Contributor Person")]
    assert db.session.scalar(select(db.func.count(ClinicNote.id))) == 3  # every wording kept

    note = db.session.get(ClinicNote, first.id)
    note.text = "Rewritten"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    clinics.end_clinic(clinic, user_for("editor"))
    with pytest.raises(clinics.ClinicRefused, match="ended"):
        clinic_minutes.add_note(clinic, "Too late", user_for("editor"))


def test_an_open_action_arising_is_carried_to_the_next_clinic_covering_its_areas_until_marked_done(ctx):
    first = _start([2])
    audit = clinic_minutes.raise_arising(first, "Re-audit 20 plans", user_for("contributor"), None,
                                         date(2024, 1, 19), user_for("editor"))
    brief = clinic_minutes.raise_arising(first, "Brief team managers", None, "PSW", date(2024, 1, 5),
                                         user_for("editor"))
    clinic_minutes.record_outcome(first, brief.id, DONE, user_for("editor"), note="Done at the clinic")
    with pytest.raises(clinics.ClinicRefused, match="raised in this clinic"):
        clinic_minutes.record_outcome(first, audit.id, CARRIED, user_for("editor"))
    clinics.end_clinic(first, user_for("editor"))

    other_area = _start([3])
    assert clinic_minutes.carried_to(other_area) == []
    clinics.end_clinic(other_area, user_for("editor"))

    second = _start([2, 3])
    assert [(a.what, a.raised_in.id, a.outcome) for a in clinic_minutes.carried_to(second)] == [
        ("Re-audit 20 plans", first.id, "Open")]
    clinic_minutes.record_outcome(second, audit.id, CARRIED, user_for("editor"), due_on=date(2024, 2, 16),
                                  note="Waiting for the QA framework")
    clinics.end_clinic(second, user_for("editor"))

    third = _start([])
    [carried] = clinic_minutes.carried_to(third)
    assert (carried.what, carried.due_on, carried.outcome) == ("Re-audit 20 plans", date(2024, 2, 16), "Open")
    clinic_minutes.record_outcome(third, audit.id, DONE, user_for("admin"))
    with pytest.raises(clinics.ClinicRefused, match="marked done by Admin Person"):
        clinic_minutes.record_outcome(third, audit.id, DONE, user_for("editor"))
    clinics.end_clinic(third, user_for("editor"))

    assert clinic_minutes.carried_to(_start([2])) == []
    # Each clinic's minutes keep what it recorded, whatever later clinics decided.
    assert [a.outcome.split(":")[0] for a in clinic_minutes.minutes(first).arisings] == ["Done", "Open"]
    assert clinic_minutes.minutes(second).carried[0].outcome.startswith(
        "Carried again, now by 16 February 2024: Editor Person, 15 Dec 2023 ")
    assert clinic_minutes.minutes(third).carried[0].outcome.startswith("Done: Admin Person, 15 Dec 2023 ")


# --- the pages ------------------------------------------------------------------------------------

def test_start_clinic_route_banner_minutes_and_csv(seeded_app, client_for):
    editor = client_for("editor")
    token = csrf_token(editor)
    with seeded_app.app_context():
        chair_id = user_for("editor").id
    missing = editor.post("/clinics", data={"held_on": "2023-12-15", "chair": "HoS CP", "csrf_token": token})
    assert missing.status_code == 422 and page_of(missing).form_errors() == ["Choose who chairs the clinic."]
    started = editor.post("/clinics", data={"held_on": "2023-12-15", "chair": str(chair_id), "areas": ["2", "3"],
                                            "attendees": "Ann\nBen", "csrf_token": token})
    assert started.status_code == 303 and started.headers["Location"] == "/?area=2&area=3"
    board = page_of(editor.get("/?area=2"))
    assert board.texts(".clinic-banner h2") == ["Performance clinic in progress: areas 2, 3"]
    assert "You are taking part" in board.text(".clinic-banner")
    viewer_board = page_of(client_for("viewer").get("/"))
    assert viewer_board.texts(".clinic-banner h2") == ["Performance clinic in progress: areas 2, 3"]
    assert "Take part" not in viewer_board.text(".clinic-banner")
    with seeded_app.app_context():
        clinic_id = db.session.scalars(select(Clinic.id)).one()
        move_action(action_by_ref("3.3"), "green", 0, 1, user_for("admin"))
    ended = editor.post(f"/clinics/{clinic_id}/end", data={"csrf_token": token})
    assert ended.status_code == 303 and ended.headers["Location"] == f"/clinics/{clinic_id}"
    [_, line] = page_of(editor.get(f"/clinics/{clinic_id}")).table_rows("#minutes-area-3 ~ table")
    assert line[0].startswith("3.3 ") and line[1] == "Moved from Not started to Green"
    assert line[2].startswith("Admin Person, ") and line[3] == "no reason given"
    rows = _csv(editor.get(f"/clinics/{clinic_id}/minutes.csv"))
    assert rows[0] == clinic_minutes.CSV_HEADINGS
    assert rows[1][:3] == ["Board change", "3 Cared for children", "3.3"]
    assert rows[1][5:8] == ["Admin Person", "Moved from Not started to Green", "no reason given"]
    contributor = client_for("contributor")
    assert contributor.post("/clinics", data={
        "held_on": "2023-12-15", "chair": str(chair_id), "csrf_token": csrf_token(contributor)}).status_code == 403


def test_starting_a_clinic_for_areas_another_covers_is_refused_on_the_form(seeded_app, client_for):
    with seeded_app.app_context():
        _start([2], chair="admin")
        chair_id = user_for("editor").id
    editor = client_for("editor")
    refused = editor.post("/clinics", data={"held_on": "2023-12-15", "chair": str(chair_id), "areas": ["2", "5"],
                                            "attendees": "Ann", "csrf_token": csrf_token(editor)})
    assert refused.status_code == 422
    assert page_of(refused).form_errors() == [
        ("The clinic of 15 December 2023 for area 2, chaired by Admin Person, is still in progress and covers "
         "area 2: end it first, or choose other areas.")]
    assert page_of(refused).field_value("attendees") == "Ann"
    started = editor.post("/clinics", data={"held_on": "2023-12-15", "chair": str(chair_id), "areas": ["5"],
                                            "csrf_token": csrf_token(editor)})
    assert started.status_code == 303
    assert page_of(editor.get("/")).texts(".clinic-banner h2") == ["Performance clinic in progress: area 2",
                                                                   "Performance clinic in progress: area 5"]
    assert page_of(editor.get("/?area=5")).texts(".clinic-banner h2") == ["Performance clinic in progress: area 5"]
    assert page_of(editor.get("/?area=7")).texts(".clinic-banner h2") == []


@pytest.fixture
def open_clinic(seeded_app):
    """A clinic for area 2 chaired by the editor, with a note and an action arising, and the contributor
    taking part."""
    with seeded_app.app_context():
        clinic = _start([2])
        clinics.join_clinic(clinic, user_for("contributor"))
        note = clinic_minutes.add_note(clinic, "Re-audit agreed", user_for("editor"))
        arising = clinic_minutes.raise_arising(clinic, "Re-audit 20 plans", None, "Head of QA", date(2024, 1, 19),
                                               user_for("editor"))
        return {"clinic_id": clinic.id, "note_id": note.id, "arising_id": arising.id}


# Every form on a clinic's page: where it posts, a valid form, what the record then shows, an invalid
# form, the error it gets and the input it keeps.
FORMS = {
    "add note": ("/clinics/{clinic_id}/notes", {"text": "PSW to brief team managers"},
                 "PSW to brief team managers", {"text": "  "}, "Write the note: what was discussed or agreed.",
                 None),
    "correct note": ("/clinics/{clinic_id}/notes/{note_id}/correct", {"text": "Re-audit agreed for 30 plans"},
                     "Re-audit agreed for 30 plans", {"text": "x" * 5001}, "Keep the note under 5,000 characters.",
                     ("#clinic-note-{note_id} form", "text", "x" * 5001)),
    "add action arising": ("/clinics/{clinic_id}/arisings",
                           {"what": "Brief the board", "owner": "", "owner_name": "PSW", "due_on": "2024-01-12"},
                           "Brief the board",
                           {"what": "Brief the board", "owner": "", "owner_name": "", "due_on": "2024-01-12"},
                           "Say who will do it: choose a person or write a name.",
                           ('form[aria-labelledby="add-arising-title"]', "what", "Brief the board")),
    "correct action arising": ("/clinics/{clinic_id}/arisings/{arising_id}/correct",
                               {"what": "Re-audit 30 plans", "owner": "", "owner_name": "Head of QA",
                                "due_on": "2024-01-26"}, "Re-audit 30 plans",
                               {"what": "Re-audit 30 plans", "owner": "", "owner_name": "Head of QA",
                                "due_on": "26/01/2024"}, "Write the date as YYYY-MM-DD, like 2023-12-15.",
                               ("#arising-{arising_id} details form", "what", "Re-audit 30 plans")),
    "mark done": ("/clinics/{clinic_id}/arisings/{arising_id}/outcome", {"outcome": "done", "note": "Sent"},
                  "Done: Editor Person", {"outcome": "done", "note": "x" * 501},
                  "Field cannot be longer than 500 characters.", ("#arising-{arising_id} form", "note", "x" * 501)),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_clinic_form_works_with_htmx(seeded_app, client_for, open_clinic, name):
    url, valid, shown, *_ = FORMS[name]
    editor = client_for("editor")
    response = editor.post(url.format(**open_clinic), headers=HTMX,
                           data={**valid, "csrf_token": csrf_token(editor)})
    page = page_of(response)
    assert response.status_code == 200 and not page.is_full_page()
    assert "HX-Request" in response.headers["Vary"] and "board-announce" in response.headers["HX-Trigger-After-Settle"]
    assert shown in page.text("#clinic-record")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_clinic_form_works_without_javascript(seeded_app, client_for, open_clinic, name):
    url, valid, shown, *_ = FORMS[name]
    contributor = client_for("contributor")  # taking part
    response = contributor.post(url.format(**open_clinic), data={**valid, "csrf_token": csrf_token(contributor)})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/clinics/{open_clinic['clinic_id']}#")
    page = page_of(contributor.get(response.headers["Location"]))
    assert page.flash_text() and shown.replace("Editor Person", "Contributor Person") in page.text("#clinic-record")


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("name", sorted(FORMS))
def test_an_invalid_clinic_form_comes_back_with_its_error_and_the_input_kept(seeded_app, client_for, open_clinic,
                                                                             name, htmx):
    url, _, _, invalid, error, kept = FORMS[name]
    editor = client_for("editor")
    with seeded_app.app_context():
        before = _record_rows()
    response = editor.post(url.format(**open_clinic), headers=HTMX if htmx else {},
                           data={**invalid, "csrf_token": csrf_token(editor)})
    page = page_of(response)
    assert response.status_code == 422 and page.is_full_page() is not htmx
    assert error in page.form_errors("#clinic-record")
    if kept:
        within, name, value = kept
        assert page.field_value(name, within=within.format(**open_clinic)) == value
    with seeded_app.app_context():
        assert _record_rows() == before


def test_carry_again_needs_an_earlier_clinics_action_arising_and_a_done_one_is_refused(seeded_app, client_for,
                                                                                       open_clinic):
    editor = client_for("editor")
    url = FORMS["mark done"][0].format(**open_clinic)
    token = csrf_token(editor)
    carried_here = editor.post(url, headers=HTMX, data={"outcome": "carried", "csrf_token": token})
    assert carried_here.status_code == 409 and "raised in this clinic" in page_of(carried_here).alerts()[0]
    assert editor.post(url, data={"outcome": "done", "csrf_token": token}).status_code == 303
    again = editor.post(url, data={"outcome": "done", "csrf_token": token})
    assert again.status_code == 409 and page_of(again).alerts()[0].startswith(
        "This action arising was marked done by Editor Person at 15 Dec 2023 ")


def test_adding_to_the_minutes_needs_taking_part_or_an_editor_and_an_open_clinic(seeded_app, client_for):
    with seeded_app.app_context():
        clinic_id = _start([2]).id
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    refused = contributor.post(f"/clinics/{clinic_id}/notes", data={"text": "Hello", "csrf_token": token})
    assert refused.status_code == 403 and "Take part" in page_of(refused).text("main")
    assert page_of(contributor.get(f"/clinics/{clinic_id}")).forms("#clinic-record") == []
    assert contributor.post(f"/clinics/{clinic_id}/join", data={"csrf_token": token}).status_code == 303
    assert contributor.post(f"/clinics/{clinic_id}/notes", data={"text": "Hello", "csrf_token": token}).status_code == 303
    editor = client_for("editor")
    assert editor.post(f"/clinics/{clinic_id}/end", data={"csrf_token": csrf_token(editor)}).status_code == 303
    late = contributor.post(f"/clinics/{clinic_id}/notes", headers=HTMX, data={"text": "Late", "csrf_token": token})
    assert late.status_code == 409 and page_of(late).alerts() == ["This clinic has ended: its minutes are closed."]


def test_the_next_clinic_page_and_banner_list_what_was_carried_and_the_csv_holds_everything(seeded_app, client_for):
    with seeded_app.app_context():
        first = _start([5])
        clinic_minutes.add_note(first, "Care leavers app: supplier in administration", user_for("editor"))
        clinic_minutes.raise_arising(first, "Find a new app supplier", user_for("contributor"), None,
                                     date(2024, 1, 31), user_for("editor"))
        clinics.end_clinic(first, user_for("editor"))
        first_id, second_id = first.id, _start([5]).id
    editor = client_for("editor")
    banner = page_of(editor.get("/?area=5"))
    assert "Carried from the last clinic" in banner.headings("h3")
    assert banner.texts(".carried-list li") == ["Find a new app supplier: Contributor Person, by 31 January 2024"]
    page = page_of(editor.get(f"/clinics/{second_id}"))
    [heading, row] = page.table_rows("#carried table")
    assert heading[:5] == ["Action arising", "Who", "By when", "Raised", "Outcome"]
    assert row[:3] == ["Find a new app supplier", "Contributor Person", "31 January 2024"]
    assert row[3].endswith("(clinic of 15 December 2023)") and row[4] == "Open"

    rows = _csv(editor.get(f"/clinics/{first_id}/minutes.csv"))
    assert [(r[0], r[5], r[6], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("Note", "Editor Person", "Care leavers app: supplier in administration", "", "", ""),
        ("Action arising", "Editor Person", "Find a new app supplier", "Contributor Person", "2024-01-31", "Open")]
    second_rows = _csv(editor.get(f"/clinics/{second_id}/minutes.csv"))
    assert [(r[0], r[6], r[7]) for r in second_rows[1:]] == [
        ("Carried from the last clinic", "Find a new app supplier", "Raised at the clinic of 15 December 2023")]


def test_a_board_read_with_no_clinic_open_shows_a_banner_as_soon_as_one_starts_and_none_once_it_ends(
        seeded_app, client_for):
    """The board asks first whether any clinic is open (the clinics themselves are read only then): a kept
    board gets its banner with the next request after a clinic starts, and loses it when the clinic ends."""
    editor = client_for("editor")
    for _ in range(2):  # the second read is the kept board's
        assert page_of(editor.get("/")).texts(".clinic-banner h2") == []
    with seeded_app.app_context():
        clinic = _start([4], chair="admin")
        clinic_id = clinic.id
    assert page_of(editor.get("/")).texts(".clinic-banner h2") == ["Performance clinic in progress: area 4"]
    with seeded_app.app_context():
        clinics.end_clinic(db.session.get(Clinic, clinic_id), user_for("admin"))
        db.session.commit()
    assert page_of(editor.get("/")).texts(".clinic-banner h2") == []
