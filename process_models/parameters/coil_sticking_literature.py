"""What a wound foil coil can take in a batch anneal: the wraps of a tight coil touch under the winding pressure and,
hot enough and long enough, diffusion-bond ("sticking"). Used by :mod:`process_models.texture.coil_anneal`.

Evidence: Cu-Cu thermocompression bonding (Samouhos2019) gives bonds stronger than 100 MPa at T ≥ 850 °C within
60 min at 10 MPa in vacuum; a forming-gas atmosphere keeps the wraps as oxide-free as that vacuum. The bonding
mechanisms at these temperatures (void closure by lattice diffusion and power-law creep) share the activation energy
of Cu lattice self-diffusion (FrostAshby1982), which turns any programme into an equivalent time at the bonding
reference. Contact is also what stops the colossal grain growth of free-hanging foil (Jin2018: "minimizing contact
stresses"), so a wound coil cannot take the contact-free single-crystal route.
"""

from __future__ import annotations

from process_models.parameters.materials_literature import CU_MELTING_TEMPERATURE_K
from process_models.parameters.registry import Parameter

_S = "Samouhos2019"
_F = "FrostAshby1982"
_A = "Assumed"


def get_parameter_values() -> dict:
    parameters = [
        Parameter("coil_anneal_wound_max_soak_temperature_K", 1123.15, "K", _S,
                  "850 °C (0.83 T_m): abstract, Cu-Cu bonds exceeded 100 MPa for T >= 850 °C and t >= 60 min (10 MPa, "
                  "vacuum): a wound coil soaked at or above this welds its wraps within the first hour of a soak of "
                  "hours; wound coils are refused above it", "literature", (773.15, CU_MELTING_TEMPERATURE_K)),
        Parameter("coil_sticking_reference_temperature_K", 1123.15, "K", _S,
                  "abstract: the lowest bonding temperature giving > 100 MPa bonds within 60 min (10 MPa, vacuum)",
                  "literature", (773.15, CU_MELTING_TEMPERATURE_K)),
        Parameter("coil_sticking_reference_time_s", 3600.0, "s", _S,
                  "abstract: the shortest bonding time giving > 100 MPa bonds at 850 °C (t >= 60 min)", "literature",
                  (60.0, 86400.0)),
        Parameter("coil_sticking_activation_J_per_mol", 197e3, "J/mol", _F,
                  "Cu lattice self-diffusion Q_v = 197 kJ/mol (also power-law creep), the mechanisms that close the "
                  "interface voids of Cu diffusion bonds at 850-1000 °C: the Arrhenius weight of the sticking "
                  "equivalent time", "literature", (50e3, 400e3)),
        Parameter("coil_anneal_max_sticking_frac", 1.0, "1", _A,
                  "largest allowed ratio of the programme's sticking equivalent time to the reference bond time: 1 = "
                  "the strong-bond condition of Samouhos2019. Two effects roughly cancel: the interwrap pressure of a "
                  "tight 10 µm coil (winding stress ~10 MPa × ln(R/r_core) ≈ 1-4 MPa) is below the 10 MPa of the "
                  "reference, so bonds form slower, but a bond far weaker than 100 MPa already tears a 10 µm foil "
                  "on unwinding", "assumed", (0.01, 100.0)),
    ]
    return {"parameters": parameters, "citations": [_S, _F, _A]}
