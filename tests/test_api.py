"""The read-only API: tokens (web and CLI), refusals, one plan per token, answers that validate against the
OpenAPI description (JSON and CSV), pagination, what is never published, and the history that replays."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from sqlalchemy import func, select

from board.services import api_tokens, evidence, kpis
from board.services.api_data import FIELDS, RESOURCES
from board.services.board_view import current_plan, pointer_status
from board.services.moves import Evidence, move_action, record_reason
from board.services.plans import plan_by_slug
from models import Action, ApiToken, AuditEntry, EventKind, KpiMeasure, db
from tests.conftest import action_by_ref, csrf_token, user_for
from tests.pages import page_of
from tests.test_fuzz import BAD_VALUES, FUZZ

SPEC_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
SPEC = OpenAPI.from_file_path(str(SPEC_PATH))
WRITE_METHODS = ("post", "put", "patch", "delete")


class _TextResponse(WerkzeugOpenAPIResponse):
    """A CSV answer read as the text it is (the description's schema is a string)."""

    @property
    def data(self):
        return self.response.get_data(as_text=True)


def _check(response):
    """The answer fits the OpenAPI description of its path, method and status."""
    wrapped = _TextResponse(response) if response.mimetype == "text/csv" else WerkzeugOpenAPIResponse(response)
    SPEC.validate_response(WerkzeugOpenAPIRequest(response.request), wrapped)
    return response


@pytest.fixture
def api(seeded_app):
    """A client with no session at all, and a token for the seed plan."""
    with seeded_app.app_context():
        _row, token = api_tokens.create_token(current_plan(), "Power BI", None)
        plan_id, slug = current_plan().id, current_plan().slug
    client = seeded_app.test_client()
    client.plan_id, client.base = plan_id, f"/api/v1/plans/{slug}"
    client.auth = {"Authorization": f"Bearer {token}"}
    return client


def _get(api, path, **kwargs):
    return _check(api.get(path, headers=api.auth, **kwargs))


def _all_rows(api, path) -> list[dict]:
    """Every row of a JSON collection, page by page through its `next` links."""
    rows, url = [], path
    while url:
        answer = _get(api, url).get_json()
        rows += answer["data"]
        url = answer["links"]["next"]
    return rows


def _csv_rows(response) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return reader.fieldnames, list(reader)


def _busy_board(app):
    """Moves with reasons (given with the move and after it), a reorder, due changes, notes (one withdrawn),
    impact comments and measure values with a correction."""
    with app.app_context():
        editor, admin = user_for("editor"), user_for("admin")
        moved = move_action(action_by_ref("2.7"), "red", 0, 1, editor)
        record_reason(moved.event, "Capacity issue in the team", editor)
        move_action(action_by_ref("2.7"), "amber", 0, action_by_ref("2.7").version, editor)
        later = move_action(action_by_ref("1.1"), "green", 0, 1, editor)
        record_reason(later.event, "Standards agreed with CSC", editor)
        move_action(action_by_ref("1.2"), "complete", 0, 1, editor, evidence=Evidence("Reporting live since October"))
        first = action_by_ref("1.3")
        move_action(first, "not_started", 0, first.version, editor)  # a reorder in its column
        evidence.change_due(action_by_ref("2.7"), "Feb 2024", "Waiting for the audit", editor, date(2023, 12, 15))
        evidence.add_note(action_by_ref("2.7"), "Dip sample of 20 plans", None, editor)
        secret = evidence.add_note(action_by_ref("2.7"), "Names a child by mistake", None, editor)
        evidence.withdraw_note(secret, "It names a child", editor, expected_version=1)
        evidence.add_note(action_by_ref("2.7"), "Team lead off sick until January", None, editor, internal=True)
        evidence.add_impact_comment(action_by_ref("2.7").outcome, "Plans reviewed sooner", "emerging", editor)
        measure = db.session.scalars(select(KpiMeasure).where(KpiMeasure.name == "Compliance measures achieved")).one()
        measure.tolerance = 5
        value = kpis.record_value(measure, "2023/24 Q2", 84, admin, "Compliance report")
        kpis.record_value(measure, "2023/24 Q2", 86, admin, "Compliance report", replaces=value.id, reason="Recount")


def test_tokens_are_refused_when_missing_wrong_revoked_or_expired(seeded_app, api, client_for):
    path = f"{api.base}/actions"
    assert _check(api.get(path)).status_code == 401  # no token
    assert _check(api.get(path, headers={"Authorization": "Bearer not-a-token"})).status_code == 401
    assert _check(api.get(path, headers={"Authorization": api.auth["Authorization"].replace("Bearer", "Basic")})
                  ).status_code == 401
    refused = api.get(path)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer") and "Authorization: Bearer" in \
        refused.get_json()["error"]["message"]
    # A signed-in session is not a token.
    assert _check(client_for("admin").get(path)).status_code == 401
    assert _get(api, path).status_code == 200
    with seeded_app.app_context():
        _row, expired = api_tokens.create_token(current_plan(), "Old dashboard", None)
        _row.expires_on = date(2023, 12, 14)  # the day before the test's today
        db.session.commit()
        row = db.session.scalars(select(ApiToken).where(ApiToken.label == "Power BI")).one()
        api_tokens.revoke(row)
    assert _check(api.get(path, headers=api.auth)).status_code == 401
    assert _check(api.get(path, headers={"Authorization": f"Bearer {expired}"})).status_code == 401


def test_every_write_method_is_refused_and_changes_nothing(seeded_app, api):
    with seeded_app.app_context():
        before = (db.session.scalar(select(func.count(Action.id))), action_by_ref("2.7").status)
    for path in ("/api/v1/plans", f"{api.base}/actions", f"{api.base}/actions.csv",
                 f"{api.base}/measure-values"):
        for method in WRITE_METHODS:
            # Described once in the description's info: no path lists a write operation at all.
            response = getattr(api, method)(path, headers=api.auth, json={"status": "complete"})
            assert response.status_code == 405, (method, path)
            assert response.get_json()["error"]["status"] == 405
            assert response.headers["Allow"] == "GET, HEAD, OPTIONS" or set(
                response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
            assert "Set-Cookie" not in response.headers
    with seeded_app.app_context():
        assert (db.session.scalar(select(func.count(Action.id))), action_by_ref("2.7").status) == before


def _token_for(app, slug: str) -> dict:
    with app.app_context():
        _row, token = api_tokens.create_token(plan_by_slug(slug), f"Power BI {slug}", None)
    return {"Authorization": f"Bearer {token}"}


def test_a_token_reads_its_own_plan_only_named_by_its_slug(two_years):
    """Two plans: each token reads its own (the archived one too) and never the other's."""
    client = two_years.test_client()
    old, new = _token_for(two_years, "2023-24"), _token_for(two_years, "2024-25")
    listed = [_check(client.get("/api/v1/plans", headers=auth)).get_json()["data"] for auth in (old, new)]
    assert [(p["slug"], p["live"], p["archived_at"] is not None) for rows in listed for p in rows] == [
        ("2023-24", False, True), ("2024-25", True, False)]
    for auth, mine, other in ((old, "2023-24", "2024-25"), (new, "2024-25", "2023-24")):
        answer = _check(client.get(f"/api/v1/plans/{mine}/actions?per_page=1", headers=auth))
        assert answer.status_code == 200 and answer.get_json()["meta"]["plan_slug"] == mine
        for path in (f"/api/v1/plans/{other}/actions", f"/api/v1/plans/{other}/areas.csv",
                     "/api/v1/plans/no-such-plan/measures"):
            assert _check(client.get(path, headers=auth)).status_code == 404, path
    unknown = client.get("/api/v1/plans/2024-25/secrets", headers=new)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["status"] == 404
    # The API is not served under a plan's pages, and an archived live plan still answers writes with 405.
    assert client.get("/plans/2024-25/api/v1/plans/2024-25/actions", headers=new).status_code == 404
    with two_years.app_context():
        plan_by_slug("2024-25").archived_at = plan_by_slug("2023-24").archived_at
        db.session.commit()
    assert client.post("/api/v1/plans/2024-25/actions", headers=new).status_code == 405


def test_the_description_names_every_field_and_every_collection():
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    schemas = {"plans": "Plan", "areas": "Area", "outcomes": "Outcome", "actions": "Action",
               "action-history": "ActionEvent", "evidence-notes": "EvidenceNote",
               "impact-comments": "ImpactComment", "measures": "Measure", "measure-values": "MeasureValue"}
    assert set(schemas) == set(RESOURCES)
    for name, schema in schemas.items():
        assert tuple(spec["components"]["schemas"][schema]["properties"]) == FIELDS[name], name
        base = "/plans" if name == "plans" else f"/plans/{{plan_slug}}/{name}"
        assert {base, base + ".csv"} <= set(spec["paths"]), name


def test_every_endpoint_answers_as_described_in_json_and_csv(seeded_app, api):
    _busy_board(seeded_app)
    for name in RESOURCES:
        base = "/api/v1/plans" if name == "plans" else f"{api.base}/{name}"
        first = _get(api, base + "?per_page=2").get_json()
        assert first["meta"]["resource"] == name and first["meta"]["total"] >= 1, name
        assert all(tuple(row) == FIELDS[name] or set(row) == set(FIELDS[name]) for row in first["data"])
        rows = _all_rows(api, base + "?per_page=7")
        assert len(rows) == first["meta"]["total"] == len({row["id"] for row in rows}), name
        header, csv_rows = _csv_rows(_get(api, base + ".csv"))
        assert tuple(header) == FIELDS[name] and len(csv_rows) == len(rows), name
        paged = _get(api, base + ".csv?page=1&per_page=1")
        assert len(_csv_rows(paged)[1]) == 1 and paged.headers["X-Total-Count"] == str(len(rows))
    assert _get(api, f"{api.base}/areas?page=0").status_code == 400
    assert _get(api, f"{api.base}/areas?per_page=5000").status_code == 400


def test_pages_link_to_each_other_and_dates_are_iso_8601(seeded_app, api):
    _busy_board(seeded_app)
    second = _get(api, f"{api.base}/actions?page=2&per_page=10")
    answer = second.get_json()
    assert [row["ref"] for row in answer["data"]][:2] == ["2.2", "2.3"]
    assert answer["meta"] == {**answer["meta"], "page": 2, "per_page": 10, "pages": 9, "total": 88}
    assert answer["links"]["prev"].endswith("page=1&per_page=10") and answer["links"]["next"].endswith("page=3&per_page=10")
    assert 'rel="next"' in second.headers["Link"] and second.headers["Cache-Control"] == "no-store"
    actions = {row["ref"]: row for row in _all_rows(api, f"{api.base}/actions")}
    assert actions["2.7"]["due_date"] == "2024-02-29" and actions["2.7"]["status_changed_at"].endswith("Z")
    assert actions["1.1"]["last_status_change_reason"] == "Standards agreed with CSC"
    values = _all_rows(api, f"{api.base}/measure-values")
    compliance = [(v["value"], v["is_current"], v["rag"], v["correction_reason"], v["period_start"])
                  for v in values if v["measure_name"] == "Compliance measures achieved"]
    assert compliance == [(84, False, "red", None, "2023-07-01"), (86, True, "amber", "Recount", "2023-07-01")]


def test_withdrawn_and_internal_notes_and_note_words_are_never_published(seeded_app, api):
    _busy_board(seeded_app)
    notes = _all_rows(api, f"{api.base}/evidence-notes")
    assert sorted(note["text"] for note in notes) == ["Dip sample of 20 plans", "Reporting live since October"]
    history = _get(api, f"{api.base}/action-history.csv").get_data(as_text=True)
    assert "Names a child" not in history and "It names a child" not in history and "off sick" not in history
    assert "Evidence note withdrawn" in history
    comments = _all_rows(api, f"{api.base}/impact-comments")
    assert [(c["rating"], c["is_current_rating"]) for c in comments] == [("emerging", True)]


def _replay(actions: list[dict], events: list[dict]) -> dict[str, tuple[str, str]]:
    """Each action's column and due from its history alone, as docs/api.md says: it starts at its status at
    import and its due as printed; status events move it; due events change its due; a row that only points
    at other actions takes their status."""
    board = {row["ref"]: (row["status_at_import"], row["due_as_printed"]) for row in actions}
    for event in sorted(events, key=lambda e: int(e["id"])):
        status, due = board[event["action_ref"]]
        if event["kind"] == EventKind.STATUS.value:
            status = event["to_value"]
        elif event["kind"] in (EventKind.DUE.value, EventKind.PLAN_DUE.value):
            due = event["to_value"]
        board[event["action_ref"]] = (status, due)
    for row in actions:
        points_to = row["points_to"].split("; ") if isinstance(row["points_to"], str) else row["points_to"]
        if points_to and points_to != [""]:
            board[row["ref"]] = (pointer_status([board[ref][0] for ref in points_to]), board[row["ref"]][1])
    return board


def _replayed(client, auth: dict, base: str) -> list[dict]:
    """Replay a plan's history from JSON and from CSV; both give the board the API shows now. Returns the
    plan's actions."""
    def every_row(path):
        found, url = [], path
        while url:
            answer = _check(client.get(url, headers=auth)).get_json()
            found, url = found + answer["data"], answer["links"]["next"]
        return found

    actions = every_row(f"{base}/actions")
    now = {row["ref"]: (row["status"], row["due"]) for row in actions}
    from_json = _replay(actions, every_row(f"{base}/action-history?per_page=50"))
    from_csv = _replay(_csv_rows(_check(client.get(f"{base}/actions.csv", headers=auth)))[1],
                       _csv_rows(_check(client.get(f"{base}/action-history.csv", headers=auth)))[1])
    assert from_json == from_csv == now, base
    return actions


def test_replaying_the_history_export_gives_the_current_board(seeded_app, api):
    _busy_board(seeded_app)
    with seeded_app.app_context():
        move_action(action_by_ref("1.6"), "red", 0, 1, user_for("editor"))  # 2.1 points at 1.5-1.8
    actions = {row["ref"]: row for row in _replayed(api, api.auth, api.base)}
    assert (actions["2.7"]["status"], actions["2.7"]["due"]) == ("amber", "Feb 2024")
    assert (actions["1.2"]["status"], actions["1.2"]["due"]) == ("complete", "Oct 2023")
    assert (actions["2.1"]["points_to"], actions["2.1"]["status"]) == (["1.5", "1.6", "1.7", "1.8"], "red")
    with seeded_app.app_context():
        stored = {a.ref: (a.status, a.due_text) for a in db.session.scalars(select(Action))}
    assert stored == {ref: (row["status"], row["due"]) for ref, row in actions.items() if ref != "2.1"} | {
        "2.1": ("not_started", actions["2.1"]["due"])}  # a pointer's own status never moves: it shows theirs


def test_replaying_gives_each_plans_board_when_a_plan_carries_the_last_forward(two_years):
    """The archived plan (worked on, then carried forward) and the new one (statuses from the file and
    carried over, then moved again): each replays to its own board."""
    with two_years.app_context():
        carried = db.session.scalars(select(Action).where(Action.plan_id == plan_by_slug("2024-25").id,
                                                          Action.status == "red")).first()
        move_action(carried, "amber", 0, carried.version, user_for("editor"))
        ref = carried.ref
    client = two_years.test_client()
    _replayed(client, _token_for(two_years, "2023-24"), "/api/v1/plans/2023-24")
    new = {row["ref"]: row for row in _replayed(client, _token_for(two_years, "2024-25"), "/api/v1/plans/2024-25")}
    assert (new[ref]["status_at_import"], new[ref]["status"]) == ("red", "amber")
    assert {row["status_at_import"] for row in new.values()} >= {"not_started", "red", "amber", "green"}
    assert new[ref]["carried_from"] == "2023-24 1.3"


def test_api_query_parameters_are_fuzzed(api):
    @FUZZ
    @given(name=st.sampled_from(["page", "per_page"]), value=BAD_VALUES,
           path=st.sampled_from(["actions", "actions.csv", "measure-values"]))
    def check(name, value, path):
        response = api.get(f"{api.base}/{path}", query_string={name: value}, headers=api.auth)
        assert response.status_code in (200, 400), (name, value)

    check()


def test_admins_create_and_revoke_tokens_on_the_web(seeded_app, client_for):
    admin = client_for("admin")
    token = csrf_token(admin)
    assert client_for("editor").get("/admin/api-tokens").status_code == 403
    refused = admin.post("/admin/api-tokens", data={"label": "", "csrf_token": token})
    assert refused.status_code == 422
    created = admin.post("/admin/api-tokens", data={"label": "Power BI dashboard", "expires_on": "2024-03-31",
                                                    "csrf_token": token})
    page = page_of(created)
    secret = page.field_value("new-token") or page.root.select_one("#new-token")["value"]
    assert created.status_code == 201 and secret.startswith("ipb_")
    assert secret not in admin.get("/admin/api-tokens").get_data(as_text=True)  # shown once
    api = seeded_app.test_client()
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = page_of(admin.get("/admin/api-tokens")).table_rows()
    assert listed[1][0] == "Power BI dashboard" and listed[1][4] == "1" and listed[1][5] == "Active"
    with seeded_app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.token_hash != secret and len(row.token_hash) == 64
        token_id = row.id
    assert admin.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 303
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert page_of(admin.get("/admin/api-tokens")).table_rows()[1][5].startswith("Revoked")
    with seeded_app.app_context():
        kinds = db.session.scalars(select(AuditEntry.kind).where(AuditEntry.kind.like("api_token%"))).all()
        assert kinds == ["api_token_created", "api_token_revoked"]


def test_the_command_line_creates_lists_and_revokes_tokens(seeded_app):
    runner = seeded_app.test_cli_runner()
    created = runner.invoke(args=["api-token", "create", "--label", "Power BI", "--expires", "2024-06-30"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("ipb_") and "shown this once" in created.output
    api = seeded_app.test_client()
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = runner.invoke(args=["api-token", "list"])
    assert listed.output.split("\t")[:4] == ["1", "active", "Power BI", "expires 2024-06-30"]
    assert secret not in listed.output
    past = (date.fromisoformat(seeded_app.config["BOARD_TODAY"]) - timedelta(days=1)).isoformat()
    assert runner.invoke(args=["api-token", "create", "--label", "x", "--expires", past]).exit_code != 0
    assert runner.invoke(args=["api-token", "revoke", "1"]).exit_code == 0
    assert runner.invoke(args=["api-token", "revoke", "99"]).exit_code != 0
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output


def test_the_exports_keep_the_reason_of_the_last_status_change(seeded_app, client_for):
    _busy_board(seeded_app)
    viewer = client_for("viewer")
    _header, rows = _csv_rows(viewer.get("/export.csv"))
    by_ref = {row["Ref"]: row for row in rows}
    assert by_ref["1.1"]["Reason for the last status change"] == "Standards agreed with CSC"  # given after
    assert by_ref["1.1"]["Last status change"].startswith("Moved from Not started to Green, 15 Dec 2023 by Editor")
    assert by_ref["1.2"]["Reason for the last status change"] == ""
    with seeded_app.app_context():
        moved = move_action(action_by_ref("3.1"), "red", 0, 1, user_for("editor"))
        record_reason(moved.event, "Capacity issue in the team", user_for("editor"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(viewer.get("/export.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "3.1")
    assert row[header.index("Reason for the last status change")] == "Capacity issue in the team"


def test_an_admin_makes_a_token_for_an_archived_plan_on_its_pages(two_years, client_for):
    admin = client_for("admin")
    created = admin.post("/plans/2023-24/admin/api-tokens", data={"label": "Last year's dashboard",
                                                                  "csrf_token": csrf_token(admin)})
    page = page_of(created)
    assert created.status_code == 201 and "read the 2023-24 plan's data" in page.text()
    assert "http://localhost/api/v1/plans/2023-24/actions" in page.text("#how")
    auth = {"Authorization": f"Bearer {page.root.select_one('#new-token')['value']}"}
    client = two_years.test_client()
    assert _check(client.get("/api/v1/plans/2023-24/actions", headers=auth)).status_code == 200
    assert _check(client.get("/api/v1/plans/2024-25/actions", headers=auth)).status_code == 404
    assert page_of(admin.get("/admin/api-tokens")).table_rows()[1][0] == "No tokens yet."  # the live plan's
    listed = two_years.test_cli_runner().invoke(args=["api-token", "list", "--plan", "2023-24"])
    assert listed.output.split("\t")[2] == "Last year's dashboard"
