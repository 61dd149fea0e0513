"""Li nucleation and cycling indicators fitted to the seeds (not a cell model).

The nucleation overpotential is a bare-Cu baseline of a named test (electrolyte + current density) times a
surface factor. Baselines are the bare-Cu values the seeds measured; the phase factors are the seeds' ratios
(coated / bare in the same test: one anchor, one factor, so each is reproduced exactly). Facet factors and
the current-density exponent are assumptions (the seeds give only the ordering (100) < (110) < (111)).
The CE anchors are documentation for :mod:`process_models.quality.indicators`; they enter no formula.
"""

from __future__ import annotations

from process_models.parameters import ag_immersion_seed004
from process_models.parameters.registry import Parameter

_A = "Assumed"
_S0 = "Feng2026"
_S1 = "WangTY2024"
_S2 = "Wang2025"
_S4 = "Zhang2023"
_P = "Pei2017"

# Measured overpotentials [V] of the seed anchors (the factors are their ratios to bare Cu of the same test).
_ETHER_CU_V, _ETHER_GAMMA_V, _ETHER_ALPHA_V = 0.0936, 0.0372, 0.0332
_CARB_CU_V, _CARB_AG_V = 0.365, 0.041
_SE_002 = ("stated error through the one-point solve: both overpotentials printed to 0.1 mV (seed note 002 §6 V7), "
           "rounding sd 0.1 mV/√12; process_models.fits")


def _ag_factor() -> float:
    """Ag surface factor such that c·f + (1 − c)·1 = 41/365 at the seed's reference coverage c."""
    c = next(p.value for p in ag_immersion_seed004.get_parameter_values()["parameters"]
             if p.name == "ag_plume_coverage_at_reference_frac")
    return (_CARB_AG_V / _CARB_CU_V - (1.0 - c)) / c


def get_parameter_values() -> dict:
    parameters = [
        # --- test baselines: bare (commercial) Cu in each seed's test ---
        Parameter("nucleation_seed002_ether_bare_cu_V", _ETHER_CU_V, "V", _S2,
                  "Fig. 2a: Li nucleation overpotential on pristine Cu, 1 M LiTFSI DOL/DME + 2 % LiNO3", "measured",
                  (0.0, 1.0), data_used=("V7 Cu",)),
        Parameter("nucleation_seed002_ether_current_density_A_per_m2", 1.0, "A/m2", _S2,
                  "Fig. 2a: 0.1 mA/cm2", "measured", (1e-3, 1e3)),
        Parameter("nucleation_seed004_carbonate_bare_cu_V", _CARB_CU_V, "V", _S4,
                  "Fig. 3b (N3): bare Cu, −427 mV minimum − (−62 mV) plateau, LiPF6 EC/EMC", "measured", (0.0, 1.0)),
        Parameter("nucleation_seed004_carbonate_current_density_A_per_m2", 10.0, "A/m2", _S4,
                  "Fig. 3b: 1 mA/cm2", "measured", (1e-3, 1e3)),
        Parameter("nucleation_seed000_review_bare_cu_V", 0.040, "V", _S0,
                  "O3 (§1, Fig. 1): commercial (111)-rich electrolytic Cu 30-50 mV; midpoint, ±10 mV band",
                  "derived", (0.0, 1.0)),
        Parameter("nucleation_seed000_review_current_density_A_per_m2", 2.0, "A/m2", _S0,
                  "O4 (§5.2): typical lab 0.1-0.5 mA/cm2; the O3 test's own value is not given, 0.2 mA/cm2 "
                  "assumed", "assumed", (1e-3, 1e3)),
        # --- the coated surfaces' own measurements (anchors of the factors below) ---
        Parameter("nucleation_seed002_ether_gamma_V", _ETHER_GAMMA_V, "V", _S2, "Fig. 2a: Cu@Cu5Zn8 (stage II only)",
                  "measured", (0.0, 1.0)),
        Parameter("nucleation_seed002_ether_alpha_V", _ETHER_ALPHA_V, "V", _S2,
                  "Fig. 2a: Cu@Cu0.64Zn0.36 (120 s + 30 ms)", "measured", (0.0, 1.0)),
        Parameter("nucleation_seed004_carbonate_ag_V", _CARB_AG_V, "V", _S4,
                  "Fig. 3b (N3): Ag@Cu, −103 mV minimum − (−62 mV) plateau", "measured", (0.0, 1.0)),
        Parameter("nucleation_seed000_review_band_V", 0.010, "V", _S0,
                  "O3: half-width of the 30-50 mV band of commercial Cu", "derived", (0.0, 1.0)),
        # --- phase factors: overpotential / bare-Cu overpotential of the same test ---
        Parameter("nucleation_factor_gamma_frac", _ETHER_GAMMA_V / _ETHER_CU_V, "1", _S2,
                  "Fig. 2a: Cu@Cu5Zn8 37.2 mV / Cu 93.6 mV (γ-brass surface, full coverage)", "fitted", (0.0, 2.0),
                  data_used=("V7 Cu@Cu5Zn8",), standard_error=3.319e-4, standard_error_method=_SE_002,
                  fit_error="1 anchor, 1 factor: residual 0.0 mV at 37.2 mV (ether, 0.1 mA/cm2); transfer to "
                            "other electrolytes/current densities not validated"),
        Parameter("nucleation_factor_alpha_frac", _ETHER_ALPHA_V / _ETHER_CU_V, "1", _S2,
                  "Fig. 2a: Cu@Cu0.64Zn0.36 33.2 mV / Cu 93.6 mV (α-brass skin, full coverage)", "fitted",
                  (0.0, 2.0), data_used=("V7 Cu@Cu0.64Zn0.36",), standard_error=3.272e-4,
                  standard_error_method=_SE_002,
                  fit_error="1 anchor, 1 factor: residual 0.0 mV at 33.2 mV (ether, 0.1 mA/cm2); transfer not "
                            "validated"),
        Parameter("nucleation_factor_ag_frac", _ag_factor(), "1", _S4,
                  "Fig. 3b (N3): Ag@Cu 41 mV / Cu 365 mV, with the seed's sample read as Ag covering "
                  "ag_plume_coverage_at_reference_frac of the foil (bare Cu the rest)", "fitted", (0.0, 2.0),
                  data_used=("V004-N3",), standard_error=1.185e-3,
                  standard_error_method="stated error through the one-point solve: 41 and 365 mV are differences "
                                        "of readings printed to 1 mV (seed note 004 N3); process_models.fits",
                  fit_error="1 anchor, 1 factor: residual 0.0 mV at 41 mV (carbonate, 1 mA/cm2) at the reference "
                            "coverage; consistent in sign with seed 000 L1 (lithiated Ag ≈ 0 mV); transfer not "
                            "validated; not refitted when the coverage parameter is overridden"),
        # --- facet factors of bare Cu, relative to (111) (seed 000 T3/T5/T9: (100) < (110) < (111)) ---
        Parameter("nucleation_facet_111_frac", 1.0, "1", _S0,
                  "normaliser: (111) is the highest-overpotential low-index facet (T9)", "assumed", (0.0, 2.0)),
        Parameter("nucleation_facet_110_frac", 0.8, "1", _A,
                  "seed 000 T5/T9: (110) between (100) and (111) (passivates); no mV given, 0.8 assumed",
                  "assumed", (0.0, 2.0)),
        Parameter("nucleation_facet_100_frac", 0.6, "1", _A,
                  "seed 000 T3: lowest overpotential on Cu(100) single-crystal foil; no mV given, 0.6 assumed",
                  "assumed", (0.0, 2.0)),
        Parameter("nucleation_facet_random_frac", 0.9, "1", _A,
                  "randomly oriented grains: between the facets, weighted toward the dense (111) (assumed)",
                  "assumed", (0.0, 2.0)),
        # --- texture of the seeds' bare Cu (commercial foil, (111)-rich, seed 000 §1/Fig. 1) ---
        Parameter("bare_cu_reference_111_frac", 0.6, "1", _A,
                  "the seeds' bare Cu is commercial electrolytic foil, 'mostly (111)' (seed 000 §1); 0.6 assumed "
                  "(as the texture map's 15 A/dm2 anchor)", "assumed", (0.0, 1.0)),
        Parameter("bare_cu_reference_100_frac", 0.08, "1", _A, "as above; (100) share assumed", "assumed",
                  (0.0, 1.0)),
        Parameter("bare_cu_reference_110_frac", 0.12, "1", _A, "as above; (110) share assumed (random = rest)",
                  "assumed", (0.0, 1.0)),
        # --- current-density and nucleus-density scaling ---
        Parameter("nucleation_current_exponent_frac", 0.5, "1", _A,
                  "η ∝ j^p away from a test's own j; seeds give only 'rises with j, less on Ag@Cu' (seed 004 N4); "
                  "bare Cu 93.6 mV at 0.1 vs 365 mV at 1 mA/cm2 (different electrolytes) would imply ≤ 0.59; "
                  "0.5 assumed", "assumed", (0.0, 1.5)),
        Parameter("nucleation_density_exponent_frac", 3.0, "1", _P,
                  "areal nucleus density N ∝ η³ (classical nucleation, r_crit ∝ 1/η; seed note 001 M3, 003 §1.2)",
                  "literature", (1.0, 4.0)),
        # --- heuristic figure of merit ---
        Parameter("fom_flag_penalty_frac", 1.0, "1", _A,
                  "figure of merit: decades of overpotential reduction lost per raised process flag (heuristic)",
                  "assumed", (0.0, 10.0)),
        # --- CE / retention anchors (documentation; CE_required = retention^(1/n)) ---
        Parameter("ce_anchor_seed002_ether_frac", 0.985, "1", _S2,
                  "Fig. 3c: Li||Cu@α CE 98.5 % after 330 cycles, ether, 1 mA/cm2, 1 mAh/cm2", "measured", (0.0, 1.0)),
        Parameter("ce_anchor_seed002_ether_cycles_count", 330.0, "1", _S2, "Fig. 3c: cycle count of the 98.5 %",
                  "measured", (1.0, 1e5)),
        Parameter("ce_anchor_seed002_carbonate_frac", 0.96, "1", _S2,
                  "Fig. 4d: Li||Cu@α CE > 96 % for ≈270 cycles, carbonate, 1 mA/cm2", "measured", (0.0, 1.0)),
        Parameter("ce_anchor_seed002_carbonate_cycles_count", 270.0, "1", _S2, "Fig. 4d: ≈270 cycles", "measured",
                  (1.0, 1e5)),
        Parameter("ce_anchor_seed000_cu_cnt_frac", 0.99, "1", _S0,
                  "S1 (§3.1): 3D Cu/CNT half cell CE 99 % over 800 cycles", "measured", (0.0, 1.0)),
        Parameter("ce_anchor_seed000_cu_cnt_cycles_count", 800.0, "1", _S0, "S1: 800 cycles", "measured",
                  (1.0, 1e5)),
        Parameter("retention_anchor_seed000_wavy_lfp_frac", 0.87, "1", _S0,
                  "T10 (§3.3): anode-free wavy (100)-gradient Cu || LFP, 87 % after 120 cycles (implied mean CE "
                  "99.884 %)", "measured", (0.0, 1.0)),
        Parameter("retention_anchor_seed000_wavy_lfp_cycles_count", 120.0, "1", _S0, "T10: 120 cycles",
                  "measured", (1.0, 1e5)),
        Parameter("retention_anchor_seed000_fsi_pouch_frac", 0.548, "1", _S0,
                  "T7 (§2.1): anode-free (110) FSI-Cu || NCM811 pouch, 54.80 % after 100 cycles", "measured",
                  (0.0, 1.0)),
        Parameter("retention_anchor_seed000_fsi_pouch_cycles_count", 100.0, "1", _S0, "T7: 100 cycles",
                  "measured", (1.0, 1e5)),
    ]
    return {"parameters": parameters, "citations": [_A, _S0, _S1, _S2, _S4, _P]}
