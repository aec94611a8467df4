"""Zettle's answers as this connector reads them: error sentences, the violations that name a
product of a bulk request, and balance rows (``platforms.zettle``'s docstring has the semantics).
May import: core, httpx, ``platforms.http``."""
from __future__ import annotations

import re
from typing import Any

import httpx

from desktop_app.core.errors import ProtocolError
from desktop_app.platforms.http import default_describe, json_body

SELF = "/organizations/self"       # the organisation every path starts from
_PRODUCT_INDEX = re.compile(r"productChanges\[(\d+)\]")


def describe_error(response: httpx.Response) -> str:
    """``{"developerMessage","errorType","violations":[{"propertyName","developerMessage"}]}`` as one sentence."""
    body = json_body(response)
    if not isinstance(body, dict) or not isinstance(body.get("developerMessage"), str):
        return default_describe(response)
    text = body["developerMessage"].rstrip(".")
    if body.get("errorType"):
        text += f" ({body['errorType']})"
    details = [f"{v.get('propertyName', '')}: {v.get('developerMessage', '')}".strip(": ")
               for v in body.get("violations") or [] if isinstance(v, dict)]
    return text + (": " + "; ".join(details) if details else "") + "."


def error_type(response: httpx.Response) -> str:
    """An error answer's ``errorType`` (e.g. ``PRODUCT_NOT_TRACKED``), or ""."""
    body = json_body(response)
    return str(body.get("errorType", "")) if isinstance(body, dict) else ""


def named_products(response: httpx.Response, products: list[str]) -> set[str]:
    """Products a 4xx's violations point at (``productChanges[i]…``)."""
    body = json_body(response)
    if not isinstance(body, dict):
        return set()
    violations = body.get("violations") or []
    named = set()
    for v in violations:
        m = _PRODUCT_INDEX.match(str(v.get("propertyName", ""))) if isinstance(v, dict) else None
        if m and int(m.group(1)) < len(products):
            named.add(products[int(m.group(1))])
    return named


def balance_rows(body: Any) -> list[tuple[str, str, int]]:
    """(product, variant, balance) from a read (strings) or a write (numbers) answer."""
    out: list[tuple[str, str, int]] = []
    try:
        for row in body.get("variants") or []:
            value = row["balance"]
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError(value)
            out.append((str(row.get("productUuid") or ""), str(row["variantUuid"]), int(value)))
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise ProtocolError("Zettle answered with balances in an unknown shape.") from exc
    return out
