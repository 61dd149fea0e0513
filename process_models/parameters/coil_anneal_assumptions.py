"""Batch coil anneal (bell furnace): programme limits, furnace, protective gas and line economics.

Seed 000 Table 2 gives the window of the high-T annealing route (900-1050 °C, controlled atmosphere, hours per
batch) and nothing about the furnace; the furnace values are assumptions with their reasoning in ``where``,
except the fixed handling steps (a vendor's bell-furnace cycle) and the steel heat capacity (Incropera2007).
The default line throughput is derived from the other defaults (see :func:`reference_cycle_time_s`); overriding
a rate or the handling time does not update it, so pass the cycle's own throughput to ``LineEconomics``.
"""

from __future__ import annotations

from collections.abc import Mapping

from process_models.parameters.registry import Parameter

_A = "Assumed"
_S0 = "Feng2026"
_V = "BJDSTech"
_I = "Incropera2007"

# Programme that fixes the default throughput: the texture calibration point (seed 000 Table 2 midpoint
# 975 °C, 2 h; texture_literature.recrystallisation_calibration_*).
REFERENCE_SOAK_TEMPERATURE_K = 1248.15
REFERENCE_SOAK_TIME_S = 7200.0
_S_PER_H = 3600.0


def reference_cycle_time_s(values: Mapping[str, float]) -> float:
    """Cycle time [s] of the reference programme at the default ramps: handling + ΔT/rate up + soak + ΔT/rate down."""
    T = REFERENCE_SOAK_TEMPERATURE_K
    return (values["coil_anneal_handling_time_s"]
            + (T - values["coil_anneal_charge_temperature_K"]) / values["coil_anneal_heating_rate_K_per_s"]
            + REFERENCE_SOAK_TIME_S
            + (T - values["coil_anneal_unload_temperature_K"]) / values["coil_anneal_cooling_rate_K_per_s"])


def get_parameter_values() -> dict:
    parameters = [
        # --- programme limits ---
        Parameter("coil_anneal_max_soak_temperature_K", 1323.15, "K", _S0,
                  "Table 2, high-T annealing route: 900-1050 °C; the upper end (1050 °C) is the furnace maximum, "
                  "34 K below the Cu melting point", "literature", (773.15, 1350.0)),
        Parameter("coil_anneal_min_soak_temperature_K", 773.15, "K", _A,
                  "500 °C: the texture model is calibrated at 900-1050 °C (Table 2) and does not describe "
                  "low-T primary recrystallisation; at 500 °C 48 h gives θ ≈ 120 s, X < 1 % (Q = 123 kJ/mol)",
                  "assumed", (573.15, 1173.15)),
        Parameter("coil_anneal_max_soak_time_s", 172800.0, "s", _A,
                  "48 h: seed 000 Table 2 says 'hours per batch'; two days bounds any practical bell-furnace soak",
                  "assumed", (3600.0, 604800.0)),
        # --- thermal programme of the coils (lumped: one coil temperature) ---
        Parameter("coil_anneal_heating_rate_K_per_s", 200.0 / _S_PER_H, "K/s", _A,
                  "200 K/h mean heat-up of foil coils under the inner cover (convective heating with gas "
                  "circulation; coil cores lag the surface, so bell furnaces heat at ~100-300 K/h); the vendor "
                  "cycle (BJDSTech) leaves heating time to coil specifications", "assumed", (1e-4, 10.0)),
        Parameter("coil_anneal_cooling_rate_K_per_s", 100.0 / _S_PER_H, "K/s", _A,
                  "100 K/h mean cool-down under the inner cover with a fan-cooled cooling hood (slower than the "
                  "heat-up: the rate falls as the coil approaches ambient); a linear ramp stands in for it",
                  "assumed", (1e-4, 10.0)),
        Parameter("coil_anneal_charge_temperature_K", 300.0, "K", _A,
                  "coils, inner cover and base start the heat-up at room temperature (cold charge)", "assumed",
                  (298.15, 573.15)),
        Parameter("coil_anneal_unload_temperature_K", 423.15, "K", _A,
                  "150 °C: the inner cover is lifted only below this, since bright Cu foil tarnishes in air "
                  "above ~150-200 °C", "assumed", (298.15, 573.15)),
        Parameter("coil_anneal_handling_time_s", 157.0 * 60.0, "s", _V,
                  "fixed steps of one bell-furnace cycle: load + inner cover 25 min, seal check 15, pre-purge 30, "
                  "heating hood on 8, off 8, cooling hood on 8, post-purge 30, cooling hood off 8, unload 25 "
                  "= 157 min (steel-coil furnace; taken for Cu foil coils)", "derived", (0.0, 86400.0)),
        # --- energy ---
        Parameter("coil_anneal_furnace_steel_mass_kg", 800.0, "kg", _A,
                  "steel heated and cooled with the load each cycle: inner cover ~300 kg, base and convector "
                  "plates ~300 kg, four steel coil cores ~50 kg each (a one-base furnace for ~0.4 t of Cu coils; "
                  "no drawing)", "assumed", (0.0, 1e5)),
        Parameter("coil_anneal_furnace_steel_heat_capacity_J_per_kg_K", 575.0, "J/(kg K)", _I,
                  "Table A.1, AISI 304: cp 477 J/(kg K) at 300 K rising to 611 at 1000 K and 640 at 1200 K; 575 "
                  "is its mean over 300-1250 K (heat-resistant cover steels are similar)", "derived",
                  (400.0, 800.0)),
        Parameter("coil_anneal_shell_loss_coefficient_W_per_K", 20.0, "W/K", _A,
                  "UA of heating hood, base and purge gas: ~20 m² of ceramic-fibre-lined hood losing ~1 kW/m² "
                  "at a 950 K difference (shell ~60 °C), plus ~1.7 kW of forming gas heated to soak; 19 kW at "
                  "975 °C", "assumed", (0.0, 1e4)),
        Parameter("coil_anneal_heating_efficiency_frac", 0.95, "1", _A,
                  "electric resistance hood: supply, thyristor and lead losses; the shell losses are counted "
                  "separately through coil_anneal_shell_loss_coefficient_W_per_K", "assumed", (0.01, 1.0)),
        # --- protective gas ---
        Parameter("coil_anneal_forming_gas_flow_Nm3_per_h", 5.0, "Nm3/h", _A,
                  "N2-5 % H2 through the inner cover (~2 m³) over the whole cycle, purges included: a few volume "
                  "changes per hour keeps Cu bright at 900-1050 °C (Table 2: controlled atmosphere)", "assumed",
                  (0.0, 1000.0)),
        # --- default load (one batch) ---
        Parameter("coil_anneal_coils_count", 4.0, "1", _A,
                  "coils stacked on one base", "assumed", (1.0, 100.0)),
        Parameter("coil_anneal_coil_length_m", 2000.0, "m", _A,
                  "as the twin's incoming coils (CoilSpec.length_m)", "assumed", (1.0, 1e5)),
        Parameter("coil_anneal_coil_width_m", 0.5, "m", _A,
                  "as the twin's incoming coils (CoilSpec.width_m)", "assumed", (0.01, 3.0)),
        Parameter("coil_anneal_foil_thickness_m", 10e-6, "m", _S0,
                  "Table 2 states its unit costs for 10 µm foil; default foil of the load", "assumed",
                  (1e-6, 1e-3)),
        # --- line economics (LineEconomics.default("coil_anneal")) ---
        Parameter("coil_anneal_line_capex_USD", 0.6e6, "USD", _A,
                  "2024 USD, order of magnitude only: electric bell furnace for ~0.5 t loads (one base with inner "
                  "cover, ~100 kW heating hood, cooling hood, forming-gas panel, controls, share of a crane); no "
                  "quote exists", "assumed", (0.0, 1e9)),
        Parameter("coil_anneal_line_operators_count", 0.5, "1", _A,
                  "operators on duty per scheduled hour: crane and purge work (~2.6 h per cycle) lets one "
                  "operator tend two furnaces", "assumed", (0.0, 100.0)),
    ]
    values = {p.name: p.value for p in parameters}
    area_m2 = (values["coil_anneal_coils_count"] * values["coil_anneal_coil_length_m"]
               * values["coil_anneal_coil_width_m"])
    cycle_s = reference_cycle_time_s(values)
    parameters.append(Parameter(
        "coil_anneal_line_throughput_m2_per_h", area_m2 / (cycle_s / _S_PER_H), "m2/h", _A,
        f"default load ({area_m2:.0f} m² per batch) over the cycle of a 2 h soak at 975 °C at the default ramps "
        f"and handling ({cycle_s / _S_PER_H:.2f} h); one base per furnace, no overlap of batches",
        "derived", (1e-3, 1e5)))
    return {"parameters": parameters, "citations": [_A, _S0, _V, _I]}
