"""Several plans: next year's plan carried forward from this year's, each plan kept to itself, the old one
read-only; and the plan's own structure (owners in printed order, pointer rows, parts, cadence starts)."""
from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from board.services import share_links
from board.services.moves import move_action
from board.services.plan_file import PlanFileInvalid, load_plan_file
from board.services.plan_import import import_plan
from board.services.plans import plan_by_slug
from models import Action, EvidenceNote, Plan, db
from tests.conftest import HTMX, action_by_ref, csrf_token, user_for
from tests.pages import page_of
from tests.plans import NEXT_YEAR_PATH, carried_ref, next_year_plan


def test_a_carried_action_shows_its_old_history_and_the_old_one_says_where_it_went(two_years, client_for):
    admin = client_for("admin")
    new_ref = carried_ref("1.3")
    detail = page_of(admin.get(f"/plans/2024-25/actions/{new_ref}"))
    assert detail.definition("Carried forward from").startswith("2023-24 1.3")
    assert detail.link("2023-24 1.3") == "/plans/2023-24/actions/1.3"
    earlier = detail.text(".earlier-history")
    assert "Moved from Not started to Red" in earlier and "Recruitment to the team paused" in earlier
    assert "Interim standards agreed with partners" in earlier  # its evidence, read where it was recorded
    assert "Waiting for the new practice lead" in earlier  # and its due change, with the reason
    old = page_of(admin.get("/plans/2023-24/actions/1.3"))
    assert old.definition("Closed").startswith(f"Carried forward to 2024-25 {new_ref}")
    assert f"Carried forward to 2024-25 {new_ref}" in old.text(".history")
    with two_years.app_context():
        assert db.session.scalar(select(func.count()).select_from(Action).where(
            Action.plan_id == plan_by_slug("2024-25").id)) == 60  # linked, not copied: the history stayed


def test_statuses_start_as_the_file_says_else_carried_over_else_not_started(two_years):
    with two_years.app_context():
        new = plan_by_slug("2024-25")
        status = dict(db.session.execute(select(Action.ref, Action.status).where(Action.plan_id == new.id)).all())
    assert status[carried_ref("1.3")] == "red"        # carried over from 2023-24
    assert status[carried_ref("2.7")] == "amber"      # the file says amber (it was green)
    assert status[carried_ref("1.1")] == "green"      # the file says green
    assert status["1.7"] == "not_started"           # new in 2024-25


def test_both_plans_are_listed_the_new_one_is_live_and_the_old_one_is_read_only(two_years, client_for):
    editor = client_for("editor")
    plans = page_of(editor.get("/plans"))
    assert plans.table_rows("table")[1][:1] == ["2024-25"] and plans.table_rows("table")[2][:1] == ["2023-24"]
    assert "Live" in plans.table_rows("table")[1] and plans.table_rows("table")[2][3].startswith("Archived")
    home = page_of(editor.get("/"))
    assert home.text("nav.plan-switcher") == "Plans: 2024-25 (live) 2023-24 (archived) All plans"
    assert home.link("2023-24") == "/plans/2023-24/"
    assert len(home.card_refs()) == 60 and "Plan 2024-25 (live)" in home.text(".plan-owner")
    old = page_of(editor.get("/plans/2023-24/"))
    assert "The 2023-24 plan is archived" in old.text(".archived-banner")
    assert old.link("Update status of 1.1") is None and "data-version" not in old.html  # nothing to drag
    token = csrf_token(editor)
    refused = [
        editor.post("/plans/2023-24/actions/1.1/move", data={"csrf_token": token, "status": "red", "version": 1}),
        editor.post("/plans/2023-24/actions/1.1/notes", data={"csrf_token": token, "text": "Late evidence"}),
        editor.post("/plans/2023-24/actions/1.1/due", data={"csrf_token": token, "new_due": "Mar 2024",
                                                             "reason": "Late", "current_due": "Sep 2023"}),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    assert "archived" in refused[0].get_data(as_text=True)
    with two_years.app_context():
        assert action_by_ref_in("2023-24", "1.1").status == "not_started"


def action_by_ref_in(slug: str, ref: str) -> Action:
    return db.session.scalars(select(Action).where(Action.plan_id == plan_by_slug(slug).id, Action.ref == ref)).one()


def test_counts_reports_exports_and_share_links_of_one_plan_never_include_anothers(two_years, client_for):
    viewer = client_for("viewer")
    for slug, actions, refs in (("2024-25", 60, 60), ("2023-24", 87, 88)):
        rows = list(csv.reader(io.StringIO(viewer.get(f"/plans/{slug}/export.csv").get_data(as_text=True))))
        assert len(rows) - 1 == refs
        assert f"{actions} actions" in page_of(viewer.get(f"/plans/{slug}/")).totals_text()
    new_activity = page_of(viewer.get("/plans/2024-25/activity")).text()
    assert "Recruitment to the team paused" not in new_activity
    assert "Recruitment to the team paused" in page_of(viewer.get("/plans/2023-24/activity")).text()
    assert "Interim standards" not in page_of(viewer.get("/plans/2024-25/report")).text()
    with two_years.app_context():
        old_outcome = action_by_ref_in("2023-24", "1.3").outcome_id
        _, new_token = share_links.create_link(plan_by_slug("2024-25"), "Committee", None)
        _, old_token = share_links.create_link(plan_by_slug("2023-24"), "Audit", None)
    assert viewer.get(f"/plans/2024-25/outcomes/{old_outcome}").status_code == 404  # another plan's outcome
    anonymous = two_years.test_client()
    assert len(page_of(anonymous.get(f"/share/{new_token}/")).card_refs()) == 60
    assert len(page_of(anonymous.get(f"/share/{old_token}/")).card_refs()) == 88


def test_another_plans_notes_and_moves_are_not_reached_through_this_plans_urls(two_years, client_for):
    admin = client_for("admin")
    with two_years.app_context():
        note_id = db.session.scalars(select(EvidenceNote.id)).first()
    token = csrf_token(admin)
    # The note belongs to the archived 2023-24: reaching it through the live plan's URL is not a way round.
    response = admin.post(f"/notes/{note_id}/edit", data={"csrf_token": token, "text": "Rewritten", "version": 1})
    assert response.status_code == 404


def test_old_actions_nobody_carries_forward_are_closed_together_with_a_reason(two_years, client_for):
    admin = client_for("admin")
    token = csrf_token(admin)
    missing = admin.post("/plans/2023-24/lineage", data={"csrf_token": token, "refs": ["1.2"], "how": "merged",
                                                         "note": ""})
    assert missing.status_code == 422 and "Say what they were merged into" in " ".join(page_of(missing).form_errors())
    done = admin.post("/plans/2023-24/lineage", data={"csrf_token": token, "refs": ["1.2", "1.5"],
                                                      "how": "no_longer_needed", "note": "Now done by the ICB"})
    assert done.status_code == 303 and done.headers["Location"] == "/plans/2023-24/lineage"
    lineage = page_of(admin.get("/plans/2023-24/lineage"))
    became = {row[0]: row[3] for row in lineage.table_rows("section[aria-labelledby=went-to] table")[1:]}
    assert became["1.2"] == "Closed: no longer needed (Now done by the ICB)"
    assert became["1.3"] == f"2024-25 {carried_ref('1.3')}"
    assert became["1.8"] == "Open"
    detail = page_of(admin.get("/plans/2023-24/actions/1.2"))
    assert detail.definition("Closed").startswith("No longer needed (Now done by the ICB)")
    again = admin.post("/plans/2023-24/lineage", data={"csrf_token": token, "refs": ["1.2"], "how": "completed"})
    assert again.status_code == 422  # 1.2 is no longer offered: it is closed


def test_a_file_naming_an_unknown_carried_from_is_refused_with_its_path(seeded_app):
    broken = next_year_plan()
    first = broken["areas"][0]["outcomes"][0]["actions"][0]
    first["carried_from"] = {"plan": "2022-23", "ref": "1.1"}
    second = broken["areas"][0]["outcomes"][0]["actions"][1]
    second["carried_from"] = {"plan": "2023-24", "ref": "1.99"}
    third = broken["areas"][1]["outcomes"][2]["actions"][1]  # claims what the action before it claims
    third["carried_from"] = copy.deepcopy(broken["areas"][1]["outcomes"][2]["actions"][0]["carried_from"])
    with seeded_app.app_context():
        with pytest.raises(PlanFileInvalid) as refused:
            import_plan(broken, new_slug="2024-25")
        problems = [str(problem) for problem in refused.value.problems]
        assert "areas[0].outcomes[0].actions[0].carried_from.plan: there is no plan named '2022-23'" in problems[0]
        assert problems[1] == "areas[0].outcomes[0].actions[1].carried_from.ref: 2023-24 has no action 1.99"
        assert problems[2].startswith("areas[1].outcomes[2].actions[1].carried_from: 2023-24 ")
        assert "already carried forward" in problems[2]
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 1  # nothing written
        assert action_by_ref("1.1").closed_at is None


def test_the_command_line_says_which_plan_it_means(app, runner, tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(load_plan_file(Path(__file__).resolve().parent.parent / "seed_plan.json")))
    assert runner.invoke(args=["import-plan", str(seed)]).exit_code == 0
    bare = runner.invoke(args=["import-plan", str(NEXT_YEAR_PATH)])
    assert bare.exit_code == 1 and "holds plans (2023-24)" in bare.output and "--new --slug" in bare.output
    assert "--new" in runner.invoke(args=["import-plan", str(NEXT_YEAR_PATH), "--slug", "2024-25"]).output
    taken = runner.invoke(args=["import-plan", str(NEXT_YEAR_PATH), "--new", "--slug", "2023-24"])
    assert taken.exit_code == 1 and "A plan named 2023-24 already exists." in taken.output
    unknown = runner.invoke(args=["import-plan", str(NEXT_YEAR_PATH), "--plan", "2030-31"])
    assert unknown.exit_code == 1 and "There is no plan named 2030-31" in unknown.output
    made = runner.invoke(args=["import-plan", str(NEXT_YEAR_PATH), "--new", "--slug", "2024-25"])
    assert made.exit_code == 0, made.output
    assert "Created plan 2024-25." in made.output and "Archived 2023-24 (read-only)" in made.output
    listed = runner.invoke(args=["plan", "list"]).output.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["2024-25", "live"], ["2023-24", "archived"]]
    closed = runner.invoke(args=["plan", "close-actions", "2023-24", "1.2", "1.5", "--how", "completed"])
    assert closed.exit_code == 0 and "Closed 2 action(s) of 2023-24: 1.2, 1.5." in closed.output


# --- the plan's own structure ----------------------------------------------------------------------------

def test_owners_keep_the_printed_order_and_the_first_is_the_lead(client_for):
    viewer = client_for("viewer")
    card = page_of(viewer.get("/?view=detailed")).card("1.2")
    owners = [li.get("title") for li in card.select(".card-owners li")]
    assert owners == ["Head of Service Early Help and Prevention (lead)", "Business Intelligence Manager"]
    rows = list(csv.reader(io.StringIO(viewer.get("/export.csv").get_data(as_text=True))))
    owners_column = rows[0].index("Owners")
    assert next(row for row in rows if row[1] == "1.2")[owners_column] == (
        "Head of Service Early Help and Prevention; Business Intelligence Manager")
    assert page_of(viewer.get("/actions/1.2")).definition("Owners").startswith(
        "Head of Service Early Help and Prevention (lead)")


def test_a_pointer_row_follows_the_actions_it_names_and_is_not_separate_work(seeded_app, client_for):
    editor = client_for("editor")
    board = page_of(editor.get("/?view=detailed"))
    assert board.cards_in(2, "not_started")[-1] == "2.1" and "data-version" not in str(board.card("2.1"))
    assert "87 actions" in board.totals_text()
    assert board.texts("nav.plan-switcher") == []  # one plan: nothing to switch to
    with seeded_app.app_context():
        move_action(action_by_ref("1.6"), "red", 0, 1, user_for("editor"))
    board = page_of(editor.get("/?view=detailed"))
    assert board.cards_in(2, "red") == ["2.1"]  # 1.5-1.8 include a Red one
    assert "0 Red" in board.text("#area-2 .lane-counts")  # shown, not counted
    token = csrf_token(editor)
    refused = editor.post("/actions/2.1/move", data={"csrf_token": token, "status": "green", "version": 1},
                          headers=HTMX)
    assert refused.status_code == 422 and "its status follows theirs" in refused.get_data(as_text=True)


def test_a_row_printed_in_parts_is_one_card_listing_each_part_with_its_owner_and_due(client_for):
    card = page_of(client_for("viewer").get("/?view=detailed")).card("2.10")
    parts = [re.sub(r"\s+", " ", li.get_text(" ", strip=True)) for li in card.select(".card-parts li")]
    assert parts == [
        "Improve the quality and effectiveness of strategy discussions (Head of Service Child Protection and Child in Need; Oct 2023)",
        "Ensure partners are invited to attend multi-agency meetings (Head of Service Cared for Children and Care Leavers; Oct 2023)",
    ]


def test_a_cadence_keeps_the_start_the_plan_prints(seeded_app, client_for):
    card = page_of(client_for("viewer").get("/?view=detailed")).card("1.8")
    assert card.select_one(".due").get_text(strip=True) == "Quarterly from Nov 2023"
    with seeded_app.app_context():
        action = action_by_ref("1.8")
        assert (action.cadence, action.cadence_start.isoformat()) == ("quarterly", "2023-11-30")
