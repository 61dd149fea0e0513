"""Constants of the stage-II γ nucleation and island model (process_models/uht/gamma_islands.py).

The form is literature (mean-field nucleation rate equations, Venables 1984; JMAK coverage, Avrami 1939;
multiphase layer growth, Kidson 1961); the constants below are assumptions or targets stated with their
reason. The two FITTED constants of the model (nucleation rate, β growth factor) live in ``fitted_uht``.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"
_F = "FeasibilityStudy2026"
_S = "Wang2025"
_N = "SeedNote002"


def get_parameter_values() -> dict:
    parameters = [
        Parameter("gamma_nucleation_reference_flux_mol_per_m2_s", 1.835e-4, "mol/(m2 s)", _F,
                  "§4: the seed's mean Zn supply 1.2 µg cm⁻² s⁻¹ (0.146 mg/cm² in 120 s); the flux at which "
                  "the nucleation rate constant is quoted", "derived", (1e-9, 1.0)),
        Parameter("zn_adatom_capture_length_m", 10e-9, "m", _A,
                  "migration length of a Zn adatom on unsaturated α before it dissolves (√(D_s·τ)); no "
                  "measured value: a few tens of hops on Cu at 750 K; its effect on coverage is tested",
                  "assumed", (1e-10, 1e-6)),
        Parameter("gamma_island_aspect_frac", 0.5, "1", _A,
                  "height/radius of a γ cap (0.5 = contact angle 53°); seed 002 AFM (Fig. 1e-g) finds the "
                  "stage-II surface the flattest of the three, so flat caps; its effect is tested",
                  "assumed", (0.05, 2.0)),
        Parameter("beta_reaction_length_m", 0.295e-9, "m", _A,
                  "one atomic jump across the γ/β and β/α interfaces (≈ the lattice parameter of B2 CuZn, "
                  "2.95 Å): the interface reaction in series with diffusion through β (Gösele–Tu form), "
                  "κ_β = D̃β/a0; with it β forms only where the supply flux is below its capacity",
                  "assumed", (1e-11, 1e-7)),
        Parameter("stage2_gamma_min_intermetallic_share_frac", 0.8, "1", _S,
                  "V1 target of the β-growth fit: the stage-II product is Cu5Zn8 at every deposition time "
                  "(§2.1: the stage-II time 'determines the coverage of the Cu5Zn8 alloy skin layer'; Fig. 1b: "
                  "new XRD peaks 'mainly' Cu5Zn8), read as γ holding ≥ 80 % of the intermetallic Zn after "
                  "10-240 s ('mainly' leaves a minor rest; β (110) would hide under Cu (111) at 43.3°)",
                  "derived", (0.05, 1.0)),
        Parameter("stage2_gamma_full_coverage_frac", 0.95, "1", _N,
                  "V2 target of the nucleation-rate fit: 'dense coverage of nanoparticles' after 120 s "
                  "(Fig. S8); seed note 002 §6 V2 tolerance 'coverage ≈1 by 120 s'", "assumed", (0.5, 0.9999)),
    ]
    return {"parameters": parameters, "citations": [_A, _F, _S, _N]}
