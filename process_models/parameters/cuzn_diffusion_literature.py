"""Cu-Zn interdiffusion parameters: the baseline D̃(x, T) of the feasibility study ("fick" mode).

Laws (implemented in :mod:`process_models.uht.cuzn_diffusivity`):

* α (fcc): D̃α = D*_Zn,Cu(T) · 10^(A · x / x_ref), D*_Zn,Cu = D0 · exp(-Q / RT) (Zn tracer in dilute Cu).
* β (bcc): D̃β = Φβ · (x_Cu · D*_Zn + x_Zn · D*_Cu), Kuper et al. tracers in disordered β.
* γ: D̃γ = fγ · Φγ · (x_Cu · D*_Zn + x_Zn · D*_Cu) with the same β tracers (placeholder, no γ data).
* Composition ranges of the laws with a log-linear blend of width ``fick_blend_width_frac`` at each switch.

Activation energies quoted in kcal/mol are converted with the thermochemical calorie
(process_models.physical_constants).
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter
from process_models.physical_constants import calorie, centi, kilo, zero_Celsius

_SEED = "SeedNote002"
_KUPER = "Kuper1956"
_STUDY = "FeasibilityStudy2026"
_SK = "Smigelskas1947"
_A = "Assumed"

_CM2_PER_S = centi**2  # m2/s per cm2/s
_KCAL_PER_MOL = kilo * calorie  # J/mol per kcal/mol


def get_parameter_values() -> dict:
    parameters = [
        # --- α: Zn tracer in dilute Cu (seed note 002 §5b, literature value marked [L]) ---
        Parameter("zn_tracer_in_cu_prefactor_m2_per_s", 0.34 * _CM2_PER_S, "m2/s", _SEED,
                  "§5b: Zn in dilute Cu D0 ≈ 0.34 cm²/s [L] (other compilations ≈0.7 cm²/s)", "literature",
                  (1e-7, 1e-2)),
        Parameter("zn_tracer_in_cu_activation_J_per_mol", 191e3, "J/mol", _SEED,
                  "§5b: Zn in dilute Cu Q ≈ 191 kJ/mol [L] (other compilations ≈199 kJ/mol)", "literature",
                  (1.0e5, 3.0e5)),
        # --- α: composition enhancement, anchored on the Darken analysis of Smigelskas & Kirkendall ---
        Parameter("alpha_interdiffusion_log10_rise_frac", 2.0, "1", _STUDY,
                  "§2 D̃ table, baseline A = 2: D̃α rises 10^A from dilute Zn to x_ref; anchored on "
                  "Smigelskas1947 (Darken) at 785 °C, x = 0.225", "fitted", (0.0, 4.0),
                  data_used=("Smigelskas1947: Darken D̃ 4.45e-13 m²/s at 785 °C, x_Zn = 0.225",),
                  standard_error=3.033e-3,
                  standard_error_method="stated error through the one-point solve: D_Zn, D_Cu printed to two "
                  "figures (study §2), rounding sd; process_models.fits. The anchor alone gives A = 2.06: the "
                  "registry's A = 2 misses it by more than this standard error (fit_error)",
                  fit_error="one anchor point: the law gives 4.0e-13 against 4.45e-13 m²/s (-10 %); the "
                            "shape in x is unchecked (Kozeschnik 2000 not consulted); study §0: with A = 1 "
                            "stage III needs ≳1250 K instead of ≈1100 K"),
        Parameter("alpha_interdiffusion_rise_reference_zn_frac", 0.30, "1", _STUDY,
                  "§2 D̃ table: the rise 10^A is reached at x_Zn = 0.30", "literature", (0.05, 0.5)),
        Parameter("alpha_anchor_temperature_K", 785.0 + zero_Celsius, "K", _SK,
                  "Darken analysis of the 785 °C α-brass couple (quoted in the study §2, from memory)",
                  "literature", (300.0, 1400.0)),
        Parameter("alpha_anchor_zn_frac", 0.225, "1", _SK,
                  "composition of the anchor point, x_Zn = 0.225 (study §2)", "literature", (0.0, 0.4)),
        Parameter("alpha_anchor_interdiffusion_m2_per_s", 4.45e-13, "m2/s", _SK,
                  "D_Zn = 5.1e-9, D_Cu = 2.2e-9 cm²/s → D̃ = x_Cu·D_Zn + x_Zn·D_Cu = 4.45e-13 m²/s "
                  "(study §2, [lit, from memory])", "literature", (1e-16, 1e-10)),
        # --- β: Kuper et al. tracers in disordered β (47-48 at% Zn) ---
        Parameter("beta_cu_tracer_prefactor_m2_per_s", 0.011 * _CM2_PER_S, "m2/s", _KUPER,
                  "disordered β: D*_Cu = 0.011 cm²/s · exp(-22.0 kcal/mol / RT) (study §2 table)",
                  "literature", (1e-9, 1e-3)),
        Parameter("beta_cu_tracer_activation_J_per_mol", 22.0 * _KCAL_PER_MOL, "J/mol", _KUPER,
                  "disordered β: Q_Cu = 22.0 kcal/mol (study §2 table)", "literature", (4.0e4, 2.0e5)),
        Parameter("beta_zn_tracer_prefactor_m2_per_s", 0.0035 * _CM2_PER_S, "m2/s", _KUPER,
                  "disordered β: D*_Zn = 0.0035 cm²/s · exp(-18.8 kcal/mol / RT) (study §2 table)",
                  "literature", (1e-9, 1e-3)),
        Parameter("beta_zn_tracer_activation_J_per_mol", 18.8 * _KCAL_PER_MOL, "J/mol", _KUPER,
                  "disordered β: Q_Zn = 18.8 kcal/mol (study §2 table)", "literature", (4.0e4, 2.0e5)),
        Parameter("beta_thermodynamic_factor_frac", 3.2, "1", _STUDY,
                  "§2 D̃ table: Φβ = 3.2 (3.1-3.3 evaluated from the Liang2015 assessment at 1000-1100 K)",
                  "derived", (1.0, 20.0)),
        # --- γ: placeholder law on the β tracers ---
        Parameter("gamma_thermodynamic_factor_frac", 6.0, "1", _STUDY,
                  "§2 D̃ table: Φγ = 6 (5-12 from Liang2015) applied to the Kuper β tracers", "derived",
                  (1.0, 50.0)),
        Parameter("gamma_diffusivity_scale_frac", 1.0, "1", _A,
                  "fγ placeholder: no assessed γ interdiffusion data at hand (Eastman et al. 2020 should "
                  "replace the γ law); the study tested 0.1-10 with no effect on stage III", "assumed",
                  (1e-3, 1e3)),
        # --- fick mode: where the laws switch ---
        Parameter("fick_alpha_beta_switch_zn_frac", 0.43, "1", "Liang2015",
                  "α law below x_Zn = 0.43, β law above: with β kinetically suppressed "
                  "(beta_diffusivity_scale_frac ≪ 1, fitted to V1) α in contact with γ holds up to the "
                  "metastable α/γ boundary, x = 0.425 (750 K) - 0.441 (1100 K) from Liang2015 with the bcc "
                  "phases excluded (scripts/metastable_alpha_gamma.py); the study's §2 fick mode used 0.40 "
                  "(the α/β solvus region)", "derived", (0.30, 0.50)),
        Parameter("fick_beta_gamma_switch_zn_frac", 0.56, "1", _STUDY,
                  "§2 'fick' mode: β law up to x_Zn = 0.56, γ law above", "assumed", (0.45, 0.65)),
        Parameter("fick_blend_width_frac", 0.02, "1", _A,
                  "the study says 'log-blended' without a width; ln D̃ is interpolated linearly in x over "
                  "this width centred on each switch (numerical smoothing, no physics)", "assumed",
                  (1e-4, 0.08)),
        # --- time-step clock ---
        Parameter("diffusion_clock_reference_zn_frac", 0.30, "1", _A,
                  "composition at which D̃α sets the solver's diffusion clock (time-step placement only; "
                  "the study's conversion rule uses D̃α near the α solvus, 0.33-0.35)", "assumed",
                  (0.0, 0.4)),
    ]
    sources = sorted({p.source for p in parameters})
    return {"parameters": parameters, "citations": sources}
