"""What the stage-III quench makes of the Cu–Zn profile: when diffusion freezes, and when β goes massive.

Used by :mod:`process_models.uht.quench` (docs/uht_model.md, "Phases through the quench"):

* a depth freezes when its remaining diffusion length √(∫_t^∞ D̃(x, T) dt) falls below
  ``quench_freeze_diffusion_length_m``;
* β present at the freeze point becomes α by a massive (composition-invariant) transformation when the
  driving force G_β′ − G_α of its own composition (Liang 2015, :mod:`process_models.uht.fcc_bcc`) reaches
  ``massive_min_driving_force_J_per_mol`` somewhere on its way down, above ``massive_min_temperature_K``;
  otherwise it is retained as ordered β′.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter


def get_parameter_values() -> dict:
    parameters = [
        Parameter("quench_freeze_diffusion_length_m", 50e-9, "m", "Assumed",
                  "a depth is frozen once √(remaining ∫D̃ dt) < this length: the half-spacing of the α and β "
                  "domains between which it must exchange Zn to keep its phases at equilibrium. The skin grows "
                  "from γ nanoparticles (< 100 nm, seed 002 Fig. S8) and, in the 1-D local-equilibrium picture, "
                  "carries a 150-260 nm β layer at 1000 K (feasibility study §3a): 50 nm ≈ half a 100 nm grain "
                  "≈ 0.1 of the 470 nm skin. The outcome at the calibrated peak flips between 20 and 30 nm "
                  "(docs/uht_model.md); effect tested in tests/test_quench.py", "assumed", (1e-10, 1e-6)),
        Parameter("massive_min_driving_force_J_per_mol", 100.0, "J/mol", "Subramanian1988",
                  "criterion of the abstract: a massive β→α needs a (small) driving force G_β−G_α; their value "
                  "420 J/mol belongs to their assessment (Liang 2015 gives at most 250 J/mol at x = 0.38), so "
                  "the threshold is refitted on Liang energies to two quench observations: Cu-38 at.% Zn "
                  "cooled fast from 1123 K goes massive (NPTELMassive §4.2, Fig. 34) -> ≤ 250 J/mol; "
                  "Cu-42 wt.% (41.3 at.%) Zn water quenched keeps β (UCMAtlas X11) -> > 54 J/mol. 100 J/mol "
                  "puts the retention limit at x_Zn ≈ 0.405 (β' is held at 40-43 at.% in RomeroAhlers1989 and "
                  "at 38.1-43.4 at.% after fast quenches in Flewitt1966)", "fitted", (0.0, 1000.0),
                  data_used=("NPTELMassive §4.2: Cu-38 at.% Zn cooled fast from 1123 K is massive α",
                             "UCMAtlas X11: Cu-41.3 at.% Zn water quenched keeps β"),
                  standard_error=56.57, standard_error_method="bracket: uniform over the 54-250 J/mol the two "
                  "observations leave, sd = width/√12; process_models.fits",
                  fit_error="bracketed only: 54-250 J/mol are consistent with both observations; over that "
                            "range the composition above which β′ is retained moves from x_Zn 0.413 to 0.380",
                  bracket=(54.0, 250.0)),
        Parameter("massive_min_temperature_K", 500.0, "K", "Assumed",
                  "the massive front is taken not to move below this temperature within the quench; it only "
                  "matters above ≈640 K, where G_β′−G_α peaks (Liang 2015: maximum at 625-670 K for x_Zn "
                  "0.37-0.42, because β′ ordering stabilises the bcc below ≈700 K); 500 K is the lower end of "
                  "the phase table", "assumed", (300.0, 1000.0)),
    ]
    return {"parameters": parameters, "citations": ["Assumed", "Subramanian1988"]}
