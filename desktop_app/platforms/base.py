"""The connector protocol every platform implements, and what a write returns."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from desktop_app.core.models import Capabilities, Change, Chunk, Level, Location, Variant


@dataclass(slots=True)
class ChangeOutcome:
    """The result of one change inside a chunk write."""

    change: Change
    ok: bool
    level_after: Level = None      # the level the platform reported after the write, if any
    code: str = ""                 # stable code on failure (core.issues), e.g. "platform-rejected"
    error: str = ""                # the platform's message, as a sentence for the report


@dataclass(frozen=True, slots=True)
class LevelDetail:
    """A level with what else the store says about it (stock reports show it)."""

    level: Level
    updated: str | None = None     # when the store last changed it (ISO 8601), where it says


class Connector(Protocol):
    """A store on one platform. Methods raise ``core.errors.PlatformError`` subclasses for
    transport/auth problems; per-row problems come back as failed ``ChangeOutcome``s."""

    capabilities: Capabilities
    url: str

    def list_locations(self) -> list[Location]: ...

    def list_variants(self) -> list[Variant]:
        """The whole catalogue's variants (all pages)."""
        ...

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """Live levels for the given variants × locations, fetched in bulk.

        Pairs absent from the result are not stocked (unbound) at that location."""
        ...

    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        """Write one planned chunk; one outcome per change, in order."""
        ...

    def close(self) -> None: ...

    # Optional, where the platform offers it (stock reports look them up with ``getattr``):
    #   read_committed(variant_ids, location_ids) -> {(variant, location): committed} | None
    #   read_level_details(variant_ids, location_ids, *, updated_since: datetime | None = None)
    #       -> {(variant, location): LevelDetail}: update times, and the platform's own filter by them
