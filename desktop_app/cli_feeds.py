"""The command line of the guards and the autopilot: guard flags (on ``import`` and the feeds),
``feed add/list/remove/run`` and ``watch DIR --once``. Same engine as the window."""
from __future__ import annotations

import argparse

from desktop_app.engine import guards


def add_guard_flags(sp: argparse.ArgumentParser) -> None:
    """The guards every import checks before anything is written (README: Guards)."""
    sp.add_argument("--max-zero-share", metavar="SHARE", default=None,
                    help="stop, writing nothing, when more than this share of the stocked levels the sheet names "
                         f"would go to 0 (default {guards.DEFAULT_MAX_ZERO_SHARE:.0%}; e.g. 0.4 or 40%%)")
    sp.add_argument("--max-drop-share", metavar="SHARE", default=None,
                    help="stop, writing nothing, when more than this share would go down by more than half "
                         f"(default {guards.DEFAULT_MAX_DROP_SHARE:.0%})")
    sp.add_argument("--allow-mass-change", action="store_true",
                    help="write even when those shares are passed (a deliberate clear-out); an empty sheet "
                         "still writes nothing")
