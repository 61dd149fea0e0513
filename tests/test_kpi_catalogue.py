"""The KPI catalogue: every view's KPIs exist in the reports they are read from, with the declared types; units
carry the scenario's currency; the optimiser's targets bound catalogued KPIs on the side their sense says."""

from __future__ import annotations

import pytest

from optimizer.targets import OBJECTIVE_KPIS, TARGET_BOUNDS, Targets
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.kpi_catalogue import KPIS, LINE_VIEW, PLANT_VIEW, SUMMARY_VIEW, check_kpis, format_value
from twin.scenario import Scenario, scenario_from_dict
from twin.simulate import run_single
from ui import kpi_tables as tables


@pytest.fixture(scope="module")
def reports():
    """A short default-plant run with the furnace on, in USD and in CNY."""
    data = {"hours": 2.0, "plant": {"furnaces": [{"settings": {"enabled": True, "soak_h": 0.5}}]}}
    return run_single(scenario_from_dict(data)), run_single(scenario_from_dict({**data, "currency": "CNY"}))


@pytest.mark.component
def test_every_catalogued_kpi_of_a_view_is_in_the_twin_report_with_its_type(reports):
    usd, _ = reports
    for view in (PLANT_VIEW, SUMMARY_VIEW):
        assert check_kpis(usd, view) == []
        assert all(k.path[0] in usd for k in view), [k.name for k in view if k.path[0] not in usd]
    kinds = {line["type"] for line in usd["lines"].values()}
    assert kinds == set(LINE_VIEW)  # each line type's view is checked against a real line
    for line in usd["lines"].values():
        view = LINE_VIEW[line["type"]]
        assert check_kpis(line, view) == []
        assert all(k.path[0] in line for k in view), [k.name for k in view if k.path[0] not in line]
    # the checker can fail
    bad = {**usd, "yield_fraction": 1.5, "skin_phase": 3, "throughput_m2_per_h": float("nan")}
    assert len(check_kpis(bad, PLANT_VIEW)) == 3


@pytest.mark.component
def test_costs_and_their_units_come_in_the_scenarios_currency(reports):
    usd, cny = reports
    rate = default_parameters()["exchange_rate_CNY_per_USD"]
    assert cny["cost_per_m2"] == pytest.approx(rate * usd["cost_per_m2"], rel=1e-12)
    priced = [n for n, line in usd["lines"].items() if line["cost_per_m2"] is not None]
    assert {"ed-1", "uht-1"} <= set(priced)
    for name in priced:
        assert cny["lines"][name]["cost_per_m2"] == pytest.approx(rate * usd["lines"][name]["cost_per_m2"], rel=1e-12)
    # everything else is the same run
    assert cny["metres_produced"] == usd["metres_produced"] and cny["skin_thickness_nm"] == usd["skin_thickness_nm"]
    rows = {(r.scope, r.kpi): r for r in tables.compare_reports(usd, cny, currency="CNY")}
    assert rows[("plant", "cost")].unit == "CNY/m²" and rows[("plant", "yield")].unit == "%"
    assert rows[("uht-1 (uht)", "cost")].unit == "CNY/m²"
    assert rows[("anneal-1 (coil_anneal)", "area annealed per hour")].unit == "m²/h"
    with pytest.raises(FoiltwinInputError) as err:
        scenario_from_dict({"currency": "EUR"})
    assert err.value.field == "currency" and "USD" in err.value.allowed


@pytest.mark.unit
def test_targets_bound_catalogued_kpis_on_the_side_of_their_sense():
    for b in TARGET_BOUNDS:
        # a floor is put on what is better high, a ceiling on what is better low
        assert b.kpi.sense == ("max" if b.bound == "lower" else "min"), b.target
        assert b.target.startswith("min_" if b.bound == "lower" else "max_")
    assert OBJECTIVE_KPIS["cost"].sense == "min" and OBJECTIVE_KPIS["throughput"].sense == "max"
    t = Targets(470.0, min_throughput_m2_per_h=10.0, max_cost_per_m2=5.0)
    assert [b.target for b, _ in t.bounds()] == ["min_throughput_m2_per_h", "max_cost_per_m2"]
    kpis = {"throughput_m2_per_h": 9.0, "cost_per_m2": 5.000001}
    (thr, lim_thr), (cost, lim_cost) = t.bounds()
    assert thr.miss(kpis, lim_thr) == "min_throughput_m2_per_h: 9 < 10 m²/h"
    assert cost.miss(kpis, lim_cost, "CNY") is None  # within the relative tolerance
    assert cost.miss({"cost_per_m2": 6.0}, lim_cost, "CNY") == "max_cost_per_m2: 6 > 5 CNY/m²"
    # the currency of the targets is the scenario's unless given
    assert Targets(470.0).with_defaults(Scenario(currency="CNY")).currency == "CNY"
    assert Targets(470.0, currency="USD").with_defaults(Scenario(currency="CNY")).currency == "USD"


@pytest.mark.unit
def test_kpi_formats():
    assert KPIS["yield_fraction"].text(0.953) == "95.3 %" and KPIS["yield_fraction"].unit_in("USD") == "%"
    assert KPIS["breakdowns"].text(3.0) == "3" and KPIS["cost_per_m2"].text(None) == "–"
    assert KPIS["cost_per_m2"].unit_in("CNY") == "CNY/m²" and KPIS["yield_fraction"].value_unit("USD") == ""
    assert format_value(123456.0) == "123,456" and format_value(True) == "yes"
    assert KPIS["cost_per_m2"].better(1.0, 2.0) and KPIS["throughput_m2_per_h"].better(2.0, 1.0)


@pytest.fixture(scope="module")
def campaign():
    """The Zn -> Mg campaign example: a UHT line that makes Zn, changes its source, then makes Mg."""
    from twin.scenario import load_scenario

    return run_single(load_scenario("examples/scenarios/zn_to_mg_campaign.toml"))


@pytest.mark.component
def test_uht_line_view_has_the_skin_metal_kpis_of_the_metals_used(campaign):
    from twin.kpi_catalogue import line_view

    line = campaign["lines"]["uht-1"]
    assert set(line["skin_metal_metres"]) == {"Zn", "Mg"}
    names = [k.name for k in line_view("uht", line)]
    assert {"skin_metal", "skin_changeovers", "skin_changeover_hours", "skin_metal_metres.Zn",
            "skin_metal_metres.Mg", "skin_metal_deposited_kg_per_processed_m2.Mg"} <= set(names)
    assert "skin_metal_deposited_kg_per_processed_m2.Zn" not in names  # Zn is in the Zn KPIs
    assert check_kpis(line, line_view("uht", line)) == []
    assert line_view("electrodeposition", campaign["lines"]["ed-1"]) == LINE_VIEW["electrodeposition"]
    # the dashboard's comparison table and the CLI's line table show them, labelled by the catalogue
    rows = tables.compare_reports(campaign, campaign)
    labels = {r.kpi for r in rows if r.scope.startswith("uht-1")}
    assert {"skin-metal changeovers", "metres with a Mg skin", "Mg deposited per processed m²"} <= labels


@pytest.mark.integration
def test_cli_simulate_line_table_shows_the_skin_metal_kpis(cli):
    code, out, err = cli("simulate", "examples/scenarios/zn_to_mg_campaign.toml")
    assert code == 0, err
    table = out[out.index("lines"):]
    for word in ("skin-metal", "changeover", "downtime", "with a Mg", "deposited"):  # (rich wraps headers)
        assert word in table
