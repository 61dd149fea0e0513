"""Seed 002 §4 orderings of the skin metals (process_models.skins.indicators): data, not fits."""

from __future__ import annotations

import pytest

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.skins.indicators import SEED_ORDERINGS, seed_rank


@pytest.mark.unit
def test_orderings_are_the_seeds_and_rank_only_the_reported_best():
    assert {k: o.best_metal for k, o in SEED_ORDERINGS.items()} == {
        "plating_overpotential": "Ag", "cycle_life": "Mg", "nucleation_overpotential": "Zn"}
    r = seed_rank("cycle_life")
    assert r["Mg"] == 1 and all(v is None for m, v in r.items() if m != "Mg")
    assert seed_rank("plating_overpotential", ("Zn", "Ag")) == {"Zn": None, "Ag": 1}
    assert "Wang2025" in citations.used()


@pytest.mark.unit
def test_unknown_indicator_or_metal_is_named():
    with pytest.raises(FoiltwinInputError) as e:
        seed_rank("capacity")
    assert e.value.field == "indicator"
    with pytest.raises(FoiltwinInputError) as e:
        seed_rank("cycle_life", ("Pb",))
    assert e.value.field == "skin_metal"
