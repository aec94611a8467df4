"""The one module that owns QSettings. Everything the window remembers goes through here.

Defaults live in ``_DEFAULTS``; values are typed on the way out. Access tokens never come here:
they go to the OS keyring (``engine.credentials``). The settings file lives under
``STOCKSHEET_HOME`` (an INI file), so tests and portable installs keep it with the rest.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.engine.paths import home

MAX_RECENT = 8

_DEFAULTS: dict[str, Any] = {
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "files/recent": [],                  # most recent first
    "files/last_dir": "",
    "mapping/location_aliases": {},      # store url → {sheet location text → location id}
    "connections/saved": [],             # [{"platform": ..., "url": ..., "name": ...}] — never tokens
    "connections/options": {},           # store url → {connector option → value}, e.g. Zettle's removal_location
    "appearance/theme": "system",        # system | light | dark
}

_JSON_KEYS = {"files/recent", "mapping/location_aliases", "connections/saved", "connections/options"}


#: words of option names that hold secrets (tokens, API keys, passwords): never written to settings
_SECRET_WORDS = ("token", "password", "secret", "key")


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        path = path or home() / "settings.ini"
        self._q = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, key: str) -> Any:
        default = _DEFAULTS[key]
        raw = self._q.value(key, None)
        if raw is None:
            return json.loads(json.dumps(default)) if key in _JSON_KEYS else default
        if key in _JSON_KEYS:
            try:
                value = json.loads(raw)
            except (TypeError, ValueError):
                return default
            return value if isinstance(value, type(default)) else default
        if isinstance(default, QByteArray):
            return raw if isinstance(raw, QByteArray) else QByteArray()
        return str(raw)

    def set(self, key: str, value: Any) -> None:
        if key not in _DEFAULTS:
            raise KeyError(key)
        if "token" in key.lower():
            raise ValueError("tokens belong in the OS keyring, not in settings")
        self._q.setValue(key, json.dumps(value) if key in _JSON_KEYS else value)

    def sync(self) -> None:
        self._q.sync()

    # -- conveniences ------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        return [p for p in self.get("files/recent") if isinstance(p, str)]

    def add_recent_file(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_files() if p != path]
        self.set("files/recent", recent[:MAX_RECENT])
        self.set("files/last_dir", str(Path(path).parent))
        return recent[:MAX_RECENT]

    def location_aliases(self, store_url: str) -> dict[str, str]:
        return dict(self.get("mapping/location_aliases").get(store_url, {}))

    def remember_location_alias(self, *, store_url: str, sheet_name: str, location_id: str) -> None:
        table = self.get("mapping/location_aliases")
        table.setdefault(store_url, {})[sheet_name] = location_id
        self.set("mapping/location_aliases", table)

    def forget_location_alias(self, *, store_url: str, sheet_name: str) -> None:
        table = self.get("mapping/location_aliases")
        if table.get(store_url, {}).pop(sheet_name, None) is not None:
            self.set("mapping/location_aliases", table)

    def saved_connections(self) -> list[dict[str, str]]:
        return [c for c in self.get("connections/saved") if isinstance(c, dict) and "url" in c]

    def remember_connection(self, *, platform: str, url: str, name: str) -> None:
        saved = [c for c in self.saved_connections() if c.get("url") != url]
        self.set("connections/saved", [{"platform": platform, "url": url, "name": name}] + saved)

    def store_options(self, url: str) -> dict[str, str]:
        """The connector options last chosen for the store at ``url`` (e.g. ``removal_location``)."""
        found = self.get("connections/options").get(url.strip().rstrip("/"), {})
        return {k: v for k, v in found.items() if isinstance(v, str)} if isinstance(found, dict) else {}

    def remember_store_options(self, *, url: str, options: dict[str, str]) -> None:
        if any(word in k.lower() for k in options for word in _SECRET_WORDS):
            raise ValueError("tokens, keys and passwords belong in the OS keyring, not in settings")
        table = self.get("connections/options")
        table[url.strip().rstrip("/")] = dict(options)
        self.set("connections/options", table)
