"""Importing a plan spreadsheet in the browser: upload, preview (nothing written), confirm."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from board.services.plan_data import plan_as_data
from board.services.plan_import import import_plan
from board.services.plan_sheet import plan_workbook
from board.services.plans import archive
from models import Action, ActionEvent, AuditEntry, OwnerRole, Plan, db
from tests.conftest import action_by_ref, csrf_token, make_app, sign_in
from tests.databases import copy_database
from tests.pages import page_of
from tests.sheets import edit_workbook, many_rows_workbook


def _upload(client, raw: bytes, name: str = "plan.xlsx", path: str = "/import-plan", **fields):
    # Encoded in memory: the test client spools a body over 500 KB to a file it never closes.
    boundary, body = encode_multipart({"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(raw), name),
                                       **fields})
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


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


# --- a new plan ----------------------------------------------------------------------------------------------

def _next_year(seeded_app) -> bytes:
    """This plan exported as next year's: retitled, 1.1 and 1.2 carried forward from 2023-24, 2.99 new."""
    def edit(workbook):
        workbook["Plan"]["B2"] = "Improvement and Impact Plan 2024-25"
        sheet = workbook["Actions"]
        for row in sheet.iter_rows(min_row=2):
            row[7].value = None
            if row[3].value in ("1.1", "1.2"):
                row[8].value = f"2023-24 {row[3].value}"
        sheet.append([2, "Help and Protection", "A new outcome", "2.99", "Pilot a youth panel", "Head of Youth Justice",
                      "Ongoing", "Amber"])
    return edit_workbook(_exported(seeded_app), edit)


def _confirm(client, preview):
    return client.post("/import-plan/confirm", data={"csrf_token": csrf_token(client), "upload": _confirm_token(preview)})


def test_a_spreadsheet_becomes_a_new_plan_carrying_actions_forward(seeded_app, client_for):
    with seeded_app.app_context():
        from board.services.moves import move_action
        from tests.conftest import user_for

        move_action(action_by_ref("1.1"), "amber", 0, 1, user_for("editor"))
    admin = client_for("admin")
    assert page_of(admin.get("/import-plan")).texts(".import-target label") == [
        "An update of “Early Help and Children's Social Care Improvement and Impact Plan” (2023-24)", "A new plan"]
    before = _counts(seeded_app)
    preview = _upload(admin, _next_year(seeded_app), into="new", slug="2024-25")
    assert preview.status_code == 200 and _counts(seeded_app) == before
    page = page_of(preview)
    assert "to become the new plan 2024-25" in page.text(".lede")
    assert "89 new actions" in page.text(".import-counts") and "unchanged" not in page.text(".import-counts")
    assert "1.1 from 2023-24 1.1, 1.2 from 2023-24 1.2" in page.text("main")
    assert "New actions start as: Not started 87, Amber 2" in page.text("main")  # 1.1 carries its Amber over
    assert "Import as the new plan 2024-25" in page.texts("button")

    response = _confirm(admin, preview)
    assert response.status_code == 303 and response.headers["Location"] == "/plans/2024-25/"
    flash = page_of(admin.get("/plans/2024-25/")).flash_text()
    assert "Imported plan.xlsx as the new plan 2024-25: 89 actions in 9 areas." in flash
    assert "2 actions carried forward" in flash and "2023-24 is archived (read-only)." in flash
    with seeded_app.app_context():
        new, old = (db.session.scalars(select(Plan).where(Plan.slug == slug)).one() for slug in ("2024-25", "2023-24"))
        assert new.title == "Improvement and Impact Plan 2024-25" and new.live and old.archived
        carried = db.session.scalars(select(Action).where(Action.plan_id == new.id, Action.ref == "1.1")).one()
        source = db.session.get(Action, carried.carried_from_id)
        assert (source.plan_id, source.ref, source.closed_how, carried.status) == (old.id, "1.1", "carried_forward",
                                                                                  "amber")
        assert db.session.scalar(select(func.count(Action.id)).where(Action.plan_id == old.id)) == 88
    # Each plan downloads as its own filled template; the new one says where its actions came from.
    sheet = load_workbook(io.BytesIO(admin.get("/plans/2024-25/plan.xlsx").data))["Actions"]
    rows = {row[3]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["1.1"][8] == "2023-24 1.1" and rows["2.99"][4] == "Pilot a youth panel"
    old_sheet = load_workbook(io.BytesIO(admin.get("/plans/2023-24/plan.xlsx").data))
    assert old_sheet["Plan"]["B2"].value == "Early Help and Children's Social Care Improvement and Impact Plan"


@pytest.mark.parametrize(("slug", "message"), [
    ("", "Name the new plan, like 2024-25."),
    ("2023-24", "A plan named 2023-24 already exists."),
    ("Next Year", "'Next Year' cannot name a plan: use lower-case letters, digits and hyphens"),
])
def test_a_new_plan_needs_a_free_name(seeded_app, client_for, slug, message):
    admin = client_for("admin")
    before = _counts(seeded_app)
    response = _upload(admin, _exported(seeded_app), into="new", slug=slug)
    assert response.status_code == 422
    assert page_of(response).form_errors()[0].startswith(message)
    assert page_of(response).field_value("slug") == slug
    assert _counts(seeded_app) == before


def test_a_carried_from_naming_no_plan_or_action_is_refused_at_its_cell(seeded_app, client_for):
    def edit(workbook):
        workbook["Actions"]["I2"] = "2019-20 1.1"
        workbook["Actions"]["I3"] = "2023-24 9.99"

    response = _upload(client_for("admin"), edit_workbook(_exported(seeded_app), edit), into="new", slug="2024-25")
    assert response.status_code == 422
    rows = dict(map(tuple, page_of(response).table_rows(".import-problems table")[1:]))
    assert rows["Actions!I2"] == "Carried from: there is no plan named '2019-20' in this database (import it " \
                                 "first, or correct the name)"
    assert rows["Actions!I3"] == "Carried from: 2023-24 has no action 9.99"


def test_the_name_taken_after_the_preview_is_refused_and_nothing_written(seeded_app, client_for):
    admin = client_for("admin")
    preview = _upload(admin, _exported(seeded_app), into="new", slug="2024-25")
    with seeded_app.app_context():
        import_plan(plan_as_data(db.session.scalars(select(Plan)).one()), new_slug="2024-25")
    before = _counts(seeded_app)
    response = _confirm(admin, preview)
    assert response.status_code == 409
    assert page_of(response).form_errors() == ["A plan named 2024-25 already exists."]
    assert _counts(seeded_app) == before


def test_an_archived_plan_is_not_updated_but_a_new_plan_is_made_from_its_pages(seeded_app, client_for):
    admin = client_for("admin")
    update = _upload(admin, _edited(seeded_app))
    with seeded_app.app_context():
        archive(db.session.scalars(select(Plan)).one(), "Admin Person")
    page = page_of(admin.get("/plans/2023-24/import-plan"))
    assert "2023-24 is archived, so it cannot be updated" in page.text(".lede")
    assert page.texts(".import-target label") == ["A new plan"]
    refused = _upload(admin, _edited(seeded_app), path="/plans/2023-24/import-plan", into="update")
    assert refused.status_code == 422 and "Not a valid choice" in " ".join(page_of(refused).form_errors())
    stale = _confirm(admin, update)
    assert stale.status_code == 409
    assert page_of(stale).form_errors() == [("2023-24 is archived, so nothing in it can change: import the file as "
                                            "a new plan instead.")]
    preview = _upload(admin, _edited(seeded_app), path="/plans/2023-24/import-plan", into="new", slug="2024-25")
    response = admin.post("/plans/2023-24/import-plan/confirm",
                          data={"csrf_token": csrf_token(admin), "upload": _confirm_token(preview)})
    assert response.status_code == 303 and response.headers["Location"] == "/plans/2024-25/"


def test_an_empty_board_imports_its_first_plan_in_the_browser(tmp_path, users_template):
    app = make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(users_template, tmp_path))
    admin = app.test_client()
    assert sign_in(admin, "admin").status_code == 303
    assert "imports one from a spreadsheet on the Import plan page" in page_of(admin.get("/")).text("main")
    page = page_of(admin.get("/import-plan"))
    assert page.texts(".import-target label") == ["A new plan"]
    assert "There is no plan on the board yet" in page.text(".lede")
    tracker = "Title,Youth Justice Plan\n\nRef,Action,Intended outcome,Owners,Due\n1.1,Run a panel,Fewer entrants,Lead,TBC\n"
    preview = _upload(admin, tracker.encode(), "tracker.csv", slug="2024-25")
    assert preview.status_code == 200 and "1 new action, on a board of their own" in page_of(preview).text(".import-counts")
    response = _confirm(admin, preview)
    assert response.status_code == 303 and response.headers["Location"] == "/plans/2024-25/"
    assert "2024-25 is the live plan." in page_of(admin.get("/")).flash_text()
    with app.app_context():
        plan = db.session.scalars(select(Plan)).one()
        assert (plan.slug, plan.title, plan.live) == ("2024-25", "Youth Justice Plan", True)
