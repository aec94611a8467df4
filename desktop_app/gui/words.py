"""The window names window controls, the CLI names flags.

Messages and hints are written once, in the core and engine, for both faces; where they name a
command-line flag, a command or an environment variable, ``window_words`` puts the window's own
control in its place. Used for everything the window shows or saves (the table's reasons, the
detail pane, the mapping's warnings, error dialogs, error reports saved from the window).
"""
from __future__ import annotations

import re

from desktop_app.core.results import RowOutcome
from desktop_app.core.words import plural  # noqa: F401 - the window's counting words (re-exported)

_MAPPING = "in the column mapping (Ctrl+M)"
_RULES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in (
    (r"tick 'Overwrite stale levels' in the window, or import with --force-stale",
     "tick “Overwrite stale levels” under the table"),
    (r",? ?or import with --force-stale", ""),
    (r"--force-stale", "“Overwrite stale levels”"),
    (r"import with --duplicates last \(the last row wins\) or --duplicates sum \(adjustments add up\)",
     f"choose “Keep the last row” or “Add up adjustments” for “Same variant and location twice” {_MAPPING}"),
    (r"import with --duplicates (last|sum)",
     f"choose another “Same variant and location twice” option {_MAPPING}"),
    (r"--duplicates (last|sum)", "“Same variant and location twice”"),
    (r"\(--key\)", f"(“Identify variants by” {_MAPPING})"),
    (r"\(--location '([^=']*)=Store location'\)", rf"(the dropdown for “\1” under “Location names in the sheet” {_MAPPING})"),
    (r"match it with --location", f"match it under “Location names in the sheet” {_MAPPING}"),
    (r"--location '[^']*'", f"the location dropdowns {_MAPPING}"),
    (r"map it with --map '[^']*=info'", "choose “Information only” for it under “Read as”"),
    (r"map the right one with --map", "choose the right one's role under “Read as”"),
    (r"map one with --map '[^']*'", "choose a column's role under “Read as”"),
    (r"--map '[^']*'", "its role under “Read as”"),
    (r"--map", "“Read as”"),
    (r"--save-profile", "“Save as…” under Mapping profiles"),
    (r"Run `stocksheet resume` with the run id to finish the run\.", "Press Resume (on the result page or in "
     "History) to finish the run."),
    (r"run `stocksheet resume [^`]*`", "press Resume in History"),
    (r"`stocksheet undo [^`]*` would restore", "Undo (in History) would restore"),
    (r"`stocksheet history` lists the runs", "History (Ctrl+H) lists the runs"),
    (r"`stocksheet [^`]*`", "History (Ctrl+H)"),
    (r"STOCKSHEET_TOKEN|STOCKSHEET_BASIC_PASSWORD", "the token in Connect to a store…"),
)]


def window_words(text: str) -> str:
    if not text or ("--" not in text and "`" not in text and "STOCKSHEET_" not in text):
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def window_outcome(o: RowOutcome) -> RowOutcome:
    """``o`` with its message and hint in the window's words (a copy only when they change)."""
    message, hint = window_words(o.message), window_words(o.hint)
    if message is o.message and hint is o.hint:
        return o
    from dataclasses import replace
    return replace(o, message=message, hint=hint)


def units(up: int, down: int) -> str:
    """"+4 / −3 units", "+1 unit", "−3 units": one minus sign, and a side that is zero is left out
    (never "+0" or "−0")."""
    if up and down:
        return f"+{up:,} / −{down:,} units"
    if up or down:
        return f"{'+' if up else '−'}{plural(up or down, 'unit')}"
    return "no change in units"
