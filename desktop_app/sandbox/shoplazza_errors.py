"""The Shoplazza emulator's error answers (``{"code": "InvalidParameter|NotFound|…", "message"}``)
and the reading of ids from request bodies, exactly as written (an id rounded through a float
must not match).
May import: ``sandbox.http``, the standard library.
"""
from __future__ import annotations

from typing import Any

from desktop_app.sandbox.http import Response


def error(status: int, code: str, message: str) -> Response:
    return Response(status, {"code": code, "message": message})


def not_connected() -> Response:
    return error(422, "InvalidParameter",
                 "The inventory item is not stocked at this location; connect it first with POST /inventory_levels.")


def request_id(value: Any) -> str | None:
    """An id from a JSON body, read exactly: strings, or (big) integers as written."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


__all__ = ["error", "not_connected", "request_id"]
