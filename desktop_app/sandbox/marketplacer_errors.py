"""The Marketplacer emulator's error answers and request checks.

``ApiError`` is one JSON:API error a handler raises; ``ValidationErrors`` several at once (a
422); ``error_response`` renders them in one of the plausible body shapes (``ERROR_BODIES``).
``json_body``, ``whole``, ``invalid_count`` and ``page_param`` read and check what a request sent.
May import: ``sandbox.http``, the standard library.
"""
from __future__ import annotations

import json
import re
from typing import Any

from desktop_app.sandbox.http import Request, Response, json_object

JSONAPI = "application/vnd.api+json"
ERROR_BODIES = ("jsonapi", "error", "empty")
WHOLE = re.compile(r"\d+")


class ApiError(Exception):
    def __init__(self, status: int, title: str, detail: str, *, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.pointer = status, title, detail, pointer


class ValidationErrors(Exception):
    def __init__(self, errors: list[ApiError]) -> None:
        super().__init__(errors[0].detail)
        self.errors = errors


def error_response(status: int, errors: list[ApiError], shape: str = "jsonapi") -> Response:
    """An error answer in one of the plausible body shapes (``ERROR_BODIES``)."""
    if shape == "empty":
        return Response(status, None)
    if shape == "error":
        return Response(status, {"error": " ".join(e.detail for e in errors)})
    body = [{"status": str(e.status), "title": e.title, "detail": e.detail,
             **({"source": {"pointer": e.pointer}} if e.pointer else {})} for e in errors]
    return Response(status, {"errors": body}, headers={"Content-Type": JSONAPI})


def json_body(request: Request) -> dict[str, Any]:
    return json_object(request, lambda message: ApiError(400, "Bad Request", message),
                       not_json="The request body is not valid JSON ({error}).",
                       not_object="The request body must be a JSON object.")


def whole(value: Any) -> int | None:
    """A stock count: a JSON integer ≥ 0 or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and WHOLE.fullmatch(value):
        return int(value)
    return None


def invalid_count(value: Any, pointer: str) -> ApiError:
    return ApiError(422, "Invalid Attribute",
                    f"count_on_hand must be a whole number of 0 or more, or \"INFINITE\"; got {json.dumps(value)}.",
                    pointer=pointer)


def page_param(request: Request, name: str, default: int, *, upper: int | None) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    if not WHOLE.fullmatch(raw) or int(raw) < 1 or (upper is not None and int(raw) > upper):
        limit = f"between 1 and {upper}" if upper else "1 or more"
        raise ApiError(400, "Invalid Page", f"{name} must be a whole number {limit}, not {raw!r}.")
    return int(raw)


__all__ = ["ApiError", "ERROR_BODIES", "JSONAPI", "ValidationErrors", "error_response", "json_body", "invalid_count",
           "page_param", "whole"]
