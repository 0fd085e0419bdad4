"""The shape of a plan file (docs/plan-format.md), as pydantic models, and its problems in plain words.

The models check types, required keys, unknown keys, ranges, text lengths and characters; checks that
look across the plan (duplicate refs, "see actions" pointers) live in plan_file.py. Validation is strict:
JSON types must match exactly ("5" is not the number 5), so the checked dict can be imported as it is.
"""
from __future__ import annotations

import difflib
import json
import math
import re
import typing
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from board.services.due import DueNotUnderstood, parse_due

FORMAT = "improvement-plan/1"
REF_PATTERN = r"^[0-9]+\.[0-9]+$"
# Control characters break exports and databases (a NUL ends a PostgreSQL text, XLSX refuses most of
# them); tab, line feed and carriage return are ordinary text. Lone surrogates and U+FFFE/U+FFFF are
# not characters at all and cannot be written as UTF-8 or XML.
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Long texts (action, outcome, objective...) and short ones (titles, names, labels), within the
# database columns that hold them.
LONG = 5000
SHORT = 300


def _no_forbidden_characters(value: str) -> str:
    found = _FORBIDDEN_CHARACTER.search(value)
    if found:
        code = ord(found.group())
        what = "a control character" if code < 0xA0 else "a code that is not a character"
        raise PydanticCustomError(
            "forbidden_character", "contains {what} (U+{code}) at character {position}; remove it",
            {"what": what, "code": f"{code:04X}", "position": found.start() + 1},
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_text", "must not be empty")
    return value


def _due_understood(value: str) -> str:
    try:
        parse_due(value)
    except DueNotUnderstood as exc:
        raise PydanticCustomError("due_not_understood", "{reason}", {"reason": str(exc)}) from None
    return value


def _text(max_length: int) -> Any:
    """Text that may be empty."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_forbidden_characters)]


def _required_text(max_length: int) -> Any:
    """Text with something in it besides spaces."""
    return Annotated[_text(max_length), AfterValidator(_not_blank)]


LongText = _text(LONG)
ShortText = _text(SHORT)
RequiredLongText = _required_text(LONG)
RequiredShortText = _required_text(SHORT)
NameText = _text(200)
PeriodText = _text(100)
LabelText = _required_text(200)
RoleName = _required_text(SHORT)
PartDueText = _text(200)
DueText = Annotated[_text(200), AfterValidator(_due_understood)]
Ref = Annotated[str, Field(max_length=20, pattern=REF_PATTERN, description="a reference like 2.7")]
AreaNumber = Annotated[int, Field(ge=1, le=999, description="a whole number from 1 to 999")]
Count = Annotated[int, Field(ge=0, le=10_000_000, description="a whole number from 0 to 10,000,000")]
Figure = Annotated[float, Field(ge=0, le=10_000_000, allow_inf_nan=False,
                                description="a number from 0 to 10,000,000")]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, description="a number from 0 to 100")]


class _Entry(BaseModel):
    # Unknown keys are refused: a misspelt "ownrs" would otherwise vanish without a word.
    # Each model's title is how problems name it ("is not a key an action can have").
    model_config = ConfigDict(strict=True, extra="forbid", title="an entry")


class ActionPart(_Entry):
    model_config = ConfigDict(title="a part of an action")
    text: RequiredLongText
    owners: list[RoleName] = Field(default=[], max_length=50)
    due: PartDueText = ""


SlugText = Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                                description="a plan's name in URLs, like 2023-24")]
StatusValue = Literal["not_started", "red", "amber", "green", "complete"]


class CarriedFrom(_Entry):
    model_config = ConfigDict(title="where an action was carried from")
    plan: SlugText
    ref: Ref


class ActionEntry(_Entry):
    model_config = ConfigDict(title="an action")
    ref: Ref
    text: RequiredLongText
    # May be empty (and due blank) only for a pointer action: checked across the plan in plan_file.py.
    owners: list[RoleName] = Field(max_length=50)
    due: DueText
    see_also: list[Ref] = Field(default=[], max_length=100)
    parts: list[ActionPart] = Field(default=[], max_length=50)
    # Lineage: this action continues an earlier plan's action (checked against the database on import).
    carried_from: CarriedFrom = None
    # Its status when the plan is imported (default: carried over, else Not started); never changes it later.
    status: StatusValue = None


class OutcomeEntry(_Entry):
    model_config = ConfigDict(title="an outcome")
    text: RequiredLongText
    actions: list[ActionEntry] = Field(min_length=1)


class AreaEntry(_Entry):
    model_config = ConfigDict(title="an area")
    number: AreaNumber
    title: RequiredShortText
    overall_effectiveness: LongText
    outcomes: list[OutcomeEntry] = Field(min_length=1)


class PlanOwner(_Entry):
    model_config = ConfigDict(title="the plan owner")
    name: NameText = ""
    role: ShortText = ""


class Pillar(_Entry):
    model_config = ConfigDict(title="a pillar")
    statement: RequiredLongText
    emphasis: list[RequiredShortText] = []
    how_we_succeed: LongText = ""
    impact_kpis: LongText = ""


class FigureOfWhich(_Entry):
    model_config = ConfigDict(title="an 'of which' figure")
    value: Figure
    label: LabelText


class PerformanceFigure(_Entry):
    model_config = ConfigDict(title="a performance figure")
    value: Figure
    # The label names a KPI measure (see kpis.measure_name), so it stays well inside that column.
    label: LabelText
    of_which: FigureOfWhich = None  # may be left out; null is refused like any other wrong type


class Performance(_Entry):
    model_config = ConfigDict(title="the performance section")
    period: PeriodText = ""
    intro: LongText = ""
    figures: list[PerformanceFigure] = []


class AuditResult(_Entry):
    model_config = ConfigDict(title="an audit result")
    text: RequiredLongText
    percent: Percent = None
    cases: Count = None
    grade: ShortText = ""


class Audit(_Entry):
    model_config = ConfigDict(title="the audit section")
    intro: LongText = ""
    results: list[AuditResult] = []


class PlanFile(_Entry):
    """A whole plan file. Optional sections may be left out; `null` is refused like any wrong type."""

    model_config = ConfigDict(title="the plan")
    format: Literal[FORMAT] = FORMAT
    title: RequiredShortText
    organisation: NameText = ""
    period: PeriodText = ""
    objective: LongText = ""
    plan_owner: PlanOwner = None
    principle: LongText = ""
    pillars: list[Pillar] = []
    performance: Performance = None
    audit: Audit = None
    owner_aliases: dict[RoleName, RoleName] = {}
    areas: list[AreaEntry] = Field(min_length=1)


def schema_problems(data: Any) -> list[tuple[str, str]]:
    """Every way `data` does not fit the models, as (JSON path, plain-English message) pairs."""
    try:
        PlanFile.model_validate(data)
    except ValidationError as invalid:
        return [_describe(error) for error in invalid.errors(include_url=False)]
    return []


# What a council officer is told; pydantic's own wording is kept only for error types not listed here.
_NUMBER_ERRORS = {"int_type", "float_type", "finite_number", "greater_than_equal", "less_than_equal",
                  "int_from_float", "greater_than", "less_than"}
_OBJECT_ERRORS = {"model_type", "dict_type", "model_attributes_type"}
_PLAIN_ERRORS = {"forbidden_character", "blank_text", "due_not_understood"}


def _describe(error: dict) -> tuple[str, str]:
    path, rule, model, is_key = _locate(error["loc"])
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in _PLAIN_ERRORS:
        message = error["msg"]
    elif kind == "missing":
        message = "missing"
    elif kind == "extra_forbidden":
        message = _unknown_key(str(error["loc"][-1]), model)
    elif kind in ("string_type", "string_sub_type"):
        message = f"must be text (in quotes), not {_kind_of(value)}"
    elif kind == "string_unicode":
        message = "contains a broken character (half of a UTF-16 pair); remove it"
    elif kind == "string_too_long":
        message = f"is longer than {ctx['max_length']:,} characters"
    elif kind == "string_pattern_mismatch":
        message = f"must be {rule or 'text of the expected form'}, not {_shown(value)}"
    elif kind in _NUMBER_ERRORS and isinstance(value, str):
        message = f"must be {rule or 'a number'}, written without quotes, not text {_shown(value)}"
    elif kind in _NUMBER_ERRORS:
        message = f"must be {rule or 'a number'}, not {_shown(value)}"
    elif kind == "list_type":
        message = f"must be a list [...], not {_kind_of(value)}"
    elif kind in _OBJECT_ERRORS:
        message = f"must be an object {{...}}, not {_kind_of(value)}"
        if not error["loc"]:
            message = f"the plan must be a JSON object, not {_kind_of(value)}"
    elif kind == "too_short":
        message = "must not be empty"
    elif kind == "too_long":
        message = f"has more than {ctx['max_length']:,} entries"
    elif kind == "literal_error":
        message = f"must be {ctx['expected']}, not {_shown(value)}"
    else:
        message = error["msg"]
    return path, (f"(the key itself) {message}" if is_key else message)


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return "is not part of the plan format"
    known = list(model.model_fields)
    noun = model.model_config.get("title", "this entry")
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if guess:
        return f'is not a key {noun} can have: did you mean "{guess[0]}"?'
    return f"is not a key {noun} can have (its keys are {', '.join(known)})"


def _locate(loc: tuple) -> tuple[str, str | None, type[BaseModel] | None, bool]:
    """For a pydantic location: its JSON path, the rule of the value there in words (a field's
    description), the model holding the last key, and whether the problem is with a key of a mapping
    (owner_aliases) rather than with its value."""
    path, kind, rule, model, is_key = "", PlanFile, None, None, False
    for part in loc:
        if part == "[key]":
            is_key = True
        elif isinstance(part, int):
            path += f"[{part}]"
            kind = _inner(kind, 0)
            rule = _description(kind)
        elif _is_model(kind):
            model, field = kind, kind.model_fields.get(part)
            kind = field.annotation if field is not None else None
            rule = field.description if field is not None else None
            path += f".{part}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) else f"[{json.dumps(part)}]"
        else:  # a key of a mapping
            path += f"[{json.dumps(part)}]"
            kind = _inner(kind, 1)
            rule = _description(kind)
    return path.removeprefix(".") or "$", rule, model, is_key


def _inner(kind: Any, index: int) -> Any:
    """The item type of list[X] (index 0) or the value type of dict[K, V] (index 1)."""
    while typing.get_origin(kind) is Annotated:
        kind = typing.get_args(kind)[0]
    args = typing.get_args(kind)
    return args[min(index, len(args) - 1)] if args else None


def _description(kind: Any) -> str | None:
    """The description given in Annotated[..., Field(description=...)], if any."""
    if typing.get_origin(kind) is not Annotated:
        return None
    return next((meta.description for meta in typing.get_args(kind)[1:]
                 if isinstance(meta, FieldInfo) and meta.description), None)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return {dict: "an object", list: "a list", str: "text", type(None): "null"}.get(type(value), "a value")


def _shown(value: Any) -> str:
    """A wrong value as the officer wrote it, short enough to read."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return _kind_of(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity"
    if isinstance(value, int) and abs(value) >= 10**15:
        # Python refuses str() of an int past 4,300 digits (and it would not help anyone to read it).
        digits = len(str(abs(value))) if value.bit_length() < 10_000 else "thousands of"
        return f"a number with {digits} digits"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else f"{value[:40]!r}..."
    return repr(value)
