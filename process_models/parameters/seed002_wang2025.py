"""Values stated in, or derived from, seed 002 (Wang et al., Energy Environ. Sci. 18 (2025) 2622).

Locations refer to the paper's sections and figures as extracted in
``shared/seed-notes/002-uht-cuzn-skin.md``. "measured" = stated in the paper; "derived" = arithmetic on
paper numbers (seed note §1a).
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_S = "Wang2025"


def get_parameter_values() -> dict:
    parameters = [
        Parameter("stage2_reference_temperature_K", 750.0, "K", _S, "§2.1, Fig. S1: stage II at ≈750 K",
                  "measured", (600.0, 1100.0)),
        Parameter("stage2_reference_time_s", 120.0, "s", _S, "§2.1 last para: optimum/standard 120 s",
                  "measured", (1.0, 3600.0)),
        Parameter("stage3_reference_time_s", 0.030, "s", _S, "§2.1 last para: standard recipe 30 ms",
                  "measured", (1e-4, 10.0)),
        Parameter("skin_reference_thickness_m", 470e-9, "m", _S, "§2.1, Fig. S6: ink-isolation ≈470 nm",
                  "measured", (1e-9, 1e-5)),
        Parameter("skin_reference_zn_frac", 0.36, "1", _S, "§2.1, Fig. 1b XRD: Cu0.64Zn0.36",
                  "measured", (0.0, 1.0)),
        Parameter("skin_reference_zn_loading_kg_per_m2", 1.46e-3, "kg/m2", _S,
                  "seed note §1a [D]: 470 nm α at x=0.36, 8.47 g/cm3 → 0.146 mg/cm2", "derived",
                  (0.0, 1.0)),
        Parameter("stage2_particle_size_limit_10s_m", 100e-9, "m", _S,
                  "§2.1, Fig. S8: 10 s of stage II gives nanoparticles smaller than 100 nm", "measured",
                  (1e-9, 1e-5)),
    ]
    return {"parameters": parameters, "citations": [_S]}
