"""One clock: BOARD_TODAY moves today, the stamps on new history and "ago", and share-link expiry."""
from datetime import UTC, date, datetime, timedelta

from board import clock
from board.services.moves import move_action
from tests.conftest import action_by_ref, user_for


def test_today_and_now_follow_board_today(ctx):
    assert clock.today() == date(2023, 12, 15)
    assert clock.now().date() == date(2023, 12, 15)


def test_history_is_stamped_on_the_boards_today_and_reads_as_today(ctx):
    event = move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor")).event
    assert event.at.date() == date(2023, 12, 15)
    assert clock.ago(event.at) == "today"
    assert clock.ago(event.at - timedelta(days=1)) == "yesterday"
    assert clock.ago(datetime(2023, 12, 12, 9)) == "3 days ago"
    assert clock.ago(datetime(2023, 10, 1, 9)) == "1 Oct 2023"


def test_local_time_is_shown_in_the_councils_zone(ctx):
    assert clock.local_time(datetime(2023, 7, 1, 9, 30)) == "10:30"   # BST
    assert clock.local_time(datetime(2023, 12, 1, 9, 30)) == "09:30"  # GMT


def test_without_board_today_the_real_date_is_used():
    assert abs((clock.now() - datetime.now(UTC).replace(tzinfo=None)).total_seconds()) < 60
