"""Li-plating indicator values of the skin metals (issue 14; seed 002 §4): rank-preserving ASSUMPTIONS.

Seed 002 §2.5 / Fig. 6i–k compares Li‖Cu cells on Sn, Ag, Al, Mg and Zn skins; seed note 002 §4 extracts only the
best metal of each measure (Ag: lowest Li plating overpotential; Mg: longest cycle life; Zn: lowest nucleation
overpotential). No chart values are in the seed notes, so nothing can be fitted: each value here is a
dimensionless merit (1 = the seed's best of the set, 0 = not ranked by the seed; higher is better on every
indicator) that reproduces the ranking and nothing more. Kind "assumed"; ``data_used`` names the seed figure,
so ``foiltwin validate`` lists the ranking check as a calibration residual, never as a validation pass.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

INDICATOR_DATA_ID = "seed 002 Fig. 6i-k ordering"
INDICATORS = ("plating_overpotential", "cycle_life", "nucleation_overpotential")
_BEST = {"plating_overpotential": "ag", "cycle_life": "mg", "nucleation_overpotential": "zn"}
_METALS = ("zn", "mg", "ag", "sn", "al")


def get_parameter_values() -> dict:
    parameters = []
    for ind in INDICATORS:
        for m in _METALS:
            best = _BEST[ind] == m
            where = (f"rank-preserving assumption: {m.capitalize()} is the seed's best of the set on {ind} "
                     "(seed 002 Fig. 6i-k, seed note 002 §4); merit 1" if best else
                     f"rank-preserving assumption: {m.capitalize()} is not ranked by the seed on {ind} "
                     "(seed 002 Fig. 6i-k gives only the best metal; no values extracted); merit 0, tied")
            parameters.append(Parameter(f"skin_{m}_{ind}_merit_frac", 1.0 if best else 0.0, "1", "Wang2025", where,
                                        "assumed", (0.0, 1.0), data_used=(INDICATOR_DATA_ID,)))
    return {"parameters": parameters, "citations": ["Wang2025"]}
