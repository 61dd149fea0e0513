"""Cu crystal texture: as-electroformed map and recrystallisation (JMAK) kinetics.

Facet fractions are area fractions of the surface in (111), (100), (110) and random orientation; each anchor
lists three of them, the random share is the remainder. Literature gives the *direction* of every map
anchor (which facet dominates), never the fractions: those are assumed, and marked so.

The JMAK time constant is the one fitted value: a one-point calibration against seed 000 Table 2 (high-T
annealing to single-crystal/cube foil at 900-1050 °C for hours), see :func:`calibrated_time_constant_s`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from process_models.parameters.materials_literature import CU_MELTING_TEMPERATURE_K
from process_models.parameters.registry import Parameter
from process_models.physical_constants import R

_A = "Assumed"
_S0 = "Feng2026"
_GU = "Gu2002"
_W = "Winand1994"
_CRC = "CRC"
_V = "Vandermeer2004"
_H = "Humphreys2004"

# Table 2 of seed 000: high-T annealing window (900-1050 °C) and our reading of "hours per batch" (1-8 h);
# used only to state the uncertainty of the one-point calibration.
TABLE2_TEMPERATURE_BAND_K = (1173.15, 1323.15)
TABLE2_TIME_BAND_S = (3600.0, 28800.0)


def calibrated_time_constant_s(values: Mapping[str, float]) -> float:
    """JMAK time constant τ [s] at the calibration temperature: X(t_cal) = X_cal ⇒ τ = t_cal / (−ln(1−X_cal))^(1/n)."""
    n = values["recrystallisation_avrami_exponent_frac"]
    x_cal = values["recrystallisation_calibration_fraction_frac"]
    return values["recrystallisation_calibration_time_s"] / (-math.log1p(-x_cal)) ** (1.0 / n)


def _calibration_spread(values: Mapping[str, float], tau: float) -> tuple[float, float]:
    """Range of τ (as factors of ``tau``) if the Table 2 point lies anywhere in its temperature and time band."""
    a = values["recrystallisation_activation_J_per_mol"] / R
    T_cal = values["recrystallisation_calibration_temperature_K"]
    t_cal = values["recrystallisation_calibration_time_s"]
    lo_T, hi_T = TABLE2_TEMPERATURE_BAND_K
    lo_t, hi_t = TABLE2_TIME_BAND_S
    low = lo_t / t_cal * math.exp(-a * (1.0 / lo_T - 1.0 / T_cal))
    high = hi_t / t_cal * math.exp(-a * (1.0 / hi_T - 1.0 / T_cal))
    return low, high


def _facets(prefix: str, f111: float, f100: float, f110: float, source: str, where: str, kind: str
            ) -> list[Parameter]:
    return [
        Parameter(f"{prefix}_111_frac", f111, "1", source, f"{where}; (111) share", kind, (0.0, 1.0)),
        Parameter(f"{prefix}_100_frac", f100, "1", source, f"{where}; (100) share", kind, (0.0, 1.0)),
        Parameter(f"{prefix}_110_frac", f110, "1", source, f"{where}; (110) share (random = remainder)", kind,
                  (0.0, 1.0)),
    ]


def get_parameter_values() -> dict:
    parameters = [
        # --- as-electroformed map, additive-free acid sulfate (anchor current densities in A/m2) ---
        Parameter("texture_map_lowj_current_density_A_per_m2", 100.0, "A/m2", _GU,
                  "1 A/dm2, lower end of the 1-6 A/dm2 window giving (220)=(110) highly preferred deposits from "
                  "additive-free CuSO4-H2SO4", "literature", (1.0, 1e5)),
        *_facets("texture_map_lowj", 0.10, 0.10, 0.65, _A,
                 "Gu2002: (110) highly preferred at 1 A/dm2; fraction not reported, 0.65 assumed", "assumed"),
        Parameter("texture_map_midj_current_density_A_per_m2", 600.0, "A/m2", _GU,
                  "6 A/dm2, upper end of the (110) window", "literature", (1.0, 1e5)),
        *_facets("texture_map_midj", 0.15, 0.10, 0.55, _A,
                 "Gu2002: still (110) preferred at 6 A/dm2; fractions assumed, slightly weaker than at 1 A/dm2",
                 "assumed"),
        Parameter("texture_map_highj_current_density_A_per_m2", 1500.0, "A/m2", _GU,
                  "15 A/dm2: (111) highly preferred deposit", "literature", (1.0, 1e5)),
        *_facets("texture_map_highj", 0.60, 0.08, 0.12, _A,
                 "Gu2002 (111) at 15 A/dm2 and seed 000 §1/Fig. 1 (commercial electrolytic foil mostly (111)); "
                 "fractions assumed", "assumed"),
        Parameter("texture_map_maxj_current_density_A_per_m2", 1e4, "A/m2", _A,
                  "100 A/dm2: assumed to approach the limiting current of an agitated foil cell, where Winand1994 "
                  "places the unoriented-dispersion (UD) structure", "assumed", (1.0, 1e5)),
        *_facets("texture_map_maxj", 0.30, 0.10, 0.10, _A,
                 "Winand1994: near the limiting current deposits become unoriented (UD); fractions assumed",
                 "assumed"),
        Parameter("texture_map_reference_temperature_K", 298.15, "K", _A,
                  "bath temperature of the anchors (not stated in Gu2002's abstract; room temperature assumed)",
                  "assumed", (273.15, 373.15)),
        Parameter("texture_map_diffusion_activation_J_per_mol", 18.5e3, "J/mol", _CRC,
                  "temperature shift of the map: j is compared with the limiting current, ∝ D(Cu2+) ∝ T/μ "
                  "(Stokes-Einstein); water viscosity 1.0016 mPa s at 20 °C and 0.5465 at 50 °C gives 18.5 kJ/mol "
                  "(a hot bath acts like a lower j: j/j_lim sets the structure type, Winand1994)",
                  "derived", (0.0, 60e3)),
        # --- FSI- additive (seed 000 §1.2 / §2.2 T7) ---
        Parameter("texture_fsi_weight_frac", 0.8, "1", _A,
                  "FSI- in the bath pulls the deposit toward the FSI anchor with this weight (seed 000 T7 'highly "
                  "(110)-oriented', no bath data; 0.8 assumed)", "assumed", (0.0, 1.0)),
        *_facets("texture_fsi", 0.05, 0.05, 0.85, _A,
                 "seed 000 §1.2/T7: FSI-directed Cu is highly (110)-oriented; fractions assumed", "assumed"),
        # --- recrystallisation end state (cube texture) ---
        *_facets("texture_cube_end", 0.03, 0.90, 0.03, _A,
                 "end state of recrystallisation/grain growth: strong cube texture (seed 000 Table 2 high-T anneal "
                 "→ single-crystal foil; T10 shows 47.1-96.8 % (100) is reachable); 0.90 (100) assumed",
                 "assumed"),
        # --- JMAK kinetics ---
        Parameter("recrystallisation_activation_J_per_mol", 123e3, "J/mol", _V,
                  "mean apparent activation energy of recrystallised-grain growth in 92 % cold-rolled pure Cu "
                  "(3DXRD), agreeing with earlier Cu recrystallisation data", "literature", (50e3, 300e3)),
        Parameter("recrystallisation_avrami_exponent_frac", 1.5, "1", _H,
                  "measured JMAK exponents of Cu recrystallisation lie well below the ideal 3-4 (about 1-2); "
                  "1.5 taken", "literature", (0.5, 4.0)),
        Parameter("recrystallisation_calibration_temperature_K", 1248.15, "K", _S0,
                  "Table 2 high-T annealing 900-1050 °C: midpoint 975 °C", "derived",
                  (900.0, CU_MELTING_TEMPERATURE_K)),
        Parameter("recrystallisation_calibration_time_s", 7200.0, "s", _S0,
                  "Table 2 'hours per batch': 2 h assumed", "assumed", (600.0, 86400.0)),
        Parameter("recrystallisation_calibration_fraction_frac", 0.95, "1", _A,
                  "Table 2's outcome '(near) single-crystal / strong cube' read as 95 % recrystallised toward the "
                  "cube end state", "assumed", (0.5, 0.999)),
    ]
    values = {p.name: p.value for p in parameters}
    tau = calibrated_time_constant_s(values)
    low, high = _calibration_spread(values, tau)
    parameters.append(Parameter(
        "recrystallisation_time_constant_s", tau, "s", _S0,
        "JMAK τ at recrystallisation_calibration_temperature_K, k = (1/τ)·exp(−Q/R·(1/T − 1/T_cal)); fitted so "
        "X(t_cal, T_cal) = X_cal (Table 2 high-T anneal)", "fitted", (1.0, 1e7), data_used=("seed 000 Table 2",),
        standard_error=2360.0, standard_error_method="stated range through the one-point solve: the Table 2 point "
        "anywhere in 900-1050 °C × 1-8 h, uniform, sd(ln τ) = 0.68; process_models.fits",
        fit_error=(f"one-point calibration, residual 0 by construction; if the Table 2 point lies anywhere in "
                   f"900-1050 °C × 1-8 h, τ spans ×{low:.2f} to ×{high:.2f} ({tau * low:.0f}-{tau * high:.0f} s)"),
    ))
    return {"parameters": parameters, "citations": [_A, _S0, _GU, _W, _CRC, _V, _H]}
