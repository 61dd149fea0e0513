"""Skin metals other than Zn (issue 14; seed 002 §4): vapour pressures, elemental constants, source settings.

Vapour pressure of each metal: log10(p/Pa) = A - B/T + C·log10(T/K) per phase (solid below, liquid above the
melting point), the equations of Alcock, Itkin & Horrigan (1984) as reproduced in the CRC Handbook table
"Vapor pressure of the metallic elements" (A there is for atm; A here = A_atm + 5.006 for Pa). The Mg
liquid branch is not in that table: it is derived (Clausius-Clapeyron through the Alcock solid value at
the melting point and the CRC normal boiling point 1363 K), kind "derived".
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Alcock1984"
_EQ = "CRC 'Vapor pressure of the metallic elements' (= Alcock 1984 equations), log10 p[Pa] = 5.006 + A_atm"

# metal: (phase, A [log10 Pa], B [K], C [-], T range text)
_VAPOUR = {
    "zn": (("solid", 11.108, 6776.0, 0.0, "298 K-mp"), ("liquid", 10.384, 6286.0, 0.0, "mp-1000 K")),
    "mg": (("solid", 13.495, 7813.0, -0.8253, "298 K-mp"),),
    "ag": (("solid", 14.133, 14999.0, -0.7845, "298 K-mp"), ("liquid", 10.758, 13827.0, 0.0, "mp-1600 K")),
    "sn": (("solid", 11.042, 15710.0, 0.0, "298 K-mp"), ("liquid", 10.268, 15332.0, 0.0, "mp-1850 K")),
    "al": (("solid", 14.465, 17342.0, -0.7927, "298 K-mp"), ("liquid", 10.917, 16211.0, 0.0, "mp-1800 K")),
}


def _vapour_parameters() -> list[Parameter]:
    out = []
    for metal, branches in _VAPOUR.items():
        for phase, a, b, c, rng in branches:
            where = f"{metal.capitalize()} {phase}, {rng}; {_EQ}"
            out += [
                Parameter(f"{metal}_{phase}_vapour_log10p_a_frac", a, "1", _A, where, "literature", (-50.0, 50.0)),
                Parameter(f"{metal}_{phase}_vapour_log10p_b_K", b, "K", _A, where, "literature", (0.0, 1e5)),
                Parameter(f"{metal}_{phase}_vapour_log10p_c_frac", c, "1", _A, where, "literature", (-5.0, 5.0)),
            ]
    mg_where = ("derived: log10 p continuous with the Alcock solid equation at 923 K (383 Pa) and equal to "
                "101325 Pa at the CRC normal boiling point 1363 K; ΔH_vap = 132.6 kJ/mol (CRC: 128 kJ/mol)")
    out += [
        Parameter("mg_liquid_vapour_log10p_a_frac", 10.0879, "1", "CRC", mg_where, "derived", (-50.0, 50.0)),
        Parameter("mg_liquid_vapour_log10p_b_K", 6926.95, "K", "CRC", mg_where, "derived", (0.0, 1e5)),
        Parameter("mg_liquid_vapour_log10p_c_frac", 0.0, "1", "CRC", mg_where, "derived", (-5.0, 5.0)),
    ]
    return out


def get_parameter_values() -> dict:
    c = "CRC"
    parameters = [
        *_vapour_parameters(),
        # --- elemental constants (CRC Handbook; melting points as used by Alcock 1984 / the assessments) ---
        Parameter("mg_melting_temperature_K", 923.0, "K", c, "Mg melting point 650 °C", "constant", (900.0, 950.0)),
        Parameter("ag_melting_temperature_K", 1234.93, "K", c, "Ag melting point (ITS-90 fixed point)", "constant",
                  (1200.0, 1260.0)),
        Parameter("sn_melting_temperature_K", 505.08, "K", c, "Sn melting point (ITS-90); seed 002 §2.5 quotes "
                  "505.04 K", "constant", (500.0, 510.0)),
        Parameter("al_melting_temperature_K", 933.47, "K", c, "Al melting point (ITS-90)", "constant",
                  (920.0, 950.0)),
        Parameter("mg_molar_mass_kg_per_mol", 0.024305, "kg/mol", c, "standard atomic weight", "constant",
                  (0.024, 0.025)),
        Parameter("ag_molar_mass_kg_per_mol", 0.1078682, "kg/mol", c, "standard atomic weight", "constant",
                  (0.107, 0.109)),
        Parameter("sn_molar_mass_kg_per_mol", 0.118710, "kg/mol", c, "standard atomic weight", "constant",
                  (0.118, 0.119)),
        Parameter("al_molar_mass_kg_per_mol", 0.0269815, "kg/mol", c, "standard atomic weight", "constant",
                  (0.026, 0.028)),
        Parameter("mg_density_kg_per_m3", 1738.0, "kg/m3", c, "density at 20 °C", "literature", (1500.0, 2000.0)),
        Parameter("ag_density_kg_per_m3", 10490.0, "kg/m3", c, "density at 20 °C", "literature", (9000.0, 11000.0)),
        Parameter("sn_density_kg_per_m3", 7265.0, "kg/m3", c, "density at 20 °C (white Sn)", "literature",
                  (7000.0, 7500.0)),
        Parameter("al_density_kg_per_m3", 2698.0, "kg/m3", c, "density at 20 °C", "literature", (2500.0, 2900.0)),
        # --- source settings of the vapour route for the other metals (assumptions) ---
        Parameter("skin_source_superheat_K", 57.32, "K", "Wang2025",
                  "source held this far above the metal's melting point ('near each metal's melting point', "
                  "§2.5); the value is Zn's: 750 K stage II (§2.1) - 692.68 K. Assumed equal for all metals",
                  "assumed", (0.0, 1500.0)),
        Parameter("skin_vapour_max_time_s", 1200.0, "s", "Wang2025",
                  "longest deposition time a vapour route may need to count as feasible: 10x the seed's 120 s "
                  "stage II (§2.1; a 20 m zone at 1 m/min). Assumed", "assumed", (1.0, 1e6)),
        Parameter("skin_vapour_marginal_time_s", 120.0, "s", "Wang2025",
                  "a vapour route slower than the seed's 120 s stage II (§2.1) but within skin_vapour_max_time_s "
                  "is reported as marginal. Assumed", "assumed", (1.0, 1e6)),
    ]
    return {"parameters": parameters, "citations": [_A, c, "Wang2025"]}
