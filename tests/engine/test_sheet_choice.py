"""Choosing between encodings by the catalogue, and what the preview says about the sheet itself."""
from __future__ import annotations

from desktop_app.core.models import Catalog, Location, RawSheet, Variant
from desktop_app.engine.sheet_choice import CHOOSE_ROWS, choose_encoding, encoding_name, sheet_notices

STORE = Catalog(locations=[Location(id="1", name="Žďár nad Sázavou")], variants=[Variant(id="9", product_id="P", sku="KOLO-1")])


def sheet(location: str, *, encoding: str, rows: int = 1) -> RawSheet:
    return RawSheet(path="/in/sklad.csv", format="csv", sheet_name=None, header_row=1,
                    headers=["SKU", "Location", "Available"], rows=[(i + 2, ("KOLO-1", location, "3")) for i in range(rows)],
                    encoding=encoding, encodings=[encoding, "cp1250"] if encoding == "cp1252" else [encoding])


def test_the_reading_whose_location_names_the_store_knows_is_chosen():
    wrong = sheet("Žïár nad Sázavou", encoding="cp1252")
    chosen = choose_encoding(wrong, STORE, overrides={}, read=lambda codec: sheet("Žďár nad Sázavou", encoding=codec))
    assert chosen.encoding == "cp1250" and chosen.encodings == ["cp1250", "cp1252"]


def test_on_a_tie_the_detectors_choice_stays_and_a_long_sheet_is_not_read_again():
    calls = []
    plain = sheet("Main", encoding="cp1252")
    assert choose_encoding(plain, STORE, overrides={}, read=lambda c: calls.append(c) or sheet("Main", encoding=c)) is plain
    long = sheet("Žïár nad Sázavou", encoding="cp1252", rows=CHOOSE_ROWS + 1)
    calls.clear()
    assert choose_encoding(long, STORE, overrides={}, read=lambda c: calls.append(c) or long) is long and calls == []


def test_the_preview_names_a_legacy_encoding_and_a_sheet_without_data_rows():
    notes = sheet_notices(sheet("Main", encoding="cp1252"))
    assert notes == ["'sklad.csv' was read as Windows-1252 (Western Europe). It could also be read as Windows-1250 "
                     "(Central Europe). If names look garbled, choose another encoding."]
    empty = RawSheet(path="/in/feed.csv", format="csv", sheet_name=None, header_row=3, headers=["SKU"], rows=[],
                     encoding="utf-8", encodings=["utf-8"])
    assert sheet_notices(empty) == ["'feed.csv' has no data rows: its header (row 3) has nothing below it, so nothing "
                                    "is imported. If the sheet should have rows, it may have been cut short; export "
                                    "it again."]
    assert encoding_name("utf-8+cp1252") == "UTF-8, with some lines in Windows-1252 (Western Europe)"
