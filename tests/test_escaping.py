"""Everything people type is escaped when shown."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from board.services.plan_import import import_plan
from models import User, db
from tests.conftest import csrf_token
from tests.pages import page_of
from tests.plans import seed_plan

PAYLOADS = ['<script>alert("x")</script>', '" onmouseover="alert(1)', "<img src=x onerror=alert(1)>"]


def _assert_escaped(html: str, payload: str):
    assert payload not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert re.search(r'="[^"]*" onmouseover=', html) is None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_names_and_link_labels_are_escaped(seeded_app, client_for, payload):
    admin = client_for("admin")
    token = csrf_token(admin)
    created = admin.post("/admin/users", data={
        "email": "odd@example.org", "name": payload, "role": "viewer", "csrf_token": token})
    assert created.status_code == 201
    link = admin.post("/admin/links", data={"label": payload, "csrf_token": token})
    assert link.status_code == 201
    shown = page_of(link).value_labelled("Read-only link")
    assert shown.startswith("http://localhost/share/")
    share_url = shown.removeprefix("http://localhost")
    with seeded_app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.email == "odd@example.org")).one()
    pages = [admin.get("/admin/users"), admin.get(f"/admin/users/{user_id}"), admin.get("/admin/links"),
             seeded_app.test_client().get(share_url)]
    for page in pages:
        assert page.status_code == 200
        _assert_escaped(page.get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plan_texts_are_escaped_on_board_and_detail(seeded_app, client, payload):
    plan = seed_plan()
    action = plan["areas"][1]["outcomes"][4]["actions"][1]
    action["text"] = payload
    action["owners"] = [payload]
    plan["areas"][1]["outcomes"][4]["text"] = payload
    plan["objective"] = payload
    with seeded_app.app_context():
        import_plan(plan)
    for page in (client.get("/"), client.get("/actions/2.7"), client.get("/actions/2.6")):
        assert page.status_code == 200
        _assert_escaped(page.get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_evidence_reasons_comments_clinics_and_kpis_are_escaped(seeded_app, client_for, payload):
    from board.services import clinic_minutes
    from board.services.board_view import current_plan
    from board.services.clinics import start_clinic
    from board.services.evidence import add_impact_comment, add_note, change_due
    from board.services.kpis import MeasureDefinition, add_measure, record_value
    from board.services.moves import move_action, record_reason
    from tests.conftest import action_by_ref, user_for

    with seeded_app.app_context():
        clinic = start_clinic(current_plan(), date(2023, 12, 15), user_for("editor"), payload, [2], user_for("editor"))
        clinic_minutes.add_note(clinic, payload, user_for("editor"))
        clinic_minutes.raise_arising(clinic, payload, None, payload, date(2024, 1, 19), user_for("editor"))
        moved = move_action(action_by_ref("2.7"), "red", 0, 1, user_for("editor"))
        record_reason(moved.event, payload, user_for("editor"))
        add_note(action_by_ref("2.7"), payload, "https://docs.example/?q=" + payload, user_for("editor"))
        change_due(action_by_ref("2.7"), "Feb 2024", payload, user_for("editor"), date(2023, 12, 15))
        add_impact_comment(action_by_ref("2.7").outcome, payload, "clear", user_for("editor"))
        outcome = action_by_ref("2.7").outcome
        measure = add_measure(current_plan(), MeasureDefinition(payload, source=payload, outcomes=[outcome]),
                              user_for("admin"))
        record_value(measure, "2023/24 Q2", 3, user_for("admin"), payload)
        record_value(measure, "2023/24 Q2", 4, user_for("admin"), payload, replaces=measure.values[0].id,
                     reason=payload)
        clinic_id, outcome_id, measure_id = clinic.id, outcome.id, measure.id
    viewer = client_for("viewer")
    for path in ("/", "/actions/2.7", "/outcomes", f"/outcomes/{outcome_id}", "/activity", "/overview",
                 "/report?from=2023-01-01", "/kpis", f"/kpis/{measure_id}", f"/clinics/{clinic_id}", "/clinics",
                 "/moves/unexplained"):
        page = (client_for("admin") if path.startswith("/moves") else viewer).get(path)
        assert page.status_code == 200, path
        _assert_escaped(page.get_data(as_text=True), payload)
