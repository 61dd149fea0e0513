"""Skin metals (issue 14): interdiffusion, skin metrics, source energy and prices of Mg, Ag, Sn and Al.

Impurity diffusion of each metal in Cu, D = D0·exp(-Q/RT), from the Smithells compilation (values as recalled
from its table of impurity diffusion in copper; check against the printed table before relying on them: the
``where`` of each says so). Zn keeps its own registry values (``zn_tracer_in_cu_*``, Kuper 1956). No Mg-in-Cu
entry was available: Mg is ASSUMED to diffuse like Zn (visible, overridable; a test shows its effect).
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_S = "Smithells2004"
_CHECK = "impurity diffusion in Cu (value recalled from the compilation; check the printed table)"


def get_parameter_values() -> dict:
    dk = (1e-8, 1e-2)
    qk = (5e4, 4e5)
    parameters = [
        Parameter("ag_in_cu_diffusion_prefactor_m2_per_s", 0.61e-4, "m2/s", _S, f"Ag {_CHECK}", "literature", dk),
        Parameter("ag_in_cu_diffusion_activation_J_per_mol", 194.7e3, "J/mol", _S, f"Ag {_CHECK}", "literature", qk),
        Parameter("al_in_cu_diffusion_prefactor_m2_per_s", 0.045e-4, "m2/s", _S, f"Al {_CHECK}", "literature", dk),
        Parameter("al_in_cu_diffusion_activation_J_per_mol", 165.1e3, "J/mol", _S, f"Al {_CHECK}", "literature", qk),
        Parameter("sn_in_cu_diffusion_prefactor_m2_per_s", 0.11e-4, "m2/s", _S, f"Sn {_CHECK}", "literature", dk),
        Parameter("sn_in_cu_diffusion_activation_J_per_mol", 188.3e3, "J/mol", _S, f"Sn {_CHECK}", "literature", qk),
        Parameter("mg_in_cu_diffusion_prefactor_m2_per_s", 3.4e-5, "m2/s", "Assumed",
                  "no Mg-in-Cu value at hand: taken equal to Zn in Cu (zn_tracer_in_cu_prefactor_m2_per_s)",
                  "assumed", dk),
        Parameter("mg_in_cu_diffusion_activation_J_per_mol", 191.0e3, "J/mol", "Assumed",
                  "no Mg-in-Cu value at hand: taken equal to Zn in Cu (zn_tracer_in_cu_activation_J_per_mol)",
                  "assumed", qk),
        # --- heat to evaporate the source metal (fusion enthalpies, CRC) ---
        Parameter("mg_fusion_enthalpy_J_per_mol", 8.48e3, "J/mol", "CRC", "enthalpy of fusion", "literature",
                  (0.0, 1e5)),
        Parameter("ag_fusion_enthalpy_J_per_mol", 11.28e3, "J/mol", "CRC", "enthalpy of fusion", "literature",
                  (0.0, 1e5)),
        Parameter("sn_fusion_enthalpy_J_per_mol", 7.173e3, "J/mol", "CRC", "enthalpy of fusion", "literature",
                  (0.0, 1e5)),
        Parameter("al_fusion_enthalpy_J_per_mol", 10.71e3, "J/mol", "CRC", "enthalpy of fusion", "literature",
                  (0.0, 1e5)),
        Parameter("skin_source_molar_heat_capacity_J_per_mol_K", 3.0 * 8.314462618, "J/(mol K)", "Assumed",
                  "Dulong-Petit 3R for warming the source metal from ambient (all five metals within ~20 % of it "
                  "between 300 K and their melting points)", "assumed", (0.0, 100.0)),
        # --- prices (2024 USD, order of magnitude; Zn and Ag are in costing_prices from USGS) ---
        Parameter("mg_price_USD_per_kg", 3.5, "USD/kg", "Assumed", "2024 USD, order of magnitude: primary Mg "
                  "ingot (no USGS chapter here); replace with a quote", "assumed", (0.0, 1e4)),
        Parameter("sn_price_USD_per_kg", 30.0, "USD/kg", "Assumed", "2024 USD, order of magnitude: refined Sn "
                  "(LME ≈ 30 000 USD/t in 2024); replace with a quote", "assumed", (0.0, 1e4)),
        Parameter("al_price_USD_per_kg", 2.5, "USD/kg", "Assumed", "2024 USD, order of magnitude: primary Al "
                  "(LME ≈ 2 400 USD/t plus premium); replace with a quote", "assumed", (0.0, 1e4)),
        # --- skin metrics ---
        Parameter("skin_alloyed_min_frac", 0.01, "1", "Assumed",
                  "a cell counts as alloyed when its skin-metal mole fraction is at least this (as "
                  "alloyed_depth_min_zn_frac for Zn)", "assumed", (1e-6, 0.5)),
    ]
    return {"parameters": parameters, "citations": [_S, "CRC", "Assumed"]}
