"""Reading and checking a plan file (the format is documented in docs/plan-format.md).

Every problem is reported with the JSON path where it is, so a council can fix its file;
nothing is imported unless the whole file passes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from board.services.due import DueNotUnderstood, parse_due

_SEE_ACTIONS = re.compile(
    r"\bsee\s+actions?\s+(?P<refs>[\w.]+(?:\s*(?:-|–|,|and)\s*[\w.]+)*)", re.IGNORECASE
)
MAX_TEXT = 5000


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PlanFileInvalid(Exception):
    """The plan file was refused; `problems` lists every reason with its JSON path."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the plan file")
        self.problems = problems


def load_plan_file(path: str | Path) -> dict:
    """Read and check a plan file; raise PlanFileInvalid listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileInvalid([Problem("$", f"cannot read the file: {exc}")]) from exc
    return parse_plan_text(text)


def parse_plan_text(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileInvalid(
            [Problem("$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from exc
    problems = validate_plan(data)
    if problems:
        raise PlanFileInvalid(problems)
    return data


def expand_see_also(text: str) -> list[str]:
    """Refs named in "See actions 1.5-1.8" style text, ranges expanded within one area."""
    match = _SEE_ACTIONS.search(text)
    if not match:
        return []
    refs: list[str] = []
    for piece in re.split(r"\s*(?:,|and)\s*", match["refs"]):
        ends = re.split(r"\s*[-–]\s*", piece.strip().rstrip("."))
        if len(ends) == 2 and _same_area_range(*ends):
            area, first = ends[0].split(".")
            last = ends[1].split(".")[1]
            refs.extend(f"{area}.{n}" for n in range(int(first), int(last) + 1))
        else:
            refs.extend(end for end in ends if end)
    return refs


def _same_area_range(start: str, end: str) -> bool:
    a, b = start.split("."), end.split(".")
    return (len(a) == len(b) == 2 and a[0] == b[0] and a[1].isdigit() and b[1].isdigit()
            and int(a[1]) <= int(b[1]))


def action_see_also(action: dict) -> list[str]:
    """Explicit `see_also` if given, else refs read from the action text."""
    if isinstance(action.get("see_also"), list):
        return action["see_also"]
    return expand_see_also(action.get("text", "") if isinstance(action.get("text"), str) else "")


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def text(self, obj: dict, key: str, path: str, *, required: bool = True,
             allow_empty: bool = False) -> str | None:
        where = f"{path}.{key}" if path else key
        if key not in obj:
            if required:
                self.add(where, "missing")
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.add(where, f"must be text, not {_type_name(value)}")
            return None
        if not allow_empty and not value.strip():
            self.add(where, "must not be empty")
        elif len(value) > MAX_TEXT:
            self.add(where, f"is longer than {MAX_TEXT} characters")
        return value

    def list_of(self, obj: dict, key: str, path: str, *, required: bool = True,
                non_empty: bool = True) -> list | None:
        where = f"{path}.{key}" if path else key
        if key not in obj:
            if required:
                self.add(where, "missing")
            return None
        value = obj[key]
        if not isinstance(value, list):
            self.add(where, f"must be a list, not {_type_name(value)}")
            return None
        if non_empty and not value:
            self.add(where, "must not be empty")
        return value


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def validate_plan(data: Any) -> list[Problem]:
    """Every problem in a parsed plan file, each with its JSON path; empty when the plan is valid."""
    check = _Checker()
    if not isinstance(data, dict):
        check.add("$", f"the plan must be a JSON object, not {_type_name(data)}")
        return check.problems
    check.text(data, "title", "")
    for key in ("organisation", "period", "objective", "principle"):
        check.text(data, key, "", required=False, allow_empty=True)
    _check_header(check, data)
    areas = check.list_of(data, "areas", "")
    first_seen: dict[str, str] = {}
    pointers: list[tuple[str, list[str]]] = []
    area_numbers: dict[int, str] = {}
    for a_index, area in enumerate(areas or []):
        _check_area(check, area, f"areas[{a_index}]", area_numbers, first_seen, pointers)
    for path, refs in pointers:
        for ref in refs:
            if ref not in first_seen:
                check.add(path, f"points to action {ref}, which is not in the plan")
    return check.problems


def _check_header(check: _Checker, data: dict) -> None:
    owner = data.get("plan_owner")
    if owner is not None:
        if isinstance(owner, dict):
            check.text(owner, "name", "plan_owner", required=False, allow_empty=True)
            check.text(owner, "role", "plan_owner", required=False, allow_empty=True)
        else:
            check.add("plan_owner", f"must be an object, not {_type_name(owner)}")
    for p_index, pillar in enumerate(check.list_of(data, "pillars", "", required=False,
                                                   non_empty=False) or []):
        path = f"pillars[{p_index}]"
        if not isinstance(pillar, dict):
            check.add(path, f"must be an object, not {_type_name(pillar)}")
            continue
        check.text(pillar, "statement", path)
        check.text(pillar, "how_we_succeed", path, required=False, allow_empty=True)
        check.text(pillar, "impact_kpis", path, required=False, allow_empty=True)
    for key in ("performance", "audit"):
        if key in data and not isinstance(data[key], dict):
            check.add(key, f"must be an object, not {_type_name(data[key])}")
    aliases = data.get("owner_aliases")
    if aliases is not None and not (
        isinstance(aliases, dict) and all(isinstance(v, str) for v in aliases.values())
    ):
        check.add("owner_aliases", "must be an object mapping a spelling to its canonical role")


def _check_area(check, area, path, area_numbers, first_seen, pointers) -> None:
    if not isinstance(area, dict):
        check.add(path, f"must be an object, not {_type_name(area)}")
        return
    number = area.get("number")
    if "number" not in area:
        check.add(f"{path}.number", "missing")
    elif not isinstance(number, int) or isinstance(number, bool) or number < 1:
        check.add(f"{path}.number", "must be a whole number from 1")
    elif number in area_numbers:
        check.add(f"{path}.number", f"duplicate of area {number} ({area_numbers[number]})")
    else:
        area_numbers[number] = path
    check.text(area, "title", path)
    check.text(area, "overall_effectiveness", path, allow_empty=True)
    for o_index, outcome in enumerate(check.list_of(area, "outcomes", path) or []):
        o_path = f"{path}.outcomes[{o_index}]"
        if not isinstance(outcome, dict):
            check.add(o_path, f"must be an object, not {_type_name(outcome)}")
            continue
        check.text(outcome, "text", o_path)
        for x_index, action in enumerate(check.list_of(outcome, "actions", o_path) or []):
            _check_action(check, action, f"{o_path}.actions[{x_index}]", first_seen, pointers)


def _check_action(check, action, path, first_seen, pointers) -> None:
    if not isinstance(action, dict):
        check.add(path, f"must be an object, not {_type_name(action)}")
        return
    ref = check.text(action, "ref", path)
    if isinstance(ref, str) and ref.strip():
        if ref != ref.strip() or len(ref) > 20 or " " in ref:
            check.add(f"{path}.ref", "must be a short reference without spaces, like 2.7")
        elif ref in first_seen:
            check.add(f"{path}.ref", f"duplicate of {ref} (first at {first_seen[ref]})")
        else:
            first_seen[ref] = path
    check.text(action, "text", path)
    see_also = _check_see_also(check, action, path)
    is_pointer = bool(see_also)
    owners = check.list_of(action, "owners", path, non_empty=not is_pointer)
    for w_index, owner in enumerate(owners or []):
        if not isinstance(owner, str) or not owner.strip():
            check.add(f"{path}.owners[{w_index}]", "must be a role name (non-empty text)")
    due = check.text(action, "due", path, allow_empty=True)
    if isinstance(due, str):
        if not due.strip() and not is_pointer:
            check.add(f"{path}.due", "must not be empty (write TBC when not yet known)")
        else:
            try:
                parse_due(due)
            except DueNotUnderstood as exc:
                check.add(f"{path}.due", str(exc))
    if see_also:
        pointers.append((f"{path}.see_also" if "see_also" in action else f"{path}.text", see_also))
    parts = check.list_of(action, "parts", path, required=False)
    for p_index, part in enumerate(parts or []):
        p_path = f"{path}.parts[{p_index}]"
        if not isinstance(part, dict):
            check.add(p_path, f"must be an object, not {_type_name(part)}")
            continue
        check.text(part, "text", p_path)
        check.text(part, "due", p_path, required=False, allow_empty=True)


def _check_see_also(check, action, path) -> list[str]:
    if "see_also" in action:
        value = action["see_also"]
        if not isinstance(value, list) or not all(isinstance(r, str) and r for r in value):
            check.add(f"{path}.see_also", "must be a list of action refs")
            return []
    return action_see_also(action)
