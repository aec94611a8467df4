"""Folder feeds end to end against the sandboxes: a file dropped in the folder is applied,
verified and moved to done/ with its report; a file still being written is left alone; several
target stores all reach their targets, and one unreachable store does not stop the others."""
from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.engine import feeds
from desktop_app.engine.feeds import Feed, Target
from desktop_app.engine.feeds.connect import connect_target
from desktop_app.engine.feeds.sources import scan
from desktop_app.engine.journal import Journal

from .conftest import write_sheet


def watch(capsys, folder, *stores, extra=()):
    args = ["watch", str(folder), "--once", "--settle", "0", "--json", *extra]
    for store in stores:
        args += ["--platform", store.platform, "--url", store.url]
    code = main(args)
    out = capsys.readouterr()
    return code, json.loads(out.out.strip().splitlines()[-1]), out


def test_a_file_dropped_in_the_folder_is_applied_verified_and_moved_to_done_with_its_report(
        open_store, tmp_path, capsys, stocksheet_home):
    store = open_store("genstore")
    folder = tmp_path / "incoming"
    folder.mkdir()
    targets = [(sku, loc, level + 7) for sku, loc, level in store.stocked(12)]
    write_sheet(folder / "stock.csv", targets)
    code, run, _ = watch(capsys, folder, store)
    assert code == 0, run
    [done] = run["files"]
    assert done["status"] == "applied" and done["rows"] == 12 and done["guards"] == []
    [result] = done["stores"]
    assert result["applied"] == result["verified"] == 12 and result["failed"] == 0 and result["run_id"]
    assert all(store.level(sku, loc) == level for sku, loc, level in targets)
    assert not (folder / "stock.csv").exists()
    [moved] = list((folder / "done").glob("*stock.csv"))
    report = moved.with_name(moved.name + ".report.txt").read_text()
    assert "applied" in report and result["run_id"] in report
    assert list((folder / "processing").glob("*.csv")) == [] and list((folder / "failed").iterdir()) == []
    # a normal journalled run: in History, undoable
    journal = Journal(stocksheet_home / "journal.sqlite3")
    try:
        assert journal.run(result["run_id"]).state == "finished"
    finally:
        journal.close()
    # nothing new: a second check does nothing and says so
    code, run, _ = watch(capsys, folder, store)
    assert code == 0 and run["files"] == [] and run["message"] == "nothing new"


def test_the_log_says_per_file_read_guards_applied_and_report(open_store, tmp_path, capsys, stocksheet_home):
    store = open_store("genstore")
    folder = tmp_path / "incoming"
    folder.mkdir()
    write_sheet(folder / "stock.csv", [(sku, loc, level + 1) for sku, loc, level in store.stocked(3)])
    code = main(["watch", str(folder), "--once", "--settle", "0", "--platform", "genstore", "--url", store.url])
    out = capsys.readouterr().out
    assert code == 0
    assert "stock.csv: read 3 data rows; guards: passed" in out
    assert "applied — 3 applied and read back" in out and "report.txt" in out
    log = (stocksheet_home / "logs" / "stocksheet.log").read_text()
    for said in ("read stock.csv: 3 data rows", "guards: passed", "3 applied and read back", ".report.txt"):
        assert said in log
    assert store.app.token not in log


def test_a_file_still_being_written_is_not_picked_up_early(open_store, tmp_path):
    store = open_store("genstore")
    folder = tmp_path / "incoming"
    folder.mkdir()
    feed = Feed(name="supplier", targets=[Target("genstore", store.url)], watch=str(folder), settle=30)
    sheet = folder / "stock.csv"
    rows = [(sku, loc, level + 2) for sku, loc, level in store.stocked(6)]
    with sheet.open("w", encoding="utf-8") as f:          # the supplier's upload, half way
        f.write("SKU,Location,Available\n")
        f.flush()
        appended = []

        def still_writing(seconds):                      # during the settle wait the upload goes on
            now[0] += seconds
            sku, loc, level = rows[len(appended)]
            f.write(f"{sku},{loc},{level}\n")
            f.flush()
            appended.append(seconds)

        now = [1000.0]
        run = feeds.run_feed(feed, connect=connect_target, clock=lambda: now[0], wait=still_writing)
        assert run.files == [] and run.waiting == ["stock.csv"] and appended == [30]
        assert sheet.exists() and store.app.ledger() == []
        for sku, loc, level in rows[len(appended):]:
            f.write(f"{sku},{loc},{level}\n")
    # written and closed; the next check sees it unchanged since the last one, a settle period ago
    now[0] += 60
    run = feeds.run_feed(feed, connect=connect_target, clock=lambda: now[0],
                         wait=lambda seconds: now.__setitem__(0, now[0] + seconds))
    [taken] = run.files
    assert taken.status == "applied" and taken.rows == 6
    assert all(store.level(sku, loc) == level for sku, loc, level in rows)


def test_a_file_is_ready_only_once_a_scan_a_settle_period_earlier_saw_the_same_size(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    state = feeds.FeedState()
    (folder / "a.csv").write_text("SKU,Available\n")
    (folder / "upload.csv.part").write_text("SKU,Available\n")        # a browser's partial download
    (folder / ".~lock.a.csv#").write_text("x")
    assert scan(folder, state, settle=5, clock=lambda: 0.0) == ([], [folder / "a.csv"])
    assert scan(folder, state, settle=5, clock=lambda: 4.0) == ([], [folder / "a.csv"])      # too soon
    with (folder / "a.csv").open("a") as f:
        f.write("X,1\n")
    assert scan(folder, state, settle=5, clock=lambda: 6.0) == ([], [folder / "a.csv"])      # it grew
    assert scan(folder, state, settle=5, clock=lambda: 11.0) == ([folder / "a.csv"], [])


def test_two_target_stores_both_reach_their_targets(open_store, tmp_path, capsys):
    genstore, shoplazza = open_store("genstore"), open_store("shoplazza", catalog="synthetic:30x2")
    folder = tmp_path / "incoming"
    folder.mkdir()
    skus = [sku for sku, _, _ in genstore.stocked(8)]
    g_loc, s_loc = genstore.locations[0].name, shoplazza.locations[0].name
    assert g_loc == s_loc                 # the synthetic catalogues name their locations alike
    rows = [(sku, g_loc, 40 + i) for i, sku in enumerate(skus)]
    write_sheet(folder / "stock.csv", rows)
    code, run, _ = watch(capsys, folder, genstore, shoplazza)
    assert code == 0, run
    [done] = run["files"]
    assert [s["status"] for s in done["stores"]] == ["applied", "applied"]
    assert len({s["run_id"] for s in done["stores"]}) == 2                  # one run per store
    assert all(s["applied"] == s["verified"] == 8 for s in done["stores"])
    assert all(genstore.level(sku, loc) == n for sku, loc, n in rows)
    assert all(shoplazza.level(sku, loc) == n for sku, loc, n in rows)


def test_one_unreachable_store_does_not_stop_the_others_and_exits_3(open_store, tmp_path, capsys):
    store, gone = open_store("genstore"), open_store("genstore")
    gone.server.stop()
    folder = tmp_path / "incoming"
    folder.mkdir()
    rows = [(sku, loc, level + 3) for sku, loc, level in store.stocked(5)]
    write_sheet(folder / "stock.csv", rows)
    code, run, _ = watch(capsys, folder, gone, store)
    assert code == 3
    [failed] = run["files"]
    unreachable, applied = failed["stores"]
    assert unreachable["status"] == "unreachable" and gone.url in unreachable["store"]
    assert applied["status"] == "applied" and applied["applied"] == 5
    assert all(store.level(sku, loc) == n for sku, loc, n in rows)
    [kept] = list((folder / "processing").glob("*stock.csv"))          # waits for the store to come back
    assert list((folder / "failed").iterdir()) == [] and list((folder / "done").iterdir()) == []
    # the store is back: the next check writes to it, and takes the other store's finished run as it is
    back = open_store("genstore")
    back_rows = [(sku, loc, n) for sku, loc, n in rows]
    code, run, _ = watch(capsys, folder, back, store)
    assert code == 0, run
    [again] = run["files"]
    assert [s["status"] for s in again["stores"]] == ["applied", "applied"]
    assert again["stores"][1]["run_id"] == applied["run_id"]          # not run a second time
    assert all(back.level(sku, loc) == n for sku, loc, n in back_rows)
    assert not kept.exists() and len(list((folder / "done").glob("*stock.csv"))) == 1


def test_rows_needing_attention_exit_1_with_the_error_report_beside_the_file(open_store, tmp_path, capsys):
    store = open_store("genstore")
    folder = tmp_path / "incoming"
    folder.mkdir()
    loc = store.locations[0].name
    write_sheet(folder / "stock.csv", [("SKU-000001", loc, 5), ("SKU-000002", loc, "lots")])
    code, run, _ = watch(capsys, folder, store)
    assert code == 1
    [f] = run["files"]
    [s] = f["stores"]
    assert s["status"] == "attention" and s["invalid"] == 1 and s["applied"] == 1
    assert s["report"].startswith(str(folder / "failed")) and (folder / "failed").joinpath(
        s["report"].rsplit("/", 1)[-1]).is_file()
    assert store.level("SKU-000001", loc) == 5


def test_a_feed_uses_the_profile_and_column_roles_it_was_given_and_no_file_holds_the_token(
        open_store, tmp_path, capsys, stocksheet_home):
    store = open_store("genstore")
    folder = tmp_path / "incoming"
    folder.mkdir()
    loc = store.locations[0].name
    header = ("Artikel-Nr", "Standort", "Auf Lager")
    sample = write_sheet(tmp_path / "sample.csv", [("SKU-000001", loc, 1)], header)
    assert main(["import", str(sample), "--platform", "genstore", "--url", store.url, "--dry-run",
                 "--map", "Artikel-Nr=sku", "--map", "Standort=location", "--map", "Auf Lager=available",
                 "--save-profile", "warehouse"]) == 0
    capsys.readouterr()
    levels = store.stocked(4)
    write_sheet(folder / "delivery.csv", [(sku, loc, 11) for sku, _, _ in levels], header)
    # the profile's roles, and on top of it this feed's own: the quantity column adjusts
    code, run, _ = watch(capsys, folder, store, extra=("--profile", "warehouse", "--map", "Auf Lager=adjust"))
    assert code == 0, run
    assert run["files"][0]["stores"][0]["applied"] == 4
    assert all(store.level(sku, l) == n + 11 for sku, l, n in levels)
    from .conftest import TOKEN
    leaked = [p for root in (stocksheet_home, folder) for p in root.rglob("*")
              if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert leaked == []


def test_a_file_that_cannot_be_read_goes_to_failed_with_a_sentence_and_the_next_file_still_goes_through(
        open_store, tmp_path, capsys):
    store = open_store("genstore")
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    rows = [(sku, loc, n + 6) for sku, loc, n in store.stocked(2)]
    write_sheet(folder / "stock.csv", rows)
    code, run, out = watch(capsys, folder, store)
    assert code == 1 and "Traceback" not in out.err
    by_name = {f["file"]: f for f in run["files"]}
    assert by_name["broken.xlsx"]["status"] == "attention" and "broken.xlsx" in by_name["broken.xlsx"]["problem"]
    assert by_name["stock.csv"]["status"] == "applied"
    assert all(store.level(sku, loc) == n for sku, loc, n in rows)
    [kept] = list((folder / "failed").glob("*broken.xlsx"))
    assert "could not be read" in kept.with_name(kept.name + ".report.txt").read_text()
