"""Stocksheet: import stock sheets into online stores, safely.

Layers (dependency direction points down; ``core`` depends on nothing of ours):

    gui/  app.py  cli/        entry points; only gui/ and app.py import PySide6
    engine/                   the run: prepare (read→map→validate→resolve→diff→plan), submit, journal
    sheets/   platforms/      file formats (CSV/XLSX/…)   |  one HTTP connector per platform (httpx)
    sandbox/                  local HTTP emulators of each platform (shares no code with platforms/)
    core/                     pure domain: models, mapping, validation, diff, plan, results
"""

__version__ = "0.1.0"
