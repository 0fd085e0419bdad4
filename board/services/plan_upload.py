"""One way in for every plan file: JSON, an .xlsx or a .csv, from the command line or the browser.

`read_plan` reads the file, completes a spreadsheet from the plan it updates (what a spreadsheet cannot
say is kept), and checks it with the plan file's own rules, each problem at its cell or JSON path; it
raises PlanFileInvalid and writes nothing. `preview_import` says what importing would do, without
writing; `import_checked` imports in one transaction.

Every function here takes the plan the file updates; `plan=None` means a new plan (named by its slug
when it is imported).
"""
from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from board.services import audit
from board.services.due import parse_due
from board.services.lineage import lineage_problems
from board.services.owner_roles import canonical_role_name
from board.services.plan_data import plan_as_data
from board.services.plan_file import (
    MAX_FILE_BYTES,
    PlanFileInvalid,
    Problem,
    parse_plan_bytes,
    validate_plan,
)
from board.services.plan_import import ImportSummary, import_plan, starting_status
from board.services.plan_sheet import carried_from_text
from board.services.plan_sheet_reader import SPREADSHEET_SUFFIXES, locate, read_spreadsheet
from board.services.plans import PlanChoiceError
from models import OwnerRole, Plan, Status, User, db


@dataclass(frozen=True)
class PlanUpload:
    """A plan file read and checked: what the file itself says, and the complete plan data to import."""

    file_name: str
    given: dict
    data: dict


def read_plan_path(path: str | Path, plan: Plan | None) -> dict:
    """Read and check a plan file on disk (see `read_upload`); the plan data to import."""
    try:
        with Path(path).open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PlanFileInvalid([Problem("$", f"cannot read the file: {exc}")]) from exc
    return read_upload(raw, Path(path).name, plan).data


def read_upload(raw: bytes, file_name: str, plan: Plan | None) -> PlanUpload:
    """A .json, .xlsx or .csv file read and checked as an update of `plan` (None: a new plan).

    A JSON file is the whole plan, as it always was. A spreadsheet is completed from `plan` first.
    Raises PlanFileInvalid with every problem, at its cell for a spreadsheet.
    """
    suffix = Path(file_name).suffix.lower()
    if suffix == ".json":
        data = parse_plan_bytes(raw)
        _check_lineage(data, plan, {})
        return PlanUpload(file_name, data, data)
    if suffix not in SPREADSHEET_SUFFIXES:
        raise PlanFileInvalid([Problem(file_name or "$", "is not a plan file: send an .xlsx, .csv or .json file")])
    sheet = read_spreadsheet(raw, file_name)
    data = complete_from_plan(sheet.data, plan)
    seen = {problem.path for problem in sheet.problems}
    problems = sheet.problems + [p for p in locate(validate_plan(data), sheet.cells) if p.path not in seen]
    if problems:
        raise PlanFileInvalid(problems)
    _check_lineage(data, plan, sheet.cells)
    return PlanUpload(file_name, sheet.data, data)


def _check_lineage(data: dict, plan: Plan | None, cells: dict) -> None:
    """Refuse `carried_from` keys naming a plan or action this database does not hold (at their cells)."""
    problems = lineage_problems(data, plan)
    if problems:
        raise PlanFileInvalid(locate(problems, cells) if cells else problems)


def recheck(file_name: str, given: dict, plan: Plan | None) -> PlanUpload:
    """What a file said, checked again against `plan` as it is now (after a preview went stale)."""
    data = given if Path(file_name).suffix.lower() == ".json" else complete_from_plan(given, plan)
    problems = validate_plan(data) or lineage_problems(data, plan)
    if problems:
        raise PlanFileInvalid(problems)
    return PlanUpload(file_name, given, data)


def complete_from_plan(data: dict, plan: Plan | None) -> dict:
    """A spreadsheet's data with what it cannot say taken from the plan it updates: the header fields and
    sections it leaves out (pillars, figures, audit, principle, owner aliases), each area's overall
    effectiveness when there is no Areas sheet, the parts of an action printed as several, and the actions
    a pointer names when its text does not say them."""
    stored = plan_as_data(plan) if plan is not None else {}
    completed = {key: value for key, value in stored.items() if key != "areas"}
    completed.update(copy.deepcopy(data))
    if "plan_owner" in stored or "plan_owner" in data:
        completed["plan_owner"] = {**stored.get("plan_owner", {}), **data.get("plan_owner", {})}
    areas = {area["number"]: area for area in stored.get("areas", [])}
    actions = {action["ref"]: action for area in stored.get("areas", []) for outcome in area["outcomes"]
               for action in outcome["actions"]}
    for area in completed.get("areas", []):
        area.setdefault("overall_effectiveness", areas.get(area["number"], {}).get("overall_effectiveness", ""))
        for outcome in area["outcomes"]:
            for action in outcome["actions"]:
                stored_action = actions.get(action["ref"], {})
                if "parts" in stored_action:
                    action.setdefault("parts", stored_action["parts"])
                if "see_also" in stored_action and stored_action["text"] == action["text"]:
                    action.setdefault("see_also", stored_action["see_also"])
    return completed


# --- preview ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnerMatch:
    written: str
    role: str


@dataclass(frozen=True)
class DueReading:
    text: str
    reading: str
    kind: str          # "date", "cadence", "ongoing" or "tbc"
    actions: int


@dataclass
class ImportPreview:
    """What importing the file would do to the plan (nothing is written to make it)."""

    title: str
    areas: int = 0
    outcomes: int = 0
    actions: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    header_changed: list[str] = field(default_factory=list)
    owners_known: list[OwnerMatch] = field(default_factory=list)
    owners_new: list[str] = field(default_factory=list)
    dues: list[DueReading] = field(default_factory=list)
    new_statuses: list[tuple[str, int]] = field(default_factory=list)
    statuses_kept: list[tuple[str, str, str]] = field(default_factory=list)
    carried: list[tuple[str, str]] = field(default_factory=list)

    @property
    def due_kinds(self) -> dict[str, int]:
        counts = Counter()
        for due in self.dues:
            counts[due.kind] += due.actions
        return dict(counts)


_HEADER_LABELS = {"title": "title", "organisation": "organisation", "period": "period", "objective": "objective",
                  "plan_owner": "plan owner"}


def preview_import(data: dict, plan: Plan | None) -> ImportPreview:
    """Counts, owners (known roles or new ones), dues as read, and what changes in `plan`."""
    stored = plan_as_data(plan) if plan is not None else {"areas": []}
    old = {a["ref"]: (area, outcome, a) for area in stored["areas"] for outcome in area["outcomes"]
           for a in outcome["actions"]}
    aliases = data.get("owner_aliases") or {}
    known_roles = {name.casefold(): name for name in _role_names(plan)}
    preview = ImportPreview(title=data["title"], areas=len(data["areas"]),
                            header_changed=[label for key, label in _HEADER_LABELS.items()
                                            if plan is not None and data.get(key) != stored.get(key)])
    owners: dict[str, str] = {}
    dues: dict[str, list] = {}
    new_statuses: Counter = Counter()
    for area in data["areas"]:
        preview.outcomes += len(area["outcomes"])
        for outcome in area["outcomes"]:
            for action in outcome["actions"]:
                preview.actions += 1
                for name in action["owners"]:
                    owners.setdefault(name, canonical_role_name(name, aliases))
                due = parse_due(action["due"])
                dues.setdefault(due.text, [due, 0])[1] += 1
                if action.get("carried_from"):
                    preview.carried.append((action["ref"], carried_from_text(action["carried_from"])))
                _compare(preview, old.get(action["ref"]), area, outcome, action, aliases)
                if action["ref"] not in old:
                    new_statuses[starting_status(action)] += 1
    preview.kept = [ref for ref in old if ref not in {r for r, *_ in _refs(data)}]
    preview.new_statuses = [(status.label, new_statuses[status.value]) for status in Status
                            if new_statuses[status.value]]
    for written, role in sorted(owners.items(), key=lambda pair: pair[1].casefold()):
        if role.casefold() in known_roles:
            preview.owners_known.append(OwnerMatch(written, known_roles[role.casefold()]))
        elif role not in preview.owners_new:
            preview.owners_new.append(role)
    preview.dues = sorted((DueReading(text or "(blank)", due.reading, _due_kind(due), count)
                           for text, (due, count) in dues.items()), key=lambda d: (d.kind, d.text.casefold()))
    return preview


def _role_names(plan: Plan | None) -> list[str]:
    """The roles the file's owners are matched with: the plan's own; for a new plan, every plan's (a
    council's job titles outlive a year's plan)."""
    if plan is not None:
        return [role.name for role in plan.owner_roles]
    return list(db.session.scalars(select(OwnerRole.name).distinct()))


def _refs(data: dict):
    for area in data["areas"]:
        for outcome in area["outcomes"]:
            for action in outcome["actions"]:
                yield action["ref"], action


def _due_kind(due) -> str:
    if due.date is not None:
        return "date"
    if due.cadence is not None:
        return "cadence"
    return "ongoing" if due.reading == "ongoing" else "tbc"


def _compare(preview: ImportPreview, old, area: dict, outcome: dict, action: dict, aliases: dict) -> None:
    """Count the action as added, changed (saying what) or unchanged; note a status the board keeps."""
    status = action.get("status")
    if old is None:
        preview.added.append(action["ref"])
        return
    old_area, old_outcome, old_action = old
    owners = [canonical_role_name(name, aliases).casefold() for name in action["owners"]]
    differences = [what for what, differs in (
        ("text", action["text"].strip() != old_action["text"]),
        ("owners", owners != [name.casefold() for name in old_action["owners"]]),
        ("due", parse_due(action["due"]).text != old_action["due"]),
        ("outcome", outcome["text"] != old_outcome["text"]),
        ("area", area["number"] != old_area["number"]),
    ) if differs]
    if differences:
        preview.changed.append((action["ref"], differences))
    else:
        preview.unchanged += 1
    if status and status != old_action["status"]:
        preview.statuses_kept.append((action["ref"], Status(status).label, Status(old_action["status"]).label))


# --- import -------------------------------------------------------------------------------------------

def import_checked(data: dict, plan: Plan | None, by: User | None, file_name: str,
                   new_slug: str | None = None) -> ImportSummary:
    """Import checked plan data in one transaction, into `plan` or as a new plan named `new_slug`, with an
    audit entry saying who, which file and which plan. Raises PlanFileInvalid or PlanChoiceError (a slug
    taken meanwhile), writing nothing."""
    audit.record("plan_imported", file_name[:300], by=by, to_value=f"{new_slug or plan.slug}: {data['title']}")
    try:
        return import_plan(data, plan=None if new_slug else plan, new_slug=new_slug)
    except (PlanFileInvalid, PlanChoiceError):
        db.session.rollback()  # the audit entry goes with the refused import
        raise
