"""The board page and an action's detail, through the Flask test client."""
import re

from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Role, db
from tests.conftest import HTMX, PASSWORD, count_queries, make_app, sign_in
from tests.plans import generated_plan
from tests.test_seed_import import EXPECTED_REFS


def _card_refs(html: str) -> list[str]:
    return re.findall(r'<li class="card [^"]*" id="card-[\d-]+" data-ref="([\d.]+)"', html)


def test_board_shows_every_action_as_one_card(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sorted(_card_refs(html)) == sorted(EXPECTED_REFS)
    for heading in ["Not started", "Red", "Amber", "Green", "Complete"]:
        assert f'<span class="status-word">{heading}</span>' in html
    assert html.count('<section class="swimlane"') == 9
    assert "Kerry Birtles" in html and "1179" in html and "68% cases (20 cases) were good" in html


def test_overdue_badge_follows_the_due_date(client):
    html = client.get("/").get_data(as_text=True)
    card = lambda ref: re.search(rf'data-ref="{re.escape(ref)}">(.*?)</li>\n', html, re.DOTALL).group(1)
    assert "Overdue" in card("1.1")        # Sept 2023, before 15 Dec 2023
    assert "Overdue" not in card("1.3")    # Jan 2024
    assert "Overdue" not in card("1.7")    # weekly: a cadence is never overdue
    assert "Overdue" not in card("2.16")   # TBC


def test_detail_is_a_partial_for_htmx_and_a_page_otherwise(client):
    partial = client.get("/actions/2.7", headers=HTMX)
    page = client.get("/actions/2.7")
    assert partial.status_code == page.status_code == 200
    assert "<html" not in partial.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"] and "HX-Request" in page.headers["Vary"]
    body = partial.get_data(as_text=True)
    assert "Scrutinise the length and impact of child protection plans" in body
    assert "Child protection enquiries are thorough" in body
    assert 'href="/actions/2.6"' in body  # its sibling under the same intended impact
    assert "As printed in the plan: “Nov 2023”" in body


def test_history_restore_gets_the_whole_page(client):
    response = client.get("/actions/2.7", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_see_also_becomes_links(client):
    body = client.get("/actions/2.1", headers=HTMX).get_data(as_text=True)
    for ref in ["1.5", "1.6", "1.7", "1.8"]:
        assert f'href="/actions/{ref}"' in body


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
    assert b"import-plan" in response.data


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
