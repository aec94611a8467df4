"""Mapping profiles: validated overrides, matching a sheet's headers, JSON round trip."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from desktop_app.core.mapping import detect_mapping
from desktop_app.core.models import KeyKind
from desktop_app.core.profiles import MappingProfile, best_profile


def test_profile_round_trips_through_json_and_reproduces_the_mapping():
    mapping = detect_mapping(["Artikel", "Ort", "Soll"], overrides={"Artikel": "sku", "Ort": "location", "Soll": "available"})
    profile = MappingProfile(name="Lieferant A", overrides=mapping.to_overrides(), key=KeyKind.SKU,
                             location_aliases={"Nord": "loc-1"})
    again = MappingProfile.model_validate_json(profile.model_dump_json())
    assert again == profile
    remapped = detect_mapping(["Artikel", "Ort", "Soll"], overrides=again.overrides)
    assert [(c.role, c.mode) for c in remapped.columns] == [(c.role, c.mode) for c in mapping.columns]


def test_profile_refuses_an_unknown_role():
    with pytest.raises(ValidationError, match="'Menge' is mapped to 'amount'"):
        MappingProfile(name="x", overrides={"Menge": "amount"})


def test_score_counts_override_headers_present_in_the_sheet():
    profile = MappingProfile(name="p", overrides={"Artikel": "sku", "Menge": "available", "Lager": "location"})
    assert profile.score(["artikel", "MENGE", "Preis"]) == 2
    assert not profile.fits(["artikel", "MENGE", "Preis"])
    assert profile.fits(["Artikel", "Menge", "Lager", "Preis"])


def test_best_profile_is_the_fitting_one_with_most_overrides():
    small = MappingProfile(name="small", overrides={"Artikel": "sku"})
    big = MappingProfile(name="big", overrides={"Artikel": "sku", "Menge": "available"})
    other = MappingProfile(name="other", overrides={"Code": "sku", "Menge": "available", "X": "info"})
    assert best_profile([small, big, other], ["Artikel", "Menge"]).name == "big"
    assert best_profile([small, big, other], ["Something"]) is None
