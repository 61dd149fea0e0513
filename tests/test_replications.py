"""Paired replications with common random numbers (twin.replications): the t-interval against a closed form and
scipy's paired t-test, the seeds of each pair, the progress reports (twin.progress), and CRN narrowing the
interval."""

from __future__ import annotations

import math

import pytest

from process_models.errors import FoiltwinInputError
from twin.replications import PairedDelta, paired_deltas, run_paired, t_interval
from twin.scenario import Scenario, apply_overrides


@pytest.mark.unit
def test_t_interval_matches_the_closed_form_and_scipys_paired_t_test():
    from scipy import stats

    a = [10.0, 12.0, 11.0, 13.0, 9.0]
    b = [11.0, 12.5, 12.0, 14.0, 9.2]
    d = [y - x for x, y in zip(a, b, strict=True)]
    mean, sd, lo, hi = t_interval(d)
    assert mean == pytest.approx(sum(d) / 5)
    assert sd == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in d) / 4))
    # t_{0.975, 4} = 2.7764451051977987 (tables)
    assert hi - mean == pytest.approx(2.7764451051977987 * sd / math.sqrt(5), rel=1e-12)
    assert mean - lo == pytest.approx(hi - mean, rel=1e-12)
    # the interval excludes 0 exactly when the two-sided paired t-test rejects at 5 %
    p = stats.ttest_rel(b, a).pvalue
    assert (lo > 0 or hi < 0) == (p < 0.05)
    assert t_interval([3.0]) == (3.0, None, None, None)
    with pytest.raises(ValueError):
        t_interval([])


@pytest.mark.unit
def test_paired_deltas_and_significance():
    base = [{"cost_per_m2": 10.0, "lines": {"u": {"oee": 0.5}}, "skin_phase": "alpha"},
            {"cost_per_m2": 12.0, "lines": {"u": {"oee": 0.6}}, "skin_phase": "alpha"},
            {"cost_per_m2": 11.0, "lines": {"u": {"oee": 0.7}}, "skin_phase": "alpha"}]
    wi = [{"cost_per_m2": 9.0, "lines": {"u": {"oee": 0.5}}}, {"cost_per_m2": 11.1, "lines": {"u": {"oee": 0.6}}},
          {"cost_per_m2": 10.0, "lines": {"u": {"oee": 0.7 + 1e-16}}}]
    d = paired_deltas(base, wi)
    assert set(d) == {"cost_per_m2", "lines.u.oee"}  # numbers in every report only
    c = d["cost_per_m2"]
    assert (c.n, c.baseline_mean, c.whatif_mean) == (3, 11.0, pytest.approx(10.0333333333))
    assert c.delta_mean == pytest.approx(-29 / 30) and c.significant is True and c.ci_high < 0
    assert d["lines.u.oee"].significant is False  # rounding, not a change
    one = paired_deltas(base[:1], wi[:1])["cost_per_m2"]
    assert one.significant is None and one.half_width is None and one.delta_mean == -1.0
    noisy = PairedDelta("k", 3, 1.0, 1.1, 0.1, 0.5, -1.1, 1.3)
    assert noisy.significant is False and noisy.half_width == pytest.approx(1.2)
    with pytest.raises(ValueError):
        paired_deltas(base, wi[:2])


@pytest.mark.unit
def test_run_paired_uses_the_same_seed_for_both_runs_of_a_pair_and_reports_progress():
    seen: list[tuple[str, int, float]] = []

    def fake_run(sc: Scenario) -> dict:
        seen.append((sc.name, sc.seed, sc.hours))
        noise = (sc.seed * 7919) % 13  # common to both runs of a pair
        return {"cost_per_m2": 10.0 + noise + (0.5 if sc.name == "wi" else 0.0)}

    base = Scenario(name="base", hours=2.0, seed=40)
    wi = Scenario(name="wi", hours=2.0, seed=40)
    calls = []
    res = run_paired(base, wi, 4, calls.append, fake_run)
    assert res.seeds == (40, 41, 42, 43) and res.n == 4
    assert seen == [(n, s, 2.0) for s in (40, 41, 42, 43) for n in ("base", "wi")]
    assert [(p.job, p.done, p.total, p.unit) for p in calls] == [("replications", k, 8, "runs") for k in range(1, 9)]
    assert calls[-1].stage == "replication 4/4: what-if (seed 43)" and calls[-1].fraction == 1.0
    assert calls[0].eta_s is not None and calls[-1].eta_s == 0.0
    d = res.delta("cost_per_m2")
    # common random numbers: the noise cancels in each pair, the delta is exact and its interval a point
    assert d.delta_mean == pytest.approx(0.5) and d.delta_sd == pytest.approx(0.0, abs=1e-12)
    assert d.significant is True and d.baseline_mean != d.whatif_mean
    assert res.delta(("cost_per_m2",)) is d


@pytest.mark.unit
@pytest.mark.parametrize("n", [0, 101, 2.0, True])
def test_run_paired_refuses_bad_replication_counts_and_unpaired_seeds(n):
    with pytest.raises(FoiltwinInputError, match="replications"):
        run_paired(Scenario(), Scenario(), n, run=lambda sc: {})
    with pytest.raises(FoiltwinInputError, match="seed"):
        run_paired(Scenario(seed=1), Scenario(seed=2), 2, run=lambda sc: {})
    with pytest.raises(FoiltwinInputError, match="seed"):
        run_paired(Scenario(seed=2**63 - 1), Scenario(seed=2**63 - 1), 2, run=lambda sc: {})


@pytest.mark.component
def test_common_random_numbers_narrow_the_interval_of_a_real_what_if():
    """The twin itself: a faster UHT line over 1 h, paired by seed, against the same pairs with the what-if's seeds
    shifted (independent streams). The skin's scatter comes from the same named streams in both runs of a pair, so
    the paired differences scatter far less than unpaired ones."""
    base = apply_overrides(Scenario(), ["hours=1.0", "plant.lines=[{type = 'uht'}]"])
    wi = apply_overrides(base, ["plant.lines.0.settings.web_speed_m_per_min=1.2"])
    crn = run_paired(base, wi, 3)
    assert crn.delta("metres_produced").whatif_mean > crn.delta("metres_produced").baseline_mean
    d = crn.delta("skin_thickness_nm.mean")
    assert d.n == 3 and d.significant and d.delta_mean < 0  # faster: shorter dwell, thinner skin
    from twin.simulate import run_single

    indep = [run_single(wi.model_copy(update={"seed": s + 100})) for s in crn.seeds]
    diffs = [b["skin_thickness_nm"]["mean"] - a["skin_thickness_nm"]["mean"]
             for a, b in zip(crn.baseline, indep, strict=True)]
    _, sd_indep, _, _ = t_interval(diffs)
    assert d.delta_sd < 0.5 * sd_indep


@pytest.mark.unit
def test_replicate_runs_every_scenario_with_the_same_seeds_and_summarises_like_the_results_database():
    from twin.replications import replicate

    seen = []

    def fake_run(sc: Scenario) -> dict:
        seen.append((sc.name, sc.seed))
        return {"cost_per_m2": 10.0 + sc.seed + (1.0 if sc.name == "b" else 0.0), "skin_phase": "alpha",
                "lines": {"u": {"oee": 0.5}}, "skin_thickness_nm": {"mean": 400.0}}

    calls = []
    rows = replicate([Scenario(name="a", seed=9), Scenario(name="b"), Scenario(name="a")], 3, 5, calls.append,
                     fake_run)
    assert seen == [(n, s) for n in ("a", "b", "a") for s in (5, 6, 7)]  # the caller's seeds for all
    assert [r["scenario"] for r in rows] == ["a", "b", "a #2"] and calls[-1].done == calls[-1].total == 9
    a = rows[0]["cost_per_m2"]
    assert (a["mean"], a["n"], a["std"], a["min"], a["max"]) == (16.0, 3, 1.0, 15.0, 17.0)
    assert a["ci95_half_width"] == pytest.approx(4.302652729911275 / math.sqrt(3))  # t_{0.975, 2} = 4.3027
    assert rows[1]["cost_per_m2"]["mean"] == 17.0 and rows[0]["skin_thickness_nm.mean"]["std"] == 0.0
    assert "lines.u.oee" not in rows[0] and "skin_phase" not in rows[0]  # plant numbers only
    with pytest.raises(FoiltwinInputError, match="seed"):
        replicate([Scenario()], 2, 2**63 - 1, run=fake_run)
    with pytest.raises(FoiltwinInputError, match="replications"):
        replicate([Scenario()], 0, 1, run=fake_run)


@pytest.mark.unit
def test_replicate_says_a_cost_per_good_m2_is_undefined_when_a_run_made_no_good_m2():
    """A replication without good m² reports cost_per_m2 None; the summary dropped the KPI (a scenario compared
    on cost simply had no cost). Now it is there, undefined in k of n runs with the catalogue's reason."""
    from twin.replications import replicate

    def fake_run(sc: Scenario) -> dict:
        good = sc.seed != 6 if sc.name == "some" else sc.name == "all"
        return {"cost_per_m2": 12.0 if good else None, "yield_fraction": 0.9 if good else 0.0, "lines": {}}

    rows = {r["scenario"]: r for r in replicate([Scenario(name="all"), Scenario(name="some"), Scenario(name="none")],
                                                3, 5, run=fake_run)}
    assert rows["all"]["cost_per_m2"]["mean"] == 12.0 and "undefined_runs" not in rows["all"]["cost_per_m2"]
    for name, k in (("some", 1), ("none", 3)):
        cost = rows[name]["cost_per_m2"]
        assert cost["mean"] is None and cost["ci95"] is None and (cost["n"], cost["undefined_runs"]) == (3, k)
        assert cost["undefined_reason"] == f"no good m² (yield 0): a cost per good m² is unbounded (in {k} of 3 runs)"
    assert rows["none"]["yield_fraction"]["mean"] == 0.0
