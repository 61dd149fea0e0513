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


@pytest.mark.unit
def test_indicator_values_hold_the_seed_ranking_and_say_they_are_assumptions():
    from process_models.parameters import default_parameters
    from process_models.skins.indicators import indicator_values

    p = default_parameters()
    for name, o in SEED_ORDERINGS.items():
        v = indicator_values(name, p)
        assert v.best() == o.best_metal
        assert all(x < v.merit_frac[o.best_metal] for m, x in v.merit_frac.items() if m != o.best_metal)
        assert v.kind.startswith("assumed") and "ranking" in v.note
        assert v.data_used == ("seed 002 Fig. 6i-k ordering",)
        for m in v.merit_frac:
            rec = p.record(f"skin_{m.lower()}_{name}_merit_frac")
            assert rec.kind == "assumed" and "Fig. 6i-k" in rec.where
    # the ranking follows the registry: an override that breaks it is seen
    broken = p.with_overrides({"skin_zn_cycle_life_merit_frac": 1.0})
    assert indicator_values("cycle_life", broken).merit_frac["Zn"] == 1.0


@pytest.mark.unit
def test_validate_lists_the_ranking_as_calibration_not_validation():
    from process_models.parameters import default_parameters
    from process_models.validation.collector_cases import _skin_indicator_ranking
    from process_models.validation.sections import data_fitted_by, split_cases

    p = default_parameters()
    case = _skin_indicator_ranking(p)
    assert case.passed and case.data_id == "seed 002 Fig. 6i-k ordering"
    sections = split_cases([case], data_fitted_by(p))
    assert sections.calibration == [case] and sections.validation == []
    # a merit that breaks the ranking fails the case
    assert not _skin_indicator_ranking(p.with_overrides({"skin_sn_cycle_life_merit_frac": 1.0})).passed
