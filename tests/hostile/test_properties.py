"""Property-based: random bytes, damaged workbooks and random well-formed-but-odd sheets thrown at
the readers and the mapper. The only way out is a result or a ``StocksheetError`` sentence."""
from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.errors import MappingError, SheetReadError
from desktop_app.core.mapping import detect_mapping
from desktop_app.core.models import Catalog, CellError, Location, RawSheet, Variant
from desktop_app.core.resolve import DuplicatePolicy, resolve
from desktop_app.core.rows import extract_rows
from desktop_app.sheets import read_sheet
from generators import good_ods_rows, write_ods, write_xlsx

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods")


def read_or_refuse(path: Path) -> RawSheet | None:
    try:
        sheet = read_sheet(path)
    except SheetReadError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return None
    assert all(len(cells) == len(sheet.headers) for _, cells in sheet.rows)
    numbers = [n for n, _ in sheet.rows]
    assert numbers == sorted(set(numbers)) and all(n > sheet.header_row for n in numbers)
    return sheet


@SETTINGS
@given(data=st.binary(max_size=4096), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes_are_read_or_refused_with_a_sentence(tmp_path, data, ext):
    path = tmp_path / f"random{ext}"
    path.write_bytes(data)
    read_or_refuse(path)


def _good_book(kind: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        built = (write_xlsx(Path(folder) / "good.xlsx") if kind == "xlsx"
                 else write_ods(Path(folder) / "good.ods", good_ods_rows()))
        return built.read_bytes()


GOOD = {"xlsx": _good_book("xlsx"), "ods": _good_book("ods")}


@SETTINGS
@given(kind=st.sampled_from(sorted(GOOD)), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)),
                                                       min_size=1, max_size=8),
       cut=st.none() | st.floats(0.05, 1.0))
def test_damaged_workbooks_are_read_or_refused_with_a_sentence(tmp_path, kind, flips, cut):
    data = bytearray(GOOD[kind])
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[: max(1, int(len(data) * cut))]
    path = tmp_path / f"damaged.{kind}"
    path.write_bytes(bytes(data))
    read_or_refuse(path)


@SETTINGS
@given(xml=st.text(alphabet=st.sampled_from(list('<>/="abcrtvs 019AXFD:!-&;')), max_size=300))
def test_random_sheet_xml_is_read_or_refused_with_a_sentence(tmp_path, xml):
    path = write_xlsx(tmp_path / "odd.xlsx", sheet=f'<worksheet><sheetData>{xml}</sheetData></worksheet>')
    read_or_refuse(path)


HEADERS = ["SKU", "Barcode", "Variant ID", "Location", "Available", "Adjust", "On hand (new)", "On hand (current)",
           "Main", "Inventory Available: Main", "Menge", "Lager", "", "Row", "Status", "Error", "Hint", "Qty", "qty",
           "Available: Main", "Adjust Main", "Title"]
CELLS = st.one_of(st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(max_size=12), st.sampled_from(["A-1", "A-2", "Main", "main", "1.23457E+12", "#N/A", "not stocked",
                                                        "INFINITE", " 12 ", "1,234", "=1+1", "-5", "0012345"]),
                  st.booleans(), st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)),
                  st.builds(CellError, st.sampled_from(["#N/A", "#REF!", "#DIV/0!"])))
CATALOG = Catalog(locations=[Location(id="L1", name="Main", default=True), Location(id="L2", name="Lager")],
                  variants=[Variant(id="1", product_id="P", sku="A-1", barcode="0012345"),
                            Variant(id="2", product_id="P", sku="A-2", barcode="1234567890123")])


@SETTINGS
@given(headers=st.lists(st.sampled_from(HEADERS) | st.text(max_size=10), min_size=1, max_size=8),
       body=st.lists(st.lists(CELLS, max_size=8), max_size=25),
       policy=st.sampled_from(list(DuplicatePolicy)))
def test_odd_sheets_map_to_rows_and_issues_or_a_sentence(headers, body, policy):
    width = len(headers)
    rows = [(i + 2, tuple((list(cells) + [None] * width)[:width])) for i, cells in enumerate(body)]
    sheet = RawSheet(path="odd.csv", format="csv", sheet_name=None, header_row=1, headers=headers, rows=rows)
    try:
        mapping = detect_mapping(headers, location_names=["Main", "Lager"], source=sheet.path)
        stock, found, skipped = extract_rows(sheet, mapping)
        targets, more = resolve(stock, CATALOG, duplicates=policy)
    except MappingError as exc:
        assert str(exc) and "odd.csv" in str(exc)
        return
    numbers = {n for n, _ in rows}
    for issue in found + more:
        assert issue.row in numbers and issue.message and issue.code
    assert {t.row for t in targets} <= numbers and set(skipped) <= numbers
    assert all(isinstance(t.quantity, int) or t.quantity is None or isinstance(t.quantity, str) for t in targets)
