"""Reading stock sheets (CSV/TSV/XLSX/XLSM/XLS/ODS) into ``core.models.RawSheet`` and writing
reports and exports (XLSX/CSV) with formula neutralisation.
May import: core, python-calamine, openpyxl, charset-normalizer, the standard library.
"""
