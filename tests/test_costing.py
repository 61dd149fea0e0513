"""Costing: the breakdown sums to the total, terms are ≥ 0, prices act linearly, scrap, depreciation, currency."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from process_models import citations
from process_models.costing.pricing import (
    CATEGORIES,
    DEFAULT_FLOW_TYPES,
    FIXED_CATEGORIES,
    FlowPricer,
    LineEconomics,
    capital_recovery_factor_per_yr,
    cost_per_m2,
    cost_per_m2_batch,
    fixed_costs_per_processed_m2,
    seed000_unit_cost_reference,
)
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters

PARAMS = default_parameters()
FLOW_NAMES = [ft.name for ft in DEFAULT_FLOW_TYPES]
# a plausible UHT recipe (seed-002 default: 0.36 kWh/m², 1.5 g/m² Zn deposited, half the evaporated Zn lost)
UHT_FLOWS = {"electricity_kWh_per_m2": 0.36, "zn_kg_per_m2": 0.0015 / 0.5, "argon_Nm3_per_m2": 0.1}
LINE = LineEconomics(throughput_m2_per_h=300.0, availability_frac=0.85, yield_frac=0.9, operators_count=2.0,
                     capex_USD=2.0e6, scheduled_time_h_per_yr=8000.0)

flow_amounts = st.floats(min_value=0.0, max_value=10.0, allow_nan=False, allow_infinity=False)
lines = st.builds(
    LineEconomics,
    throughput_m2_per_h=st.floats(min_value=1e-2, max_value=1e4),
    availability_frac=st.floats(min_value=1e-3, max_value=1.0),
    yield_frac=st.floats(min_value=1e-3, max_value=1.0),
    operators_count=st.floats(min_value=0.0, max_value=50.0),
    capex_USD=st.floats(min_value=0.0, max_value=1e9),
    scheduled_time_h_per_yr=st.floats(min_value=1.0, max_value=8784.0),
)


def _sum(d: dict[str, float]) -> float:
    return float(sum(d.values()))


@pytest.mark.unit
@settings(max_examples=60, deadline=None)
@given(flows=st.dictionaries(st.sampled_from(FLOW_NAMES), flow_amounts, max_size=len(FLOW_NAMES)),
       line=st.one_of(st.none(), lines))
def test_breakdown_sums_to_total_and_every_term_is_non_negative(flows, line):
    b = cost_per_m2(flows, line, PARAMS)
    assert set(b.by_category) == set(CATEGORIES)
    assert all(v >= 0.0 for v in b.by_category.values())
    assert all(v >= 0.0 for v in b.scrap_by_category.values())
    assert all(v >= 0.0 for v in b.flow_costs_per_processed_m2.values())
    assert _sum(b.by_category) == pytest.approx(b.total_per_good_m2, rel=1e-12, abs=1e-300)
    assert _sum(b.scrap_by_category) == pytest.approx(b.by_category["scrap"], rel=1e-12, abs=1e-300)
    processed = _sum(b.by_category) - b.by_category["scrap"]
    assert b.total_per_good_m2 == pytest.approx(processed / b.yield_frac, rel=1e-9, abs=1e-300)
    # each flow's cost is in its own category
    for name, cost in b.flow_costs_per_processed_m2.items():
        cat = FlowPricer().flow_type(name).category
        assert b.by_category[cat] >= cost * (1 - 1e-12)


@pytest.mark.unit
@pytest.mark.parametrize("yield_frac", [1.0, 0.7])
def test_scaling_a_price_scales_its_category_and_nothing_else(yield_frac):
    line = replace(LINE, yield_frac=yield_frac)
    base = cost_per_m2(UHT_FLOWS, line, PARAMS)
    price = PARAMS["electricity_price_USD_per_kWh"]
    scaled = cost_per_m2(UHT_FLOWS, line, PARAMS.with_overrides({"electricity_price_USD_per_kWh": 3 * price}))
    assert scaled.by_category["electricity"] == pytest.approx(3 * base.by_category["electricity"], rel=1e-12)
    assert scaled.scrap_by_category["electricity"] == pytest.approx(3 * base.scrap_by_category["electricity"],
                                                                    rel=1e-12)
    for c in CATEGORIES:
        if c not in ("electricity", "scrap"):
            assert scaled.by_category[c] == base.by_category[c], c
            assert scaled.scrap_by_category[c] == base.scrap_by_category[c], c
    extra = 2 * base.by_category["electricity"] / yield_frac
    assert scaled.total_per_good_m2 == pytest.approx(base.total_per_good_m2 + extra, rel=1e-12)


@pytest.mark.unit
def test_yield_one_has_no_scrap_and_yield_half_doubles_the_total():
    full = cost_per_m2(UHT_FLOWS, replace(LINE, yield_frac=1.0), PARAMS)
    half = cost_per_m2(UHT_FLOWS, replace(LINE, yield_frac=0.5), PARAMS)
    assert full.by_category["scrap"] == 0.0
    assert all(v == 0.0 for v in full.scrap_by_category.values())
    assert half.total_per_good_m2 == pytest.approx(2 * full.total_per_good_m2, rel=1e-12)
    # at yield 0.5 each good m² carries one scrapped m²: scrap equals the processed-m² cost
    assert half.by_category["scrap"] == pytest.approx(full.total_per_good_m2, rel=1e-12)
    for c in CATEGORIES:
        if c != "scrap":
            assert half.by_category[c] == full.by_category[c]


@pytest.mark.unit
def test_depreciation_labour_and_maintenance_by_hand():
    capex, life, thr, hours, avail, y = 2.0e6, 10.0, 300.0, 8000.0, 0.85, 0.8
    line = LineEconomics(throughput_m2_per_h=thr, availability_frac=avail, yield_frac=y, operators_count=2.0,
                         capex_USD=capex, scheduled_time_h_per_yr=hours)
    annual_good = thr * hours * avail * y
    assert line.annual_good_m2_per_yr == pytest.approx(annual_good)
    b = cost_per_m2({}, line, PARAMS)
    assert PARAMS["equipment_life_yr"] == life and PARAMS["capital_interest_rate_per_yr"] == 0.0
    full_depreciation = b.by_category["depreciation"] + b.scrap_by_category["depreciation"]
    assert full_depreciation == pytest.approx(capex / (life * annual_good), rel=1e-12)
    b1 = cost_per_m2({}, replace(line, yield_frac=1.0), PARAMS)
    assert b1.by_category["depreciation"] == pytest.approx(capex / (life * thr * hours * avail), rel=1e-12)
    rate = PARAMS["operator_labour_rate_USD_per_h"]
    assert b1.by_category["labour"] == pytest.approx(2.0 * rate / (thr * avail), rel=1e-12)
    assert b1.by_category["maintenance"] == pytest.approx(0.06 * capex / (thr * hours * avail), rel=1e-12)
    fixed = fixed_costs_per_processed_m2(line, PARAMS)
    for c in FIXED_CATEGORIES:
        assert fixed[c] == pytest.approx(b.by_category[c], rel=1e-12)


@pytest.mark.unit
def test_capital_recovery_factor_by_hand_and_its_zero_interest_limit():
    # i = 8 %, n = 10 yr: 0.08 · 1.08^10 / (1.08^10 − 1) = 0.149029 (standard annuity table value)
    assert capital_recovery_factor_per_yr(0.08, 10.0) == pytest.approx(0.1490295, rel=1e-6)
    assert capital_recovery_factor_per_yr(0.0, 10.0) == 0.1
    assert capital_recovery_factor_per_yr(1e-9, 10.0) == pytest.approx(0.1, rel=1e-6)
    with_interest = PARAMS.with_overrides({"capital_interest_rate_per_yr": 0.08})
    d0 = cost_per_m2({}, LINE, PARAMS).by_category["depreciation"]
    d8 = cost_per_m2({}, LINE, with_interest).by_category["depreciation"]
    assert d8 == pytest.approx(d0 * 1.490295, rel=1e-6)


@pytest.mark.unit
def test_currency_conversion_scales_every_line_by_the_rate():
    flows = {**UHT_FLOWS, "cu_foil_kg_per_m2": 0.0896, "di_water_m3_per_m2": 0.01}
    usd = cost_per_m2(flows, LINE, PARAMS)
    cny = cost_per_m2(flows, LINE, PARAMS, currency="CNY")
    rate = PARAMS["exchange_rate_CNY_per_USD"]
    assert usd.currency == "USD" and cny.currency == "CNY" and cny.currency_year == usd.currency_year == 2024
    assert cny.total_per_good_m2 == pytest.approx(rate * usd.total_per_good_m2, rel=1e-12)
    for c in CATEGORIES:
        assert cny.by_category[c] == pytest.approx(rate * usd.by_category[c], rel=1e-12)
    for c, v in usd.scrap_by_category.items():
        assert cny.scrap_by_category[c] == pytest.approx(rate * v, rel=1e-12)
    for name, v in usd.flow_costs_per_processed_m2.items():
        assert cny.flow_costs_per_processed_m2[name] == pytest.approx(rate * v, rel=1e-12)
    assert cny.flows_per_processed_m2 == usd.flows_per_processed_m2  # amounts are not money


@pytest.mark.unit
def test_unknown_flow_unknown_currency_and_negative_flow_raise_naming_the_field():
    with pytest.raises(FoiltwinInputError, match="zn_kg_per_m2") as err:
        cost_per_m2({"zinc_kg_per_m2": 1.0}, None, PARAMS)
    assert err.value.field == "flow" and err.value.value == "zinc_kg_per_m2"
    with pytest.raises(FoiltwinInputError, match="USD, CNY") as err:
        cost_per_m2(UHT_FLOWS, LINE, PARAMS, currency="EUR")
    assert err.value.field == "currency"
    for bad in (-1e-6, float("nan"), float("inf")):
        with pytest.raises(FoiltwinInputError) as err:
            cost_per_m2({"zn_kg_per_m2": bad}, LINE, PARAMS)
        assert err.value.field == "zn_kg_per_m2"
    with pytest.raises(FoiltwinInputError) as err:
        cost_per_m2_batch({"argon_Nm3_per_m2": np.array([0.1, -0.2])}, LINE, PARAMS)
    assert err.value.field == "argon_Nm3_per_m2" and err.value.value == -0.2


@pytest.mark.unit
@pytest.mark.parametrize(("field", "value"), [("yield_frac", 0.0), ("yield_frac", 1.2), ("availability_frac", 0.0),
                                              ("throughput_m2_per_h", 0.0), ("capex_USD", -1.0),
                                              ("operators_count", float("nan")),
                                              ("scheduled_time_h_per_yr", 9000.0)])
def test_bad_line_economics_raise_naming_the_field(field, value):
    with pytest.raises(FoiltwinInputError) as err:
        replace(LINE, **{field: value})
    assert err.value.field == field


@pytest.mark.unit
def test_line_defaults_come_from_the_registry():
    uht = LineEconomics.default("uht", PARAMS)
    assert uht.capex_USD == PARAMS["uht_line_capex_USD"]
    assert uht.throughput_m2_per_h == PARAMS["uht_line_throughput_m2_per_h"]
    ed = LineEconomics.default("electrodeposition", PARAMS, yield_frac=0.9)
    assert ed.operators_count == PARAMS["electrodeposition_line_operators_count"] and ed.yield_frac == 0.9
    with pytest.raises(FoiltwinInputError) as err:
        LineEconomics.default("cvd", PARAMS)
    assert err.value.field == "line"


@pytest.mark.unit
def test_vectorised_equals_scalar():
    rng = np.random.default_rng(7)
    B = 6
    flows = {name: rng.uniform(0.0, 0.5, B) for name in FLOW_NAMES[:6]}
    flows["argon_Nm3_per_m2"] = 0.2  # a scalar broadcasts over the batch
    batch_lines = [None if b == 2 else replace(LINE, yield_frac=float(rng.uniform(0.5, 1.0)),
                                               throughput_m2_per_h=float(rng.uniform(50, 500)))
                   for b in range(B)]
    batch = cost_per_m2_batch(flows, batch_lines, PARAMS, currency="CNY")
    assert len(batch) == B
    for b in range(B):
        single = cost_per_m2({k: float(np.broadcast_to(v, (B,))[b]) for k, v in flows.items()}, batch_lines[b],
                             PARAMS, currency="CNY")
        row = batch.row(b)
        assert row.total_per_good_m2 == pytest.approx(single.total_per_good_m2, rel=1e-12)
        for c in CATEGORIES:
            assert row.by_category[c] == pytest.approx(single.by_category[c], rel=1e-12, abs=1e-300)
        assert row.line == single.line
    assert batch.row(2).by_category["labour"] == 0.0 and batch.row(2).by_category["scrap"] == 0.0
    with pytest.raises(FoiltwinInputError):
        cost_per_m2_batch({"zn_kg_per_m2": np.ones(3)}, [LINE, LINE], PARAMS)
    with pytest.raises(FoiltwinInputError):
        cost_per_m2_batch({"zn_kg_per_m2": np.ones(3), "argon_Nm3_per_m2": np.ones(2)}, None, PARAMS)


@pytest.mark.unit
def test_flows_only_without_a_line():
    b = cost_per_m2(UHT_FLOWS, None, PARAMS)
    assert all(b.by_category[c] == 0.0 for c in (*FIXED_CATEGORIES, "scrap"))
    expected = (0.36 * PARAMS["electricity_price_USD_per_kWh"] + 0.003 * PARAMS["zn_price_USD_per_kg"]
                + 0.1 * PARAMS["argon_price_USD_per_Nm3"])
    assert b.total_per_good_m2 == pytest.approx(expected, rel=1e-12)
    assert b.by_category["gas"] == pytest.approx(0.1 * PARAMS["argon_price_USD_per_Nm3"])


@pytest.mark.unit
def test_register_flow_type_checks_names_categories_and_units():
    pricer = FlowPricer()
    pricer.register_flow_type("zn_scrap_kg_per_m2", "metals", "zn_price_USD_per_kg")
    b = cost_per_m2({"zn_scrap_kg_per_m2": 1.0}, None, PARAMS, pricer=pricer)
    assert b.by_category["metals"] == pytest.approx(PARAMS["zn_price_USD_per_kg"])
    with pytest.raises(FoiltwinInputError, match="zn_scrap_kg_per_m2"):
        cost_per_m2({"zn_scrap_kg_per_m2": 1.0}, None, PARAMS)  # not in the default registry
    with pytest.raises(FoiltwinInputError) as err:
        pricer.register_flow_type("zn_kg_per_m2", "metals", "zn_price_USD_per_kg")
    assert err.value.field == "flow"
    with pytest.raises(FoiltwinInputError) as err:
        pricer.register_flow_type("tin_kg_per_m2", "labour", "zn_price_USD_per_kg")
    assert err.value.field == "category"
    with pytest.raises(FoiltwinInputError) as err:
        pricer.register_flow_type("tin_kg", "metals", "zn_price_USD_per_kg")
    assert err.value.field == "flow"
    pricer.register_flow_type("tin_g_per_m2", "metals", "zn_price_USD_per_kg")  # price per kg for a flow in g
    with pytest.raises(FoiltwinInputError, match="USD/g") as err:
        cost_per_m2({"tin_g_per_m2": 1.0}, None, PARAMS, pricer=pricer)
    assert err.value.field == "zn_price_USD_per_kg"


@pytest.mark.unit
def test_default_flow_prices_carry_the_right_units_and_are_non_negative():
    prices = FlowPricer().unit_prices_USD(PARAMS)
    assert set(prices) == set(FLOW_NAMES)
    assert all(p >= 0.0 for p in prices.values())
    assert prices["ag_kg_per_m2"] == pytest.approx(PARAMS["ag_price_USD_per_kg"]
                                                   + PARAMS["agf_conversion_cost_USD_per_kg"])
    assert prices["cu_foil_kg_per_m2"] > PARAMS["cu_cathode_price_USD_per_kg"]


@pytest.mark.unit
def test_costing_registers_the_sources_it_uses():
    cost_per_m2(UHT_FLOWS, LINE, PARAMS, currency="CNY")
    used = set(citations.used())
    assert {"EIA2025", "USGS2025", "BLS2025", "Turton2018", "FRB2025", "Assumed"} <= used
    citations.reset()
    cost_per_m2({"electricity_kWh_per_m2": 1.0}, None, PARAMS)
    assert citations.used() == ["EIA2025"]


@pytest.mark.unit
def test_seed000_reference_converts_table2_with_the_exchange_rate():
    rate = PARAMS["exchange_rate_CNY_per_USD"]
    usd = seed000_unit_cost_reference(PARAMS)
    cny = seed000_unit_cost_reference(PARAMS, currency="CNY")
    assert cny["electrodeposition"]["min_per_m2"] == pytest.approx(6000.0)
    assert usd["electrodeposition"]["max_per_m2"] == pytest.approx(10000.0 / rate)
    assert usd["cvd"]["max_per_m2"] is None
    assert usd["high_t_annealing"]["min_per_m2"] == pytest.approx(15000.0 / rate)
    assert "SeedNote000" in citations.used()


@pytest.mark.unit
def test_to_dict_is_json_ready():
    d = cost_per_m2(UHT_FLOWS, LINE, PARAMS).to_dict()
    back = json.loads(json.dumps(d))
    assert back["total_per_good_m2"] == pytest.approx(sum(back["by_category"].values()))
    assert back["line"]["capex_USD"] == LINE.capex_USD and back["currency"] == "USD"


@pytest.mark.component
def test_uht_recipe_flows_price_to_a_plausible_conversion_cost():
    from process_models.uht.recipe import UHTRecipe, evaluate_recipe

    r = evaluate_recipe(UHTRecipe(), PARAMS)
    zn_deposited_kg_per_m2 = r.zn_deposited_mg_per_cm2 * 1e-2  # mg/cm² → kg/m²
    flows = {"electricity_kWh_per_m2": r.energy_kwh_per_m2,
             "zn_kg_per_m2": zn_deposited_kg_per_m2 / PARAMS["zn_source_utilisation_frac"]}
    b = cost_per_m2(flows, LineEconomics.default("uht", PARAMS), PARAMS)
    # electricity and Zn are cents per m²; the line (labour, capital) dominates a ~1 USD/m² conversion cost
    assert 0.01 < b.by_category["electricity"] < 0.1
    assert b.by_category["metals"] < 0.05
    assert 0.2 < b.total_per_good_m2 < 5.0
    assert b.by_category["labour"] > b.by_category["electricity"]


# ------------------------------------------------------------------------------------------- flows and price_flows
@pytest.mark.unit
def test_price_flows_charges_a_line_by_its_time_as_the_line_economics_do():
    """Line time t h/m² at availability a and yield y prices as LineEconomics at throughput 1/t (same terms)."""
    from process_models.costing.flows import Flows, price_flows

    line = replace(LINE, availability_frac=0.8, yield_frac=0.9)
    ref = cost_per_m2(UHT_FLOWS, line, PARAMS, currency="CNY")
    flows = Flows(UHT_FLOWS, {"uht": 1.0 / line.throughput_m2_per_h})
    b = price_flows(flows, PARAMS, "CNY", availability_frac=0.8, yield_frac=0.9)
    assert b.total_per_good_m2 == pytest.approx(ref.total_per_good_m2, rel=1e-12)
    for c in CATEGORIES:
        assert b.by_category[c] == pytest.approx(ref.by_category[c], rel=1e-12, abs=1e-15)


@pytest.mark.unit
def test_flows_add_by_name_and_a_recipe_without_a_line_pays_no_line():
    from process_models.costing.flows import Flows, price_flows

    a = Flows({"zn_kg_per_m2": 1e-3}, {"uht": 0.01})
    b = Flows({"zn_kg_per_m2": 2e-3, "argon_Nm3_per_m2": 0.05}, {"coil_anneal": 0.1})
    s = a + b
    assert s.amounts == {"zn_kg_per_m2": pytest.approx(3e-3), "argon_Nm3_per_m2": 0.05}
    assert s.line_time_h_per_m2 == {"uht": 0.01, "coil_anneal": 0.1}
    foil = price_flows(Flows({"cu_foil_kg_per_m2": 0.0896}), PARAMS)
    assert foil.yield_frac == 1.0
    assert all(foil.by_category[c] == 0.0 for c in ("labour", "overhead", "maintenance", "depreciation", "scrap"))
    with pytest.raises(FoiltwinInputError, match="line_time_h_per_m2"):
        Flows({}, {"rolling_mill": 0.1})
    with pytest.raises(FoiltwinInputError, match="zn_kg_per_m2"):
        Flows({"zn_kg_per_m2": -1.0})
