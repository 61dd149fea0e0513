"""The coil-anneal furnace in the twin: batches, conservation, energy and texture hand-over to the UHT line."""

from __future__ import annotations

import math

import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.texture.coil_anneal import FurnaceLoad, anneal_cycle, anneal_cycle_texture
from twin.scenario import Scenario, apply_overrides, scenario_from_dict
from twin.simulate import run_single

P = default_parameters()
ON = "plant.furnaces.0.settings.enabled=true"
NO_FAILURES = "plant.furnaces.0.equipment=[]"
# a short programme wound coils take (the default, 680 °C × 38 h, makes one batch per two days): 1000 K × 6 h
SHORT = ("plant.furnaces.0.settings.soak_temperature_K=1000.0", "plant.furnaces.0.settings.soak_h=6.0")


def scenario(*overrides: str, hours: float = 72.0) -> Scenario:
    """The UHT line on commercial foil behind the furnace (the supplier keeps the coil store full)."""
    return apply_overrides(Scenario(), [f"hours={hours}", "plant.lines=[{type = 'uht'}]", *overrides])


def full_batch_cycle(sc: Scenario):
    coils = sc.plant.incoming_coils
    f = sc.plant.furnaces[0]
    load = FurnaceLoad(coils_count=f.coils_per_batch, coil_length_m=coils.length_m, coil_width_m=coils.width_m,
                       foil_thickness_m=coils.foil_thickness_um * 1e-6)
    return anneal_cycle(f.settings.soak_temperature_K, f.settings.soak_h * 3600.0, load, default_parameters())


@pytest.fixture(scope="module")
def annealing_run():
    sc = scenario(ON, NO_FAILURES, *SHORT)
    return sc, run_single(sc)


@pytest.mark.component
def test_a_disabled_furnace_changes_nothing():
    base = run_single(scenario(hours=12.0))
    none = run_single(scenario("plant.furnaces=[]", hours=12.0))
    assert "anneal-1" not in base["lines"]
    assert base["lines"] == none["lines"] and base["cost_per_m2"] == none["cost_per_m2"]


@pytest.mark.component
def test_coils_and_area_are_conserved_and_batches_are_full(annealing_run):
    sc, report = annealing_run
    k = report["lines"]["anneal-1"]
    c = sc.plant.incoming_coils
    assert k["coils_in"] == k["coils_out"] + k["coils_in_furnace_end"]
    assert k["area_produced_m2"] == pytest.approx(k["metres_produced"] * c.width_m, rel=1e-12)
    assert k["metres_produced"] == pytest.approx(k["coils_annealed"] * c.length_m)
    assert k["metres_produced"] == pytest.approx(k["batches"] * sc.plant.furnaces[0].coils_per_batch * c.length_m)
    assert k["mean_coils_per_batch"] == sc.plant.furnaces[0].coils_per_batch  # the store is always full


@pytest.mark.component
def test_energy_gas_and_cycle_time_are_the_process_model_per_batch(annealing_run):
    sc, report = annealing_run
    k = report["lines"]["anneal-1"]
    cyc = full_batch_cycle(sc)
    assert k["batches"] >= 2
    assert k["energy_kwh_total"] == pytest.approx(k["batches"] * float(cyc.energy_kwh_per_batch[0]), rel=1e-9)
    assert k["forming_gas_Nm3_total"] == pytest.approx(
        float(cyc.protective_gas_Nm3_per_m2[0]) * k["area_produced_m2"], rel=1e-9)
    assert k["cycle_hours_completed"] == pytest.approx(k["batches"] * float(cyc.cycle_time_s[0]) / 3600.0, rel=1e-9)
    # back-to-back batches: the furnace is hot all the time except for the part of the run not yet cycled
    assert k["state_hours"]["starved"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.component
def test_the_uht_line_gets_the_annealed_texture(annealing_run):
    sc, report = annealing_run
    p = default_parameters()
    f0 = [p[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")]
    expected = float(anneal_cycle_texture(full_batch_cycle(sc), [*f0, 1.0 - sum(f0)], p)[0, 1])
    assert expected > 0.2 > f0[1]
    assert report["lines"]["anneal-1"]["texture_fraction_100_after_anneal"] == pytest.approx(expected, rel=1e-9)
    assert report["lines"]["uht-1"]["texture_fraction_100"] == pytest.approx(expected, abs=1e-4)  # + UHT's tiny θ
    plain = run_single(scenario(hours=12.0))
    assert plain["lines"]["uht-1"]["texture_fraction_100"] == pytest.approx(f0[1], abs=1e-4)


@pytest.mark.component
def test_a_starved_furnace_runs_part_batches_after_its_wait():
    """The plating line feeds one coil every ~33 h: with no wait every batch is one coil."""
    sc = apply_overrides(Scenario(), ["hours=120", ON, NO_FAILURES, *SHORT, "plant.furnaces.0.max_wait_h=0.0"])
    k = run_single(sc)["lines"]["anneal-1"]
    assert k["batches"] >= 2 and k["mean_coils_per_batch"] < sc.plant.furnaces[0].coils_per_batch
    assert k["state_hours"]["starved"] > 0.0


@pytest.mark.component
def test_a_failure_holds_the_batch_for_its_repair():
    """A failure after every 5 hot hours and a 2 h repair: each completed cycle lasts its hot time plus the
    repairs that fell in it."""
    sc = scenario(ON, *SHORT, "plant.furnaces.0.equipment=[{name = 'heating_elements', "
                  "time_to_failure = {type = 'constant', value_h = 5.0}, "
                  "time_to_repair = {type = 'constant', value_h = 2.0}}]", hours=96.0)
    k = run_single(sc)["lines"]["anneal-1"]
    hot_h = float(full_batch_cycle(sc).cycle_time_s[0]) / 3600.0
    n = k["batches"]
    repairs = math.floor(n * hot_h / 5.0 - 1e-9)  # failures during the completed cycles
    assert k["breakdowns"] >= repairs
    assert k["cycle_hours_completed"] == pytest.approx(n * hot_h + 2.0 * repairs, rel=1e-9)
    assert k["state_hours"]["breakdown"] == pytest.approx(2.0 * k["breakdowns"], abs=2.0)


@pytest.mark.component
def test_furnace_cost_is_carried_by_the_finished_metres(annealing_run):
    _, report = annealing_run
    plain = run_single(scenario(hours=72.0))
    k = report["lines"]["anneal-1"]
    assert k["cost_per_m2"] > 0.0 and k["cost_breakdown"]["electricity"] > 0 and k["cost_breakdown"]["gas"] > 0
    assert report["cost_per_m2"] > plain["cost_per_m2"]


@pytest.mark.component
def test_programmes_wound_coils_cannot_take_are_refused_naming_the_scenario_field():
    """Above 850 °C the wraps bond; below it, a soak longer than the sticking limit allows bonds them too."""
    sc = scenario(ON, "plant.furnaces.0.settings.soak_temperature_K=1248.15", "plant.furnaces.0.settings.soak_h=2.0",
                  hours=1.0)
    with pytest.raises(FoiltwinInputError) as err:
        run_single(sc)
    assert err.value.field == "plant.furnaces.0.settings.soak_temperature_K"
    assert "coil_anneal_wound_max_soak_temperature_K" in err.value.allowed
    with pytest.raises(FoiltwinInputError) as err:
        run_single(scenario(ON, "plant.furnaces.0.settings.soak_temperature_K=1100.0",
                            "plant.furnaces.0.settings.soak_h=3.0", hours=1.0))
    assert err.value.field == "plant.furnaces.0.settings.soak_h" and "at most 0.856 h" in err.value.allowed
    # the default programme is one wound coils take, and it reaches ≈ 0.6 of (100) from commercial foil
    default = scenario(ON, hours=1.0)
    f = default.plant.furnaces[0]
    c = full_batch_cycle(default)
    assert not c.wraps_stick[0] and f.settings.soak_temperature_K < P["coil_anneal_wound_max_soak_temperature_K"]
    assert float(anneal_cycle_texture(c, [0.60, 0.08, 0.12, 0.20], P)[0, 1]) > 0.6
    run_single(default)


# ------------------------------------------------------------------------------------------ the runtime factory
@pytest.mark.component
def test_the_runtime_factory_builds_every_line_and_furnace(monkeypatch):
    """RUNTIMES is what builds the plant: one entry per scenario type, one signature (``build(spec, ctx)``), and a
    class registered there is the one the run uses (its KPIs and flows included)."""
    from twin import simulate
    from twin.scenario import LINE_TYPES, CoilFurnace

    assert set(simulate.RUNTIMES) == {*LINE_TYPES, CoilFurnace.model_fields["type"].default}
    for cls in simulate.RUNTIMES.values():
        assert all(callable(getattr(cls, m, None)) for m in ("build", "kpis", "flows_per_m2"))
    built: list[str] = []

    def spy(base):
        class Spy(base):  # type: ignore[misc, valid-type]
            @classmethod
            def build(cls, spec, ctx):
                built.append(spec.type)
                return super().build(spec, ctx)

            def flows_per_m2(self, kpi):
                from process_models.costing.flows import Flows

                return super().flows_per_m2(kpi) + Flows({"nitrogen_Nm3_per_m2": 1.0})  # priced: the cost moves

        return Spy

    sc = scenario_from_dict({"hours": 2.0, "plant": {"furnaces": [{"settings": {"enabled": True, "soak_h": 0.5}}]}})
    plain = run_single(sc)
    monkeypatch.setattr(simulate, "RUNTIMES", {k: spy(v) for k, v in simulate.RUNTIMES.items()})
    spied = run_single(sc)
    assert sorted(built) == ["coil_anneal", "electrodeposition", "uht"]
    assert spied["metres_produced"] == plain["metres_produced"]
    for name, line in plain["lines"].items():
        if line["cost_per_m2"] is not None:
            assert spied["lines"][name]["cost_per_m2"] > line["cost_per_m2"]
    monkeypatch.setattr(simulate, "RUNTIMES", {"uht": simulate.RUNTIMES["uht"]})
    with pytest.raises(FoiltwinInputError) as err:
        run_single(sc)
    assert (err.value.field, err.value.value) == ("plant.furnaces.type", "coil_anneal")
