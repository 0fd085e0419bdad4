"""Spreadsheets for tests: real trackers' habits made by hand with openpyxl, and hostile files made cheaply."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook, load_workbook


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_cached_values(raw: bytes, values: dict[str, str], sheet: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with each formula cell named in `values` holding that saved value, as Excel leaves it
    (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == sheet:
                text = data.decode("utf-8")
                for ref, value in values.items():
                    text = re.sub(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?</c>',
                                  rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v></c>', text)
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def with_extra_parts(raw: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with more parts in its zip (macros, external links...), or parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def messy_tracker() -> bytes:
    """A council's own tracker: a title above the table, its own headings, merged area and outcome cells,
    blank rows, trailing spaces, owners in one cell, dues as people write them, refs typed as numbers,
    a date cell shown as a month, and a formula with the value Excel saved."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tracker 2024"
    sheet.append(["Title", "Youth Justice Improvement Plan  "])
    sheet.append(["Organisation", "Example Borough Council"])
    sheet.append([])
    sheet.append(["Area", "Outcome ", "Ref.", "Action(s)", "Lead officer(s)", "Timescale", "RAG", "Comments"])
    rows = [
        ["1. Prevention", "Fewer first-time entrants ", 1.1, "Run a diversion panel  ",
         "Head of Youth Justice\nPrevention Manager ", "Oct 2023 Oct 2023", "Green", "on track"],
        [None, None, 1.2, "Train the police in diversion", "• Prevention Manager\n• Police Inspector",
         datetime(2024, 1, 1), "amber", None],
        [],
        [None, "Families get help early", "1.3", "Launch a family hub", "Head of Early Help; Hub manager",
         "Quarterly from Nov 2023", None, None],
        ["2 Custody", "Fewer children remanded", 2.1, "Review remand decisions", "Head of Youth Justice",
         "Ongoing", "R", None],
        [None, None, 2.1, "Set up a bail support scheme", "Bail Officer;", "TBC", None, None],
        [None, None, "2.3", "See actions 1.1-1.2", None, None, None, None],
    ]
    for row in rows:
        sheet.append(row)
    sheet["C10"].number_format = "0.00"   # typed 2.10, kept as a number shown with two decimals
    sheet["F6"].number_format = "mmm-yy"  # a date cell shown as a month
    sheet.merge_cells("A5:A8")
    sheet.merge_cells("B5:B6")
    sheet.merge_cells("A9:A11")
    sheet.merge_cells("B9:B11")
    sheet["D11"] = '="See actions "&"1.1-1.2"'
    return with_cached_values(xlsx_bytes(workbook), {"D11": "See actions 1.1-1.2"})


def edit_workbook(raw: bytes, change) -> bytes:
    """The workbook after `change(workbook)`, saved again (as a person would in Excel)."""
    workbook = load_workbook(io.BytesIO(raw))
    change(workbook)
    return xlsx_bytes(workbook)


def long_csv(rows: int) -> bytes:
    """A CSV with the template's headings and `rows` rows, made without building a list of them."""
    header = "Area number,Area title,Intended outcome,Ref,Action,Owners,Due\n"
    return (header + "1,A,O,1.1,Do it,Owner,TBC\n" * rows).encode()


def long_workbook(rows: int) -> bytes:
    """An .xlsx whose Actions sheet has `rows` rows (write-only, so cheap to make)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(["Area number", "Area title", "Intended outcome", "Ref", "Action", "Owners", "Due"])
    for n in range(rows):
        sheet.append([1, "A", "O", f"1.{n + 1}", "Do it", "Owner", "TBC"])
    return xlsx_bytes(workbook)


def many_rows_workbook(rows: int) -> bytes:
    """The template with an Actions sheet of `rows` rows and no declared size, its XML written as text
    (cheap: 100,000 rows pack into a few hundred kilobytes)."""
    from board.services.plan_sheet import plan_workbook

    body = "".join(f'<row r="{n}"><c r="D{n}" t="inlineStr"><is><t>1.{n}</t></is></c></row>' for n in range(2, rows + 2))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="D1" t="inlineStr"><is><t>Ref</t></is></c><c r="E1" t="inlineStr"><is><t>Action</t>'
             f'</is></c></row>{body}</sheetData></worksheet>')
    return with_extra_parts(plan_workbook(), {"xl/worksheets/sheet1.xml": sheet.encode()})


def zip_bomb() -> bytes:
    """A small .xlsx whose one part unpacks to 60 MB of nothing."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            chunk = b" " * 1_000_000
            for _ in range(60):
                part.write(chunk)
    return out.getvalue()
