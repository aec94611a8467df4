"""Mapping profiles: a named set of column overrides, key choice and location aliases, reused
for sheets with the same headers. The model only; ``engine.profile_store`` keeps them on disk.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from pydantic import BaseModel, Field, field_validator

from desktop_app.core.mapping import VOCABULARY, normalise, parse_role
from desktop_app.core.models import KeyKind


class MappingProfile(BaseModel):
    name: str = Field(min_length=1)
    overrides: dict[str, str] = Field(default_factory=dict)        # header → override value
    key: KeyKind | None = None
    location_aliases: dict[str, str] = Field(default_factory=dict)  # sheet location text → location id

    @field_validator("overrides")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        for header, role in value.items():
            if parse_role(role) is None:
                raise ValueError(f"column '{header}' is mapped to '{role}', which is not a column role "
                                 f"(use one of: {VOCABULARY})")
        return value

    def score(self, headers: Sequence[str]) -> int:
        """How many of this profile's override headers the sheet has (normalised comparison)."""
        present = {normalise(h) for h in headers}
        return sum(1 for h in self.overrides if normalise(h) in present)

    def fits(self, headers: Sequence[str]) -> bool:
        """Every override header is in the sheet (and there is at least one)."""
        return bool(self.overrides) and self.score(headers) == len(self.overrides)


def best_profile(profiles: Iterable[MappingProfile], headers: Sequence[str]) -> MappingProfile | None:
    """The profile that fits ``headers`` with the most overrides, or None (first one on a tie)."""
    best: MappingProfile | None = None
    for profile in profiles:
        if profile.fits(headers) and (best is None or profile.score(headers) > best.score(headers)):
            best = profile
    return best
