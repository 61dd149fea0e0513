"""The recalibrated stage-III window against the feasibility study's diffusional criterion (issue 9 item 4).

Data only (``foiltwin validate --stage3-window`` prints it): the window of the seed's standard line (the registry's
default line speed, 30 ms, 120 s of stage II at 750 K) from :func:`process_models.uht.stage3_window.stage3_window`,
how the skin at its lower edge became α (the quench paths' shares), the α solidus at the skin's composition, and
the window's width in K and in heater power.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from process_models.parameters.registry import ParameterValues
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.recipe import STANDARD_STAGE3_TIME_S, UHTRecipe, evaluate_recipes
from process_models.uht.stage3_window import stage3_window

# ../shared/notes/cuzn-kinetics-feasibility.md §3: full γ/β consumption at the peak of this history (issue 9)
DIFFUSIONAL_CRITERION_K = (1086.0, 1130.0)
SCAN_K = np.arange(1060.0, 1130.0 + 1e-9, 1.0)


@dataclass(frozen=True)
class WindowReport:
    line: str
    skin_window_nm: tuple[float, float]
    low_K: float
    high_K: float
    low_edge: str
    high_edge: str
    width_K: float
    power_low_W_per_m: float
    power_high_W_per_m: float
    power_width_percent: float
    calibrated_peak_K: float
    diffusional_criterion_K: tuple[float, float]
    massive_share_at_low_edge: float
    alpha_solidus_K: float

    def lines(self) -> list[str]:
        lo_c, hi_c = self.diffusional_criterion_K
        return [
            f"line: {self.line}; skin window {self.skin_window_nm[0]:.0f}-{self.skin_window_nm[1]:.0f} nm",
            f"window {self.low_K:.1f}-{self.high_K:.1f} K ({self.low_edge} .. {self.high_edge}): "
            f"{self.width_K:.1f} K, heater {self.power_low_W_per_m:.0f}-{self.power_high_W_per_m:.0f} W/m "
            f"({self.power_width_percent:.2f} % of the power: 'tight control')",
            f"calibrated peak {self.calibrated_peak_K:.1f} K",
            f"diffusional criterion (feasibility study) {lo_c:.0f}-{hi_c:.0f} K: the lower edge is "
            f"{self.low_K - lo_c:+.1f} K from it; at the edge {self.massive_share_at_low_edge:.0%} of the skin is α "
            "by the massive path (β frozen lean enough to go massive below T0), the rest α at equilibrium",
            f"α solidus at the skin's x_Zn: {self.alpha_solidus_K:.1f} K; the window ends "
            f"{self.alpha_solidus_K - self.high_K:.1f} K below it (where it ends on melting, the unconverted γ top "
            "melts: γ peritectic 1105.5 K, study §3)",
        ]

    def to_dict(self) -> dict:
        return asdict(self)


def stage3_window_report(params: ParameterValues, skin_window_nm: tuple[float, float] = (420.0, 520.0)
                         ) -> WindowReport:
    """The window of the seed's standard line on ``params`` (a 1 K scan over 1060-1130 K)."""
    v = params["stage3_default_line_speed_m_per_s"]
    recipe = UHTRecipe(line_speed_m_per_s=v, stage3_heater_length_m=v * STANDARD_STAGE3_TIME_S)
    w = stage3_window(recipe, skin_window_nm, params, SCAN_K)
    massive = float("nan")
    if np.isfinite(w.low_K):
        edge = evaluate_recipes([UHTRecipe(line_speed_m_per_s=v, stage3_heater_length_m=v * STANDARD_STAGE3_TIME_S,
                                           stage3_peak_K=float(np.ceil(w.low_K)))], params)[0]
        massive = float(edge.quench_path_shares.get("alpha_massive", 0.0))
    solidus = float(cuzn_phase_diagram().solidus_temperature_K(params["skin_reference_zn_frac"]))
    return WindowReport(
        line=f"{v * 60:.3g} m/min through {v * STANDARD_STAGE3_TIME_S * 1e3:.3g} mm "
             f"({STANDARD_STAGE3_TIME_S * 1e3:.0f} ms)",
        skin_window_nm=skin_window_nm, low_K=w.low_K, high_K=w.high_K, low_edge=w.low_edge, high_edge=w.high_edge,
        width_K=w.width_K, power_low_W_per_m=w.power_low_W_per_m, power_high_W_per_m=w.power_high_W_per_m,
        power_width_percent=100.0 * w.power_width_frac, calibrated_peak_K=params["stage3_default_peak_temperature_K"],
        diffusional_criterion_K=DIFFUSIONAL_CRITERION_K, massive_share_at_low_edge=massive, alpha_solidus_K=solidus)
