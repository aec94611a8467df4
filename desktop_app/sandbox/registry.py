"""Platform name → emulator factory, used by ``stocksheet sandbox`` and the tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.sandbox.http import App
from desktop_app.sandbox.readings import Reading, by_name

PLATFORMS = ["genstore", "marketplacer", "zettle", "shoplazza"]  # extended as emulators land: zettle, marketplacer, shoplazza


def create_app(platform: str, *, catalog: str = "demo", state: Path | None = None, rate: str = "default",
               token: str | None = None, faults: str | None = None, seed: int = 0, **options: Any) -> App:
    """Build the emulator. ``state`` is a SQLite file (kept across restarts; seeded from
    ``catalog`` only when new); None keeps state in memory. ``faults`` (a ``sandbox.faults``
    spec such as ``5xx=0.1,drop=0.05``) wraps it in a seeded ``FaultyApp``."""
    if faults:
        from desktop_app.sandbox.faults import FaultyApp, parse_faults
        spec = parse_faults(faults)      # a bad spec fails before any state file is touched
        app = create_app(platform, catalog=catalog, state=state, rate=rate, token=token, **options)
        return FaultyApp(app, spec, seed=seed)
    if "reading" in options:             # a named reading of the docs (``readings(platform)``)
        options = {**by_name(readings(platform), options.pop("reading")).options, **options}
    if platform == "genstore":
        from desktop_app.sandbox.genstore import GenstoreApp
        return GenstoreApp.create(catalog=catalog, state=state, rate=rate, token=token, **options)
    if platform == "marketplacer":
        from desktop_app.sandbox.marketplacer import MarketplacerApp
        return MarketplacerApp.create(catalog=catalog, state=state, rate=rate, token=token, **options)
    if platform == "zettle":
        from desktop_app.sandbox.zettle import ZettleApp
        return ZettleApp.create(catalog=catalog, state=state, rate=rate, token=token, **options)
    if platform == "shoplazza":
        from desktop_app.sandbox.shoplazza import ShoplazzaApp
        return ShoplazzaApp.create(catalog=catalog, state=state, rate=rate, token=token, **options)
    raise ValueError(f"unknown platform {platform!r}; choose one of {PLATFORMS}")


def readings(platform: str) -> tuple[Reading, ...]:
    """The readings of ``platform``'s docs its emulator offers (its module's ``READINGS`` table)."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; choose one of {PLATFORMS}")
    import importlib
    return importlib.import_module(f"desktop_app.sandbox.{platform}").READINGS


def default_reading(platform: str) -> Reading:
    """The reading the tests and the demo store use by default: what a real store was last reported to do."""
    table = readings(platform)
    return next((r for r in table if r.reported), table[0])
