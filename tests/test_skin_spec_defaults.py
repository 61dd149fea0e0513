"""Default phases of a skin of Mg, Al, Ag or Sn (process_models.skins.spec_defaults): the Cu-X alloy phases, never
the pure metal (an ASSUMPTION, overridable per metal)."""

from __future__ import annotations

import pytest

from process_models.skins.skin import SkinRecipe, evaluate_skin
from process_models.skins.spec_defaults import (
    default_allowed_skin_phases,
    known_skin_phases,
    single_phases,
)
from twin.scenario import Scenario, SpecLimits, apply_overrides
from twin.simulate import run_single

PURE = {"Mg": "mg_hcp", "Al": "al_fcc", "Ag": "ag", "Sn": "sn"}


@pytest.mark.unit
@pytest.mark.parametrize("metal", sorted(PURE))
def test_defaults_are_the_alloy_phases_never_the_pure_metal(metal):
    allowed = default_allowed_skin_phases(metal)
    assert single_phases(metal)[-1] == PURE[metal]
    assert all(PURE[metal] not in name.split("+") for name in allowed)
    assert "alpha" in allowed and set(allowed) < set(known_skin_phases(metal))
    assert SpecLimits().for_metal(metal).allowed_skin_phases == allowed


@pytest.mark.unit
def test_the_intermetallics_of_each_system_are_allowed():
    assert {"cu2mg", "cumg2", "cu2mg+cumg2"} <= set(default_allowed_skin_phases("Mg"))
    assert {"theta", "eta", "gamma"} <= set(default_allowed_skin_phases("Al"))
    assert {"epsilon_Cu3Sn", "eta_Cu6Sn5"} <= set(default_allowed_skin_phases("Sn"))
    assert default_allowed_skin_phases("Ag") == ("alpha",)  # Cu-Ag has no intermetallic
    assert "cumg2+mg_hcp" in known_skin_phases("Mg") and "cumg2+mg_hcp" not in default_allowed_skin_phases("Mg")


@pytest.mark.integration
def test_a_pure_mg_surface_fails_the_audit_by_default_and_passes_with_any():
    # a Mg line whose skin stays pure Mg at the surface (the default-source film is far thicker than stage II mixes)
    base = ['plant.lines=[{type="uht", name="uht-1"}]', "plant.lines.0.equipment=[]",
            "plant.lines.0.web_breaks.enabled=false", 'plant.lines.0.skin_metal="Mg"',
            "plant.lines.0.skin_source_temperature_K=885.0", "plant.lines.0.settings.stage3_peak_K=740.0",
            "hours=0.5", 'spec.skin_metals={Mg={skin_thickness_nm_min=0.0, skin_thickness_nm_max=1e4}}']
    assert evaluate_skin(SkinRecipe(metal="Mg", source_temperature_K=885.0, stage3_peak_K=740.0)).skin_phases == (
        "mg_hcp",)
    k = run_single(apply_overrides(Scenario(), base))["lines"]["uht-1"]
    anything = [*base[:-1], 'spec.skin_metals={Mg={skin_thickness_nm_min=0.0, skin_thickness_nm_max=1e4, '
                            'allowed_skin_phases="any"}}']
    k_any = run_single(apply_overrides(Scenario(), anything))["lines"]["uht-1"]
    assert k["metres_produced"] > 0.0 and k["metres_truly_in_spec"] == 0.0
    assert k_any["metres_truly_in_spec"] == pytest.approx(k_any["metres_in_spec"]) and k_any["metres_in_spec"] > 0.0


@pytest.mark.unit
def test_an_entry_without_phases_gets_the_default_and_a_dump_reads_back_the_same():
    s = apply_overrides(Scenario(), ['spec.skin_metals={Mg={skin_thickness_nm_min=300.0}}']).spec
    assert s.for_metal("Mg").allowed_skin_phases == default_allowed_skin_phases("Mg")
    assert s.for_metal("Mg").skin_thickness_nm_min == 300.0
    again = SpecLimits.model_validate(s.model_dump())
    assert all(again.for_metal(m) == s.for_metal(m) for m in PURE)
