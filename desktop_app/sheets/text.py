"""CSV/TSV/TXT: encoding and delimiter detection, then one streaming pass of the csv module.

Encodings: a BOM decides (UTF-8, UTF-16 LE/BE as Excel's "Unicode Text", UTF-32); otherwise
strict UTF-8 is tried first (the fast, common case), then charset-normalizer guesses from the
lines that hold non-ASCII bytes (Windows-1252, GBK, Shift-JIS, ...). A spreadsheet row is one
CSV *record*: a quoted cell with an embedded newline is still one row.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from typing import Iterator

from charset_normalizer import from_bytes

from desktop_app.core.errors import SheetReadError
from desktop_app.sheets.cells import clean_text
from desktop_app.sheets.table import Row

DELIMITERS = (",", ";", "\t", "|")
#: how many records the delimiter vote looks at
_SAMPLE_RECORDS = 60
_SAMPLE_CHARS = 256 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: DOS and classic Mac code pages: no spreadsheet program saves CSV in them today
_UNLIKELY = ("cp437", "cp737", "cp775", "cp850", "cp852", "cp855", "cp857", "cp858", "cp860", "cp861",
             "cp862", "cp863", "cp864", "cp865", "cp869", "mac_")
_LATIN_1_NAMES = {"latin_1", "iso8859_1", "iso-8859-1", "latin-1", "ascii"}


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of the encoding it was read with."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            codec = "utf-8" if name == "utf-8-sig" else name
            return body.decode(codec, errors="replace"), name
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in _guesses(data):
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


def _bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 8 or sample.count(0) < len(sample) // 4:
        return None
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"


def _guesses(data: bytes) -> list[str]:
    """Candidate legacy encodings, most likely first, judged on the lines with non-ASCII bytes."""
    sample = bytearray()
    pos = 0
    while len(sample) < 64 * 1024:
        match = _NON_ASCII.search(data, pos)
        if match is None:
            break
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        end = len(data) if end < 0 else end + 1
        sample += data[start:end]
        pos = end
    names: list[str] = []
    matches = from_bytes(bytes(sample))
    best = matches.best()
    if best is not None:
        # Short samples of Western text fit several single-byte code pages about equally well
        # (cp1250 reads "crème" as "crčme", DOS cp775 sometimes scores best). Among the near
        # ties, Windows-1252 (Western Windows; Latin-1's printable superset) wins, and the DOS
        # and old Mac code pages that no spreadsheet program writes come last.
        near = [m for m in matches if m.chaos <= best.chaos + 0.02]
        tied = [m.encoding for m in near]
        # ``could_be_from_charset``: code pages that decode this sample to the very same text
        alike = {name for m in near for name in m.could_be_from_charset}
        if "cp1252" in alike or best.encoding.lower() in _LATIN_1_NAMES:
            names.append("cp1252")
        names += [n for n in tied if not n.startswith(_UNLIKELY)]
        names.append(best.encoding)
    names.append("cp1252")
    return names


def sniff_delimiter(text: str, *, default: str = ",") -> str:
    """The delimiter that splits the first records most consistently into several cells."""
    sample = text[:_SAMPLE_CHARS]
    cut = sample.rfind("\n")
    if 0 < cut < len(sample) - 1:
        sample = sample[:cut + 1]
    best: tuple[int, int, int] | None = None
    choice = default
    for order, delim in enumerate(DELIMITERS):
        counts: Counter[int] = Counter()
        try:
            for i, record in enumerate(csv.reader(io.StringIO(sample, newline=""), delimiter=delim)):
                if i >= _SAMPLE_RECORDS:
                    break
                if any(cell.strip() for cell in record):
                    counts[len(record)] += 1
        except csv.Error:
            continue
        several = [(n, width) for width, n in counts.items() if width > 1]
        if not several:
            continue
        rows, width = max(several)
        key = (rows, width, -order)
        if best is None or key > best:
            best, choice = key, delim
    return choice


def read_text(data: bytes, *, extension: str, name: str) -> tuple[Iterator[Row], str, str]:
    """Rows of a CSV/TSV file, plus the encoding and delimiter used; ``name`` is for messages."""
    text, encoding = decode(data)
    if text.startswith("\ufeff"):  # a BOM behind a BOM, or one the guessed codec kept
        text = text[1:]
    if not text.strip():
        raise SheetReadError(f"{name} is empty: there are no rows to import. "
                             "Check that you picked the right file.")
    delimiter = "\t" if extension == ".tsv" else sniff_delimiter(text, default="\t" if extension == ".txt" else ",")
    return _records(text, delimiter=delimiter, name=name), encoding, delimiter


def _records(text: str, *, delimiter: str, name: str) -> Iterator[Row]:
    number = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            number += 1
            yield number, [clean_text(cell) for cell in record]
    except csv.Error as exc:
        raise SheetReadError(
            f"{name} can't be read after row {number}: {exc}. This usually means a quote "
            "character is not closed; fix that row in a text editor or re-export the file."
        ) from None
