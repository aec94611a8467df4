"""The Genstore emulator's refusals and request checks: ``Reject`` is what a handler raises (the
app answers it in its reading's error shape); the functions read a request's body, ids, quantity
and ``limit`` as the docs write them (ids and quantities as strings; numbers too under the
``numbers`` reading).
May import: ``sandbox.http``, the standard library.
"""
from __future__ import annotations

import re
from typing import Any

from desktop_app.sandbox.http import Request, json_object

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
MAX_QUANTITY = 1_000_000_000
_INT = re.compile(r"-?\d+")


class Reject(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_body(req: Request) -> dict[str, Any]:
    return json_object(req, lambda message: Reject(400, message), not_json="Request body is not valid JSON",
                       not_object="Request body must be a JSON object")


def required_id(body: dict[str, Any], key: str, *, numbers: bool = False) -> str:
    value = body.get(key)
    if value is None or value == "":
        raise Reject(400, f"{key} is required")
    if numbers and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if not isinstance(value, str) or not value.isdigit():
        raise Reject(400, f"{key} must be a numeric id written as a string, e.g. \"54002\"")
    return value


def quantity(value: Any, *, numbers: bool = False) -> int:
    if value is None:
        raise Reject(400, "available is required")
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _INT.fullmatch(value.strip()):
        raise Reject(400, f"available must be a whole number written as a string, e.g. \"100\" (got {value!r})")
    qty = int(value)
    if abs(qty) > MAX_QUANTITY:
        raise Reject(400, f"available is out of range (at most {MAX_QUANTITY})")
    return qty


def page_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or int(value) < 1:
        raise Reject(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    if int(value) > MAX_LIMIT:
        raise Reject(400, f"limit must not exceed {MAX_LIMIT}")
    return int(value)


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_QUANTITY", "Reject", "json_body", "page_limit", "quantity", "required_id"]
