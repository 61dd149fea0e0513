"""Seed validation cases of the plating, texture, Ag and indicator models (issue 3: seeds 000, 002, 004).

Each case evaluates collector recipes or model functions with the registry defaults and compares one
quantity with the paper's value; tolerances the papers do not give are stated.
"""

from __future__ import annotations

import numpy as np

from process_models.collector.recipe import CollectorRecipe, evaluate_collectors
from process_models.parameters.registry import ParameterValues
from process_models.plating.ag_immersion import ag_immersion
from process_models.plating.electrodeposition import charge_for_loading_C_per_m2, thickness_rate_m_per_s
from process_models.quality.indicators import nucleation_overpotential_V
from process_models.texture.texture_model import anneal_texture, electroformed_texture_array
from process_models.uht.recipe import UHTRecipe
from process_models.validation.uht_cases import CaseOutcome


def _rel(model: float, paper: float, tol: float) -> tuple[str, str, bool]:
    err = (model - paper) / paper
    return f"{model:.4g}", f"{err:+.1%} (tol ±{tol:.0%})", abs(err) <= tol


def run_collector_validation(params: ParameterValues) -> list[CaseOutcome]:
    """The issue-3 cases, in order."""
    out: list[CaseOutcome] = []
    # --- seed 002 Fig. 2a: Li nucleation overpotential of the three surfaces (0.1 mA/cm2, ether) ---
    bare, gamma, alpha = evaluate_collectors(
        [CollectorRecipe(uht=None), CollectorRecipe(uht=UHTRecipe(stage3_time_s=0.0)), CollectorRecipe()], params)
    for name, res, paper in (("Cu", bare, 93.6), ("Cu@Cu5Zn8 (stage II only)", gamma, 37.2),
                             ("Cu@Cu0.64Zn0.36 (standard recipe)", alpha, 33.2)):
        model, err, ok = _rel(res.nucleation_overpotential_mV, paper, 0.05)
        out.append(CaseOutcome(f"V7 nucleation overpotential, {name}", "seed 002 Fig. 2a", f"{paper} mV",
                               model + " mV", err, ok, "V7 " + name.split(" ")[0]))
    # --- seed 004 Fig. 3b: Ag plumes (1 wt % AgF, 2 min) vs bare Cu at 1 mA/cm2, carbonate ---
    ref_t = params["ag_immersion_reference_time_s"]
    ref_c = params["ag_immersion_reference_agf_mass_frac"]
    imm = ag_immersion(ref_t, ref_c, params=params)
    cover = float(np.squeeze(imm.ag_coverage_frac))
    tex = np.array([params[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")])
    tex = np.append(tex, 1.0 - tex.sum())
    eta = nucleation_overpotential_V(tex, ag_frac=[0.0, cover], protocol="seed004_carbonate", params=params) * 1e3
    model, err, ok = _rel(float(eta[1]), 41.0, 0.05)
    out.append(CaseOutcome("V004-N3 Ag@Cu nucleation overpotential (1 wt %, 2 min)", "seed 004 Fig. 3b", "41 mV",
                           model + f" mV (Cu {eta[0]:.0f})", err, ok, "V004-N3"))
    flags = bool(np.squeeze(imm.incomplete_plumes)) or bool(np.squeeze(imm.plumes_damaged))
    long = ag_immersion(10 * ref_t, ref_c, params=params)
    out.append(CaseOutcome("V004 process window: 2 min is the optimum, 20 min damages the plumes",
                           "seed 004 §1.2, Fig. S2", "no flag at 1 wt %/2 min; too long damages",
                           f"ref flags {flags}, 20 min damaged {bool(np.squeeze(long.plumes_damaged))}", "-",
                           (not flags) and bool(np.squeeze(long.plumes_damaged))))
    stoich = float(np.squeeze(imm.cu_dissolved_mol_per_m2 / imm.ag_mol_per_m2))
    out.append(CaseOutcome("V004 galvanic stoichiometry Cu + 2Ag+ -> Cu2+ + 2Ag", "seed note 004 §4.2",
                           "Cu/Ag = 0.5", f"{stoich:.6f}", f"{stoich - 0.5:+.1e}", abs(stoich - 0.5) < 1e-9))
    # --- seed 002 §5g: Faraday numbers for Zn plating ---
    rate = float(thickness_rate_m_per_s("Zn", 100.0, 1.0, params=params)) * 1e9
    model, err, ok = _rel(rate, 4.75, 0.01)
    out.append(CaseOutcome("Zn plating rate at 10 mA/cm2, ε = 1", "seed note 002 §5g", "4.75 nm/s",
                           model + " nm/s", err, ok))
    q = float(charge_for_loading_C_per_m2("Zn", params["skin_reference_zn_loading_kg_per_m2"], params=params)) * 1e-4
    model, err, ok = _rel(q, 0.431, 0.01)
    out.append(CaseOutcome("charge for 0.146 mg/cm2 Zn", "seed note 002 §5g", "0.431 C/cm2", model + " C/cm2",
                           err, ok))
    # --- seed 000: texture ---
    fsi = electroformed_texture_array(300.0, 298.15, "fsi", params)[0]
    out.append(CaseOutcome("FSI- additive gives highly (110)-oriented electroformed Cu", "seed 000 §2.1 (T7)",
                           "(110) dominant", f"(110) {fsi[2]:.2f}, (111) {fsi[0]:.2f}, (100) {fsi[1]:.2f}", "-",
                           fsi[2] == fsi[:3].max() and fsi[2] > 0.5))
    hot = anneal_texture(tex, np.array([0.0, 2 * 3600.0]), np.array([1248.15, 1248.15]), params).texture[0]
    # the recrystallisation kinetics are calibrated on this point (docs/texture_ag_quality.md): a consistency check
    out.append(CaseOutcome("hours at 975 °C give a (near) single-crystal cube texture (calibration point)",
                           "seed 000 Table 2", "(100) dominant after hours at 900-1050 °C",
                           f"(100) {hot[1]:.2f} after 2 h", "-", hot[1] == hot.max() and hot[1] >= 0.8,
                           "seed 000 Table 2"))
    facets = [float(nucleation_overpotential_V(np.eye(4)[i], params=params)[0]) for i in (1, 2, 0)]
    out.append(CaseOutcome("facet ranking of the nucleation overpotential", "seed 000 §2.1 (T3, T5, T9)",
                           "Cu(100) < Cu(110) < Cu(111)",
                           " < ".join(f"{1e3 * v:.0f}" for v in facets) + " mV", "-", facets == sorted(facets)))
    out.append(_skin_indicator_ranking(params))
    return out


def _skin_indicator_ranking(params: ParameterValues) -> CaseOutcome:
    """Seed 002 Fig. 6i-k: the best skin metal of each Li-plating indicator. The per-metal merits are
    rank-preserving assumptions whose ``data_used`` is this ordering, so the case is a calibration residual."""
    from process_models.skins.indicators import SEED_ORDERINGS, indicator_values

    got = {k: indicator_values(k, params) for k in SEED_ORDERINGS}
    ok = all(v.best() == SEED_ORDERINGS[k].best_metal
             and sum(m == v.best() for m in v.merit_frac) == 1
             and all(x < v.merit_frac[v.best()] for m, x in v.merit_frac.items() if m != v.best())
             for k, v in got.items())
    paper = ", ".join(f"{o.best_metal} {o.sense} {k.replace('_', ' ')}" for k, o in SEED_ORDERINGS.items())
    model = ", ".join(f"{k.replace('_', ' ')}: {v.best()}" for k, v in got.items())
    data = next(iter(got.values())).data_used
    return CaseOutcome("skin-metal indicator ranking (rank-preserving assumption, only the ranking)",
                       "seed 002 Fig. 6i-k (seed note 002 §4)", paper, model, "-", ok, data[0] if data else "")
