"""URL feeds against a loopback HTTP server: the first check applies the file, an unchanged file
(304 to If-None-Match, or the same bytes from a server without validators) starts no run, and a
changed file is applied again. The recipe keeps no secret."""
from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.errors import InputError
from desktop_app.engine import feeds
from desktop_app.engine.feeds import Feed, Target
from desktop_app.engine.feeds.recipe import feeds_dir

from .conftest import TOKEN, csv_bytes


def check(capsys, name="supplier"):
    code = main(["feed", "run", name, "--once", "--json"])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_url_feed_applies_a_changed_file_only(open_store, file_server, capsys, stocksheet_home):
    store = open_store("genstore")
    levels = store.stocked(10)
    file_server.content = csv_bytes([(s, loc, n + 1) for s, loc, n in levels])
    assert main(["feed", "add", "supplier", "--url", file_server.url, "--platform", "genstore",
                 "--url-store", store.url, "--every", "15m"]) == 0
    assert "checked every 15m" in capsys.readouterr().out

    code, run = check(capsys)
    assert code == 0 and run["files"][0]["status"] == "applied" and run["files"][0]["stores"][0]["applied"] == 10
    assert all(store.level(s, loc) == n + 1 for s, loc, n in levels)
    writes = len(store.app.ledger())

    code, run = check(capsys)                       # unchanged: the server answers 304
    assert code == 0 and run["files"] == [] and "304" in run["message"]
    assert file_server.headers[-1].get("If-None-Match") == file_server.etag
    assert len(store.app.ledger()) == writes and file_server.sent == 1

    file_server.content = csv_bytes([(s, loc, n + 2) for s, loc, n in levels])
    code, run = check(capsys)
    assert code == 0 and run["files"][0]["stores"][0]["applied"] == 10
    assert all(store.level(s, loc) == n + 2 for s, loc, n in levels)
    done = feeds_dir() / "supplier" / "done"
    assert len(list(done.glob("*stock.csv"))) == 2 and len(list(done.glob("*.report.txt"))) == 2

    listed = json.loads((main(["feed", "list", "--json"]), capsys.readouterr().out)[1])
    [entry] = listed
    assert entry["status"] == "applied" and entry["next_check"] and entry["stores"] == [f"genstore {store.url}"]
    # no secret anywhere in the recipe or its state
    for path in feeds_dir().glob("supplier*.json"):
        assert TOKEN not in path.read_text()


def test_a_server_without_validators_is_deduplicated_by_the_file_s_hash(open_store, file_server, capsys):
    store = open_store("genstore")
    file_server.validators = False
    file_server.content = csv_bytes([(s, loc, n + 1) for s, loc, n in store.stocked(3)])
    feeds.save(Feed(name="supplier", targets=[Target("genstore", store.url)], url=file_server.url))
    assert check(capsys)[1]["files"][0]["status"] == "applied"
    code, run = check(capsys)
    assert code == 0 and run["files"] == [] and "same content" in run["message"] and file_server.sent == 2


def test_an_unreachable_feed_url_exits_3_and_writes_nothing(open_store, file_server, capsys):
    store = open_store("genstore")
    feeds.save(Feed(name="supplier", targets=[Target("genstore", store.url)], url=file_server.url + ".missing"))
    code = main(["feed", "run", "supplier", "--once"])
    assert code == 3 and "answered 404" in capsys.readouterr().err and store.app.ledger() == []


@pytest.mark.parametrize("url", ["https://user:pw@feeds.example.com/stock.csv",
                                 "https://feeds.example.com/stock.csv?token=abc123"])
def test_a_feed_url_carrying_a_secret_is_refused(url):
    with pytest.raises(InputError, match="secret"):
        Feed(name="supplier", targets=[Target("genstore", "https://shop.example.com")], url=url)
    with pytest.raises(InputError, match="secret"):
        Target("genstore", url)


@pytest.mark.parametrize("url", ["http://feeds.example.com/stock.csv", "ftp://feeds.example.com/stock.csv", "stock.csv"])
def test_a_feed_url_must_be_https_except_on_loopback(url):
    with pytest.raises(InputError, match="https://"):
        Feed(name="supplier", targets=[Target("genstore", "https://shop.example.com")], url=url)


def test_feed_add_list_pause_remove(open_store, tmp_path, capsys):
    store = open_store("genstore")
    folder = tmp_path / "in"
    folder.mkdir()
    assert main(["feed", "add", "daily", "--watch", str(folder), "--platform", "genstore", "--url-store", store.url,
                 "--max-zero-share", "10%", "--min-rows-share", "0.8"]) == 0
    feed = feeds.load("daily")
    assert feed.guards.max_zero_share == 0.1 and feed.guards.min_rows_share == 0.8 and feed.watch == str(folder)
    assert main(["feed", "add", "daily", "--watch", str(folder), "--platform", "genstore",
                 "--url-store", store.url]) == 2
    assert "already a feed named 'daily'" in capsys.readouterr().err
    assert main(["feed", "pause", "daily"]) == 0 and feeds.load("daily").paused
    assert main(["feed", "list"]) == 0 and "daily (paused)" in capsys.readouterr().out
    assert main(["feed", "remove", "daily"]) == 0 and feeds.names() == []
    assert main(["feed", "run", "daily", "--once"]) == 2 and "no feed named 'daily'" in capsys.readouterr().err
    assert main(["feed", "add", "x", "--watch", str(tmp_path / "nope"), "--platform", "genstore",
                 "--url-store", store.url]) == 2
    assert main(["feed", "add", "x", "--watch", str(folder), "--platform", "genstore", "--url-store", store.url,
                 "--every", "often"]) == 2
    assert "--every 'often'" in capsys.readouterr().err
    assert feeds.names() == []


def test_a_feed_saved_from_a_review_keeps_the_store_s_own_settings_and_mapping_but_no_secret(open_store, tmp_path):
    from desktop_app.engine.feeds.recipe import feeds_dir
    from desktop_app.engine.feeds.service import FeedService
    from desktop_app.engine.prepare import prepare
    from .conftest import write_sheet
    store = open_store("zettle", catalog="synthetic:6x1")
    sheet = write_sheet(tmp_path / "s.csv", [("SKU-000001", 4)], ("Artikelnummer", "Menge"))
    preview = prepare(sheet, store.connector)
    FeedService().save_from_preview(preview, name="z", platform="zettle", url=store.url, watch=str(tmp_path),
                                    store_options={"client_id": "cid-1", "removal_location": "SOLD"})
    feed = feeds.load("z")
    [target] = feed.targets
    assert (target.zettle_client_id, target.zettle_removal, target.basic_user) == ("cid-1", "SOLD", None)
    assert feed.overrides == preview.mapping.to_overrides() and feed.overrides
    recipe = json.loads((feeds_dir() / "z.json").read_text())
    assert set(recipe["targets"][0]) == {"platform", "url", "zettle_client_id", "zettle_removal"}
    assert TOKEN not in json.dumps(recipe)
