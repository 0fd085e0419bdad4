"""What a highlight report holds, as plain data that can be stored whole (a publication's snapshot).

The same model renders the live report, a draft's preview and a published paper, so a publication is
drawn only from what it stored: later changes on the board never reach it. People are kept as both
name and role; the page shows one or the other as its reader may see (committees read roles).
"""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

SNAPSHOT_SCHEMA = 1


class Narrative(BaseModel):
    """The plan owner's words for the committee."""

    summary: str = ""
    achievements: str = ""
    concerns: str = ""
    decisions: str = ""
    area_commentary: dict[str, str] = Field(default_factory=dict)  # area number -> words

    @property
    def written(self) -> bool:
        return any((self.summary, self.achievements, self.concerns, self.decisions, *self.area_commentary.values()))


class ActionLine(BaseModel):
    """One action at the period's start and end."""

    ref: str
    area: int
    text: str
    owners: list[str]                 # owner roles' short forms
    status_start: str
    status_end: str
    direction: str                    # a Direction value
    due_start: str
    due_end: str
    overdue: bool
    not_started_overdue: bool = False
    days_overdue: int = 0
    stale: bool
    completed_on: date | None = None  # when it became Complete, if it is
    completion: str | None = None     # "completed on time", "completed 6 weeks late"
    awaiting_sign_off: bool = False
    evidenced: bool = False           # a note a committee may read backs it


class ExceptionLine(BaseModel):
    ref: str
    text: str
    status: str
    flags: list[str]                  # in words: "overdue by 6 weeks", "stale", "no evidence"...
    latest: str | None = None         # the latest reason given, else the latest evidence a committee may read


class ExceptionGroup(BaseModel):
    """One area's exceptions, worst first: a few in full, the rest by ref."""

    area: int
    title: str
    summary: str
    lines: list[ExceptionLine]
    more: list[ExceptionLine] = Field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lines) + len(self.more)


class CompletedLine(BaseModel):
    ref: str
    text: str
    completed_on: date
    completion: str | None
    evidence: str | None
    evidence_link: str | None
    awaiting_sign_off: bool


class OutcomeLine(BaseModel):
    area: int
    text: str
    rating_start: str | None
    rating_end: str | None
    comment: str | None = None
    comment_on: date | None = None
    by_name: str = ""
    by_role: str = ""


class AreaLine(BaseModel):
    number: int
    title: str
    start: dict[str, int]             # status value -> actions
    end: dict[str, int]
    total: int
    overdue: int
    stale: int
    directions: dict[str, list[str]]  # Direction value -> refs (No change left out)


class RagWords(BaseModel):
    """A value's rating as the scorecard words it (read by partials/measure_macros.html)."""

    value: str                        # a scorecard Rag value
    label: str                        # "Green", "Context"
    meaning: str                      # "on target", "not rated"


class MeasureCell(BaseModel):
    value: str | None = None          # as people read it ("2,031", "61%"); None: no value for the period
    rag: RagWords | None = None
    quality_note: str | None = None   # where the figure as printed does not add up
    corrected: bool = False


class TravelWords(BaseModel):
    arrow: str
    word: str
    detail: str
    kind: str


class TrendShape(BaseModel):
    """A measure's small trend line as drawn on the scorecard (board/services/scorecard.py `Trend`)."""

    points: str
    dots: list[tuple[float, float, str]]
    target_y: float | None
    band: tuple[float, float] | None
    width: int
    height: int


class MeasureLine(BaseModel):
    name: str
    target_words: str                 # "Target 90% (higher is better, Amber within 5%)"
    part_of: bool = False             # an "of which" figure of the measure above
    cells: list[MeasureCell]          # one per period of its group
    travel: TravelWords               # "Improving: up 3 since 2023/24 Q1"
    trend_words: str
    trend_shape: TrendShape | None = None

    def trend(self) -> TrendShape | None:
        """The trend line, as the scorecard's series gives it (so the same macro draws both)."""
        return self.trend_shape


class MeasureGroup(BaseModel):
    """The scorecard's measures of one frequency as recorded by the period's end, its latest periods."""

    frequency: str                    # "Quarterly"
    periods: list[str]                # as people read them: "2023/24 Q2"
    rows: list[MeasureLine]
    notes: list[str] = Field(default_factory=list)  # data-quality notes, beside the figures they concern


class TrendPoint(BaseModel):
    on: date
    counts: dict[str, int]


class ShortForm(BaseModel):
    short: str
    initials: str
    name: str


class ReportSnapshot(BaseModel):
    """A highlight report for a period, as at its end."""

    schema_version: int = SNAPSHOT_SCHEMA
    plan_title: str
    organisation: str = ""
    plan_period: str = ""
    objective: str = ""
    owner_name: str = ""
    owner_role: str = ""
    start: date
    end: date
    built_at: datetime
    stale_days: int
    require_sign_off: bool
    narrative: Narrative
    areas: list[AreaLine]
    actions: list[ActionLine]
    exceptions: list[ExceptionGroup]
    completed: list[CompletedLine]
    outcomes: list[OutcomeLine]
    outcomes_not_rated: int
    measures: list[MeasureGroup]
    trend: list[TrendPoint]
    short_forms: list[ShortForm]

    @property
    def total(self) -> int:
        return len(self.actions)

    def count(self, status: str, at: str = "end") -> int:
        return sum(area.start[status] if at == "start" else area.end[status] for area in self.areas)

    @property
    def overdue(self) -> int:
        return sum(area.overdue for area in self.areas)

    @property
    def stale(self) -> int:
        return sum(area.stale for area in self.areas)

    @property
    def exception_count(self) -> int:
        return sum(group.count for group in self.exceptions)

    def direction_count(self, value: str) -> int:
        return sum(line.direction == value for line in self.actions)
