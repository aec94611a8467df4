"""Reading stock sheets (CSV/TSV/XLSX/XLSM/XLS/ODS) into ``core.models.RawSheet`` and writing
reports and exports (XLSX/CSV) with formula neutralisation.
May import: core, python-calamine, openpyxl, charset-normalizer, the standard library.

    read_sheet(path, *, sheet=None) -> RawSheet          reader.py (text.py, workbook.py, table.py)
    write_table(path, headers, rows, *, sheet_name, delimiter)   writer.py
    write_report(path, sheet, outcomes, *, only_problems) -> int report.py
    default_report_path(sheet_path) -> Path                      report.py
    neutralise(value), is_formula_like(value)                    cells.py
"""
from desktop_app.sheets.cells import is_formula_like, neutralise
from desktop_app.sheets.reader import SUPPORTED_EXTENSIONS, read_sheet
from desktop_app.sheets.report import REPORT_COLUMNS, default_report_path, write_report
from desktop_app.sheets.writer import WRITABLE_EXTENSIONS, write_table

__all__ = [
    "REPORT_COLUMNS", "SUPPORTED_EXTENSIONS", "WRITABLE_EXTENSIONS", "default_report_path",
    "is_formula_like", "neutralise", "read_sheet", "write_report", "write_table",
]
