"""Platform name → emulator factory, used by ``stocksheet sandbox`` and the tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.sandbox.http import App

PLATFORMS = ["genstore"]  # extended as emulators land: zettle, marketplacer, shoplazza


def create_app(platform: str, *, catalog: str = "demo", state: Path | None = None, rate: str = "default",
               token: str | None = None, **options: Any) -> App:
    """Build the emulator. ``state`` is a SQLite file (kept across restarts; seeded from
    ``catalog`` only when new); None keeps state in memory."""
    if platform == "genstore":
        from desktop_app.sandbox.genstore import GenstoreApp
        return GenstoreApp.create(catalog=catalog, state=state, rate=rate, token=token, **options)
    raise ValueError(f"unknown platform {platform!r}; choose one of {PLATFORMS}")
