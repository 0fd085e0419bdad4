"""Reading and checking a plan file (the format is documented in docs/plan-format.md).

Every problem is reported with the JSON path where it is, so a council can fix its file;
nothing is imported unless the whole file passes.
"""
from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from board.services.kpis import measure_name
from board.services.owner_roles import canonical_role_name
from board.services.plan_schema import REF_PATTERN, SHORT, schema_problems

_SEE_ACTIONS = re.compile(
    r"\bsee\s+actions?\s+(?P<refs>[\w.]+(?:\s*(?:-|–|,|and)\s*[\w.]+)*)", re.IGNORECASE
)
_DIGITS = re.compile(r"[0-9]{1,9}")
_REF = re.compile(REF_PATTERN)
MAX_FILE_BYTES = 5_000_000
# A valid plan is ten levels deep (plan, areas, area, outcomes, outcome, actions, action, parts, part,
# owners); anything far deeper is not a plan, and deep enough would exhaust Python's stack.
MAX_DEPTH = 20
# "See actions 1.5-1.8" is spelt out ref by ref; a range longer than this is read as its two ends.
MAX_RANGE = 100


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
        with Path(path).open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PlanFileInvalid([Problem("$", f"cannot read the file: {exc}")]) from exc
    return parse_plan_bytes(raw)


def parse_plan_bytes(raw: bytes) -> dict:
    """Decode (UTF-8), parse and check a plan file's bytes; raise PlanFileInvalid listing every problem."""
    if len(raw) > MAX_FILE_BYTES:
        raise PlanFileInvalid([_too_large()])
    # A byte order mark (as some Windows editors write) is accepted and dropped.
    skipped = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[skipped:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileInvalid([Problem(
            "$", f"is not UTF-8 text (byte 0x{raw[skipped + exc.start]:02x} at byte {skipped + exc.start + 1}): "
                 "save the file as UTF-8")]) from None
    return parse_plan_text(text)


def parse_plan_text(text: str) -> dict:
    """Parse and check the text of a plan file; raise PlanFileInvalid listing every problem."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise PlanFileInvalid([_too_large()])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileInvalid(
            [Problem("$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        ) from None
    except RecursionError:
        raise PlanFileInvalid([_too_deep()]) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise PlanFileInvalid([Problem("$", "holds a number with too many digits")]) from None
    problems = validate_plan(data)
    if problems:
        raise PlanFileInvalid(problems)
    return data


def _too_large() -> Problem:
    return Problem("$", f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB, too large for a plan")


def _too_deep() -> Problem:
    return Problem("$", f"nested too deeply (a plan has at most {MAX_DEPTH} levels of lists and objects)")


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
    """Both ends in one area, in order, and short enough to spell out ("1.1-1.99999" is not)."""
    a, b = start.split("."), end.split(".")
    return (len(a) == len(b) == 2 and a[0] == b[0] and _DIGITS.fullmatch(a[1]) is not None
            and _DIGITS.fullmatch(b[1]) is not None and 0 <= int(b[1]) - int(a[1]) < MAX_RANGE)


def action_see_also(action: dict) -> list[str]:
    """Explicit `see_also` if given, else refs read from the action text."""
    if isinstance(action.get("see_also"), list):
        return action["see_also"]
    return expand_see_also(action.get("text", "") if isinstance(action.get("text"), str) else "")


def validate_plan(data: Any) -> list[Problem]:
    """Every problem in a parsed plan file, each with its JSON path; empty when the plan is valid."""
    if _deeper_than(data, MAX_DEPTH):
        return [_too_deep()]
    problems = [Problem(path, message) for path, message in schema_problems(data)]
    if isinstance(data, dict):
        problems += _CrossCheck(data).problems
    return problems


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (without recursing, so any depth is safe)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _entries(parent: dict, key: str, path: str):
    """(path, entry) for each object in parent[key], skipping what the schema already refused."""
    items = parent.get(key)
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield f"{path}.{key}[{index}]" if path else f"{key}[{index}]", item


class _CrossCheck:
    """The rules that look across the plan rather than at one value: duplicate area numbers and refs,
    pointers to refs not in the plan, owners and due left empty outside a pointer, owner roles and KPI
    measures as the importer will name them. Values of the wrong type are left to the schema."""

    def __init__(self, data: dict) -> None:
        self.problems: list[Problem] = []
        aliases = data.get("owner_aliases")
        self.aliases = aliases if _all_text(aliases) else {}
        self.first_seen: dict[str, str] = {}
        pointers: list[tuple[str, list[str]]] = []
        area_numbers: dict[int, str] = {}
        for a_path, area in _entries(data, "areas", ""):
            number = area.get("number")
            if type(number) is int and number in area_numbers:
                self.add(f"{a_path}.number", f"duplicate of area {number} ({area_numbers[number]})")
            elif type(number) is int:
                area_numbers[number] = a_path
            for o_path, outcome in _entries(area, "outcomes", a_path):
                for x_path, action in _entries(outcome, "actions", o_path):
                    pointers += self.action(action, x_path)
        for path, refs in pointers:
            for ref in refs:
                if ref not in self.first_seen:
                    self.add(path, f"points to action {ref}, which is not in the plan")
        self.figures(data.get("performance"))

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def action(self, action: dict, path: str) -> list[tuple[str, list[str]]]:
        """Check one action; return its pointers (path, refs) to check once every ref is known."""
        ref = action.get("ref")
        if isinstance(ref, str) and _REF.match(ref):
            if ref in self.first_seen:
                self.add(f"{path}.ref", f"duplicate of {ref} (first at {self.first_seen[ref]})")
            else:
                self.first_seen[ref] = path
        see_also = [r for r in action_see_also(action) if isinstance(r, str)]
        # A malformed ref in an explicit list is the schema's to report; one read from the text is not.
        pointed = [r for r in see_also if "see_also" not in action or _REF.match(r)]
        owners, due = action.get("owners"), action.get("due")
        if not see_also:
            if owners == []:
                self.add(f"{path}.owners", "must not be empty")
            if isinstance(due, str) and not due.strip():
                self.add(f"{path}.due", "must not be empty (write TBC when not yet known)")
        for index, owner in enumerate(owners if isinstance(owners, list) else []):
            if isinstance(owner, str) and len(canonical_role_name(owner, self.aliases)) > SHORT:
                self.add(f"{path}.owners[{index}]", f"is longer than {SHORT} characters once tidied")
        return [(f"{path}.see_also" if "see_also" in action else f"{path}.text", pointed)] if pointed else []

    def figures(self, performance: Any) -> None:
        """Each figure's label names one KPI measure (the words before any ", of which")."""
        measures: dict[str, str] = {}
        for path, figure in _entries(performance if isinstance(performance, dict) else {}, "figures",
                                     "performance"):
            label = figure.get("label")
            if not isinstance(label, str) or not label.strip():
                continue
            name = measure_name(label)
            if not name.strip():
                self.add(f"{path}.label", 'must say what is counted before ", of which"')
            elif name in measures:
                self.add(f"{path}.label", f"names the same measure as {measures[name]}")
            else:
                measures[name] = f"{path}.label"


def _all_text(mapping: Any) -> bool:
    return isinstance(mapping, dict) and all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in mapping.items())
