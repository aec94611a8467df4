"""Platform name → connector class. The composition root and the CLI look connectors up here."""
from __future__ import annotations

from typing import Any

from desktop_app.core.errors import InputError
from desktop_app.core.redaction import remember
from desktop_app.platforms.base import Connector

PLATFORMS = ["genstore", "marketplacer", "zettle", "shoplazza"]  # extended as connectors land: zettle, marketplacer, shoplazza


def connect(platform: str, url: str, token: str, **options: Any) -> Connector:
    remember(token, options.get("basic_password"))   # masked by value wherever a store echoes them
    if platform == "genstore":
        from desktop_app.platforms.genstore import GenstoreConnector
        return GenstoreConnector(url, token, **options)
    if platform == "marketplacer":
        from desktop_app.platforms.marketplacer import MarketplacerConnector
        return MarketplacerConnector(url, token, **options)
    if platform == "zettle":
        from desktop_app.platforms.zettle import ZettleConnector
        return ZettleConnector(url, token, **options)
    if platform == "shoplazza":
        from desktop_app.platforms.shoplazza import ShoplazzaConnector
        return ShoplazzaConnector(url, token, **options)
    raise InputError(f"Unknown platform '{platform}'. Choose one of: {', '.join(PLATFORMS)}.")
