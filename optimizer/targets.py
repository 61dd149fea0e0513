"""What the process engineer asks for: targets (any subset) and the objective."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters.registry import ParameterValues
from twin.kpi_catalogue import KPIS, Kpi
from twin.scenario import Scenario

Objective = Literal["cost", "throughput", "weighted"]
OBJECTIVES: tuple[str, ...] = ("cost", "throughput", "weighted")
MAX_THROUGHPUT_M2_PER_H = 1e6  # a throughput floor above this is no plant's (the MILP's scaling breaks down first)
MAX_PHASE_BACKOFF_ZN_FRAC = 0.1  # a larger back-off of the α phase margin (Zn at. fraction) asks for a skin far
# from the solvus that the Zn budget of a 400-500 nm skin cannot give: the uncertainty is then too wide to robustify
# the KPI each plain objective drives, in the direction of the KPI catalogue's sense (least cost, most throughput)
OBJECTIVE_KPIS: dict[str, Kpi] = {"cost": KPIS["cost_per_m2"], "throughput": KPIS["throughput_m2_per_h"]}


@dataclass(frozen=True)
class TargetBound:
    """A target that bounds one catalogued KPI: ``lower`` (the KPI at least the target) or ``upper`` (at most), with
    the tolerance the checks allow (relative and absolute). A missing KPI value misses a lower bound (nothing was
    shown to reach it) and passes an upper one (an indicator the model did not give)."""

    target: str
    kpi: Kpi
    bound: Literal["lower", "upper"]
    rel_tol: float = 0.0
    abs_tol: float = 0.0

    def miss(self, kpis: dict, limit: float, currency: str = "USD") -> str | None:
        """Why ``kpis`` misses the bound ``limit`` (``None``: met); a money unit in ``currency``."""
        v = self.kpi.value(kpis)
        if v is None:
            v = 0.0 if self.bound == "lower" else None
        if v is None:
            return None
        slack = max(self.abs_tol, self.rel_tol * abs(limit))
        bad = v < limit - slack if self.bound == "lower" else v > limit + slack
        if not bad:
            return None
        unit = self.kpi.value_unit(currency)
        return (f"{self.target}: {v:.4g} {'<' if self.bound == 'lower' else '>'} {limit:g}"
                + (f" {unit}" if unit else ""))


TARGET_BOUNDS: tuple[TargetBound, ...] = (
    TargetBound("min_texture_100", KPIS["texture_fraction_100"], "lower", abs_tol=1e-9),
    TargetBound("max_overpotential_mV", KPIS["nucleation_overpotential_mV"], "upper", abs_tol=1e-9),
    TargetBound("min_throughput_m2_per_h", KPIS["throughput_m2_per_h"], "lower", rel_tol=1e-6),
    TargetBound("max_cost_per_m2", KPIS["cost_per_m2"], "upper", rel_tol=1e-6),
)


@dataclass(frozen=True)
class Targets:
    """Targets of a run. ``None`` leaves a target out; the surface-Zn window defaults to the scenario's spec.

    skin_thickness_nm ± tolerance_nm: the finished skin; single_phase_alpha: no other phase fills ≥
    ``skin_phase_min_share_frac`` of the skin; surface_zn_at_frac: (min, max) at the surface; min_texture_100:
    (100) area fraction of the Cu; min_throughput_m2_per_h: good m² per scheduled hour of the plant;
    max_cost_per_m2: per good m² in ``currency``; max_overpotential_mV: Li nucleation overpotential indicator
    (seed 002 ether protocol); no_melting: no liquid during stage III. objective: least cost, most throughput,
    or ``weighted``: cost_weight·cost/cost_ref + (1 − cost_weight)·(1/throughput)/(1/throughput_ref).
    skin_backoff_nm: the robust optimum's back-off (optimizer/robust.py): the predicted skin must stay this far
    inside the spec window on both sides (``skin_window_nm``), while the gauge's yield and the twin still judge
    the spec window itself (``spec_window_nm``). 0: the nominal optimum. phase_backoff_zn_frac: the same for the
    single-phase α target: the predicted phase margin (Zn at. fraction above the α solvus) must stay at or below
    −phase_backoff_zn_frac instead of 0 (the model check asks the same; the twin judges the phase as it is).
    """

    skin_thickness_nm: float
    tolerance_nm: float = 50.0
    single_phase_alpha: bool = True
    surface_zn_at_frac: tuple[float, float] | None = None
    min_texture_100: float | None = None
    min_throughput_m2_per_h: float | None = None
    max_cost_per_m2: float | None = None
    max_overpotential_mV: float | None = None
    no_melting: bool = True
    objective: Objective = "cost"
    cost_weight: float = 0.5
    currency: str | None = None  # of max_cost_per_m2 and the results; None: the scenario's (``with_defaults``)
    skin_backoff_nm: float = 0.0
    phase_backoff_zn_frac: float = 0.0

    def __post_init__(self) -> None:
        check_range("skin_thickness_nm", self.skin_thickness_nm, 0.0, 1e5, low_inclusive=False, unit="nm")
        check_range("tolerance_nm", self.tolerance_nm, 0.0, None, low_inclusive=False, unit="nm")
        if self.tolerance_nm >= self.skin_thickness_nm:
            raise FoiltwinInputError("tolerance_nm", self.tolerance_nm,
                                     f"less than the skin thickness target {self.skin_thickness_nm:g} nm")
        if not self.skin_thickness_nm - self.tolerance_nm < self.skin_thickness_nm + self.tolerance_nm:
            raise FoiltwinInputError("tolerance_nm", self.tolerance_nm,  # the window's edges are one number
                                     f"> {math.ulp(self.skin_thickness_nm):.3g} nm: a window around "
                                     f"{self.skin_thickness_nm:g} nm (this one has no width)")
        if self.surface_zn_at_frac is not None:
            lo, hi = self.surface_zn_at_frac
            check_range("surface_zn_at_frac_min", lo, 0.0, 1.0)
            check_range("surface_zn_at_frac_max", hi, 0.0, 1.0)
            if lo >= hi:
                raise FoiltwinInputError("surface_zn_at_frac", (lo, hi), "min < max")
        if self.min_texture_100 is not None:
            check_range("min_texture_100", self.min_texture_100, 0.0, 1.0)
        if self.min_throughput_m2_per_h is not None:  # a line 3 m wide at 100 m/min makes 18,000 m²/h
            check_range("min_throughput_m2_per_h", self.min_throughput_m2_per_h, 0.0, MAX_THROUGHPUT_M2_PER_H,
                        low_inclusive=False, unit="m2/h")
        if self.max_cost_per_m2 is not None:
            check_range("max_cost_per_m2", self.max_cost_per_m2, 0.0, None, low_inclusive=False)
        if self.max_overpotential_mV is not None:
            check_range("max_overpotential_mV", self.max_overpotential_mV, 0.0, None, low_inclusive=False, unit="mV")
        if self.objective not in OBJECTIVES:
            raise FoiltwinInputError("objective", self.objective, f"one of {', '.join(OBJECTIVES)}")
        check_range("cost_weight", self.cost_weight, 0.0, 1.0)
        check_range("skin_backoff_nm", self.skin_backoff_nm, 0.0, self.tolerance_nm, high_inclusive=False,
                    unit="nm")
        check_range("phase_backoff_zn_frac", self.phase_backoff_zn_frac, 0.0, MAX_PHASE_BACKOFF_ZN_FRAC,
                    high_inclusive=False)
        if self.phase_backoff_zn_frac and not self.single_phase_alpha:
            raise FoiltwinInputError("phase_backoff_zn_frac", self.phase_backoff_zn_frac,
                                     "0 without the single-phase α target (it backs that target off)")

    @property
    def skin_window_nm(self) -> tuple[float, float]:
        """The window the predicted skin must lie in: the spec window narrowed by the robust back-off."""
        lo, hi = self.spec_window_nm
        return lo + self.skin_backoff_nm, hi - self.skin_backoff_nm

    @property
    def spec_window_nm(self) -> tuple[float, float]:
        """The skin's spec window, target ± tolerance (what the gauge accepts)."""
        return self.skin_thickness_nm - self.tolerance_nm, self.skin_thickness_nm + self.tolerance_nm

    def with_defaults(self, scenario: Scenario) -> Targets:
        """Fill the surface-Zn window from the scenario's spec and the currency from the scenario when not given."""
        kw = asdict(self)
        if self.surface_zn_at_frac is None:
            kw["surface_zn_at_frac"] = (scenario.spec.surface_zn_at_frac_min, scenario.spec.surface_zn_at_frac_max)
        if self.currency is None:
            kw["currency"] = scenario.currency
        return Targets(**kw)

    def bounds(self) -> list[tuple[TargetBound, float]]:
        """The KPI bounds these targets set (the targets given), with their limits."""
        return [(b, getattr(self, b.target)) for b in TARGET_BOUNDS if getattr(self, b.target) is not None]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["surface_zn_at_frac"] = list(self.surface_zn_at_frac) if self.surface_zn_at_frac else None
        return d


def default_skin_thickness_nm(params: ParameterValues) -> float:
    """The seed's skin thickness (registry ``skin_reference_thickness_m``) [nm]."""
    return params["skin_reference_thickness_m"] * 1e9


def gauge_yield(window_nm: tuple[float, float], skin_nm: float, noise_nm: float) -> float:
    """Share of metres the inline gauge accepts: P(lo ≤ skin + N(0, σ) ≤ hi) for a skin exactly ``skin_nm``."""
    lo, hi = window_nm
    if noise_nm <= 0.0:
        return 1.0 if lo <= skin_nm <= hi else 0.0
    z = lambda x: 0.5 * (1.0 + math.erf(x / (noise_nm * math.sqrt(2.0))))  # noqa: E731
    return max(z(hi - skin_nm) - z(lo - skin_nm), 0.0)
