"""Reading a plan spreadsheet (.xlsx or .csv) into plan-file data, remembering the cell of every value.

The reader turns cells into the data a JSON plan file holds (docs/plan-format.md) and nothing more: the
checks are the plan file's own (plan_file.validate_plan), and `locate` turns their JSON paths back into
cells ("Actions!D14"). It reads real trackers: headings in any order and wording, titles above the table,
blank rows, area and outcome cells left blank (or merged) below their first row, owners one per line or
separated by ";", refs typed as numbers, dates as date cells, formulas as the values Excel saved.

A workbook is only ever read: openpyxl in read-only mode with cached values (formulas are never
evaluated), no external links, no macros, XML parsed by defusedxml; the zip's sizes, the rows and the
columns read are capped before and while reading.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter

from board.services.exports import FORMULA_STARTS
from board.services.plan_file import MAX_FILE_BYTES, PlanFileInvalid, Problem
from board.services.plan_sheet import (
    ACTIONS_SHEET,
    AREAS_HEADINGS,
    AREAS_SHEET,
    COLUMN_BY_KEY,
    COLUMNS,
    FIELDS,
    PLAN_SHEET,
    STATUS_WORDS,
)
from models import Status

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")
MAX_ROWS = 5_000           # a plan has about a hundred actions; a sheet past this is not a plan
MAX_COLUMNS = 60           # columns read; real trackers add comment and monthly RAG columns
HEADING_ROWS = 30          # the column headings are looked for in this many first rows
MAX_SHEETS = 50
MAX_UNZIPPED_BYTES = 50_000_000   # what the workbook's parts may unpack to (a zip bomb is refused)
MAX_ZIP_ENTRIES = 2_000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, or an encrypted (password) workbook
_ZIP = b"PK\x03\x04"
_BULLETS = "•·▪◦‣-–—* \t"
_AREA_IN_TEXT = re.compile(r"^\s*(?:area\s*)?(?P<number>\d{1,3})\s*[.:)\-–]?\s*(?P<title>.*)$", re.IGNORECASE | re.DOTALL)
_CARRIED = re.compile(r"^(?P<plan>.+?)[\s:#,/]+(?P<ref>[^\s:#,/]+)$", re.DOTALL)
_DECIMALS = re.compile(r"^0\.(0+)$")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>]")


@dataclass(frozen=True)
class Cell:
    """Where a value came from: its sheet, row and column, and what the column is."""

    sheet: str
    row: int
    column: int
    heading: str

    @property
    def where(self) -> str:
        sheet = self.sheet if re.fullmatch(r"\w+", self.sheet) else "'" + self.sheet.replace("'", "''") + "'"
        return f"{sheet}!{get_column_letter(self.column)}{self.row}"

    def problem(self, message: str) -> Problem:
        return Problem(self.where, _with_subject(self.heading, message))


@dataclass
class SheetPlan:
    """What a spreadsheet says: plan-file data (only the keys it gives), where each value came from,
    and the problems found while reading cells."""

    data: dict
    cells: dict[str, Cell] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Raw:
    value: object
    number_format: str = "General"


def _with_subject(subject: str, message: str) -> str:
    """ "Ref" + "must be ..." reads "Ref must be ..."; other messages follow a colon."""
    if re.match(r"(must|is|has|contains|points|names|missing|differs|holds)\b", message):
        return f"{subject} {message}"
    return f"{subject}: {message}"


# --- the file -----------------------------------------------------------------------------------------

def read_spreadsheet(raw: bytes, filename: str) -> SheetPlan:
    """Read an .xlsx or .csv plan; raise PlanFileInvalid (with every problem) when it cannot be read."""
    suffix = Path(filename).suffix.lower()
    if len(raw) > MAX_FILE_BYTES:
        raise PlanFileInvalid([Problem(filename, f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB, "
                                                 "too large for a plan")])
    if suffix == ".csv":
        return _Reader(Path(filename).stem or "CSV").read_csv(raw)
    if raw.startswith(_OLE):
        raise PlanFileInvalid([Problem(filename, "is an Excel 97-2003 workbook or is protected with a password: "
                                                 "save it as an Excel Workbook (.xlsx) without a password")])
    if suffix != ".xlsx" or not raw.startswith(_ZIP):
        raise PlanFileInvalid([Problem(filename, "is not an Excel workbook (.xlsx) or a CSV file")])
    return _Reader(ACTIONS_SHEET).read_xlsx(raw, filename)


def _unzipped_size_problem(raw: bytes, filename: str) -> Problem | None:
    """Refuse a workbook whose parts would unpack to far more than a plan needs (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return Problem(filename, "is not a readable .xlsx file (the workbook is damaged)")
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        return Problem(filename, f"unpacks to more than {MAX_UNZIPPED_BYTES // 1_000_000} MB, far more than a "
                                 "plan needs: it was not read")
    return None


def _csv_text(raw: bytes, filename: str) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252 (Excel's "CSV" on Windows)."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise PlanFileInvalid([Problem(filename, "is neither UTF-8 nor Windows text: save it as "
                                                 "CSV UTF-8 (comma delimited)")]) from None


# --- cells to text ------------------------------------------------------------------------------------

def _text(raw: _Raw | None) -> str:
    """A cell as text: trimmed; numbers as written (12, not 12.0); dates as YYYY-MM-DD."""
    value = raw.value if raw is not None else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        match = _DECIMALS.match(raw.number_format or "")
        if match:
            return f"{value:.{len(match[1])}f}"
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _csv_value(value: str) -> str:
    """A CSV cell without the apostrophe our CSV writer puts before text that would read as a formula."""
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_STARTS else value


def _due_text(raw: _Raw | None) -> str:
    """A due cell: a date cell shown as a month ("mmm-yy") is that month, any other date its day."""
    value = raw.value if raw is not None else None
    if isinstance(value, (datetime, date)):
        shows_day = "d" in (raw.number_format or "").lower().replace("[red]", "")
        return value.strftime("%Y-%m-%d") if shows_day else value.strftime("%b %Y")
    return _text(raw)


def _owners(text: str) -> list[str]:
    """Owners one per line or separated by ";", bullets and blank lines dropped."""
    return [name for name in (part.strip().lstrip(_BULLETS).strip() for part in re.split(r"[\r\n;]+", text))
            if name]


def _key(heading: str) -> str:
    """A heading compared without case, spacing, punctuation, "(s)" or "(optional)"."""
    text = heading.casefold().replace("(s)", "s").replace("’", "'")
    text = re.sub(r"\boptional\b|\brequired\b", " ", text)
    return " ".join(re.sub(r"[^\w#']+", " ", text).replace("'", "").split())


_HEADINGS = {_key(name): column.key for column in COLUMNS for name in (column.heading, *column.aliases)}
_HEADINGS[_key("Area")] = "area"  # one column holding "2 Help and Protection"
_FIELD_KEYS = {key for key, _, _ in FIELDS}
_FIELD_LABELS = {_key(name): key for key, label, aliases in FIELDS for name in (label, *aliases)}


# --- the reader ---------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, table_sheet: str) -> None:
        self.table_sheet = table_sheet
        self.result = SheetPlan(data={})
        self.formulas_unsaved: set[tuple[str, int, int]] = set()
        self.raw = b""
        self.formula_book = None  # opened only when a sheet holds formulas

    @property
    def problems(self) -> list[Problem]:
        return self.result.problems

    # xlsx
    def read_xlsx(self, raw: bytes, filename: str) -> SheetPlan:
        too_big = _unzipped_size_problem(raw, filename)
        if too_big:
            raise PlanFileInvalid([too_big])
        try:
            with warnings.catch_warnings():
                # openpyxl warns about features it does not read (data validation extensions...).
                warnings.simplefilter("ignore")
                self._refuse_long_sheets(raw)
                self._read_workbook(raw)
        except PlanFileInvalid:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to parse an untrusted file is a refusal
            raise PlanFileInvalid([Problem(filename, f"could not be read as an Excel workbook "
                                                     f"({type(exc).__name__})")]) from None
        return self.result

    def _refuse_long_sheets(self, raw: bytes) -> None:
        """Count each sheet's rows in its XML before openpyxl opens the workbook: to size a sheet that does
        not declare its size, openpyxl parses all of it (2 s of a worker for 100,000 short rows)."""
        reader = ExcelReader(io.BytesIO(raw), read_only=True, keep_links=False)
        try:
            reader.read_manifest()
            reader.read_workbook()
            for sheet, part in list(reader.parser.find_sheets())[:MAX_SHEETS]:
                if part.target in reader.valid_files and \
                        sum(1 for _ in _ROW_TAG.finditer(reader.archive.read(part.target))) > MAX_ROWS:
                    self._too_many_rows(sheet.name)
        finally:
            reader.archive.close()

    def _read_workbook(self, raw: bytes) -> None:
        self.raw = raw
        values = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False, keep_vba=False)
        try:
            sheets = values.worksheets[:MAX_SHEETS]
            table = next((s for s in sheets if s.title.casefold() == ACTIONS_SHEET.casefold()), None)
            for sheet in [table] if table is not None else sheets:
                if self._table(sheet.title, self._rows(sheet), quiet=table is None):
                    break
            else:
                raise PlanFileInvalid(self.problems or [Problem(
                    ACTIONS_SHEET, "no sheet has a row of column headings with at least Ref and Action (see the "
                                   "template)")])
            by_name = {s.title.casefold(): s for s in sheets}
            if PLAN_SHEET.casefold() in by_name:
                sheet = by_name[PLAN_SHEET.casefold()]
                self._plan_fields(sheet.title, self._rows(sheet))
            if AREAS_SHEET.casefold() in by_name:
                sheet = by_name[AREAS_SHEET.casefold()]
                self._areas(sheet.title, self._rows(sheet))
        finally:
            values.close()
            if self.formula_book is not None:
                self.formula_book.close()
        if self.formulas_unsaved:
            self.problems.extend(Problem(Cell(sheet, row, column, "").where,
                                         "holds a formula whose value was never saved: open the file in Excel "
                                         "and save it, or paste the values")
                                 for sheet, row, column in sorted(self.formulas_unsaved))

    def _rows(self, sheet) -> list[tuple[int, list[_Raw]]]:
        """The sheet's rows (number, cells) up to MAX_ROWS; a longer sheet is refused before any is read."""
        with sheet._get_source() as source:  # the sheet's XML, already capped by the zip check
            xml = source.read()
        if isinstance(sheet.max_row, int) and sheet.max_row > MAX_ROWS:  # rows counted: `_refuse_long_sheets`
            self._too_many_rows(sheet.title)
        rows = [(number, [_Raw(getattr(c, "value", None), getattr(c, "number_format", "General") or "General")
                          for c in cells])
                for number, cells in enumerate(sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS), start=1)]
        if _FORMULA_TAG.search(xml):
            self._unsaved_formulas(sheet.title, rows)
        return rows

    def _unsaved_formulas(self, title: str, rows: list[tuple[int, list[_Raw]]]) -> None:
        """Note formula cells Excel never saved a value for (a file written by a program): read blank, they
        would otherwise be reported as missing text."""
        if self.formula_book is None:
            self.formula_book = load_workbook(io.BytesIO(self.raw), read_only=True, data_only=False,
                                              keep_links=False, keep_vba=False)
        formulas = self.formula_book[title].iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS)
        for (number, row), formula_row in zip(rows, formulas):
            for column, (raw, formula) in enumerate(zip(row, formula_row), start=1):
                if getattr(formula, "data_type", None) == "f" and raw.value is None:
                    self.formulas_unsaved.add((title, number, column))

    def _too_many_rows(self, sheet: str) -> None:
        raise PlanFileInvalid([Problem(sheet, f"has more than {MAX_ROWS:,} rows, far more than a plan: "
                                              "delete the rows below the table, or check this is the plan")])

    # csv
    def read_csv(self, raw: bytes) -> SheetPlan:
        name = self.table_sheet
        text = _csv_text(raw, name)
        lines = text.splitlines()
        first = lines[0] if lines else ""
        delimiter = ","
        if first.lower().startswith("sep=") and len(first) == 5:  # Excel's own delimiter line
            delimiter, text = first[4], text.split("\n", 1)[1] if "\n" in text else ""
        elif first.count(";") > first.count(","):
            delimiter = ";"
        rows: list[tuple[int, list[_Raw]]] = []
        try:
            for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
                if number > MAX_ROWS:
                    self._too_many_rows(name)
                rows.append((number, [_Raw(_csv_value(value)) for value in record[:MAX_COLUMNS]]))
        except csv.Error as exc:
            raise PlanFileInvalid([Problem(f"{name} row {len(rows) + 1}", f"is not valid CSV ({exc})")]) from None
        if not self._table(name, rows, quiet=True):
            raise PlanFileInvalid([Problem(name, "has no row of column headings with at least Ref and Action "
                                                 "(see the template)")])
        return self.result

    # the Actions table
    def _table(self, sheet: str, rows: list[tuple[int, list[_Raw]]], quiet: bool) -> bool:
        """Read the actions table if this sheet has one; False (nothing recorded) when it has none."""
        for index, (number, cells) in enumerate(rows[:HEADING_ROWS]):
            columns = self._columns(cells)
            if "ref" in columns and "action" in columns:
                self._fields_above(sheet, rows[:index])
                missing = [COLUMN_BY_KEY[k].heading for k in ("outcome", "owners", "due") if k not in columns]
                if missing:
                    raise PlanFileInvalid([Problem(f"{_quoted(sheet)}!{number}:{number}",
                                                   f"no {heading} column among the headings: add one headed "
                                                   f"{heading}") for heading in missing])
                _Table(self, sheet, columns).read(rows[index + 1:])
                return True
        if not quiet:
            self.problems.append(Problem(sheet, "has no row of column headings with at least Ref and Action "
                                                "(see the template)"))
        return False

    @staticmethod
    def _columns(cells: list[_Raw]) -> dict[str, int]:
        """Column key -> 1-based column index, for the headings this row has (the first of each)."""
        found: dict[str, int] = {}
        for column, raw in enumerate(cells, start=1):
            key = _HEADINGS.get(_key(_text(raw))) if isinstance(raw.value, str) else None
            if key and key not in found:
                found[key] = column
        return found

    def _fields_above(self, sheet: str, rows: list[tuple[int, list[_Raw]]]) -> None:
        """Rows above the table of the form "Title, Improvement plan": the plan's header fields."""
        for number, cells in rows:
            filled = [(column, raw) for column, raw in enumerate(cells, start=1) if _text(raw)]
            if len(filled) >= 2 and _key(_text(filled[0][1])) in _FIELD_LABELS:
                key = _FIELD_LABELS[_key(_text(filled[0][1]))]
                self._field(key, _text(filled[1][1]), Cell(sheet, number, filled[1][0], _field_label(key)))

    def _plan_fields(self, sheet: str, rows: list[tuple[int, list[_Raw]]]) -> None:
        """The Plan sheet: a label in the first column, its value in the second."""
        for number, cells in rows:
            label = _text(cells[0]) if cells else ""
            if not label or _key(label) in ("field", "fields"):
                continue
            key = _FIELD_LABELS.get(_key(label))
            if key is None:
                known = ", ".join(label for _, label, _ in FIELDS)
                self.problems.append(Cell(sheet, number, 1, "Field").problem(
                    f"{label!r} is not a field of the plan (they are {known})"))
                continue
            self._field(key, _text(cells[1]) if len(cells) > 1 else "", Cell(sheet, number, 2, _field_label(key)))

    def _field(self, key: str, value: str, cell: Cell) -> None:
        data, cells = self.result.data, self.result.cells
        if key in ("owner_name", "owner_role"):
            name = "name" if key == "owner_name" else "role"
            data.setdefault("plan_owner", {})[name] = value
            cells[f"plan_owner.{name}"] = cell
        else:
            data[key] = value
            cells[key] = cell

    def _areas(self, sheet: str, rows: list[tuple[int, list[_Raw]]]) -> None:
        """The Areas sheet: each area's overall effectiveness; its area numbers and titles must be those of
        the actions table."""
        areas = {area["number"]: (index, area) for index, area in enumerate(self.result.data.get("areas", []))}
        for number, cells in rows[1:]:
            number_text, title, effectiveness = ([_text(c) for c in cells[:3]] + ["", "", ""])[:3]
            if not (number_text or title or effectiveness):
                continue
            cell = Cell(sheet, number, 1, AREAS_HEADINGS[0])
            found = areas.get(int(number_text)) if number_text.isdigit() else None
            if found is None:
                self.problems.append(cell.problem(f"{number_text!r} is not the number of an area that has actions "
                                                  f"in the {self.table_sheet} sheet"))
                continue
            index, area = found
            if title and title != area["title"]:
                self.problems.append(Cell(sheet, number, 2, AREAS_HEADINGS[1]).problem(
                    f"differs from the title in the {self.table_sheet} sheet ({area['title']!r})"))
            area["overall_effectiveness"] = effectiveness
            self.result.cells[f"areas[{index}].overall_effectiveness"] = Cell(sheet, number, 3, AREAS_HEADINGS[2])


def _field_label(key: str) -> str:
    return next(label for k, label, _ in FIELDS if k == key)


def _quoted(sheet: str) -> str:
    return Cell(sheet, 1, 1, "").where.rsplit("!", 1)[0]


class _Table:
    """The actions table: rows to areas, outcomes and actions, blanks carried down within an area."""

    def __init__(self, reader: _Reader, sheet: str, columns: dict[str, int]) -> None:
        self.reader, self.sheet, self.columns = reader, sheet, columns
        self.areas: dict[int, dict] = {}      # number -> {"title", "outcomes": {text: [action rows]}, cells}
        self.area: int | None = None
        self.outcome: str | None = None

    def cell(self, key: str, number: int) -> Cell:
        heading = COLUMN_BY_KEY[key].heading if key in COLUMN_BY_KEY else "Area"
        return Cell(self.sheet, number, self.columns.get(key, 1), heading)

    def problem(self, key: str, number: int, message: str) -> None:
        self.reader.problems.append(self.cell(key, number).problem(message))

    def read(self, rows: list[tuple[int, list[_Raw]]]) -> None:
        for number, cells in rows:
            values = {key: cells[column - 1] if column <= len(cells) else None
                      for key, column in self.columns.items()}
            texts = {key: _text(raw) for key, raw in values.items()}
            if not any(texts.values()):
                continue
            if not texts.get("ref") and not texts.get("action"):
                if any(texts.get(k) for k in ("owners", "due", "status", "carried_from")):
                    self.problem("ref", number, "missing: this row has owners, a due or a status but no Ref or "
                                                "Action (write them in the action's own row)")
                else:
                    self._place(number, texts, heading_row=True)
                continue
            if self._place(number, texts, heading_row=False):
                self._action(number, values, texts)
        self._write()

    def _place(self, number: int, texts: dict[str, str], heading_row: bool) -> bool:
        """Set the area and outcome this row is in; False when they cannot be known (a problem said why)."""
        area = self._area_number(number, texts)
        if area is None:
            return False
        changed_area = area != self.area
        self.area = area
        known = self.areas.setdefault(area, {"title": None, "outcomes": {}, "row": number})
        title = texts.get("area_title") or (_AREA_IN_TEXT.match(texts["area"])["title"].strip()
                                            if texts.get("area") else "")
        if title and known["title"] is None:
            known["title"], known["title_cell"] = title, self._title_cell(number)
        elif title and title != known["title"]:
            self.problem("area_title" if "area_title" in self.columns else "area", number,
                         f"differs from the title of area {area} at {known['title_cell'].where} "
                         f"({known['title']!r})")
        outcome = texts.get("outcome", "")
        if outcome:
            self.outcome = outcome
            known["outcomes"].setdefault(outcome, {"row": number, "actions": []})
        elif changed_area:
            self.outcome = None
            if not heading_row and "outcome" in self.columns:
                self.problem("outcome", number, "missing: the first row of an area needs its intended outcome")
                return False
        return heading_row or self.outcome is not None

    def _title_cell(self, number: int) -> Cell:
        return self.cell("area_title" if "area_title" in self.columns else "area", number)

    def _area_number(self, number: int, texts: dict[str, str]) -> int | None:
        if "area_number" in self.columns:
            written = texts["area_number"]
            if not written:
                return self._carried_area(number, texts)
            match = re.fullmatch(r"(?:area\s*)?(\d{1,3})(?:\.0*)?", written, re.IGNORECASE)
            if match and 1 <= int(match[1]) <= 999:
                return int(match[1])
            self.problem("area_number", number, f"must be a whole number from 1 to 999, not {written!r}")
            return None
        if "area" in self.columns and texts["area"]:
            match = _AREA_IN_TEXT.match(texts["area"])
            if match and 1 <= int(match["number"]) <= 999:
                return int(match["number"])
            self.problem("area", number, f"must start with the area's number, like \"2 Help and Protection\", "
                                         f"not {texts['area']!r}")
            return None
        return self._carried_area(number, texts)

    def _carried_area(self, number: int, texts: dict[str, str]) -> int | None:
        """A blank area cell: the area above. With no area column at all, the area the ref names (2.7 is
        in area 2)."""
        ref = re.fullmatch(r"(\d{1,3})\.\d+", texts.get("ref", ""))
        if ref and "area_number" not in self.columns and "area" not in self.columns:
            return int(ref[1])
        if self.area is not None:
            return self.area
        key = "area_number" if "area_number" in self.columns else "area" if "area" in self.columns else "ref"
        if texts.get("ref") or texts.get("action"):
            self.problem(key, number, "missing: the first action of the table needs its area number")
        return None

    def _action(self, number: int, values: dict, texts: dict[str, str]) -> None:
        action: dict = {"ref": texts.get("ref", ""), "text": texts.get("action", ""),
                        "owners": _owners(texts.get("owners", "")), "due": _due_text(values.get("due"))}
        status = texts.get("status")
        if status:
            if status.casefold() in STATUS_WORDS:
                action["status"] = STATUS_WORDS[status.casefold()]
            else:
                self.problem("status", number, "must be one of " + ", ".join(s.label for s in Status)
                             + f", not {status!r}")
        carried = texts.get("carried_from")
        if carried:
            match = _CARRIED.match(carried)
            if match:
                action["carried_from"] = {"plan": match["plan"].strip(), "ref": match["ref"]}
            else:
                self.problem("carried_from", number, f"must name the earlier plan and its ref, like "
                                                     f"\"2023-24 1.4\", not {carried!r}")
        outcome = self.areas[self.area]["outcomes"][self.outcome]
        outcome["actions"].append((number, action))

    def _write(self) -> None:
        """The areas, outcomes and actions read, as plan data, with the cell of each value."""
        data, cells = self.reader.result.data, self.reader.result.cells
        data["areas"] = []
        for area_number, area in self.areas.items():
            outcomes = {text: outcome for text, outcome in area["outcomes"].items() if outcome["actions"]}
            if not outcomes:
                continue
            path = f"areas[{len(data['areas'])}]"
            entry = {"number": area_number, "title": area["title"] or ("" if self._has_titles() else
                                                                           f"Area {area_number}"),
                     "outcomes": []}
            cells[path] = self.cell("area_number", area["row"])
            cells[f"{path}.number"] = cells[path]
            cells[f"{path}.title"] = area.get("title_cell") or self._title_cell(area["row"])
            for j, (text, outcome) in enumerate(outcomes.items()):
                o_path = f"{path}.outcomes[{j}]"
                cells[o_path] = cells[f"{o_path}.text"] = self.cell("outcome", outcome["row"])
                entry["outcomes"].append({"text": text, "actions": []})
                for k, (number, action) in enumerate(outcome["actions"]):
                    a_path = f"{o_path}.actions[{k}]"
                    cells[a_path] = self.cell("ref", number)
                    for key, column in (("ref", "ref"), ("text", "action"), ("owners", "owners"), ("due", "due"),
                                        ("status", "status"), ("carried_from", "carried_from"),
                                        ("see_also", "action")):
                        cells[f"{a_path}.{key}"] = self.cell(column, number)
                    entry["outcomes"][-1]["actions"].append(action)
            data["areas"].append(entry)

    def _has_titles(self) -> bool:
        return "area_title" in self.columns or "area" in self.columns


def locate(problems: list[Problem], cells: dict[str, Cell]) -> list[Problem]:
    """Plan-file problems (at JSON paths) moved to the cells their values came from."""
    located = []
    for problem in problems:
        message = _PATH_IN_TEXT.sub(lambda m: _cell_for(m[0], cells)[0].where if _cell_for(m[0], cells) else m[0],
                                    problem.message)
        found = _cell_for(problem.path, cells)
        if found is None and problem.path in _FIELD_KEYS:
            located.append(Problem(PLAN_SHEET, _with_subject(_field_label(problem.path), message)
                                   + " (write it on the Plan sheet, or in a CSV on a row above the table)"))
            continue
        if found is None:
            located.append(Problem(problem.path, message))
            continue
        cell, rest = found
        owner = re.fullmatch(r"\.owners\[(\d+)\]", rest)
        if owner:
            message = f"the {_ordinal(int(owner[1]) + 1)} owner {message}"
        located.append(cell.problem(message))
    return located


_PATH_IN_TEXT = re.compile(r"areas\[\d+\](?:\.\w+\[\d+\])*(?:\.\w+)?")


def _cell_for(path: str, cells: dict[str, Cell]) -> tuple[Cell, str] | None:
    """The cell of the longest known prefix of a JSON path, and the rest of the path."""
    prefix = path
    while prefix:
        if prefix in cells:
            return cells[prefix], path[len(prefix):]
        cut = max(prefix.rfind("."), prefix.rfind("["))
        if cut <= 0:
            break
        prefix = prefix[:cut]
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
