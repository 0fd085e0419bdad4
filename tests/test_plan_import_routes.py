"""Importing a plan spreadsheet in the browser: upload, preview (nothing written), confirm."""
from __future__ import annotations

import io

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from board.services.plan_data import plan_as_data
from board.services.plan_sheet import plan_workbook
from models import Action, ActionEvent, AuditEntry, OwnerRole, Plan, db
from tests.conftest import action_by_ref, csrf_token
from tests.pages import page_of
from tests.sheets import edit_workbook, many_rows_workbook


def _upload(client, raw: bytes, name: str = "plan.xlsx"):
    # Encoded in memory: the test client spools a body over 500 KB to a file it never closes.
    boundary, body = encode_multipart({"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(raw), name)})
    return client.post("/import-plan", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _exported(seeded_app) -> bytes:
    with seeded_app.app_context():
        return plan_workbook(plan_as_data(db.session.scalars(select(Plan)).one()))


def _edited(seeded_app) -> bytes:
    """The plan exported, then 1.2's owners written as trackers write them and a new action added."""
    def edit(workbook):
        sheet = workbook["Actions"]
        row = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "2.11")
        row[5].value = "Principal Social Worker;\nC\u0415SCP Training & Development Manager "  # a Cyrillic Е
        sheet.append([2, "Help and Protection", "A new outcome", "2.99", "Pilot a youth panel",
                      "Head of Children's Safeguarding\nHead of Youth Justice", "Ongoing", "Amber"])
    return edit_workbook(_exported(seeded_app), edit)


def _confirm_token(response) -> str:
    return page_of(response).field_value("upload")


def _counts(seeded_app):
    with seeded_app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Action, ActionEvent, OwnerRole, AuditEntry))


def test_the_preview_counts_matches_owners_reads_dues_and_writes_nothing(seeded_app, client_for):
    admin = client_for("admin")
    before = _counts(seeded_app)
    response = _upload(admin, _edited(seeded_app))
    assert response.status_code == 200
    page = page_of(response)
    assert page.headings("h1") == ["Check the import of plan.xlsx"]
    assert "holds 9 areas, 48 outcomes and 89 actions" in page.text("main")
    assert "1 new action: 2.99" in page.text(".import-counts")
    assert "88 actions unchanged" in page.text(".import-counts")
    assert page.texts(".new-roles li") == ["Head of Youth Justice"]
    matched = dict(map(tuple, page.table_rows(".owners-matched")[1:]))
    assert matched["C\u0415SCP Training & Development Manager"] == "CESCP Training & Development Manager"
    assert matched["Head of Children's Safeguarding"] == "Head of Service Children's Safeguarding"
    dues = {row[0]: row[1] for row in page.table_rows(".dues-read")[1:]}
    assert dues["Oct 2023"] == "31 Oct 2023" and dues["Weekly"] == "Weekly" and dues["TBC"] == "to be confirmed"
    assert dues["Ongoing"] == "ongoing"
    assert "New actions start as: Amber 1" in page.text("main")
    assert _counts(seeded_app) == before


def test_confirming_imports_in_one_step_and_keeps_statuses(seeded_app, client_for):
    admin = client_for("admin")
    preview = _upload(admin, _edited(seeded_app))
    response = admin.post("/import-plan/confirm", data={"csrf_token": csrf_token(admin),
                                                        "upload": _confirm_token(preview)})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Imported plan.xlsx: 1 action added, 0 changed" in page_of(admin.get("/")).flash_text()
    with seeded_app.app_context():
        assert action_by_ref("2.99").status == "amber"
        assert [r.name for r in action_by_ref("2.11").owners] == ["Principal Social Worker",
                                                                  "CESCP Training & Development Manager"]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.kind == "plan_imported")).one()
        assert entry.subject == "plan.xlsx" and entry.user.email == "admin@example.org"


def test_a_file_with_problems_lists_each_at_its_cell_and_writes_nothing(seeded_app, client_for):
    admin = client_for("admin")
    before = _counts(seeded_app)

    def spoil(workbook):
        sheet = workbook["Actions"]
        sheet["D14"] = "2.1a"
        sheet["G3"] = "Septembre 2023"

    response = _upload(admin, edit_workbook(_exported(seeded_app), spoil))
    assert response.status_code == 422
    page = page_of(response)
    assert "plan.xlsx was not imported: 2 problems" in page.alerts()[0]
    rows = page.table_rows(".import-problems table")[1:]
    assert ["Actions!D14", "Ref must be a reference like 2.7, not '2.1a'"] in rows
    assert rows[0][0] == "Actions!G3" and "'Septembre 2023' is not a month and year" in rows[0][1]
    assert _counts(seeded_app) == before


def test_a_preview_made_before_the_plan_changed_is_shown_again_not_applied(seeded_app, client_for):
    admin = client_for("admin")
    preview = _upload(admin, _edited(seeded_app))
    with seeded_app.app_context():
        action = action_by_ref("1.1")
        action.text = "Changed by someone else meanwhile."
        db.session.commit()
    response = admin.post("/import-plan/confirm", data={"csrf_token": csrf_token(admin),
                                                        "upload": _confirm_token(preview)})
    assert response.status_code == 409
    page = page_of(response)
    assert "The plan changed after this preview was made" in page.flash_text()
    assert "1.1 (text)" in page.text(".import-counts")
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count(Action.id)).where(Action.ref == "2.99")) == 0
    again = admin.post("/import-plan/confirm", data={"csrf_token": csrf_token(admin),
                                                     "upload": _confirm_token(response)})
    assert again.status_code == 303


def test_an_altered_preview_is_refused(seeded_app, client_for):
    admin = client_for("admin")
    token = _confirm_token(_upload(admin, _exported(seeded_app)))
    response = admin.post("/import-plan/confirm", data={"csrf_token": csrf_token(admin), "upload": token[:-3] + "AAA"})
    assert response.status_code == 422
    assert "This preview has expired" in " ".join(page_of(response).form_errors())


def test_only_the_plan_owner_imports(client_for):
    editor = client_for("editor")
    assert editor.get("/import-plan").status_code == 403
    assert editor.post("/import-plan/confirm", data={"csrf_token": csrf_token(editor)}).status_code == 403
    assert editor.get("/plan.xlsx").status_code == 200


def test_a_10_mb_upload_is_refused_with_a_message(client_for):
    admin = client_for("admin")
    response = _upload(admin, b"\0" * (10 * 1024 * 1024), "big.xlsx")
    assert response.status_code == 413
    page = page_of(response)
    assert "The file is larger than 1 MB, the most this board accepts" in " ".join(page.form_errors())
    assert page.headings("h1") == ["Import the plan from a spreadsheet"]


def test_a_100000_row_upload_is_refused_with_a_message(client_for):
    response = _upload(client_for("admin"), many_rows_workbook(100_000), "long.xlsx")
    assert response.status_code == 422
    assert "has more than 5,000 rows" in page_of(response).text(".import-problems")


def test_the_upload_form_asks_for_a_file(client_for):
    admin = client_for("admin")
    response = admin.post("/import-plan", data={"csrf_token": csrf_token(admin)})
    assert response.status_code == 422
    assert page_of(response).form_errors() == ["Choose the spreadsheet to import."]
    wrong = _upload(admin, b"hello", "plan.docx")
    assert wrong.status_code == 422 and "Choose an Excel workbook" in page_of(wrong).form_errors()[0]
