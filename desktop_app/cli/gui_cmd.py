"""``stocksheet gui [FILE]`` (the default with no command): open the window."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

SHOT_HELP = "open the window on the demo store with a sample (or FILE), save a screenshot to PATH and quit"


def register(sub: Any) -> None:
    g = sub.add_parser("gui", help="open the window (the default with no command)")
    g.add_argument("file", nargs="?", type=Path)
    g.add_argument("--screenshot", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=SHOT_HELP)


def register_top(p: argparse.ArgumentParser) -> None:
    p.add_argument("--screenshot", type=Path, metavar="PATH", help=SHOT_HELP)


def run(args: argparse.Namespace, argv: list[str]) -> int:
    from desktop_app.app import run_gui
    return run_gui(getattr(args, "file", None), argv=argv, screenshot=getattr(args, "screenshot", None))
