"""The committee highlight report."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from board.services import share_links
from board.services.board_view import current_plan
from board.services.evidence import add_impact_comment
from board.services.moves import move_action, record_reason
from board.services.report import build_report, statuses_at
from models import ActionEvent, Plan, db
from tests.conftest import action_by_ref, user_for
from tests.pages import page_of

TODAY = date(2023, 12, 15)


def _backdate(event_id, when):
    # History is append-only for the app; the test moves an entry in time with plain SQL.
    db.session.execute(ActionEvent.__table__.update().where(ActionEvent.id == event_id).values(at=when))
    db.session.commit()


def test_status_at_a_date_is_read_from_history(ctx):
    first = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor")).event
    second = move_action(action_by_ref("2.7"), "green", 0, 2, user_for("editor")).event
    _backdate(first.id, datetime(2023, 10, 1))
    _backdate(second.id, datetime(2023, 12, 1))
    plan = db.session.scalars(select(Plan)).one()
    action_id = action_by_ref("2.7").id
    assert statuses_at(plan, datetime(2023, 9, 1))[action_id] == "not_started"
    assert statuses_at(plan, datetime(2023, 11, 1))[action_id] == "amber"
    assert statuses_at(plan, datetime(2023, 12, 10))[action_id] == "green"


def test_report_exceptions_was_status_moves_and_outcomes(ctx):
    amber = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor")).event
    _backdate(amber.id, datetime(2023, 10, 1))
    red = move_action(action_by_ref("2.7"), "red", 0, 2, user_for("editor")).event
    record_reason(red, "QA slipped again", user_for("editor"))
    _backdate(red.id, datetime(2023, 12, 5))
    done = move_action(action_by_ref("1.1"), "complete", 0, 1, user_for("editor")).event
    _backdate(done.id, datetime(2023, 12, 6))
    add_impact_comment(action_by_ref("2.7").outcome, "Plans reviewed sooner", "emerging", user_for("contributor"))
    plan = db.session.scalars(select(Plan)).one()
    report = build_report(plan, date(2023, 11, 15), TODAY, TODAY)
    line = next(line for line in report.exceptions if line.card.ref == "2.7")
    assert line.was.label == "Amber" and line.latest == "QA slipped again" and line.overdue
    assert report.exceptions[0].card.ref == "2.7"  # Red comes first
    assert [m.ref for m in report.moved] == ["2.7", "1.1"]
    assert report.moved[0].reason == "QA slipped again"
    assert [m.ref for m in report.completed] == ["1.1"]
    assert report.changed_count == 2
    rated = next(o for o in report.outcomes if o.outcome.id == action_by_ref("2.7").outcome_id)
    assert rated.latest.text == "Plans reviewed sooner"
    earlier = build_report(plan, TODAY - timedelta(days=2), TODAY, TODAY)
    assert earlier.moved == [] and earlier.changed_count == 0


def test_report_page_and_share_link(seeded_app, client_for):
    with seeded_app.app_context():
        _, token = share_links.create_link(current_plan(), "Committee", None)
    html = client_for("viewer").get("/report?from=2023-11-01&to=2023-12-15").get_data(as_text=True)
    assert "Highlight report: 1 November 2023 to 15 December 2023" in html
    assert "Exceptions: Red, Amber, overdue and stale" in html and "Impact by intended outcome" in html
    swapped = client_for("viewer").get("/report?from=2023-12-15&to=2023-11-01").get_data(as_text=True)
    assert "the dates were swapped" in swapped
    shared = seeded_app.test_client().get(f"/share/{token}/report")
    body = shared.get_data(as_text=True)
    assert shared.status_code == 200 and "<form" not in body and "csrf" not in body
    assert f"/share/{token}/?area=1&status=red" in page_of(shared).links()


@pytest.mark.parametrize("query, message", [
    ("to=9999-12-31", "To: Choose a date between 2000 and 2099."),
    ("from=31/12/2023", "From: Write the date as YYYY-MM-DD, like 2023-12-15."),
])
def test_report_dates_it_cannot_use_are_named_and_the_default_period_shown(client_for, query, message):
    response = client_for("viewer").get(f"/report?{query}")
    assert response.status_code == 422
    assert page_of(response).error_summary() == [message]
    assert "Highlight report: 17 November 2023 to 15 December 2023" in page_of(response).text("h1")
