"""Plant data rows → collector recipes → the model's prediction of every measured outcome, in bulk.

The one bridge between measurements (:mod:`twin.plant_data`) and the process models: the calibration
(``optimizer.calibration``) and the drift monitor (:mod:`twin.drift`) both compare the readings with
:meth:`PlantModel.predict`, which evaluates all rows in one call of
:func:`~process_models.collector.recipe.evaluate_collectors` (the UHT step batched, identical recipes once).

Settings a row does not give take the recipe defaults; the stage-II time is ``stage2_heated_length_m /
web_speed`` and the stage-III pulse ``stage3_heater_length_mm / web_speed`` when the times themselves are not
recorded (as the line twin computes them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from process_models.collector.recipe import (
    CoilAnnealStep,
    CollectorRecipe,
    CollectorResult,
    PlatingStep,
    evaluate_collectors,
)
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.uht.recipe import UHTRecipe
from twin.plant_data import OUTCOMES, PlantData, PlantRecord, skin_phase_set


def _uht(res: CollectorResult) -> Any:
    if res.uht is None:  # the schema refuses UHT outcomes on rows without a UHT step
        raise FoiltwinInputError("uht_step", False, "a UHT step for a UHT outcome")
    return res.uht


EXTRACT: dict[str, Callable[[CollectorResult], Any]] = {
    "zn_loading_mg_per_cm2": lambda r: _uht(r).zn_loading_mg_per_cm2,
    "skin_thickness_nm": lambda r: _uht(r).skin_thickness_nm,
    "surface_zn_at_frac": lambda r: _uht(r).surface_zn_at_frac,
    "texture_fraction_111": lambda r: r.texture_fractions["111"],
    "texture_fraction_100": lambda r: r.texture_fractions["100"],
    "texture_fraction_110": lambda r: r.texture_fractions["110"],
    "nucleation_overpotential_mV": lambda r: r.nucleation_overpotential_mV,
    "energy_kwh_per_m2": lambda r: _uht(r).energy_kwh_per_m2,
    "skin_phase": lambda r: _uht(r).skin_phase,
}


def _uht_recipe(r: PlantRecord) -> UHTRecipe:
    kw: dict[str, Any] = {}
    speed_m_per_s = None if r.web_speed_m_per_min is None else r.web_speed_m_per_min / 60.0
    if r.foil_thickness_um is not None:
        kw["foil_thickness_m"] = r.foil_thickness_um * 1e-6
    if r.zn_route is not None:
        kw["zn_route"] = r.zn_route
    if r.plated_zn_mg_per_cm2 is not None:
        kw.update(zn_route="plated", plated_zn_loading_kg_per_m2=r.plated_zn_mg_per_cm2 * 1e-2)
    if r.stage2_time_s is not None:
        kw["stage2_time_s"] = r.stage2_time_s
    elif r.stage2_heated_length_m is not None and speed_m_per_s is not None:
        kw["stage2_time_s"] = r.stage2_heated_length_m / speed_m_per_s
    if r.stage3_time_ms is not None:
        kw["stage3_time_s"] = r.stage3_time_ms * 1e-3
    elif r.stage3_heater_length_mm is not None and speed_m_per_s is not None:
        kw["stage3_time_s"] = r.stage3_heater_length_mm * 1e-3 / speed_m_per_s
    for name in ("stage2_temperature_K", "zn_source_temperature_K", "stage3_peak_K", "stage3_heating_rate_K_per_s",
                 "cooling"):
        if getattr(r, name) is not None:
            kw[name] = getattr(r, name)
    return UHTRecipe(**kw)


def row_recipe(r: PlantRecord) -> CollectorRecipe:
    """The collector recipe a row records (missing settings: the recipe defaults)."""
    kw: dict[str, Any] = {"uht": _uht_recipe(r) if r.has_uht else None}
    for name in ("substrate", "electroform_bath", "electroform_current_density_A_per_m2", "electroform_temperature_K",
                 "ag_immersion_time_s"):
        if getattr(r, name) is not None:
            kw[name] = getattr(r, name)
    if r.agf_wt_pct is not None:
        kw["agf_mass_frac"] = r.agf_wt_pct / 100.0
    if r.zn_bath is not None:
        kw["zn_plating"] = PlatingStep(r.zn_bath, r.zn_current_density_A_per_m2, r.zn_plating_time_s,  # type: ignore[arg-type]
                                       concentration_mol_per_m3=r.zn_bath_concentration_mol_per_m3)
    if r.anneal_soak_temperature_K is not None:
        kw["coil_anneal"] = CoilAnnealStep(r.anneal_soak_temperature_K, r.anneal_soak_h * 3600.0)  # type: ignore[operator]
    return CollectorRecipe(**kw)


def evaluate_rows(recipes: Sequence[CollectorRecipe], params: ParameterValues,
                  row_numbers: Sequence[int]) -> list[CollectorResult]:
    """All recipes in one bulk call; a recipe the models refuse is named by its data row (``row N.field``)."""
    try:
        return evaluate_collectors(recipes, params)
    except FoiltwinInputError:
        for recipe, n in zip(recipes, row_numbers, strict=True):  # find the row (only on failure)
            try:
                evaluate_collectors([recipe], params)
            except FoiltwinInputError as err:
                raise FoiltwinInputError(f"row {n}.{err.field}", err.value, err.allowed, err.reason) from None
        raise


@dataclass(frozen=True)
class Observations:
    """The numeric readings to compare, flattened: observation k is outcome ``outcome[k]`` of data row
    ``row[k]`` (0-based), read ``measured[k]`` with standard deviation ``sigma[k]`` (column unit)."""

    row: np.ndarray
    outcome: np.ndarray
    measured: np.ndarray
    sigma: np.ndarray
    outcomes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.measured)

    def of(self, name: str) -> np.ndarray:
        """Boolean mask of the observations of outcome ``name``."""
        return self.outcome == name


def observations(data: PlantData, params: ParameterValues, outcomes: Sequence[str] | None = None) -> Observations:
    """The readings of ``outcomes`` (default: every numeric outcome the file measured) with their σ: the row's
    ``<outcome>_sd`` or the instrument default of the registry."""
    measured_any = [name for name, count in data.counts().items() if name in OUTCOMES and count > 0]
    chosen = list(measured_any if outcomes is None else outcomes)
    for name in chosen:
        if name not in OUTCOMES:
            raise FoiltwinInputError("outcomes", name, f"one of {', '.join(OUTCOMES)}")
        if name not in measured_any:
            raise FoiltwinInputError("outcomes", name, f"an outcome the data measured ({', '.join(measured_any)})")
    if not chosen:
        raise FoiltwinInputError("DATA", data.source, f"at least one measured outcome ({', '.join(OUTCOMES)})")
    rows, names, values, sigmas = [], [], [], []
    for i, rec in enumerate(data.records):
        for name in chosen:
            value = getattr(rec, name)
            if value is None:
                continue
            sd = getattr(rec, f"{name}_sd")
            rows.append(i)
            names.append(name)
            values.append(value)
            sigmas.append(OUTCOMES[name].default_sd(params, value) if sd is None else sd)
    sigma = np.array(sigmas, dtype=float)
    if np.any(sigma <= 0.0):
        k = int(np.argmax(sigma <= 0.0))
        raise FoiltwinInputError(f"row {rows[k] + 1}.{names[k]}_sd", sigmas[k], "a standard deviation > 0 (the "
                                 "relative default of a zero reading is zero: give the _sd column)")
    return Observations(np.array(rows, dtype=int), np.array(names, dtype=object), np.array(values, dtype=float),
                        sigma, tuple(chosen))


class PlantModel:
    """The model's predictions of a set of observations, for any parameter values (only the rows that hold an
    observation are evaluated)."""

    def __init__(self, data: PlantData, obs: Observations) -> None:
        self.data = data
        self.obs = obs
        self.rows = np.unique(obs.row)
        self.recipes = [row_recipe(data.records[i]) for i in self.rows]
        self._position = {int(r): k for k, r in enumerate(self.rows)}

    def results(self, params: ParameterValues) -> list[CollectorResult]:
        """The collector results of the rows (in ``self.rows`` order)."""
        return evaluate_rows(self.recipes, params, [int(i) + 1 for i in self.rows])

    def predict(self, params: ParameterValues) -> np.ndarray:
        """Predicted value of every observation (column units), in the order of ``self.obs``."""
        results = self.results(params)
        return np.array([EXTRACT[name](results[self._position[int(i)]])
                         for i, name in zip(self.obs.row, self.obs.outcome, strict=True)], dtype=float)



def _model_phase_set(label: str) -> frozenset[str]:
    """The model's skin-phase label as a set (``none``, a skin not formed, is the empty set: no XRD label matches)."""
    return frozenset() if label == "none" else skin_phase_set(label)


def phase_agreement(data: PlantData, params: ParameterValues) -> dict[str, Any]:
    """The XRD phase labels against the model's skin phase: rows compared, rows that agree, and the rows that do
    not (row number, measured, model). Labels are compared as sets of phases (:func:`twin.plant_data.skin_phase_set`):
    ``α+β``, ``beta+alpha`` and the model's ``alpha+beta`` agree; the order of the phases (the model lists them by
    share) does not count."""
    rows = [i for i, r in enumerate(data.records) if r.skin_phase is not None]
    if not rows:
        return {"compared": 0, "agree": 0, "disagree": []}
    results = evaluate_rows([row_recipe(data.records[i]) for i in rows], params, [i + 1 for i in rows])
    bad = [{"row": i + 1, "measured": data.records[i].skin_phase, "model": EXTRACT["skin_phase"](res)}
           for i, res in zip(rows, results, strict=True)
           if skin_phase_set(data.records[i].skin_phase) != _model_phase_set(EXTRACT["skin_phase"](res))]
    return {"compared": len(rows), "agree": len(rows) - len(bad), "disagree": bad}


def simulate_measurements(records: Sequence[PlantRecord], params: ParameterValues,
                          outcomes: Sequence[str], rng: np.random.Generator | None = None,
                          every: dict[str, int] | None = None) -> list[PlantRecord]:
    """Synthetic plant data: ``records`` (their settings) with ``outcomes`` filled by the model at ``params`` plus
    Gaussian noise of each row's σ (its ``_sd`` or the instrument default; ``rng`` None: no noise). ``every``
    measures an outcome on every k-th row only (e.g. a cross-section on one coil in three). Categorical outcomes
    (``skin_phase``) are the model's label. For tests, the shipped example and planning trials."""
    rows = [row_recipe(r) for r in records]
    results = evaluate_rows(rows, params, list(range(1, len(rows) + 1)))
    out = []
    for n, (rec, res) in enumerate(zip(records, results, strict=True)):
        update: dict[str, Any] = {}
        for name in outcomes:
            k = (every or {}).get(name, 1)
            needs_uht = name == "skin_phase" or OUTCOMES[name].needs_uht
            if n % k or (needs_uht and res.uht is None):
                continue
            value = EXTRACT[name](res)
            if name in OUTCOMES and rng is not None:
                sd = getattr(rec, f"{name}_sd") or OUTCOMES[name].default_sd(params, value)
                value = max(float(value + rng.normal(0.0, sd)), 0.0)
            update[name] = value
        out.append(PlantRecord.model_validate({**rec.model_dump(exclude_none=True), **update}))
    return out
