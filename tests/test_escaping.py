"""Everything people type is escaped when shown."""
import re

import pytest
from sqlalchemy import select

from board.services.plan_import import import_plan
from models import User, db
from tests.conftest import csrf_token
from tests.plans import seed_plan

PAYLOADS = ['<script>alert("x")</script>', '" onmouseover="alert(1)', "<img src=x onerror=alert(1)>"]


def _assert_escaped(html: str, payload: str):
    assert payload not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert re.search(r'="[^"]*" onmouseover=', html) is None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_names_and_link_labels_are_escaped(seeded_app, client_for, payload):
    admin = client_for("admin")
    token = csrf_token(admin, "/admin/users")
    created = admin.post("/admin/users", data={
        "email": "odd@example.org", "name": payload, "role": "viewer", "csrf_token": token})
    assert created.status_code == 201
    link = admin.post("/admin/links", data={"label": payload, "csrf_token": token})
    assert link.status_code == 201
    share_url = re.search(r'readonly value="http://localhost(/share/[^"]+)"', link.get_data(as_text=True)).group(1)
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
