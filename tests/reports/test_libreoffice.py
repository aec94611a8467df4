"""Round trips a real spreadsheet program makes: headless LibreOffice opens a report and saves it
again — XLSX → XLSX, XLSX → CSV, CSV → XLSX — and the result imports as zero changes with ids,
barcodes with leading zeros and 64-bit ids intact, and formula-like names unchanged.

LibreOffice comes from Debian's packages (``.ci/run`` installs ``libreoffice-calc``); where it is
absent these tests skip, saying so."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app.core.rows import clean_key
from desktop_app.engine.export import ExportOptions, write_stock_report
from desktop_app.sheets.reader import read_sheet

from .conftest import PLATFORMS, assert_imports_unchanged

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                "apt-get install libreoffice-calc, as .ci/run does")
CSV_FILTER = 'Text - txt - csv (StarCalc)'
IDENTITY = ("SKU", "Barcode", "Variant ID", "External ID", "Product ID", "Location ID (not editable)")
NAMES = ("Product", "Variant title")


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> str:
    """A LibreOffice user profile of the module's own, so runs never share one."""
    return (tmp_path_factory.mktemp("lo-profile")).as_uri()


def convert(profile: str, source: Path, *, to: str, out: Path, infilter: str | None = None) -> Path:
    """``soffice --convert-to``: ``to`` is "xlsx" or "csv" (UTF-8, comma, quoted text)."""
    target = "csv:" + CSV_FILTER + ":44,34,76,1" if to == "csv" else "xlsx:Calc MS Excel 2007 XML"
    args = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck"]
    if infilter:
        args.append(f"--infilter={infilter}")
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([*args, "--convert-to", target, "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=180)
    result = out / f"{source.stem}.{to}"
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result


def columns(path: Path, names: tuple[str, ...]) -> dict[str, list]:
    sheet = read_sheet(path)
    return {h: [clean_key(cells[i]) for _, cells in sheet.rows] for i, h in enumerate(sheet.headers) if h in names}


def text_columns(path: Path) -> str:
    """LibreOffice's CSV import options with the identity columns as Text — what a person picks in
    its import dialog (and what the README tells them to)."""
    headers = read_sheet(path).headers
    spec = "/".join(f"{i + 1}/2" for i, h in enumerate(headers) if h in IDENTITY)
    return f"{CSV_FILTER}:44,34,76,1,{spec}"


def _check(original: Path, result: Path, *, connector) -> None:
    assert_imports_unchanged(result, connector)
    before, after = columns(original, IDENTITY + NAMES), columns(result, IDENTITY + NAMES)
    assert after == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_libreoffice_resaving_an_xlsx_report_keeps_it_importable_as_is(demo_store, tmp_path, profile, platform):
    store = demo_store(platform)
    report = tmp_path / "stock.xlsx"
    write_stock_report(store.connector, report, options=ExportOptions(low_stock=5))
    _check(report, convert(profile, report, to="xlsx", out=tmp_path / "lo"), connector=store.connector)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_libreoffice_saving_an_xlsx_report_as_csv_keeps_it_importable_as_is(demo_store, tmp_path, profile, platform):
    store = demo_store(platform)
    report = tmp_path / "stock.xlsx"
    write_stock_report(store.connector, report, options=ExportOptions(layout="wide" if platform == "zettle" else "long"))
    _check(report, convert(profile, report, to="csv", out=tmp_path / "lo"), connector=store.connector)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_libreoffice_opening_a_csv_report_and_saving_xlsx_keeps_it_importable_as_is(demo_store, tmp_path, profile,
                                                                                   platform):
    store = demo_store(platform)
    report = tmp_path / "stock.csv"
    write_stock_report(store.connector, report)
    again = convert(profile, report, to="xlsx", out=tmp_path / "lo", infilter=text_columns(report))
    _check(report, again, connector=store.connector)


def test_64_bit_ids_and_leading_zeros_are_in_the_reports_that_go_through_libreoffice(demo_store, tmp_path, profile):
    store = demo_store("shoplazza")
    report = tmp_path / "stock.xlsx"
    write_stock_report(store.connector, report)
    ids = columns(report, IDENTITY)
    assert max(int(i) for i in ids["Location ID (not editable)"]) > 2 ** 53
    assert any(b and b.startswith("00") for b in ids["Barcode"])
    wide = tmp_path / "wide.csv"
    write_stock_report(store.connector, wide, options=ExportOptions(layout="wide", delimiter=";"))
    again = convert(profile, wide, to="xlsx", out=tmp_path / "lo", infilter=text_columns(wide).replace(":44,", ":59,"))
    _check(wide, again, connector=store.connector)


def test_a_csv_opened_with_libreoffice_defaults_still_imports_as_zero_changes(demo_store, tmp_path, profile):
    """Without Text columns LibreOffice turns barcodes into numbers (leading zeros lost): the
    import repairs them, since exactly one catalogue entry fits each."""
    store = demo_store("genstore")
    report = tmp_path / "stock.csv"
    write_stock_report(store.connector, report)
    result = convert(profile, report, to="xlsx", out=tmp_path / "lo", infilter=f"{CSV_FILTER}:44,34,76,1")
    sheet = read_sheet(result)
    barcodes = [cells[sheet.headers.index("Barcode")] for _, cells in sheet.rows]
    assert 12345600074 in barcodes                     # 0012345600074, as LibreOffice left it
    assert_imports_unchanged(result, store.connector)
