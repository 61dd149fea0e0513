"""Prices of flows (electricity, metals, chemicals, gas, water, labour), capital and line economics.

Every money value is in USD of 2024 (:data:`PRICE_YEAR`); each ``where`` says so and gives the table or
the reason. Prices are bounded below by 0. Values of kind "assumed" are order-of-magnitude plant estimates
with the reasoning beside them; override them by name (``--param NAME=VALUE``) with a quote when there is one.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter
from process_models.physical_constants import pound, troy_ounce

PRICE_YEAR = 2024  # currency year of every USD value in this set (and of the CNY/USD rate)

_A = "Assumed"
_EIA = "EIA2025"
_USGS = "USGS2025"
_FRB = "FRB2025"
_BLS = "BLS2025"
_T = "Turton2018"
_S0 = "SeedNote000"


def get_parameter_values() -> dict:
    inf = float("inf")
    parameters = [
        # --- utilities ---
        Parameter("electricity_price_USD_per_kWh", 0.081, "USD/kWh", _EIA,
                  "2024 USD: 2024 annual average revenue per kWh, US industrial sector (≈ 8.1 ¢/kWh); state "
                  "averages span ~6-19 ¢/kWh, so override for a site", "literature", (0.0, 2.0)),
        Parameter("argon_price_USD_per_Nm3", 1.0, "USD/Nm3", _A,
                  "2024 USD, order of magnitude: bulk liquid argon delivered and vaporised on site (no public "
                  "index; contract prices depend strongly on volume and region)", "assumed", (0.0, 50.0)),
        Parameter("nitrogen_price_USD_per_Nm3", 0.15, "USD/Nm3", _A,
                  "2024 USD: bulk liquid nitrogen delivered, order of magnitude (on-site PSA/membrane is "
                  "cheaper, cylinders far dearer)", "assumed", (0.0, 20.0)),
        Parameter("forming_gas_price_USD_per_Nm3", 0.2, "USD/Nm3", _A,
                  "2024 USD: N2 + 5 vol% H2 mixed on site for the coil anneal: 0.95 × bulk N2 (0.15 USD/Nm3) + "
                  "0.05 × merchant H2 (~10 USD/kg × 0.0899 kg/Nm3 ≈ 0.9 USD/Nm3) ≈ 0.19 USD/Nm3, rounded up",
                  "assumed", (0.0, 20.0)),
        Parameter("di_water_price_USD_per_m3", 3.0, "USD/m3", _A,
                  "2024 USD: municipal water (~1-2 USD/m3) plus RO/ion-exchange polishing (~1-2 USD/m3)",
                  "assumed", (0.0, 200.0)),
        Parameter("wastewater_treatment_price_USD_per_m3", 10.0, "USD/m3", _A,
                  "2024 USD: metal- and fluoride-bearing rinse water treated on site (pH adjustment, "
                  "precipitation, sludge disposal) and discharged; far above the municipal sewer rate",
                  "assumed", (0.0, 1000.0)),
        # --- metals (2024 annual averages) ---
        Parameter("zn_price_USD_per_kg", round(1.26 / pound, 3), "USD/kg", _USGS,
                  "2024 USD: zinc chapter, salient statistics, LME cash price 2024e = 126 ¢/lb (special high "
                  "grade ingot; shot/granule premium not included)", "literature", (0.0, 100.0)),
        Parameter("cu_cathode_price_USD_per_kg", round(4.15 / pound, 3), "USD/kg", _USGS,
                  "2024 USD: copper chapter, salient statistics, LME grade A cathode 2024e ≈ 415 ¢/lb "
                  "(≈ 9 150 USD/t)", "literature", (0.0, 100.0)),
        Parameter("ag_price_USD_per_kg", round(28.3 / troy_ounce, 1), "USD/kg", _USGS,
                  "2024 USD: silver chapter, salient statistics, 2024e average ≈ 28.3 USD/troy oz", "literature",
                  (0.0, 1e4)),
        Parameter("cu_anode_premium_USD_per_kg", 0.5, "USD/kg", _A,
                  "2024 USD: premium of phosphorised Cu anode (balls/nuggets) over LME cathode, a few hundred "
                  "USD/t; added to cu_cathode_price_USD_per_kg for the cu_anode flow", "assumed", (0.0, 50.0)),
        Parameter("agf_conversion_cost_USD_per_kg", 100.0, "USD/kg", _A,
                  "2024 USD per kg of Ag contained: making AgF from Ag metal (via Ag2O/AgNO3 + HF) and "
                  "shipping it, ~10 % of the Ag value at bulk scale (laboratory AgF costs many times more); "
                  "added to ag_price_USD_per_kg for the ag flow", "assumed", (0.0, 1e4)),
        Parameter("cu_foil_conversion_fee_USD_per_kg", 2.0, "USD/kg", _A,
                  "2024 USD, order of magnitude: processing fee of electrolytic battery Cu foil (8-12 µm) over "
                  "LME cathode, a few kUSD/t and lower for thicker foil (no public index); added to "
                  "cu_cathode_price_USD_per_kg for the cu_foil flow", "assumed", (0.0, 100.0)),
        # --- bath make-up, per litre of fresh solution (salts + acid + additives; water is the di_water flow) ---
        Parameter("cu_acid_sulfate_bath_price_USD_per_L", 1.0, "USD/L", _A,
                  "2024 USD: ~200 g/L CuSO4·5H2O (~2.5 USD/kg) + ~60 g/L H2SO4 + chloride and organic "
                  "additives (~0.4 USD/L) for acid Cu plating/texturing baths", "assumed", (0.0, 100.0)),
        Parameter("zn_acid_sulfate_bath_price_USD_per_L", 0.5, "USD/L", _A,
                  "2024 USD: ~250 g/L ZnSO4·7H2O (~1 USD/kg) + conducting salts/boric acid + additives for "
                  "acid Zn plating baths", "assumed", (0.0, 100.0)),
        Parameter("h2so4_clean_bath_price_USD_per_L", 0.05, "USD/L", _A,
                  "2024 USD: 1 M H2SO4 pre-clean/pickle (seed 004 §1.1), 98 g/L of bulk acid at ~0.2 USD/kg "
                  "plus handling", "assumed", (0.0, 10.0)),
        # --- labour and fixed-cost conventions ---
        Parameter("operator_labour_rate_USD_per_h", 44.67, "USD/h", _BLS,
                  "2024 USD: Dec. 2024 total employer compensation (wages + benefits) per hour worked, US "
                  "private industry workers (Table 1); multiply by operators on duty per scheduled hour",
                  "literature", (0.0, 1000.0)),
        Parameter("overhead_labour_frac", 0.888, "1", _T,
                  "Table 8.2 (Ch. 8): direct supervisory and clerical labour 0.18 C_OL plus plant overhead "
                  "0.708 C_OL; general expenses (administration, selling, R&D) are not included",
                  "literature", (0.0, 5.0)),
        Parameter("overhead_capex_share_per_yr", 0.068, "1/yr", _T,
                  "Table 8.2 (Ch. 8): local taxes and insurance 0.032 FCI/yr plus the FCI part of plant overhead "
                  "0.036 FCI/yr (line capex stands in for FCI)", "literature", (0.0, 0.5)),
        Parameter("maintenance_capex_share_per_yr", 0.06, "1/yr", _T,
                  "Table 8.2 (Ch. 8): maintenance and repairs 0.06 FCI/yr, range 0.02-0.10 (line capex stands in "
                  "for FCI)", "literature", (0.0, 0.5)),
        Parameter("equipment_life_yr", 10.0, "yr", _T,
                  "Table 8.2 (Ch. 8): depreciation 0.10 FCI/yr, i.e. 10-year straight line", "literature",
                  (1.0, 50.0)),
        Parameter("capital_interest_rate_per_yr", 0.0, "1/yr", _A,
                  "0 = straight-line depreciation (no cost of capital); > 0 turns the depreciation term into a "
                  "capital recovery factor i(1+i)^n/((1+i)^n-1) over equipment_life_yr", "assumed", (0.0, 1.0)),
        # --- currency ---
        Parameter("exchange_rate_CNY_per_USD", 7.196, "CNY/USD", _FRB,
                  "2024 annual average of daily noon buying rates, CNY per USD (monthly G.5 averages 7.07-7.28); "
                  "converts 2024 USD into 2024 CNY", "literature", (0.1, 100.0)),
        # --- line economics: defaults for a standalone estimate (the line twin supplies its own) ---
        Parameter("uht_line_capex_USD", 2.0e6, "USD", _A,
                  "2024 USD, order of magnitude only: installed roll-to-roll UHT line, 1 m web (unwind/rewind, "
                  "inert-gas enclosure, Zn vapour zone, Joule/contact heating with power supplies, controls); "
                  "no quote exists", "assumed", (0.0, 1e9)),
        Parameter("electrodeposition_line_capex_USD", 3.0e6, "USD", _A,
                  "2024 USD, order of magnitude only: installed roll-to-roll plating line, 1 m web (pre-clean, "
                  "2-3 process tanks, rectifiers, cascade rinses, dryer, share of wastewater plant); no quote "
                  "exists", "assumed", (0.0, 1e9)),
        Parameter("uht_line_throughput_m2_per_h", 300.0, "m2/h", _A,
                  "1 m web at 5 m/min while running; stage II (120 s, seed 002) then needs a ~10 m zone",
                  "assumed", (1e-3, 1e5)),
        Parameter("electrodeposition_line_throughput_m2_per_h", 180.0, "m2/h", _A,
                  "1 m web at 3 m/min while running; a 2 min immersion (seed 004) then needs a ~6 m tank",
                  "assumed", (1e-3, 1e5)),
        Parameter("uht_line_operators_count", 2.0, "1", _A,
                  "operators on duty per scheduled hour (web handling + heating/vapour zone)", "assumed",
                  (0.0, 100.0)),
        Parameter("electrodeposition_line_operators_count", 3.0, "1", _A,
                  "operators on duty per scheduled hour (web handling, bath chemistry/analysis, rinse and "
                  "wastewater)", "assumed", (0.0, 100.0)),
        Parameter("line_availability_frac", 0.85, "1", _A,
                  "running hours / scheduled hours (breakdowns, coil changes, set-ups); the twin measures it",
                  "assumed", (1e-3, 1.0)),
        Parameter("line_yield_frac", 0.95, "1", _A,
                  "good m² / processed m² (out-of-spec metres, start-up and splice scrap); the twin measures it",
                  "assumed", (1e-3, 1.0)),
        Parameter("line_scheduled_time_h_per_yr", 8000.0, "h/yr", _A,
                  "three-shift operation with ~30 days/yr of planned shutdown", "assumed", (1.0, 8784.0)),
        # --- seed 000 Table 2: unit cost of 10 µm single-crystal Cu foil (reference, not a price we use) ---
        Parameter("seed000_electrodeposition_cost_min_CNY_per_m2", 6000.0, "CNY/m2", _S0,
                  "Table 2, electrodeposition route, lower end; the review marks the range as a prediction; "
                  "currency year not stated (review ~2025)", "literature", (0.0, inf)),
        Parameter("seed000_electrodeposition_cost_max_CNY_per_m2", 10000.0, "CNY/m2", _S0,
                  "Table 2, electrodeposition route, upper end (prediction)", "literature", (0.0, inf)),
        Parameter("seed000_cvd_cost_min_CNY_per_m2", 30000.0, "CNY/m2", _S0,
                  "Table 2, CVD route: '> 30 000' (no upper end given)", "literature", (0.0, inf)),
        Parameter("seed000_annealing_cost_min_CNY_per_m2", 15000.0, "CNY/m2", _S0,
                  "Table 2, high-T annealing route, lower end", "literature", (0.0, inf)),
        Parameter("seed000_annealing_cost_max_CNY_per_m2", 30000.0, "CNY/m2", _S0,
                  "Table 2, high-T annealing route, upper end", "literature", (0.0, inf)),
    ]
    return {"parameters": parameters, "citations": [_A, _EIA, _USGS, _FRB, _BLS, _T, _S0]}
