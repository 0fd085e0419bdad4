from datetime import date

import pytest

from board.services.due import DueNotUnderstood, cadence_days, cadence_label, parse_due


@pytest.mark.parametrize("printed, expected", [
    ("Sept 2023", date(2023, 9, 30)),
    ("Oct 2023", date(2023, 10, 31)),
    ("November 2023", date(2023, 11, 30)),
    ("Feb 2024", date(2024, 2, 29)),
    ("March 24", date(2024, 3, 31)),
    ("Oct/Nov 2023", date(2023, 11, 30)),
    ("August 2024", date(2024, 8, 31)),
    ("2024-01-15", date(2024, 1, 15)),
])
def test_month_becomes_end_of_that_month(printed, expected):
    due = parse_due(printed)
    assert due.date == expected
    assert due.cadence is None
    assert due.text == printed


@pytest.mark.parametrize("printed, cadence", [
    ("Weekly", "weekly"),
    ("Fortnightly", "fortnightly"),
    ("Monthly monitoring", "monthly"),
    ("Quarterly review", "quarterly"),
    ("Quarterly Monitoring", "quarterly"),
    ("Quarterly reports to the Improvement and Impact Board from November 2023 (Q2)", "quarterly"),
    ("Termly and annual review", "termly"),
    ("Annual", "annual"),
    ("Every 8 weeks", "every-8-weeks"),
])
def test_recurring_text_becomes_a_cadence(printed, cadence):
    due = parse_due(printed)
    assert due.cadence == cadence
    assert due.date is None
    assert due.text == printed


def test_tbc_is_neither_date_nor_cadence():
    due = parse_due("TBC")
    assert (due.date, due.cadence, due.text) == (None, None, "TBC")


@pytest.mark.parametrize("printed", ["Octember 2023", "soon", "2023-02-30", "Q3"])
def test_anything_else_is_refused(printed):
    with pytest.raises(DueNotUnderstood):
        parse_due(printed)


def test_cadence_labels_and_days():
    assert cadence_label("every-8-weeks") == "Every 8 weeks"
    assert cadence_label("quarterly") == "Quarterly"
    assert cadence_days("every-8-weeks") == 56
    assert cadence_days("weekly") == 7
