"""Bad input through the whole CLI against the Genstore sandbox over loopback: a header-only feed,
10,000 copies of one row, a short Windows-1252 sheet from European Excel, and where a dry run's
error report goes when the sheet's folder is read-only."""
from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from desktop_app.cli import main

CATALOG = {
    "locations": [{"name": "Köln Süd"}, {"name": "München"}, {"name": "Žďár nad Sázavou"}],
    "variants": [
        {"product": "Müsli", "sku": "MÜSLI-1", "barcode": "4006381333931", "levels": {"Köln Süd": 4, "München": 1}},
        {"product": "Käse", "sku": "KÄSE-ÖL", "barcode": "0012345678905", "levels": {"Köln Süd": 2}},
        {"product": "Tee", "sku": "TEE-1", "barcode": "5901234123457", "levels": {"Köln Süd": 9, "Žďár nad Sázavou": 1}},
    ],
}


@pytest.fixture
def store(genstore):
    return genstore(CATALOG)


def run(capsys, *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out.strip().splitlines()[-1])


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def test_a_header_only_sheet_says_it_has_no_data_rows_and_exits_1(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "feed.csv", [["SKU", "Location", "Available"]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert code == 1
    assert out["rows"] == 0 and out["no_data_rows"] is True and out["applied"] == 0
    assert any("'feed.csv' has no data rows" in n and "row 1" in n for n in out["notices"])


def test_a_header_only_sheet_in_words_names_the_file(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "feed.csv", [["SKU", "Location", "Available"]])
    code = main(["import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run"])
    printed = capsys.readouterr().out
    assert code == 1 and "'feed.csv' has no data rows" in printed


def test_ten_thousand_identical_rows_give_short_messages_and_a_small_report(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "same.csv", [["SKU", "Location", "Available"]] + [["TEE-1", "Köln Süd", 5]] * 10_000)
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run")
    assert code == 1 and out["invalid"] == 10_000
    report = Path(out["report"])
    assert report.stat().st_size < 3_000_000  # was 591 MB: every message listed every other row
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10_000
    assert rows[0]["Error"] == "SKU 'TEE-1' at Köln Süd is also in 9,999 other rows (first: 3, 4, 5 …)."
    assert rows[5]["Error"] == "SKU 'TEE-1' at Köln Süd is also in 9,999 other rows (first: 2, 3, 4 …)."
    assert max(len(r["Error"]) for r in rows) < 120
    assert app.level("TEE-1", "Köln Süd") == 9


def test_a_short_windows_1252_sheet_is_read_so_its_umlauts_match_the_store(store, tmp_path, capsys):
    app, url = store
    # two rows from European Excel: charset detection alone reads this as Korean (Johab)
    sheet = write_csv(tmp_path / "lager.csv", [["SKU", "Lager", "Bestand"], ["MÜLLER-1", "Köln Süd", 5],
                                                ["MÜSLI-1", "Köln Süd", 7]], encoding="cp1252", delimiter=";")
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run")
    assert out["encoding"] == "cp1252"
    assert any("read as Windows-1252 (Western Europe)" in n for n in out["notices"])
    report = Path(out["report"])
    with report.open(encoding="utf-8-sig", newline="") as fh:  # reports are UTF-8 with a BOM, which Excel reads
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert [(r["SKU"], r["Lager"]) for r in rows] == [("MÜLLER-1", "Köln Süd")]  # not in the store: the only problem
    assert out["invalid"] == 1 and out["changes"] == 1


def test_the_catalogue_decides_between_encodings_that_both_fit(store, tmp_path, capsys):
    app, url = store
    # Czech Excel (Windows-1250): Windows-1252 reads these bytes too, as "Žïár nad Sázavou"; only the
    # store's location names tell the two apart
    sheet = write_csv(tmp_path / "sklad.csv", [["SKU", "Location", "Available"], ["TEE-1", "Žďár nad Sázavou", 3]],
                      encoding="cp1250", delimiter=";")
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run")
    assert (code, out["invalid"], out["changes"], out["encoding"]) == (0, 0, 1, "cp1250")
    assert any("read as Windows-1250 (Central Europe). It could also be read as Windows-1252" in n
               for n in out["notices"])


def test_encoding_flag_reads_the_sheet_as_told(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "lager.csv", [["SKU", "Lager", "Bestand"], ["MÜSLI-1", "München", 3]],
                      encoding="cp1252", delimiter=";")
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run",
                    "--encoding", "cp1250")
    assert out["encoding"] == "cp1250"
    assert out["invalid"] == 1 or out["changes"] == 1  # cp1250 reads Ü and ü alike; the flag was obeyed
    code = main(["import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run", "--encoding", "klingon"])
    assert code == 2 and "'klingon' is not an encoding" in capsys.readouterr().err


@pytest.fixture
def read_only(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    yield folder
    folder.chmod(stat.S_IRWXU)


def test_a_dry_run_in_a_read_only_folder_puts_its_report_under_stocksheet_home(store, read_only, stocksheet_home,
                                                                              capsys):
    app, url = store
    sheet = write_csv(read_only / "stock.csv", [["SKU", "Location", "Available"], ["NOPE", "Köln Süd", 1]])
    read_only.chmod(stat.S_IRUSR | stat.S_IXUSR)
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run")
    assert code == 1
    assert sorted(os.listdir(read_only)) == ["stock.csv"]  # nothing written into the folder the user reads from
    assert Path(out["report"]) == stocksheet_home / "reports" / "stock.errors.csv"
    assert Path(out["report"]).exists()


def test_a_report_goes_where_the_user_chose(store, read_only, tmp_path, capsys):
    app, url = store
    sheet = write_csv(read_only / "stock.csv", [["SKU", "Location", "Available"], ["NOPE", "Köln Süd", 1]])
    read_only.chmod(stat.S_IRUSR | stat.S_IXUSR)
    chosen = tmp_path / "mine.csv"
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run",
                    "--report", str(chosen))
    assert out["report"] == str(chosen) and chosen.exists()


def test_a_report_is_never_written_into_a_watched_folder(store, tmp_path):
    from desktop_app.engine.importer import ImportRequest, run_import, write_problem_report
    from desktop_app.platforms.registry import connect
    app, url = store
    watched = tmp_path / "watched"
    watched.mkdir()
    sheet = write_csv(watched / "feed.csv", [["SKU", "Location", "Available"], ["NOPE", "Köln Süd", 1]])
    connector = connect("genstore", url, app.token)
    try:
        request = ImportRequest(file=sheet, dry_run=True)
        from desktop_app.engine.prepare import prepare
        preview = prepare(sheet, connector)
        result = preview.result()
        where = write_problem_report(preview, result, None, avoid=[watched])
        assert Path(where).parent != watched and sorted(os.listdir(watched)) == ["feed.csv"]
        assert run_import(request, connector).report is not None  # without avoid: next to it, as before
    finally:
        connector.close()


@pytest.mark.parametrize("make, says", [
    (lambda folder: (os.mkfifo(folder / "feed.csv"), folder / "feed.csv")[1], "'feed.csv' is a pipe (FIFO)"),
    (lambda folder: (os.symlink("/dev/zero", folder / "zero.csv"), folder / "zero.csv")[1], "'zero.csv' is a device"),
    (lambda folder: (os.mkdir(folder / "stock.csv"), folder / "stock.csv")[1], "is a folder"),
])
def test_special_files_are_refused_in_a_sentence_with_exit_2(store, tmp_path, capsys, make, says):
    app, url = store
    folder = tmp_path / "in"
    folder.mkdir()
    code = main(["import", str(make(folder)), "--platform", "genstore", "--url", url, "--dry-run"])
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if line.startswith("stocksheet:")]
    assert code == 2 and len(said) == 1 and says in said[0] and "Traceback" not in err
