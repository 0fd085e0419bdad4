"""Reporting periods of a measure, by its frequency, in the council's financial year (April to March).

A period is kept as a short key that sorts in time order: "2023-08" (a month), "2023/24 Q2" (a quarter,
Q1 is April to June), "2023/24" (a year). People may also write "Aug 2023" or "Q2 2023/24".
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from models import Frequency

MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
QUARTER = re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2}) Q(?P<q>[1-4])$")
QUARTER_FIRST = re.compile(r"^Q(?P<q>[1-4]) (?P<start>\d{4})/(?P<end>\d{2})$")
YEAR = re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2})$")
EXAMPLES = {Frequency.MONTHLY: "2023-08 or Aug 2023", Frequency.QUARTERLY: "2023/24 Q2",
            Frequency.YEARLY: "2023/24"}
FIRST_YEAR, LAST_YEAR = 2000, 2098


class PeriodRefused(ValueError):
    pass


def example(frequency: Frequency | str) -> str:
    return EXAMPLES[Frequency(frequency)]


def _financial_year(start: str, end: str) -> int:
    year = int(start)
    if (year + 1) % 100 != int(end) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodRefused
    return year


def _month(text: str) -> str:
    match = MONTH.match(text)
    if match:
        year, month = int(match["year"]), int(match["month"])
    else:
        try:
            moment = datetime.strptime(text.title(), "%b %Y")
        except ValueError:
            moment = datetime.strptime(text.title(), "%B %Y")
        year, month = moment.year, moment.month
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise PeriodRefused
    return f"{year:04d}-{month:02d}"


def check(frequency: Frequency | str, text: str) -> str:
    """The period's key, or PeriodRefused saying how to write one for this frequency."""
    frequency = Frequency(frequency)
    text = " ".join((text or "").split())
    try:
        if frequency is Frequency.MONTHLY:
            return _month(text)
        if frequency is Frequency.QUARTERLY:
            match = QUARTER.match(text) or QUARTER_FIRST.match(text.upper())
            if match:
                return f"{_financial_year(match['start'], match['end'])}/{match['end']} Q{match['q']}"
        else:
            match = YEAR.match(text)
            if match:
                return f"{_financial_year(match['start'], match['end'])}/{match['end']}"
    except (PeriodRefused, ValueError):
        pass
    raise PeriodRefused(f"Write the period like {example(frequency)}.")


def bounds(key: str) -> tuple[date, date]:
    """The first and last day of a period (any frequency's key)."""
    if match := MONTH.match(key):
        year, month = int(match["year"]), int(match["month"])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if match := QUARTER.match(key):
        first_month = 4 + 3 * (int(match["q"]) - 1)
        year = int(match["start"]) + (first_month - 1) // 12
        first_month = (first_month - 1) % 12 + 1
        last = first_month + 2
        return date(year, first_month, 1), date(year, last, calendar.monthrange(year, last)[1])
    start = int(YEAR.match(key)["start"])
    return date(start, 4, 1), date(start + 1, 3, 31)


def label(key: str) -> str:
    """How a period reads: "Aug 2023", "2023/24 Q2", "2023/24"."""
    if MONTH.match(key):
        return bounds(key)[0].strftime("%b %Y")
    return key
