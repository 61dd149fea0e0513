"""Continuous moving hot-zone anneal of a single foil web (:mod:`process_models.texture.hot_zone`).

The literature gives the route and its scale, not a production line: (5 × 50) cm² single-crystal Cu(111) by a
temperature-gradient-driven anneal of industrial foil (Xu2017), ~30 × 20 cm² seeded single crystals whose facet
follows the seed, "several metres" in prospect (Wu2020), contact-free annealing (Jin2018), 320 cm² within 60 min
(Chen2023), abnormal grain growth in Cu foil from ≈ 1000 °C (Guo2023). The line's geometry, speeds, losses, gas and
economics are assumptions with their reasoning in ``where``. The default line throughput is derived from the other
defaults (a test keeps it equal to the model's); overriding a geometry value does not update it.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"
_G = "Guo2023"
_S0 = "Feng2026"

# Reference programme of the default throughput: the reference temperature, at the speed whose pass delivers the
# texture calibration's equivalent time (θ = 7200 s at 975 °C, X = 0.95).
REFERENCE_TEMPERATURE_K = 1293.15
REFERENCE_PULL_SPEED_M_PER_S = 2.1389839719457364e-4  # Θ₁(1293.15 K)/7200 s with the defaults (derived, tested)


def get_parameter_values() -> dict:
    parameters = [
        # --- hot zone ---
        Parameter("hot_zone_min_temperature_K", 1273.15, "K", _G,
                  "abstract: 1000 °C is a critical temperature for abnormal grain growth in Cu foils; below it the "
                  "single-crystal (abnormal) growth the route relies on does not run", "literature",
                  (1073.15, 1350.0)),
        Parameter("hot_zone_max_temperature_K", 1333.15, "K", _A,
                  "1060 °C: 25 K below the Cu melting point (1357.77 K) for the zone's control band and the creep "
                  "of a 10 µm web under its own tension", "assumed", (1173.15, 1357.0)),
        Parameter("hot_zone_reference_temperature_K", REFERENCE_TEMPERATURE_K, "K", _A,
                  "1020 °C: between the 1000 °C onset of abnormal grain growth (Guo2023) and the melting margin; "
                  "the default of `foiltwin recipe --texture-route hot-zone`", "assumed", (1073.15, 1357.0)),
        Parameter("hot_zone_length_m", 1.0, "m", _A,
                  "heated length at T_hz of a line for a 0.5 m web (the literature's gradient anneals run in lab "
                  "tube furnaces on 5-30 cm wide foil; Xu2017, Wu2020); the pass time scales with it", "assumed",
                  (0.01, 100.0)),
        Parameter("hot_zone_gradient_length_m", 0.1, "m", _A,
                  "length over which the web rises from the entry temperature to T_hz (and falls after it): a "
                  "steep gradient drives the single-crystal front (Xu2017 'temperature-gradient-driven')",
                  "assumed", (0.0, 10.0)),
        Parameter("hot_zone_entry_temperature_K", 300.0, "K", _A,
                  "the web enters from room temperature", "assumed", (273.15, 1073.15)),
        Parameter("hot_zone_exit_temperature_K", 300.0, "K", _A,
                  "the web leaves cooled to room temperature under forming gas", "assumed", (273.15, 1073.15)),
        Parameter("hot_zone_min_pull_speed_m_per_s", 1e-5, "m/s", _A,
                  "0.6 mm/min: slowest steady pull of the web drive", "assumed", (1e-7, 1e-3)),
        Parameter("hot_zone_max_pull_speed_m_per_s", 1e-2, "m/s", _A,
                  "0.6 m/min: fastest pull the low-tension web handling of a 10 µm foil at 1000 °C runs", "assumed",
                  (1e-4, 1.0)),
        # --- web (as the twin's coils and seed 000 Table 2's 10 µm foil) ---
        Parameter("hot_zone_web_width_m", 0.5, "m", _A,
                  "as the twin's incoming coils (CoilSpec.width_m)", "assumed", (0.01, 3.0)),
        Parameter("hot_zone_foil_thickness_m", 10e-6, "m", _S0,
                  "Table 2 states its unit costs for 10 µm foil", "assumed", (1e-6, 1e-3)),
        # --- energy and gas ---
        Parameter("hot_zone_shell_loss_coefficient_W_per_K", 5.0, "W/K", _A,
                  "UA of a 1.2 m muffle with its gradient sections and the two web slots: ~3 m² of fibre-lined shell "
                  "at ~1.2 kW/m² per 1000 K plus slot radiation and the purge gas; 5 kW at 1000 K", "assumed",
                  (0.0, 1e4)),
        Parameter("hot_zone_heating_efficiency_frac", 0.95, "1", _A,
                  "electric resistance heating: supply and thyristor losses only", "assumed", (0.01, 1.0)),
        Parameter("hot_zone_forming_gas_flow_Nm3_per_h", 1.0, "Nm3/h", _A,
                  "N2-5 % H2 through a ~0.1 m³ muffle and out of its two web slots", "assumed", (0.0, 100.0)),
        # --- line economics (LineEconomics.default("hot_zone_anneal")) ---
        Parameter("hot_zone_anneal_line_capex_USD", 0.4e6, "USD", _A,
                  "2024 USD, order of magnitude only: a 1.2 m electric muffle furnace with gradient control, "
                  "low-tension pay-off/take-up for 10 µm foil, seeding station, forming-gas panel; no quote exists",
                  "assumed", (0.0, 1e9)),
        Parameter("hot_zone_anneal_line_operators_count", 0.5, "1", _A,
                  "operators on duty per scheduled hour: a slow continuous line, one operator for two",
                  "assumed", (0.0, 100.0)),
        Parameter("hot_zone_anneal_line_throughput_m2_per_h", REFERENCE_PULL_SPEED_M_PER_S * 0.5 * 3600.0, "m2/h", _A,
                  "default web (0.5 m) at the speed whose pass at 1020 °C delivers the texture calibration's θ "
                  "(7200 s at 975 °C, X = 0.95): 12.8 mm/min", "derived", (1e-6, 1e5)),
    ]
    return {"parameters": parameters, "citations": [_A, _G, _S0]}
