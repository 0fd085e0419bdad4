"""Moving cards: the service that every drag and keyboard move goes through."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from board.services.board_view import is_stale, stale_grace_days
from board.services.history import Described, timeline, unexplained_moves
from board.services.moves import (
    MoveConflict,
    MoveRefused,
    column,
    move_action,
    record_reason,
    resolve_position,
)
from models import ActionEvent, Area, Plan, db
from models.action import HistoryIsAppendOnly
from tests.conftest import action_by_ref, user_for


def _refs(area_number, status):
    area = db.session.scalars(select(Area).where(Area.number == area_number)).one()
    return [(a.ref, a.position) for a in column(area.id, status)]


def test_status_change_renumbers_both_columns_and_records_who(ctx):
    action = action_by_ref("1.3")
    counter = db.session.scalars(select(Plan)).one().change_counter
    result = move_action(action, "amber", 0, action.version, user_for("editor"))
    assert result.status_changed and result.event.kind == "status"
    assert (result.event.from_value, result.event.to_value) == ("not_started", "amber")
    assert result.event.user.email == "editor@example.org"
    assert _refs(1, "amber") == [("1.3", 0)]
    assert [pos for _, pos in _refs(1, "not_started")] == list(range(8))
    assert "1.3" not in [ref for ref, _ in _refs(1, "not_started")]
    action = action_by_ref("1.3")
    assert action.version == 2 and action.last_activity_by_id == user_for("editor").id
    plan = db.session.scalars(select(Plan)).one()
    assert plan.change_counter == counter + 1
    assert db.session.get(Area, action.area_id).changed_at_counter == plan.change_counter


def test_reorder_inside_a_column(ctx):
    action = action_by_ref("1.1")
    result = move_action(action, "not_started", 4, action.version, user_for("editor"))
    assert not result.status_changed and result.event.kind == "reorder"
    refs = [ref for ref, _ in _refs(1, "not_started")]
    assert refs.index("1.1") == 4 and refs[:4] == ["1.2", "1.3", "1.4", "1.5"]
    assert (result.event.from_value, result.event.to_value) == ("1", "5")


def test_positions_are_clamped(ctx):
    action = action_by_ref("1.1")
    move_action(action, "red", 99, action.version, user_for("editor"))
    move_action(action_by_ref("1.2"), "red", -5, action_by_ref("1.2").version, user_for("editor"))
    assert _refs(1, "red") == [("1.2", 0), ("1.1", 1)]


def test_stale_version_conflicts_and_changes_nothing(ctx):
    action = action_by_ref("2.7")
    seen = action.version
    move_action(action, "green", 0, seen, user_for("admin"))
    before = db.session.scalar(select(db.func.count(ActionEvent.id)))
    with pytest.raises(MoveConflict) as conflict:
        move_action(action_by_ref("2.7"), "red", 0, seen, user_for("editor"))
    assert conflict.value.action.status == "green"
    assert conflict.value.by_event.user.email == "admin@example.org"
    assert db.session.scalar(select(db.func.count(ActionEvent.id))) == before
    assert action_by_ref("2.7").status == "green"


def test_two_clients_with_the_same_version_one_wins(ctx):
    seen = action_by_ref("3.4").version
    move_action(action_by_ref("3.4"), "amber", 0, seen, user_for("editor"))
    with pytest.raises(MoveConflict):
        move_action(action_by_ref("3.4"), "red", 0, seen, user_for("admin"))


def test_a_card_cannot_move_to_another_area_or_an_unknown_status(ctx):
    action = action_by_ref("1.1")
    other = db.session.scalars(select(Area).where(Area.number == 2)).one()
    with pytest.raises(MoveRefused, match="cannot move to another area"):
        move_action(action, "red", 0, action.version, user_for("editor"), to_area_id=other.id)
    with pytest.raises(MoveRefused, match="not a status"):
        move_action(action, "purple", 0, action.version, user_for("editor"))
    assert (action_by_ref("1.1").status, action_by_ref("1.1").version) == ("not_started", 1)


def test_dropping_a_card_where_it_was_records_nothing(ctx):
    action = action_by_ref("1.1")
    result = move_action(action, "not_started", 0, action.version, user_for("editor"))
    assert result.event is None and action_by_ref("1.1").version == 1


def test_resolve_position_from_neighbours_and_direction(ctx):
    move_action(action_by_ref("1.1"), "red", 0, 1, user_for("editor"))
    move_action(action_by_ref("1.2"), "red", 1, 1, user_for("editor"))
    mover = action_by_ref("1.3")
    assert resolve_position(mover, "red", before_ref="1.2") == 1
    assert resolve_position(mover, "red", after_ref="1.2") == 2
    assert resolve_position(mover, "red", before_ref="9.9", position=0) == 0
    assert resolve_position(mover, "red") == 2
    assert resolve_position(action_by_ref("1.2"), "red", direction="up") == 0


def test_reason_is_a_new_history_entry_and_history_cannot_be_edited(ctx):
    result = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor"))
    record_reason(result.event, "  QA schedule   slipped ", user_for("editor"))
    entries = timeline(action_by_ref("2.7"))
    assert entries[0].described == Described("Moved from Not started to Amber", "QA schedule slipped")
    with pytest.raises(MoveRefused, match="already has a reason"):
        record_reason(result.event, "again", user_for("editor"))
    event = db.session.get(ActionEvent, result.event.id)
    event.reason = "rewritten"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ActionEvent, result.event.id))
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_reorders_take_no_reason_and_blank_reasons_are_refused(ctx):
    reorder = move_action(action_by_ref("1.1"), "not_started", 3, 1, user_for("editor"))
    with pytest.raises(MoveRefused, match="Only a change of status"):
        record_reason(reorder.event, "why", user_for("editor"))
    status = move_action(action_by_ref("1.2"), "red", 0, 1, user_for("editor"))
    with pytest.raises(MoveRefused, match="Write a reason"):
        record_reason(status.event, "   ", user_for("editor"))


def test_unexplained_moves_lists_status_changes_without_reason(ctx):
    explained = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor"))
    record_reason(explained.event, "QA slipped", user_for("editor"))
    move_action(action_by_ref("2.6"), "green", 0, 1, user_for("editor"))
    move_action(action_by_ref("1.1"), "not_started", 4, 1, user_for("editor"))  # a reorder is not listed
    plan = db.session.scalars(select(Plan)).one()
    listed = [(m.ref, m.to_status.value, m.by) for m in unexplained_moves(plan.id)]
    assert listed == [("2.6", "green", "Editor Person")]


def test_stale_follows_cadence_plus_grace(ctx):
    weekly = action_by_ref("1.7")
    assert weekly.cadence == "weekly" and stale_grace_days("weekly") == 2
    today = datetime(2024, 1, 20)
    weekly.last_activity_at = today - timedelta(days=9)
    assert not is_stale(weekly, today.date())
    weekly.last_activity_at = today - timedelta(days=10)
    assert is_stale(weekly, today.date())
    weekly.status = "complete"
    assert not is_stale(weekly, today.date())
    db.session.rollback()


def test_a_one_off_action_is_stale_after_board_stale_days_whatever_its_status(ctx):
    one_off, today = action_by_ref("1.1"), datetime(2024, 1, 20)
    assert one_off.cadence is None and one_off.status == "not_started"
    one_off.last_activity_at = today - timedelta(days=42)
    assert not is_stale(one_off, today.date())
    one_off.last_activity_at = today - timedelta(days=43)
    assert is_stale(one_off, today.date())
    for status, stale in (("amber", True), ("green", True), ("complete", False)):
        one_off.status = status
        assert is_stale(one_off, today.date()) is stale
    db.session.rollback()


def test_a_move_racing_another_in_its_area_leaves_no_gap(seeded_app):
    """Another worker reorders the column this card is in between this move's first read and its
    write: the columns must still be numbered 0..n-1 (a killed-worker load test once found a gap)."""
    from sqlalchemy import event

    with seeded_app.app_context():
        mover = action_by_ref("6.1")  # first in Not started
        first_read = {"done": False}

        def other_worker_moves_first(conn, cursor, statement, parameters, context, executemany):
            if first_read["done"] or not statement.lstrip().upper().startswith("UPDATE"):
                return
            first_read["done"] = True
            with seeded_app.app_context():  # another session, as another gunicorn worker would have
                move_action(action_by_ref("6.3"), "not_started", 0, 1, user_for("admin"))  # above 6.1

        event.listen(db.engine, "before_cursor_execute", other_worker_moves_first)
        try:
            move_action(mover, "red", 0, mover.version, user_for("editor"))
        finally:
            event.remove(db.engine, "before_cursor_execute", other_worker_moves_first)
        db.session.remove()
        for status in ("not_started", "red"):
            positions = sorted(position for _, position in _refs(6, status))
            assert positions == list(range(len(positions))), (status, _refs(6, status))
        assert _refs(6, "red") == [("6.1", 0)]
        assert [ref for ref, _ in _refs(6, "not_started")][:3] == ["6.3", "6.2", "6.4"]
