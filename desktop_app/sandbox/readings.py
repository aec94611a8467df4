"""Readings of the docs: where a platform's docs are silent or two sources disagree, the emulator
takes the point as a named option, and the contract suite runs every connector against every
reading of its platform.

Each emulator module keeps its own table, ``READINGS``, next to the doc line or source each one
comes from. A reading is a set of ``create_app`` options; ``basis`` says whether it is what the docs
say (``documented``), what a live store was reported to do (``observed``), or our guess
(``guess``). ``reported`` marks the reading a real store was last reported to have.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Basis = Literal["documented", "observed", "guess"]


@dataclass(frozen=True, slots=True)
class Reading:
    name: str
    basis: Basis
    source: str                    # the doc line or source this reading comes from
    summary: str                   # one sentence, for the README's matrix
    options: dict[str, Any] = field(default_factory=dict)
    reported: bool = False         # what a real store was last reported to do


def by_name(table: tuple[Reading, ...], name: str) -> Reading:
    for reading in table:
        if reading.name == name:
            return reading
    raise ValueError(f"unknown reading {name!r}; choose one of {', '.join(r.name for r in table)}")


__all__ = ["Reading", "Basis", "by_name"]
