"""Saved mapping profiles: JSON files under STOCKSHEET_HOME/profiles."""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from desktop_app.core.errors import InputError
from desktop_app.core.profiles import MappingProfile
from desktop_app.engine.paths import profiles_dir

if TYPE_CHECKING:
    from desktop_app.engine.prepare import Preview


def _path(name: str):
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "profile"
    return profiles_dir() / f"{slug}.json"


def names() -> list[str]:
    out = []
    for p in sorted(profiles_dir().glob("*.json")):
        try:
            out.append(MappingProfile.model_validate_json(p.read_text(encoding="utf-8")).name)
        except ValueError:
            continue
    return out


def load(name: str) -> MappingProfile:
    path = _path(name)
    if not path.exists():
        known = ", ".join(names()) or "none saved yet"
        raise InputError(f"There is no mapping profile named '{name}' ({known}). Save one with --save-profile.")
    return MappingProfile.model_validate_json(path.read_text(encoding="utf-8"))


def save(profile: MappingProfile) -> None:
    _path(profile.name).write_text(json.dumps(profile.model_dump(mode="json"), indent=2), encoding="utf-8")


def save_from_preview(name: str, preview: "Preview") -> MappingProfile:
    profile = MappingProfile(name=name, overrides=preview.mapping.to_overrides(), key=preview.options.key,
                             location_aliases=dict(preview.options.location_aliases))
    save(profile)
    return profile
