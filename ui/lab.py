"""The "lab" view: one collector recipe, line dynamics aside (``process_models.collector.recipe.evaluate_collector``),
from widget values in plant units. Defaults are read from the recipe dataclasses (and the coil furnace's programme
in ``twin.scenario``); the models validate the values (``FoiltwinInputError`` names the field)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from process_models.collector.recipe import CoilAnnealStep, CollectorRecipe
from process_models.errors import check_range
from process_models.uht.recipe import FOIL_THICKNESS_RANGE_M, STAGE3_TIME_RANGE_S, STANDARD_STAGE3_TIME_S, UHTRecipe
from twin.scenario import AnnealSettings, field_bounds


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in fields(cls) if f.name == name)


@dataclass(frozen=True)
class LabInputs:
    """A collector recipe in plant units. ``stage3_peak_K`` None: the registry's calibrated peak."""

    foil_thickness_um: float = _default(UHTRecipe, "foil_thickness_m") * 1e6
    stage2_temperature_K: float = _default(UHTRecipe, "stage2_temperature_K")
    stage2_time_s: float = _default(UHTRecipe, "stage2_time_s")
    stage3_peak_K: float | None = _default(UHTRecipe, "stage3_peak_K")
    stage3_time_ms: float = STANDARD_STAGE3_TIME_S * 1e3
    cooling: str = _default(UHTRecipe, "cooling")
    substrate: str = _default(CollectorRecipe, "substrate")
    coil_anneal: bool = False
    anneal_soak_temperature_K: float = AnnealSettings.model_fields["soak_temperature_K"].default
    anneal_soak_h: float = AnnealSettings.model_fields["soak_h"].default
    ag_immersion_time_s: float = _default(CollectorRecipe, "ag_immersion_time_s")
    currency: str = _default(CollectorRecipe, "currency")


def check_lab_units(x: LabInputs) -> None:
    """Refuse, in the widget's own unit, the values whose unit differs from the model's (µm, ms, h): a refusal then
    names what the user typed (the models check everything else)."""
    lo, hi = FOIL_THICKNESS_RANGE_M
    check_range("foil thickness [µm]", x.foil_thickness_um, lo * 1e6, hi * 1e6, unit="µm")
    check_range("stage-III time [ms]", x.stage3_time_ms, STAGE3_TIME_RANGE_S[0] * 1e3, STAGE3_TIME_RANGE_S[1] * 1e3,
                unit="ms")
    if x.coil_anneal:
        b = field_bounds(AnnealSettings, "soak_h")
        check_range("soak time [h]", x.anneal_soak_h, b.low, b.high, unit="h")


def lab_recipe(x: LabInputs) -> CollectorRecipe:
    """Plant units → the SI recipe (µm → m, ms → s, h → s), the plant-unit values checked first."""
    check_lab_units(x)
    uht = UHTRecipe(foil_thickness_m=x.foil_thickness_um / 1e6, stage2_temperature_K=x.stage2_temperature_K,
                    stage2_time_s=x.stage2_time_s, stage3_peak_K=x.stage3_peak_K, stage3_time_s=x.stage3_time_ms / 1e3,
                    cooling=x.cooling)  # type: ignore[arg-type]
    anneal = CoilAnnealStep(x.anneal_soak_temperature_K, x.anneal_soak_h * 3600.0) if x.coil_anneal else None
    return CollectorRecipe(uht=uht, substrate=x.substrate, coil_anneal=anneal,  # type: ignore[arg-type]
                           ag_immersion_time_s=x.ag_immersion_time_s, currency=x.currency)
