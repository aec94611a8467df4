"""What prepare decides about the sheet itself before mapping it: which of the encodings that
decode a text sheet is meant (the one under which its keys and locations are the store's), and
the sentences the preview says about the sheet (its encoding, no data rows)."""
from __future__ import annotations

from typing import Callable, Mapping

from desktop_app.core.errors import SheetReadError
from desktop_app.core.models import Catalog, RawSheet
from desktop_app.core.sheet_fit import catalogue_hits

#: how encodings are named to a user (codec name → words)
ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE", "utf-32-be": "UTF-32 BE", "cp1252": "Windows-1252 (Western Europe)",
    "cp1250": "Windows-1250 (Central Europe)", "cp1251": "Windows-1251 (Cyrillic)", "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)", "cp1256": "Windows-1256 (Arabic)", "latin-1": "Latin-1 (ISO 8859-1)",
    "gbk": "GBK (Simplified Chinese)", "gb18030": "GB18030 (Chinese)", "big5": "Big5 (Traditional Chinese)",
    "shift_jis": "Shift-JIS (Japanese)", "cp932": "Shift-JIS (Japanese, Windows)", "euc_jp": "EUC-JP (Japanese)",
    "euc_kr": "EUC-KR (Korean)", "cp949": "Korean (Windows)", "johab": "Johab (Korean)",
}
#: encodings offered in the window's chooser, most used first
COMMON_ENCODINGS = ("utf-8", "cp1252", "utf-16-le", "cp1250", "cp1251", "latin-1", "gbk", "big5", "shift_jis",
                    "euc_kr")


def encoding_name(codec: str) -> str:
    if codec.startswith("utf-8+"):  # sheets.text's mixed reading
        return f"UTF-8, with some lines in {encoding_name(codec[len('utf-8+'):])}"
    return ENCODING_NAMES.get(codec.lower(), codec)


#: beyond this many rows the detector has text enough to be sure, and reading again costs time
CHOOSE_ROWS = 20_000


def choose_encoding(sheet: RawSheet, catalog: Catalog, *, overrides: Mapping[str, str],
                    read: Callable[[str], RawSheet]) -> RawSheet:
    """The reading of ``sheet`` (among ``sheet.encodings``) whose keys and locations the store
    knows best; the detector's first choice on ties, and for sheets of more than ``CHOOSE_ROWS``."""
    if len(sheet.rows) > CHOOSE_ROWS:
        return sheet
    best, best_hits = sheet, catalogue_hits(sheet, catalog, overrides=overrides)
    for codec in sheet.encodings[1:]:
        try:
            other = read(codec)
        except SheetReadError:
            continue
        hits = catalogue_hits(other, catalog, overrides=overrides)
        if hits > best_hits:
            best, best_hits = other, hits
    if best is not sheet:  # keep the candidates and say which one the catalogue chose
        best.encodings = [best.encoding or ""] + [c for c in sheet.encodings if c != best.encoding]
    return best


def _file_name(sheet: RawSheet) -> str:
    return sheet.path.replace("\\", "/").rpartition("/")[2]


def no_rows_notice(sheet: RawSheet) -> str:
    """The one sentence for a sheet with a header and nothing below it: the preview's notice, and
    the message of the ``no-data-rows`` guard (``engine.guards``) that stops its import."""
    return (f"'{_file_name(sheet)}' has no data rows: its header (row {sheet.header_row}) has nothing below it, so "
            "nothing is imported. If the sheet should have rows, it may have been cut short; export it again.")


def sheet_notices(sheet: RawSheet) -> list[str]:
    """What the preview says about the sheet itself."""
    name = _file_name(sheet)
    notes = []
    if not sheet.rows:
        notes.append(no_rows_notice(sheet))
    if sheet.encoding and sheet.encoding not in ("utf-8", "utf-8-sig", "ascii"):
        others = [encoding_name(c) for c in sheet.encodings[1:]]
        also = f" It could also be read as {', '.join(others)}." if others else ""
        notes.append(f"'{name}' was read as {encoding_name(sheet.encoding)}.{also} If names look garbled, choose "
                     "another encoding.")
    return notes
