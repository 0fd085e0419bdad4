"""The committee highlight report: the plan as at a date, rebuilt from history, and what it reports."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from board.services import share_links
from board.services.as_at import PlanHistory, day_end, day_start, ratings_at
from board.services.board_view import current_plan
from board.services.completion import completion_words
from board.services.direction import direction
from board.services.evidence import add_impact_comment, add_note, change_due, edit_impact_comment
from board.services.moves import Evidence, move_action, record_reason
from board.services.report import build_report
from models import ActionEvent, EventKind, EvidenceNote, Plan, db
from tests.conftest import action_by_ref, user_for
from tests.pages import page_of

TODAY = date(2023, 12, 15)
PERIOD = (date(2023, 10, 1), date(2023, 11, 30))


def _backdate(event_id, when):
    # History is append-only for the app; the test moves an entry in time with plain SQL.
    db.session.execute(ActionEvent.__table__.update().where(ActionEvent.id == event_id).values(at=when))
    db.session.commit()


def _move(ref, status, when, **evidence):
    action = action_by_ref(ref)
    event = move_action(action, status, 0, action.version, user_for("editor"),
                        evidence=Evidence(**evidence) if evidence else None).event
    _backdate(event.id, when)
    if evidence:  # the evidence note is written with the move, at the same moment
        db.session.execute(EvidenceNote.__table__.update().where(EvidenceNote.action_id == action.id)
                           .values(created_at=when))
        db.session.commit()
    return event


def _due(ref, new_due, when):
    change_due(action_by_ref(ref), new_due, "Capacity", user_for("editor"), date(2023, 1, 1))
    latest = db.session.scalars(select(ActionEvent).where(ActionEvent.kind == EventKind.DUE)
                                .order_by(ActionEvent.id.desc())).first()
    _backdate(latest.id, when)


def test_the_plan_as_at_a_date_matches_a_hand_built_history(ctx):
    """Moves and due changes before, during and after the period: the start and the end are what the
    history says they were then, whatever the card says today."""
    _move("2.7", "red", datetime(2023, 9, 10))           # before the period
    _move("2.7", "amber", datetime(2023, 10, 20))        # during
    _move("2.7", "green", datetime(2023, 12, 10))        # after
    _due("2.7", "Jan 2024", datetime(2023, 9, 12))       # before
    _due("2.7", "Feb 2024", datetime(2023, 11, 2))       # during
    _due("2.7", "Mar 2024", datetime(2023, 12, 11))      # after
    _move("3.3", "amber", datetime(2023, 12, 5))         # only after: Not started all through the period
    _move("1.1", "complete", datetime(2023, 10, 5), text="Standards agreed", link_url=None)
    plan = db.session.scalars(select(Plan)).one()
    expected = {  # ref: (status at start, due at start, status at end, due at end), by hand
        "2.7": ("red", "Jan 2024", "amber", "Feb 2024"),
        "3.3": ("not_started", "January 2024", "not_started", "January 2024"),
        "1.1": ("not_started", "Sept 2023", "complete", "Sept 2023"),
        "4.1": ("not_started", "Dec 2023", "not_started", "Dec 2023"),
    }
    history = PlanHistory(plan)
    start = {a.ref: a for a in history.at(day_start(PERIOD[0]))}
    end = {a.ref: a for a in history.at(day_end(PERIOD[1]))}
    for ref, (status_start, due_start, status_end, due_end) in expected.items():
        assert (start[ref].status, start[ref].due_text) == (status_start, due_start), ref
        assert (end[ref].status, end[ref].due_text) == (status_end, due_end), ref
    assert {a.ref: a.status for a in history.at(day_end(TODAY))}["2.7"] == "green"  # today's, after the period
    lines = {line.ref: line for line in build_report(plan, *PERIOD).actions}
    assert (lines["2.7"].status_start, lines["2.7"].status_end, lines["2.7"].direction) == ("red", "amber", "improved")
    assert (lines["2.7"].due_start, lines["2.7"].due_end) == ("Jan 2024", "Feb 2024")
    assert lines["3.3"].direction == "no_change" and lines["1.1"].direction == "completed"
    assert lines["1.1"].completed_on == date(2023, 10, 5) and lines["1.1"].completion == "completed 5 days late"


def test_impact_ratings_as_at_a_date_follow_edits_and_withdrawals(ctx):
    plan = db.session.scalars(select(Plan)).one()
    outcome = action_by_ref("2.7").outcome
    comment = add_impact_comment(outcome, "Early signs", "emerging", user_for("contributor"))
    db.session.execute(type(comment).__table__.update().values(created_at=datetime(2023, 10, 10)))
    db.session.commit()
    edit_impact_comment(comment, "Clear now", "clear", user_for("contributor"))  # today, after the period
    before, during, now = ratings_at(plan, [datetime(2023, 10, 1), datetime(2023, 11, 1), datetime(2023, 12, 16)])[
        outcome.id]
    assert before is None and during.rating == "emerging" and now.rating == "clear"
    line = next(line for line in build_report(plan, *PERIOD).outcomes if line.text == outcome.text)
    assert (line.rating_start, line.rating_end, line.comment) == (None, "emerging", "Early signs")


DIRECTIONS = {  # (start, end): the words a committee reads
    ("not_started", "not_started"): "No change", ("not_started", "red"): "Started",
    ("not_started", "amber"): "Started", ("not_started", "green"): "Started",
    ("not_started", "complete"): "Completed",
    ("red", "not_started"): "Worsened", ("red", "red"): "No change", ("red", "amber"): "Improved",
    ("red", "green"): "Improved", ("red", "complete"): "Completed",
    ("amber", "not_started"): "Worsened", ("amber", "red"): "Worsened", ("amber", "amber"): "No change",
    ("amber", "green"): "Improved", ("amber", "complete"): "Completed",
    ("green", "not_started"): "Worsened", ("green", "red"): "Worsened", ("green", "amber"): "Worsened",
    ("green", "green"): "No change", ("green", "complete"): "Completed",
    ("complete", "not_started"): "Worsened", ("complete", "red"): "Worsened", ("complete", "amber"): "Worsened",
    ("complete", "green"): "Worsened", ("complete", "complete"): "No change",
}


@pytest.mark.parametrize("start, end", sorted(DIRECTIONS))
def test_the_direction_of_travel_in_words_and_a_shape_for_every_pair(start, end):
    moved = direction(start, end)
    assert moved.label == DIRECTIONS[(start, end)]
    assert moved.symbol in "▲▼■✔▶" and moved.symbol not in moved.label  # a shape beside the word, not a colour


@pytest.mark.parametrize("completed, due, words", [
    (date(2023, 10, 31), date(2023, 10, 31), "completed on time"),
    (date(2023, 10, 1), date(2023, 10, 31), "completed on time"),
    (date(2023, 11, 1), date(2023, 10, 31), "completed 1 day late"),
    (date(2023, 11, 6), date(2023, 10, 31), "completed 6 days late"),
    (date(2023, 12, 12), date(2023, 10, 31), "completed 6 weeks late"),
    (date(2023, 12, 12), None, None),
])
def test_completed_on_time_or_late_against_its_due(completed, due, words):
    assert completion_words(completed, due) == words


def test_exceptions_count_overdue_not_started_and_stale_one_off_actions_grouped_worst_first(ctx, seeded_app):
    seeded_app.config["BOARD_STALE_DAYS"] = 30
    plan = db.session.scalars(select(Plan)).one()
    red = _move("2.7", "red", datetime(2023, 9, 5))
    _backdate(record_reason(red, "QA slipped again", user_for("editor")).id, datetime(2023, 11, 20))
    _move("9.1", "amber", datetime(2023, 10, 1))         # a one-off action untouched for 75 days: stale
    _move("1.1", "green", datetime(2023, 12, 1))         # Green, but no evidence a committee may read
    report = build_report(plan, date(2023, 9, 16), TODAY)
    # Every action past its due and not complete is an exception, Not started or not.
    overdue = {line.ref for line in report.actions if line.overdue}
    assert len(overdue) == 29 and {"1.2", "3.1"} <= overdue
    flagged = {line.ref: line for group in report.exceptions for line in group.lines + group.more}
    assert set(flagged) >= overdue | {"2.7", "9.1", "1.1"}
    assert "overdue by 6 weeks, not started" in flagged["3.1"].flags
    assert "stale: no update for 10 weeks" in flagged["9.1"].flags
    assert "Green without evidence" in flagged["1.1"].flags
    assert flagged["2.7"].latest == "QA slipped again"
    # Grouped by area, the area with a Red action first, its Red action first, three in full, then refs.
    first = report.exceptions[0]
    assert first.area == 2 and first.lines[0].ref == "2.7" and len(first.lines) == 3
    assert first.summary.startswith("1 Red · 6 overdue (5 not started)")
    assert report.exception_count == len(flagged) == sum(len(g.lines) + len(g.more) for g in report.exceptions)


def test_completed_in_the_period_with_its_evidence_and_sign_off(ctx):
    plan = db.session.scalars(select(Plan)).one()
    plan.require_sign_off = True
    _move("1.1", "complete", datetime(2023, 11, 14), text="Standards agreed with CSC", link_url="https://docs.example/s")
    report = build_report(plan, *PERIOD)
    [done] = report.completed
    assert (done.ref, done.completion, done.evidence, done.evidence_link, done.awaiting_sign_off) == (
        "1.1", "completed 6 weeks late", "Standards agreed with CSC", "https://docs.example/s", True)
    assert report.direction_count("completed") == 1


def test_internal_and_withdrawn_notes_never_reach_a_report(ctx):
    plan = db.session.scalars(select(Plan)).one()
    _move("2.7", "amber", datetime(2023, 10, 2))
    add_note(action_by_ref("2.7"), "Internal: a named child's case", None, user_for("contributor"), internal=True)
    text = build_report(plan, date(2023, 9, 16), TODAY).model_dump_json()
    assert "named child" not in text


def test_the_live_report_page_and_its_share_link(seeded_app, client_for):
    with seeded_app.app_context():
        _, token = share_links.create_link(current_plan(), "Committee", None)
        _move("2.7", "red", datetime(2023, 11, 10))
    page = page_of(client_for("viewer").get("/report?from=2023-11-01&to=2023-12-15"))
    assert page.text("h1") == "Highlight report: 1 November 2023 to 15 December 2023"
    assert page.text(".paper-kind").startswith("Live report, not published")
    for heading in ("Where the plan stands on 15 December 2023", "Direction of the whole plan since it began",
                    "Exceptions: what needs attention (29 of 87 actions)", "Impact by intended outcome",
                    "Every action at the start and the end of the period", "Glossary: terms and short forms"):
        assert heading in page.headings()
    assert any(name.startswith("Actions by status, week by week, 1 September 2023") for name in page.image_names())
    row = next(row for row in page.table_rows(".register") if row[0].startswith("2.7"))
    assert row[1:4] == ["Not started", "Red", "▶ Started"]
    swapped = client_for("viewer").get("/report?from=2023-12-15&to=2023-11-01").get_data(as_text=True)
    assert "the dates were swapped" in swapped
    shared = seeded_app.test_client().get(f"/share/{token}/report")
    body = shared.get_data(as_text=True)
    assert shared.status_code == 200 and "<form" not in body and "csrf" not in body
    assert f"/share/{token}/actions/2.7" in page_of(shared).links()


def test_the_overview_shows_the_trend_and_every_kind_of_exception(seeded_app, client_for):
    page = page_of(client_for("viewer").get("/overview"))
    assert "Exceptions: Red, Amber, overdue and stale (29)" in page.headings()  # 29 overdue, none started yet
    assert "Direction of the whole plan since it began" in page.headings()
    [chart] = [name for name in page.image_names() if name.startswith("Actions by status")]
    assert "On 15 December 2023: 87 Not started" in chart  # 2.1 only points at 1.5-1.8: not counted


def test_print_head_css_repeats_only_escaped_words(client):
    response = client.get('/print-head.css?head=Plan "x" } body { color: red&period=Q3&version=Draft')
    css = response.get_data(as_text=True)
    assert response.mimetype == "text/css" and "body {" not in css and '"x"' not in css
    assert "@top-left" in css and "@bottom-left" in css


@pytest.mark.parametrize("query, message", [
    ("to=9999-12-31", "To: Choose a date between 2000 and 2099."),
    ("from=31/12/2023", "From: Write the date as YYYY-MM-DD, like 2023-12-15."),
])
def test_report_dates_it_cannot_use_are_named_and_the_default_period_shown(client_for, query, message):
    response = client_for("viewer").get(f"/report?{query}")
    assert response.status_code == 422
    assert page_of(response).error_summary() == [message]
    assert "Highlight report: 17 November 2023 to 15 December 2023" in page_of(response).text("h1")
