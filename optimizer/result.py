"""The result of an optimisation: JSON keys are a contract (issue 5) — add freely, rename never."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from twin.kpi_catalogue import OPTIMISER_VIEW


@dataclass
class OptimizationResult:
    """Recommended settings, what the surrogate predicts, what the process models and the twin measure.

    ``status``: optimal (MILP optimal on the final surrogate, checked in the process models and the twin),
    feasible (a checked point, optimality not proven: time limit, or the loop gave up agreeing with the twin),
    infeasible (the targets conflict: ``infeasibility`` names them and gives the nearest achievable point).
    """

    status: str
    targets: dict[str, Any]
    settings: dict[str, Any] | None = None
    predicted: dict[str, Any] | None = None
    checked: dict[str, Any] | None = None  # process models at the settings
    verified: dict[str, Any] | None = None  # twin KPIs at the settings
    cost_per_m2: float | None = None
    currency: str = "USD"
    objective: str = "cost"
    mip_gap: float | None = None
    solve_seconds: float = 0.0
    total_seconds: float = 0.0
    twin_iterations: int = 0
    refinements: int = 0
    binding_constraints: list[str] = field(default_factory=list)
    infeasibility: dict[str, Any] | None = None
    surrogate: dict[str, Any] = field(default_factory=dict)
    iterations: list[dict[str, Any]] = field(default_factory=list)
    pareto: list[dict[str, Any]] | None = None
    message: str = ""
    twin_agreed: bool | None = None
    robust: dict[str, Any] | None = None  # --confidence: back-off, Monte Carlo shares, price (optimizer/robust.py)
    skin_metal: str = "Zn"  # the chosen skin metal (issue 14)
    skin_metal_costs: dict[str, float | None] = field(default_factory=dict)  # each asked metal's best checked cost
    made_by: dict[str, str] = field(default_factory=dict)  # code and parameter fingerprints (cache_store.made_by)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (non-finite numbers become null)."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return _clean(json.loads(json.dumps(_clean(d), default=_jsonable)))

    def table(self) -> str:
        """A plain-text summary for the terminal."""
        out = [f"status: {self.status}  ({self.message})" if self.message else f"status: {self.status}"]
        if self.settings:
            s = self.settings
            u = s["uht"]
            out.append(f"mode: {s['mode']} ({u.get('skin_metal', 'Zn')} {s['zn_route']}, {s['substrate']} foil)")
            if len(self.skin_metal_costs) > 1 or self.skin_metal != "Zn":  # issue 14: why this metal
                unit = "m²/h" if self.objective == "throughput" else f"{self.currency}/m²"
                each = ", ".join(f"{x} {'none met the targets' if v is None else f'{v:.4g} {unit}'}"
                                 for x, v in self.skin_metal_costs.items())
                what = "throughput" if self.objective == "throughput" else "cost per good m²"
                out.append(f"skin metal: {self.skin_metal} (best checked {what} of each metal asked: {each})")
            out.append(f"UHT {u['line']}: {u['web_speed_m_per_min']:.3f} m/min, stage II "
                       f"{u['stage2_temperature_K']:.1f} K for {u['stage2_time_s']:.1f} s "
                       f"({u['stage2_modules_on']}/{u['stage2_modules_installed']} modules, "
                       f"{u['stage2_heated_length_m']:.2f} m), stage III {u['stage3_peak_K']:.1f} K for "
                       f"{u['stage3_time_ms']:.2f} ms")
            e = s.get("electrodeposition")
            if e:
                out.append(f"plating {e['line']}: {e['bath']} at {e['current_density_A_per_m2']:.0f} A/m2, "
                           f"{e['tanks_on']}/{e['tanks_installed']} tanks, {e['web_speed_m_per_min']:.3f} m/min "
                           f"({e['plating_time_s']:.0f} s)")
            a = s.get("coil_anneal")
            if a:
                out.append(f"coil anneal {', '.join(a['furnaces'])}: {a['coils_per_batch']} coils per batch, soak "
                           f"{a['soak_temperature_K']:.1f} K for {a['soak_h']:.2f} h")
        rows = [(k.label.removesuffix(" (indicator)") + (f" [{k.value_unit(self.currency)}]" if k.unit else ""),
                 k.name) for k in OPTIMISER_VIEW if not k.name.endswith(("_p05_nm", "_p95_nm"))]
        if self.predicted:
            w = max(24, *(len(label) + 2 for label, _ in rows))
            out.append(f"{'KPI':<{w}}{'predicted':>14}{'models':>14}{'twin':>14}")
            for label, key in rows:
                cells = []
                for src in (self.predicted, self.checked or {}, self.verified or {}):
                    v = src.get(key)
                    if key == "skin_phase" and src is self.predicted and "single_phase_alpha" in src:  # (Zn)
                        v = "alpha" if src["single_phase_alpha"] else "not alpha"
                    cells.append(_fmt(v))
                out.append(f"{label:<{w}}" + "".join(f"{c:>14}" for c in cells))
        if self.binding_constraints:
            out.append("binding: " + "; ".join(self.binding_constraints))
        if self.infeasibility:
            inf = self.infeasibility
            out.append("conflicting targets: " + ", ".join(inf.get("conflicting_targets", [])))
            for name, v in inf.get("violations", {}).items():
                amount = v.get("amount")  # None for a yes/no target such as single-phase α
                out.append(f"  {name}: must give way by {_fmt(amount)} {v.get('unit', '')}" if amount is not None
                           else f"  {name}: cannot be met with the others")
        if self.pareto:
            out.append(f"Pareto front ({len(self.pareto)} points):")
            keys = list(self.pareto[0].get("axes", {}))
            out.append("  " + "".join(f"{k:>26}" for k in keys))
            for pt in self.pareto:
                out.append("  " + "".join(f"{_fmt(pt['axes'][k]):>26}" for k in keys))
        if self.robust:
            r = self.robust
            mc, nom = r["monte_carlo"], r["nominal_monte_carlo"]
            price = "n/a" if r["price_of_robustness"] is None else f"{r['price_of_robustness']:+.1%}"
            out.append(f"robust at {r['confidence']:.0%}: skin window [{r['skin_window_nm'][0]:.1f}, "
                       f"{r['skin_window_nm'][1]:.1f}] nm (back-off {r['backoff_nm']:.1f} nm = z {r['z']:.2f} × "
                       f"prediction sd {r['skin_sd_nm']:.1f} nm) inside the spec [{r['spec_window_nm'][0]:g}, "
                       f"{r['spec_window_nm'][1]:g}]")
            if r.get("phase_backoff_zn_frac"):
                out.append(f"  α phase margin ≤ −{r['phase_backoff_zn_frac']:.4f} (z × prediction sd "
                           f"{r['phase_margin_sd_zn_frac']:.4f} Zn at. fraction) instead of ≤ 0")
            out.append(f"  Monte Carlo ({mc['samples']} parameter draws): skin in spec {mc['skin_in_spec']:.0%} "
                       f"(nominal optimum {nom['skin_in_spec']:.0%}), single-phase α {mc['single_phase_alpha']:.0%} "
                       f"(nominal {nom['single_phase_alpha']:.0%}), surface Zn in window "
                       f"{mc['surface_zn_in_window']:.0%}, skin and phase {mc.get('skin_and_phase', math.nan):.0%}, "
                       f"all {mc['all_targets']:.0%}")
            out.append(f"  price of robustness: {_fmt(r['robust_cost_per_m2'])} against "
                       f"{_fmt(r['nominal_cost_per_m2'])} {self.currency}/m2 nominal ({price})")
            if r["price_of_robustness"] is not None and r["price_of_robustness"] < 0.0:
                out.append("  (negative: the robust point also meets the nominal targets, so the nominal search, "
                           "local on its surrogate tables, stopped at a costlier point than it could have)")
        gap = "n/a" if self.mip_gap is None else f"{self.mip_gap:.2e}"
        out.append(f"MIP gap {gap}, solve {self.solve_seconds:.2f} s, total {self.total_seconds:.2f} s, "
                   f"surrogate refinements {self.refinements}, twin iterations {self.twin_iterations}")
        return "\n".join(out)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.3e}"
    return str(v)


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _jsonable(v: Any) -> Any:
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return str(v)
