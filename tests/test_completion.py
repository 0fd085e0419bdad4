"""Complete means evidenced: the plan owner's sign-off and "completed on time" or late; notes marked
internal stay on the board."""
from sqlalchemy import select

from board.services import share_links
from board.services.board_view import current_plan
from models import EvidenceNote, db
from tests.conftest import csrf_token
from tests.pages import page_of


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def test_a_note_marked_internal_stays_on_the_board(seeded_app, client_for):
    contributor = client_for("contributor")
    added = _post(contributor, "/actions/2.7/notes", text="Named child discussed", internal="y")
    assert added.status_code == 303
    with seeded_app.app_context():
        note = db.session.scalars(select(EvidenceNote)).one()
        assert note.internal and note.text == "Named child discussed"
        _, token = share_links.create_link(current_plan(), "C", None)
    signed_in = page_of(contributor.get("/actions/2.7"))
    assert "Internal (not shown to committees)" in signed_in.text("#notes")
    assert "Named child discussed" not in page_of(seeded_app.test_client().get(f"/share/{token}/actions/2.7")).text()


def test_the_plan_owner_requires_sign_off_and_signs_completions_off(seeded_app, client_for):
    admin = client_for("admin")
    saved = _post(admin, "/admin/plan", require_sign_off="y")
    assert saved.status_code == 303 and "Completions now need your sign-off." in page_of(
        admin.get(saved.headers["Location"])).flash_text()
    editor = client_for("editor")
    _post(editor, "/actions/1.1/move", status="complete", version="1", from_form="1",
          evidence="Standards agreed at the improvement board")
    board = page_of(editor.get("/?area=1&view=detailed"))
    assert "Complete, awaiting sign-off" in board.card_text("1.1")
    assert "completed 10 weeks late" in board.card_text("1.1")  # due September 2023
    report = page_of(admin.get("/report?from=2023-12-01&to=2023-12-15"))
    assert any("awaiting sign-off" in row[1] for row in report.table_rows(".completed") if row[0].startswith("1.1"))
    detail = page_of(admin.get("/actions/1.1"))
    assert _post(editor, "/actions/1.1/sign-off", version="2").status_code == 403
    signed = _post(admin, "/actions/1.1/sign-off", version=detail.field_value("version", "#completion form"))
    assert signed.status_code == 303
    assert "Complete, awaiting sign-off" not in page_of(editor.get("/?area=1&view=detailed")).card_text("1.1")
    assert "Signed off by the plan owner on 15 December 2023." in page_of(admin.get("/actions/1.1")).text("#completion")
    again = _post(admin, "/actions/1.1/sign-off", version=detail.field_value("version", "#completion form"))
    assert again.status_code == 409 and "1.1 was signed off already." in page_of(again).text("#completion")


def test_green_without_evidence_is_marked_on_the_board_and_for_committees(seeded_app, client_for):
    editor = client_for("editor")
    _post(editor, "/actions/2.7/move", status="green", version="1", from_form="1")
    assert "No evidence" in page_of(editor.get("/?view=detailed&area=2")).card_badges("2.7")
    _post(client_for("contributor"), "/actions/2.7/notes", text="Team lead's sickness", internal="y")
    with seeded_app.app_context():
        _, token = share_links.create_link(current_plan(), "C", None)
    # An internal note backs it on the board, not for a committee, who never read it.
    assert "No evidence" not in page_of(editor.get("/?view=detailed&area=2")).card_badges("2.7")
    assert "No evidence" in page_of(seeded_app.test_client().get(f"/share/{token}/?area=2")).card_badges("2.7")


def test_turning_sign_off_on_reaches_a_board_already_drawn(seeded_app, client_for):
    editor, admin = client_for("editor"), client_for("admin")
    _post(editor, "/actions/1.1/move", status="complete", version="1", from_form="1", evidence="Standards agreed")
    assert "awaiting sign-off" not in page_of(editor.get("/?view=detailed&area=1")).card_text("1.1")
    _post(admin, "/admin/plan", require_sign_off="y")  # a setting of the plan: no card changed
    assert "Complete, awaiting sign-off" in page_of(editor.get("/?view=detailed&area=1")).card_text("1.1")


def test_a_move_form_asking_for_evidence_is_drawn_for_that_request_only(seeded_app, client_for):
    editor = client_for("editor")
    asked = editor.post("/actions/2.7/move?view=detailed&area=2", headers={"HX-Request": "true"}, data={
        "status": "complete", "version": "1", "area": "2", "position": "0", "csrf_token": csrf_token(editor)})
    assert asked.status_code == 422 and page_of(asked).form_errors("#card-2-7")
    board = page_of(editor.get("/?view=detailed&area=2"))
    assert board.forms("#card-2-7") == [] and board.form_errors() == []
