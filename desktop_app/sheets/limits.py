"""The documented limits of what Stocksheet reads, and why each is there (README: "Limits").

A sheet beyond one of them is refused *before* a reader holds it in memory, with a sentence
naming the file, the limit and what to do. The numbers keep any accepted sheet within about
1.5 GB of memory and half a minute, and stay at or above what Excel itself can hold, except the
cell count: a full Excel sheet (17 billion cells) is no stock sheet.
"""
from __future__ import annotations

from dataclasses import dataclass

MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    #: bytes on disk of any sheet file (a 1,048,576-row CSV of 4 columns is about 40 MB)
    file_bytes: int = 256 * MB
    #: rows of a sheet, header included (Excel's own maximum)
    rows: int = 1_048_576
    #: columns of a sheet (Excel's own maximum, XFD)
    columns: int = 16_384
    #: the rectangle a reader fills, rows × columns, blanks included (~200 bytes of memory each)
    cells: int = 5_000_000
    #: characters in one cell (Excel's own maximum)
    cell_chars: int = 32_767
    #: entries in a workbook's zip archive (a real workbook has a few dozen)
    archive_entries: int = 10_000
    #: bytes one archive entry inflates to (a 5,000,000-cell sheet is about 200 MB of XML)
    part_bytes: int = 256 * MB
    #: bytes the whole archive inflates to
    archive_bytes: int = 1024 * MB
    #: text copied into cells from a workbook's shared strings (each cell holds its own copy)
    shared_text_bytes: int = 256 * MB
    #: times an ODS row holding values may be repeated (``table:number-rows-repeated``)
    repeated_rows: int = 10_000
    #: inflated ÷ compressed size of an entry larger than ``ratio_floor`` (real sheets: 5-30)
    ratio: int = 100
    ratio_floor: int = 1 * MB


LIMITS = Limits()


def size(n: int) -> str:
    """``n`` bytes for a sentence: "256 MB", "3.0 GB", "863 bytes"."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= MB:
        return f"{n / MB:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n:,} bytes"


def too_big(name: str, what: str, *, limit: str, reason: str,
            advice: str = "Split it into smaller sheets, or remove what is not stock, and import the parts.") -> str:
    """The sentence for a sheet beyond a limit: what it has, the limit, why, and what to do."""
    return f"{name} {what}; Stocksheet reads at most {limit} ({reason}). {advice}"
