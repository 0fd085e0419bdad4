"""The board page and an action's detail, through the Flask test client."""
from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Role, db
from tests.conftest import HTMX, PASSWORD, count_queries, make_app, sign_in
from tests.pages import page_of
from tests.plans import generated_plan
from tests.test_seed_import import EXPECTED_REFS


def test_board_shows_every_action_as_one_card(client):
    response = client.get("/")
    assert response.status_code == 200
    page = page_of(response)
    assert sorted(page.card_refs()) == sorted(EXPECTED_REFS)
    assert page.column_headings() == ["Not started", "Red", "Amber", "Green", "Complete"]
    assert page.lanes() == list(range(1, 10))
    text = page.text()
    assert "Kerry Birtles" in text and "1179" in text and "68% cases (20 cases) were good" in text


def test_overdue_badge_follows_the_due_date(client):
    board = page_of(client.get("/"))
    assert "Overdue" in board.card_badges("1.1")        # Sept 2023, before 15 Dec 2023
    assert "Overdue" not in board.card_badges("1.3")    # Jan 2024
    assert "Overdue" not in board.card_badges("1.7")    # weekly: a cadence is never overdue
    assert "Overdue" not in board.card_badges("2.16")   # TBC


def test_detail_is_a_partial_for_htmx_and_a_page_otherwise(client):
    partial = client.get("/actions/2.7", headers=HTMX)
    page = client.get("/actions/2.7")
    assert partial.status_code == page.status_code == 200
    assert not page_of(partial).is_full_page()
    assert page_of(page).is_full_page()
    assert "HX-Request" in partial.headers["Vary"] and "HX-Request" in page.headers["Vary"]
    body = page_of(partial)
    assert "Scrutinise the length and impact of child protection plans" in body.text()
    assert "Child protection enquiries are thorough" in body.text()
    assert "/actions/2.6" in body.links()  # its sibling under the same intended impact
    assert "As printed in the plan: “Nov 2023”" in body.text()


def test_history_restore_gets_the_whole_page(client):
    response = client.get("/actions/2.7", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert page_of(response).is_full_page()


def test_see_also_becomes_links(client):
    links = page_of(client.get("/actions/2.1", headers=HTMX)).links()
    for ref in ["1.5", "1.6", "1.7", "1.8"]:
        assert f"/actions/{ref}" in links


def test_unknown_action_is_404(client):
    assert client.get("/actions/99.1").status_code == 404
    assert client.get("/actions/<script>").status_code == 404


def _viewer_client(app):
    with app.app_context():
        create_user("viewer@example.org", "Viewer Person", Role.VIEWER, PASSWORD)
    client = app.test_client()
    assert sign_in(client, "viewer").status_code == 303
    return client


def test_board_without_a_plan_says_how_to_import(app):
    response = _viewer_client(app).get("/")
    assert response.status_code == 404
    assert "flask --app app import-plan PATH" in page_of(response).text("main")


def _board_queries(app, client) -> int:
    client.get("/")  # warm up: the first request may load metadata
    with app.app_context(), count_queries(db.engine) as statements:
        assert client.get("/").status_code == 200
    return len(statements)


def test_board_renders_with_a_fixed_number_of_queries(tmp_path, seeded_app, client):
    big = make_app(tmp_path / "big")
    with big.app_context():
        summary = import_plan(generated_plan(areas=22, actions_per_area=40))
        assert summary.actions_added == 880
    seed_queries = _board_queries(seeded_app, client)
    assert seed_queries == _board_queries(big, _viewer_client(big))
    assert seed_queries <= 7  # user, plan, areas, cards, owner names, note counts, open clinic
