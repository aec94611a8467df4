"""Counting words the same way in every face: "1 row", "2 rows", "1,204 changes". Pure."""
from __future__ import annotations


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 change``, ``2 changes``, ``1,204 rows`` (``nouns``: an irregular plural)."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


__all__ = ["plural"]
