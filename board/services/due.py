"""Reading a due cell as printed ("Sept 2023", "Quarterly review", "TBC") into a date or a cadence."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}

# Cadence key -> (label, days between expected updates).
CADENCES = {
    "weekly": ("Weekly", 7),
    "fortnightly": ("Fortnightly", 14),
    "monthly": ("Monthly", 31),
    "quarterly": ("Quarterly", 92),
    "termly": ("Termly", 122),
    "annual": ("Annual", 366),
}

_CADENCE_WORDS = [
    (re.compile(r"\bevery\s+(\d{1,2})\s+weeks?\b", re.IGNORECASE), None),
    (re.compile(r"\bweekly\b", re.IGNORECASE), "weekly"),
    (re.compile(r"\b(fortnightly|bi-weekly)\b", re.IGNORECASE), "fortnightly"),
    (re.compile(r"\bmonthly\b", re.IGNORECASE), "monthly"),
    (re.compile(r"\bquarterly\b", re.IGNORECASE), "quarterly"),
    (re.compile(r"\btermly\b", re.IGNORECASE), "termly"),
    (re.compile(r"\b(annual|annually|yearly)\b", re.IGNORECASE), "annual"),
]
_MONTH_YEAR = re.compile(
    r"^(?P<first>[A-Za-z]+)\.?(?:\s*/\s*(?P<second>[A-Za-z]+)\.?)?\s+(?P<year>\d{4}|\d{2})$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CADENCE_START = re.compile(r"\b(?:from|starting(?:\s+in)?|beginning(?:\s+in)?)\s+([A-Za-z]+)\.?\s+(\d{4})\b",
                            re.IGNORECASE)
_UNDECIDED = {"", "tbc", "tbd", "to be confirmed"}
# Work that runs on with no end date and no fixed rhythm: neither a date nor a cadence, like TBC.
_ONGOING = {"ongoing", "on-going", "on going", "continuous", "continuing"}


class DueNotUnderstood(ValueError):
    """The due text is neither a month, a date, a cadence nor TBC."""


@dataclass(frozen=True)
class Due:
    text: str
    date: date | None = None
    cadence: str | None = None
    # A recurring action's first occurrence, when printed: "Quarterly ... from November 2023 (Q2)".
    cadence_start: date | None = None

    @property
    def cadence_label(self) -> str | None:
        return cadence_label(self.cadence)

    @property
    def reading(self) -> str:
        """How the text was read, in words: "31 Oct 2023", "Quarterly", "ongoing" or "to be confirmed"."""
        if self.date is not None:
            return f"{self.date.day} {self.date:%b %Y}"
        if self.cadence is not None:
            return cadence_label(self.cadence) or ""
        return "ongoing" if self.text.lower() in _ONGOING else "to be confirmed"


def cadence_label(cadence: str | None) -> str | None:
    if cadence is None:
        return None
    if cadence in CADENCES:
        return CADENCES[cadence][0]
    weeks = int(cadence.split("-")[1])
    return f"Every {weeks} weeks"


def cadence_days(cadence: str) -> int:
    """How many days may pass between updates of an action with this cadence."""
    if cadence in CADENCES:
        return CADENCES[cadence][1]
    return int(cadence.split("-")[1]) * 7


def end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_due(text: str) -> Due:
    """Read a due cell. A month means its last day; "Oct/Nov 2023" means the later month;
    a two-digit year is 20YY; a recurring word becomes a cadence; TBC, Ongoing or blank is neither.
    A month or date written twice over ("Oct 2023 Oct 2023", as trackers pasted from a PDF hold) is
    read once; the printed text is kept as it is.

    Raises DueNotUnderstood for anything else, so a typo is refused rather than guessed.
    """
    printed = " ".join(text.split())
    if printed.lower() in _UNDECIDED or printed.lower() in _ONGOING:
        return Due(text=printed)
    cadence = _find_cadence(printed)
    if cadence:
        return Due(text=printed, cadence=cadence, cadence_start=_cadence_start(printed))
    once = _said_once(printed)
    if _ISO_DATE.match(once):
        try:
            return Due(text=printed, date=date.fromisoformat(once))
        except ValueError as exc:
            raise DueNotUnderstood(f"{printed!r} is not a real date") from exc
    match = _MONTH_YEAR.match(once)
    if match:
        months = [MONTHS.get(word.lower()) for word in (match["first"], match["second"]) if word]
        if all(months):
            year = int(match["year"])
            year = year + 2000 if year < 100 else year
            return Due(text=printed, date=end_of_month(year, max(months)))
    raise DueNotUnderstood(
        f"{printed!r} is not a month and year (e.g. 'Oct 2023'), a date (YYYY-MM-DD), "
        "a cadence (weekly, fortnightly, monthly, quarterly, termly, annual, every N weeks), Ongoing or TBC"
    )


def _said_once(printed: str) -> str:
    """The first half of a text that is the same words twice ("Oct 2023 Oct 2023"), else the text."""
    words = printed.split(" ")
    half = len(words) // 2
    return " ".join(words[:half]) if half and len(words) % 2 == 0 and words[:half] == words[half:] else printed


def _cadence_start(text: str) -> date | None:
    """The month a cadence starts in ("... from November 2023"): its last day, like any month due."""
    match = _CADENCE_START.search(text)
    month = MONTHS.get(match[1].lower()) if match else None
    return end_of_month(int(match[2]), month) if month else None


def _find_cadence(text: str) -> str | None:
    """The earliest cadence word in the text ("Termly and annual review" is termly)."""
    found = []
    for pattern, key in _CADENCE_WORDS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), key or f"every-{int(match[1])}-weeks"))
    return min(found)[1] if found else None
