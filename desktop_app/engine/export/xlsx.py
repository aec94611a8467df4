"""The XLSX writer: xlsxwriter in constant-memory mode, so a report streams to disk row by row.

Why xlsxwriter and not openpyxl (which the error report is written with): chosen by measurement.
``bench/export.py`` writes the same 100,000 levels every way in one run: this report (styles,
conditional formats, Summary and chart) takes 1.09x the time of bare xlsxwriter ``write_row``
(worse of two runs; goal 1.3x), while openpyxl's write-only mode takes 1.9x it with plain values
and 3.2x this report with the cell styles a report needs (a ``WriteOnlyCell`` per cell). Both
stream; xlsxwriter's constant-memory mode also does conditional formats and charts, and writing
the report peaks at 0.5 MB of Python memory at 100k levels against 0.4 MB at 10k.

What a person opening it sees: a ``Stock`` sheet with a styled, frozen header row and an
autofilter, widths fitted to the content, levels as whole numbers, ids, SKUs and barcodes as
*text* cells (a text-formatted column, so opening, editing and saving never turns
``0012345678905`` into ``12345678905`` or a 64-bit id into ``1.23E+18``), negative, zero and
low levels highlighted by conditional formats; then a ``Summary`` sheet with the store, the time
of the export, the filters, units and counts per location, and a bar chart of units per location.

A text cell a spreadsheet would run as a formula (``=SUM(A1)``) is written as a string with
Excel's quote prefix: it shows and reads back exactly as the text it is, and editing the cell
keeps it text. Numbers, negative stock included, stay numbers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.engine.export.gather import Snapshot
from desktop_app.engine.export.layouts import LocationFigures, Table
from desktop_app.sheets.cells import is_formula_like

HEADER_FILL, TOTAL_FILL = "#1F4E5A", "#E8EEF0"
NEGATIVE_FILL, ZERO_FILL, LOW_FILL = "#F4B6B6", "#F9D9A8", "#FFF2B3"
SUMMARY_COLUMNS = ["Location", "Units", "Stocked variants", "At zero", "Below zero", "Low", "Not tracked", "Infinite"]


def _col(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name
    return xl_col_to_name(index)


class _Formats:
    def __init__(self, book: Any) -> None:
        add = book.add_format
        self.header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "border": 1,
                           "border_color": "#B7C4C8", "valign": "vcenter"})
        self.text = add({"num_format": "@"})
        self.quoted = add({"num_format": "@", "quote_prefix": True})
        self.int = add({"num_format": "#,##0;-#,##0"})
        self.level = add({"num_format": "0;-0;0"})
        self.state = add({"italic": True, "font_color": "#5A6B70", "align": "right"})
        self.total_text = add({"bold": True, "bg_color": TOTAL_FILL, "top": 1})
        self.total_int = add({"bold": True, "bg_color": TOTAL_FILL, "top": 1, "num_format": "#,##0;-#,##0"})
        self.title = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True})
        self.negative = add({"bg_color": NEGATIVE_FILL})
        self.zero = add({"bg_color": ZERO_FILL})
        self.low = add({"bg_color": LOW_FILL})


def _write_text(sheet: Any, cell: tuple[int, int], value: str, *, fmt: _Formats, plain: Any) -> None:
    sheet.write_string(*cell, value, fmt.quoted if value[:1] in "=+-@\t\r" and is_formula_like(value) else plain)


def write_xlsx(path: Path, *, table: Table, snapshot: Snapshot, figures: list[LocationFigures]) -> int:
    """Write the report; returns the data rows written (the total row not counted)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    try:
        fmt = _Formats(book)
        sheet = book.add_worksheet("Stock")
        rows = _write_stock(sheet, table, fmt=fmt)
        _write_summary(book, snapshot, figures=figures, fmt=fmt)
        book.set_properties({"title": "Stock report", "subject": f"{snapshot.platform} stock, {snapshot.store}",
                             "comments": "Written by Stocksheet; imports back as-is."})
    finally:
        book.close()
    return rows


def _write_stock(sheet: Any, table: Table, *, fmt: _Formats) -> int:
    columns = table.columns
    styles = _styles([c.kind for c in columns], fmt)
    for i, (column, width) in enumerate(zip(columns, table.widths)):
        sheet.set_column(i, i, width, fmt.text if column.kind == "id" else None)
    sheet.set_row(0, 20)
    for i, column in enumerate(columns):
        _write_text(sheet, (0, i), column.header, fmt=fmt, plain=fmt.header)
    sheet.freeze_panes(1, 0)
    r = 0
    last: list[Any] | None = None
    for values in table.rows():
        if last is not None:
            r += 1
            _write_row(sheet, r, last, styles=styles, quoted=fmt.quoted)
        last = values
    if last is not None:
        r += 1
        if table.total_row:
            for i, value in enumerate(last):
                if type(value) is int:
                    sheet.write_number(r, i, value, fmt.total_int)
                elif value is None:
                    sheet.write_blank(r, i, None, fmt.total_text)
                else:
                    sheet.write_string(r, i, str(value), fmt.total_text)
        else:
            _write_row(sheet, r, last, styles=styles, quoted=fmt.quoted)
    data_rows = r - 1 if table.total_row and last is not None else r
    sheet.autofilter(0, 0, max(data_rows, 1), len(columns) - 1)
    if data_rows:
        _conditional(sheet, table, data_rows=data_rows, fmt=fmt)
    return data_rows


def _write_row(sheet: Any, r: int, values: list[Any], *, styles: tuple[list[Any], list[Any]], quoted: Any) -> None:
    """One data row; ``styles``: per column, the format of a string and of a number."""
    write_string, write_number = sheet.write_string, sheet.write_number
    text_styles, number_styles = styles
    for i, value in enumerate(values):
        if value is None:
            continue
        if type(value) is int:
            write_number(r, i, value, number_styles[i])
        elif value[:1] in "=+-@\t\r" and is_formula_like(value):
            write_string(r, i, value, quoted)
        else:
            write_string(r, i, value, text_styles[i])


def _styles(kinds: list[str], fmt: _Formats) -> tuple[list[Any], list[Any]]:
    """Ids, SKUs and barcodes get the text format (retyping one keeps it text); a level's text
    ("not tracked", "INFINITE") its own; names and locations none: a style on every cell costs
    time and bytes."""
    text = [fmt.text if k == "id" else fmt.state if k == "level" else None for k in kinds]
    numbers = [fmt.level if k == "level" else fmt.int for k in kinds]
    return text, numbers


def _conditional(sheet: Any, table: Table, *, data_rows: int, fmt: _Formats) -> None:
    """Negative, zero and low levels: whole rows in the long layout, cells in the wide one."""
    levels = table.level_columns
    threshold = table.threshold_column
    last_col = len(table.columns) - 1
    if len(levels) == 1:
        cell, first, last = f"${_col(levels[0])}2", 0, last_col
    else:
        cell, first, last = f"{_col(levels[0])}2", levels[0], levels[-1]
    rules = [(f"=AND(ISNUMBER({cell}),{cell}<0)", fmt.negative), (f"=AND(ISNUMBER({cell}),{cell}=0)", fmt.zero)]
    if threshold is not None:
        t = f"${_col(threshold)}2"
        rules.append((f"=AND(ISNUMBER({cell}),ISNUMBER({t}),{cell}<={t})", fmt.low))
    for formula, style in rules:
        sheet.conditional_format(1, first, data_rows, last, {"type": "formula", "criteria": formula, "format": style})


def _write_summary(book: Any, snapshot: Snapshot, *, figures: list[LocationFigures], fmt: _Formats) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.set_column(0, 0, max(22, *(len(f.name) + 2 for f in figures)) if figures else 22)
    for i, text in enumerate(SUMMARY_COLUMNS[1:], 1):
        sheet.set_column(i, i, max(11, len(text) + 3))
    sheet.write_string(0, 0, "Stock report", fmt.title)
    meta = [("Store", snapshot.store), ("Platform", snapshot.platform),
            ("Exported", snapshot.taken_at.strftime("%Y-%m-%d %H:%M %Z").strip()), *snapshot.options.describe()]
    r = 1
    for label, value in meta:
        sheet.write_string(r, 0, label, fmt.label)
        _write_text(sheet, (r, 1), value, fmt=fmt, plain=fmt.text)
        r += 1
    r += 1
    head = r
    for i, text in enumerate(SUMMARY_COLUMNS):
        sheet.write_string(head, i, text, fmt.header)
    totals = [0] * (len(SUMMARY_COLUMNS) - 1)
    for f in figures:
        r += 1
        _write_text(sheet, (r, 0), f.name, fmt=fmt, plain=fmt.text)
        for i, n in enumerate((f.units, f.stocked, f.zero, f.negative, f.low, f.not_tracked, f.infinite)):
            sheet.write_number(r, i + 1, n, fmt.int)
            totals[i] += n
    r += 1
    sheet.write_string(r, 0, "Total", fmt.total_text)
    for i, n in enumerate(totals):
        sheet.write_number(r, i + 1, n, fmt.total_int)
    if figures:
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": "Units", "categories": ["Summary", head + 1, 0, head + len(figures), 0],
                          "values": ["Summary", head + 1, 1, head + len(figures), 1],
                          "fill": {"color": HEADER_FILL}, "data_labels": {"value": True}})
        chart.set_title({"name": "Units per location"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 560, "height": max(220, 60 + 34 * len(figures))})
        sheet.insert_chart(r + 2, 0, chart)
