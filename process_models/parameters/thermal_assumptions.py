"""Heat-transfer assumptions of the UHT line (convection, contact, heater efficiency).

The seed gives no thermal settings (seed note 002 §0 item 2, §5a, §5f), so every value here is an assumption;
``where`` states the reason. Natural-convection and contact ranges follow Incropera2007.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"


def get_parameter_values() -> dict:
    parameters = [
        Parameter("ambient_temperature_K", 300.0, "K", _A,
                  "surroundings (radiation) and process-gas temperature: room-temperature enclosure",
                  "assumed", (250.0, 600.0)),
        Parameter("gas_convection_multiplier_frac", 1.0, "1", _A,
                  "scales the gas convection of the enclosure correlation (process_models.uht.enclosure_convection:"
                  " Hollands 1975 above the web, Incropera eq. 9.32 / stable-layer conduction below; ≈2.6 W/(m2 K) "
                  "per face at 750 K in 1 atm Ar, inside the 2-25 W/(m2 K) of free convection of gases, Incropera "
                  "Table 1.1). 1 = the correlation; 0 = no gas exchange; ≈3.8 restores the former assumed 10 "
                  "W/(m2 K) per face", "assumed", (0.0, 20.0)),
        Parameter("enclosure_gap_above_m", 0.05, "m", _A,
                  "gap between the web and the enclosure lid above it (Zn-vapour zone and pulse heater share one "
                  "Ar-filled enclosure; no line data: a close enclosure keeps the vapour at the foil)", "assumed",
                  (0.005, 2.0)),
        Parameter("enclosure_gap_below_m", 0.05, "m", _A,
                  "gap between the web and the enclosure floor below it (no line data)", "assumed", (0.005, 2.0)),
        Parameter("web_width_m", 0.5, "m", _A,
                  "web width for the edge-driven convection under the heated web (length A/P = W/2; battery Cu "
                  "foil webs 0.3-1.4 m; the twin's default coil is 0.5 m)", "assumed", (0.05, 3.0)),
        Parameter("quench_contact_conductance_W_per_m2_K", 2000.0, "W/(m2 K)", "Incropera2007",
                  "foil on the chill roll after stage III: an Ar-filled gap of ≈10 µm conducts k/gap ≈ "
                  "0.018/1e-5 ≈ 2e3 W/(m2 K) (§3.2 contact resistance), i.e. ≈4e4 K/s initial cooling of "
                  "10 µm Cu from 1150 K", "assumed", (0.0, 1.0e5)),
        Parameter("stage3_entry_contact_length_m", 0.02, "m", _A,
                  "the web touches the upstream electrode roll (water-cooled, as the chill roll) over this length "
                  "before the heated zone; the current runs from it to the chill roll at the zone's end (direct "
                  "resistance heating between conductor rolls). ≈ a 50 mm roll wrapped over 0.4 rad; any length "
                  "≫ the fin length √(k d / h_c) ≈ 1.3 mm acts alike. 0 = a sliding contact (no roll)", "assumed",
                  (0.0, 1.0)),
        Parameter("stage3_quench_gap_m", 0.0, "m", _A,
                  "free span from the end of the heated zone to the chill roll's contact line (0: the downstream "
                  "electrode roll is the chill roll)", "assumed", (0.0, 0.5)),
        Parameter("roll_temperature_K", 300.0, "K", _A, "water-cooled chill roll at room temperature",
                  "assumed", (250.0, 600.0)),
        Parameter("joule_heater_efficiency_frac", 1.0, "1", _A,
                  "direct Joule heating: the current dissipates in the foil itself; supply and contact "
                  "losses neglected", "assumed", (0.01, 1.0)),
        Parameter("radiant_heater_efficiency_frac", 0.5, "1", _A,
                  "radiant heater: electrical power -> radiant flux incident on the foil (emitter efficiency "
                  "times view factor); absorption by the foil is applied separately (Kirchhoff)", "assumed",
                  (0.01, 1.0)),
        Parameter("heater_max_areal_power_W_per_m2", 1.0e7, "W/m2", _A,
                  "1 kW/cm2 electrical per foil area: covers a 1e5 K/s ramp of 20 µm Cu (≈8e6 W/m2, seed "
                  "note 002 §5f scales 113 W/cm2 for 10 µm in 30 ms)", "assumed", (1.0e3, 1.0e9)),
        Parameter("stage3_heating_rate_K_per_s", 1.0e5, "K/s", _A,
                  "the seed gives no ramp (seed note 002 §0 item 2: its T-t curve is ESI Fig. S1, not in the seed); "
                  "carbon-heater UHT work reports 1e3-1e4 K/s (seed note 002 §5a, literature); 1e5, above that, "
                  "so the 30 ms pulse is mostly hold. The Zn batch form and the other skin metals ramp at it "
                  "(skins: slowed to the heater's fastest on a thick foil); the Zn web form does not use it",
                  "assumed", (1.0e2, 1.0e6)),
        Parameter("stage2_heating_rate_K_per_s", 50.0, "K/s", _A,
                  "heat-up to ≈750 K in ≈9 s, short against the 120 s stage-II hold", "assumed",
                  (0.1, 1.0e4)),
        Parameter("cooling_end_temperature_K", 400.0, "K", _A,
                  "cooling is followed until the foil is below this: Cu-Zn interdiffusion is negligible "
                  "there (D_Zn in Cu ≈ 4e-30 m2/s at 400 K from seed note 002 §5b)", "assumed",
                  (300.0, 700.0)),
        Parameter("cooling_max_time_s", 60.0, "s", _A,
                  "cap on the cooling integration when the end temperature is reached late or never",
                  "assumed", (1.0e-3, 3600.0)),
        Parameter("lumped_model_max_thickness_m", 1.0e-4, "m", "Incropera2007",
                  "lumped (uniform-T) foil: through-thickness diffusion time δ²/α ≈ 0.1 ms at 100 µm stays "
                  "below the 1e5 K/s ramp time (≈8 ms) and Bi = hδ/k < 1e-3 (§5.2)", "assumed",
                  (1.0e-6, 1.0e-3)),
    ]
    return {"parameters": parameters, "citations": ["Assumed", "Incropera2007"]}
