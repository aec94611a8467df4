"""CSV/TSV/TXT: encoding and delimiter detection, then one streaming pass of the csv module.

Encodings: a BOM decides (UTF-8, UTF-16 LE/BE as Excel's "Unicode Text", UTF-32); otherwise
strict UTF-8 is tried first (the fast, common case). Then Windows-1252 — what Excel writes in
Western Europe — wins whenever it reads the non-ASCII bytes as Western letters; otherwise
charset-normalizer guesses from the lines that hold them (Windows-1250, GBK, Shift-JIS, ...). A
short sample fits several code pages (a two-row German sheet also "is" Big5), so every plausible
one is kept as a *candidate*: ``engine.prepare`` picks the one under which the sheet's keys and
location names match the store's catalogue, and the user can name one (``--encoding``).

A spreadsheet row is one CSV *record*: a quoted cell with an embedded newline is still one row.
Records are checked against ``limits.Limits`` while they are parsed: a million-column line is
refused before the csv module splits it.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator

from charset_normalizer import from_bytes

from desktop_app.core.errors import SheetReadError
from desktop_app.sheets.cells import clean_text
from desktop_app.sheets.limits import LIMITS, Limits, too_big
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
             "cp862", "cp863", "cp864", "cp865", "cp869", "mac_", "hp_roman8",
             "utf_16", "utf_32", "utf-16", "utf-32")  # BOM-less UTF-16 is told by its NUL bytes instead
_LATIN_1_NAMES = {"latin_1", "iso8859_1", "iso-8859-1", "latin-1", "ascii"}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    #: every encoding that reads the file plausibly, ``encoding`` first (one: no doubt)
    candidates: tuple[str, ...]


def decode(data: bytes, *, encoding: str | None = None, name: str = "the file") -> Decoded:
    """The text of ``data``, the encoding it was read with and the other plausible ones;
    ``encoding`` forces one (bytes it can't decode become U+FFFD)."""
    if encoding and encoding.startswith(MIXED):
        legacy = encoding[len(MIXED):]
        try:
            codecs.lookup(legacy)
        except LookupError:
            raise SheetReadError(f"'{encoding}' is not an encoding Stocksheet knows. Use a name such as utf-8, "
                                 "cp1252 (Windows Western Europe), cp1250, latin-1, gbk or shift_jis.") from None
        return Decoded(_mixed(data, legacy), encoding, (encoding,))
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise SheetReadError(f"'{encoding}' is not an encoding Stocksheet knows. Use a name such as utf-8, "
                                 "cp1252 (Windows Western Europe), cp1250, latin-1, gbk or shift_jis.") from None
        body = data
        for bom, bom_name in _BOMS:
            if data.startswith(bom) and codecs.lookup(bom_name).name.replace("-sig", "") == codec.replace("-sig", ""):
                body = data[len(bom):]
                break
        return Decoded(body.decode(codec, errors="replace"), encoding, (encoding,))
    for bom, bom_name in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            codec = "utf-8" if bom_name == "utf-8-sig" else bom_name
            return Decoded(body.decode(codec, errors="replace"), bom_name, (bom_name,))
    utf16 = bomless_utf16(data)
    if utf16:
        return Decoded(data.decode(utf16, errors="replace"), utf16, (utf16,))
    try:
        return Decoded(data.decode("utf-8"), "utf-8", ("utf-8",))
    except UnicodeDecodeError:
        pass
    sample = _non_ascii_lines(data)
    lines = sample.splitlines(keepends=True)
    legacy_lines = [line for line in lines if not _is_utf8(line)]
    mixed = len(legacy_lines) < len(lines)   # some lines are UTF-8: a file put together from two sources
    sample = b"".join(legacy_lines)          # the encodings are guessed from the lines UTF-8 can't read
    readings: dict[str, str] = {}   # one per distinct reading: code pages that agree are one candidate
    for candidate in _guesses(sample):
        if len(readings) >= _MAX_CANDIDATES or candidate in readings:
            continue
        try:
            reading = sample.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if reading not in readings.values():
            readings[candidate] = reading
    names = tuple(readings)
    if readings and mixed:
        both = MIXED + names[0]
        return Decoded(_mixed(data, names[0]), both, (both, *names))
    for candidate in readings:
        try:
            return Decoded(data.decode(candidate), candidate, names)
        except UnicodeDecodeError:   # a byte beyond the sample it can't read
            continue
    return Decoded(data.decode("latin-1"), "latin-1", ("latin-1",))


#: the name of a mixed reading: ``utf-8+cp1252`` reads UTF-8 lines as UTF-8 and the others in cp1252
MIXED = "utf-8+"


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mixed(data: bytes, legacy: str) -> str:
    """Each line as UTF-8 where it is valid UTF-8, in ``legacy`` where it is not."""
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(legacy, errors="replace"))
    return "".join(out)


#: how many encodings are offered as candidates (each one is a full decoding of the file)
_MAX_CANDIDATES = 4
#: the letters Windows-1252 gives Western European text (accented Latin letters)
_WESTERN = frozenset("ŠšŽžŒœŸ" + "".join(chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)))


def _looks_western(data: bytes) -> bool:
    """Whether Windows-1252 reads ``data``'s non-ASCII bytes as Western accented letters, at most
    three in a row ("Größe"), rather than as the symbol soup it makes of GBK or Shift-JIS."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    run = longest = letters = others = 0
    for ch in text:
        if ch < "\x80":
            run = 0
            continue
        run += 1
        longest = max(longest, run)
        if ch in _WESTERN:
            letters += 1
        elif ch not in "€£°–—’‘“”…«»§µ·½¼¾²³™®©":
            others += 1
    return longest <= 3 and others * 10 <= letters


def bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 8 or sample.count(0) < len(sample) // 4:
        return None
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"


def _non_ascii_lines(data: bytes) -> bytes:
    """Up to 64 KB of the lines holding non-ASCII bytes: where encodings differ."""
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
    return bytes(sample)


def _guesses(sample: bytes) -> list[str]:
    """Candidate legacy encodings of ``sample`` (non-ASCII lines), most likely first."""
    names: list[str] = []
    if _looks_western(sample):
        names.append("cp1252")
    matches = from_bytes(sample)
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
        if not best.encoding.startswith(("utf_16", "utf_32")):
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


def read_text(data: bytes, *, extension: str, name: str, encoding: str | None = None,
              limits: Limits = LIMITS) -> tuple[Iterator[Row], Decoded, str]:
    """Rows of a CSV/TSV file, plus how it was decoded and the delimiter; ``name`` is for messages."""
    decoded = decode(data, encoding=encoding, name=name)
    text = decoded.text
    if text.startswith("\ufeff"):  # a BOM behind a BOM, or one the guessed codec kept
        text = text[1:]
    if not text.strip():
        raise SheetReadError(f"{name} is empty: there are no rows to import. "
                             "Check that you picked the right file.")
    delimiter = "\t" if extension == ".tsv" else sniff_delimiter(text, default="\t" if extension == ".txt" else ",")
    return _records(text, delimiter=delimiter, name=name, limits=limits), decoded, delimiter


class _Lines(Iterable[str]):
    """The file's lines for the csv module, refusing one with more delimiters than the column limit
    before the csv module splits it, and noting lines long enough to hold an oversized cell."""

    def __init__(self, text: str, *, delimiter: str, name: str, limits: Limits) -> None:
        self._text, self._delimiter, self._name, self._limits = text, delimiter, name, limits
        self.long = False

    def __iter__(self) -> Iterator[str]:
        limits = self._limits
        for number, line in enumerate(io.StringIO(self._text, newline=""), start=1):
            if len(line) > limits.cell_chars:
                self.long = True
                if line.count(self._delimiter) >= limits.columns:
                    raise SheetReadError(too_big(
                        self._name, f"has {line.count(self._delimiter) + 1:,} columns on line {number:,}",
                        limit=f"{limits.columns:,} columns", reason="Excel's own maximum"))
            yield line


def _records(text: str, *, delimiter: str, name: str, limits: Limits) -> Iterator[Row]:
    number = 0
    width = 0
    lines = _Lines(text, delimiter=delimiter, name=name, limits=limits)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for record in reader:
            number += 1
            if number > limits.rows:
                raise SheetReadError(too_big(name, f"has more than {limits.rows:,} rows",
                                             limit=f"{limits.rows:,} rows", reason="Excel's own maximum"))
            if len(record) > width:
                width = len(record)
                if width > limits.columns:
                    raise SheetReadError(too_big(name, f"has {width:,} columns in row {number:,}",
                                                 limit=f"{limits.columns:,} columns", reason="Excel's own maximum"))
            if number * width > limits.cells:
                raise SheetReadError(too_big(name, f"has more than {limits.cells:,} cells by row {number:,} "
                                             f"({width:,} columns)", limit=f"{limits.cells:,} cells",
                                             reason="each cell takes memory, blank or not"))
            if lines.long:
                lines.long = False
                for column, cell in enumerate(record, start=1):
                    if len(cell) > limits.cell_chars:
                        raise SheetReadError(too_big(name, f"has a cell of {len(cell):,} characters in row {number:,}, "
                                                     f"column {column:,}", limit=f"{limits.cell_chars:,} characters "
                                                     "per cell", reason="Excel's own limit",
                                                     advice="Check that row's quotes, or shorten the cell."))
            yield number, [clean_text(cell) for cell in record]
    except csv.Error as exc:
        raise SheetReadError(
            f"{name} can't be read after row {number}: {exc}. This usually means a quote "
            "character is not closed; fix that row in a text editor or re-export the file."
        ) from None
