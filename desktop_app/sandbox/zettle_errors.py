"""The Zettle emulator's error answers and request-body checks.

``ApiError`` is what a handler raises; ``error_response`` the body Zettle answers with
(``{"developerMessage","errorType","violations":[{"propertyName","developerMessage"}]}``);
``anonymous`` rewrites an error for the ``violations="anonymous"`` reading; ``Failures`` gathers
the violations of one write request, all-or-none or partial (``bulk_on_error``).
May import: ``sandbox.http``, the standard library.
"""
from __future__ import annotations

import re
from typing import Any

from desktop_app.sandbox.http import Request, Response, json_object

_UUID = re.compile(r"\s*\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_INDEX = re.compile(r"\[\d+\]")


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, message: str, violations: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.error_type, self.violations = status, error_type, violations or []


def error_response(status: int, error_type: str, message: str, violations: list[dict[str, str]] | None = None) -> Response:
    return Response(status, {"developerMessage": message, "errorType": error_type, "violations": violations or []})


def violation(prop: str, message: str) -> dict[str, str]:
    return {"propertyName": prop, "developerMessage": message}


def invalid(prop: str, message: str) -> ApiError:
    """A 400 ``CONSTRAINT_VIOLATION`` with one violation."""
    return ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.", [violation(prop, message)])


def anonymous(exc: ApiError) -> Response:
    """The "anonymous" reading: violations name the property, not which product change, and no UUIDs."""
    return error_response(exc.status, exc.error_type, _UUID.sub("", str(exc)), [
        violation(_INDEX.sub("", v["propertyName"]).rsplit(".", 1)[-1], _UUID.sub("", v["developerMessage"]))
        for v in exc.violations])


class Failures:
    """The violations of one write request, per product change (its index), in the order the
    checks run. All-or-none (the default reading): the first check that finds any rejects the
    request (``stage``). Partial: the failing product changes are left out, the rest is applied,
    and the answer is still the first check's 4xx with every violation (``stage(final=True)``)."""

    def __init__(self, *, partial: bool) -> None:
        self.partial = partial
        self.items: list[tuple[int, str, str, dict[str, str]]] = []
        self.groups: set[int] = set()

    def add(self, group: int, status: int, error_type: str, message: str, violation: dict[str, str]) -> None:
        self.items.append((status, error_type, message, violation))
        self.groups.add(group)

    def invalid(self, group: int, prop: str, message: str) -> None:
        """A 400 ``CONSTRAINT_VIOLATION`` of product change ``group``."""
        self.add(group, 400, "CONSTRAINT_VIOLATION", "The request is invalid.", violation(prop, message))

    def stage(self, *, final: bool = False) -> None:
        if self.items and (final or not self.partial):
            status, error_type, message, _ = self.items[0]
            raise ApiError(status, error_type, message, [v for *_, v in self.items])


def json_body(req: Request) -> dict[str, Any]:
    return json_object(req, lambda message: ApiError(400, "INVALID_JSON", message),
                       not_json="The request body is not valid JSON.",
                       not_object="The request body must be a JSON object.")


__all__ = ["ApiError", "Failures", "anonymous", "error_response", "invalid", "json_body", "violation"]
