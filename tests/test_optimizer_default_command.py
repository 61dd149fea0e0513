"""The twin check of ``optimize``: a twin that meets every target prices the point, it does not move it.

Regression: on the default plant the twin's cost came out ≈10 % above the process models'; feeding its yield and
time factors back and refining again moved the optimum to a point dearer in both the models (3.477 against 3.080
USD/m²) and the twin (3.489 against 3.397)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from shared_caches import OPTIMISER_CACHE

from optimizer import Targets, api, optimize, solver_available
from optimizer.verify import Check


def _found(cost: float) -> api.Candidate:
    point = SimpleNamespace(skin_metal="Zn", route="vapour")
    kpis = {"cost_per_m2": cost, "throughput_m2_per_h": 100.0, "skin_thickness_nm": 470.0, "yield_fraction": 0.95}
    return api.Candidate(model=None, handles=None, solve=None, point=point, predicted={}, check=Check(kpis))


class _Run:
    """The parts of optimizer.api._Run the twin loop touches; counts resumes."""

    def __init__(self) -> None:
        self.space = self.params = self.econ = self.targets = None
        self.log: list = []
        self.resumes = 0
        self.cor = SimpleNamespace(ln_skin={}, margin={}, yield_factor=1.0, time_factor=1.0)

    def resume(self, found, max_refinements, **kw):
        self.resumes += 1
        return _found(found.check.kpis["cost_per_m2"] * 1.02)


def _twin(monkeypatch, misses: list[str]) -> None:
    def fake(space, params, econ, targets, p, chk, hours, seed):
        kpis = dict(chk.kpis, cost_per_m2=chk.kpis["cost_per_m2"] * 1.103, scheduled_s_per_m2=40.0)
        return Check(kpis, list(misses))
    monkeypatch.setattr(api, "check_in_twin", fake)


@pytest.mark.unit
def test_a_twin_that_meets_every_target_prices_the_point_without_refining_again(monkeypatch):
    _twin(monkeypatch, [])
    run, start = _Run(), _found(3.08)
    found, tw, runs = api._twin_loop(run, start, 24.0, 1, 3, 4, {}, lambda k, name: None)
    assert (found is start, runs, run.resumes) == (True, 1, 0)
    assert tw.kpis["cost_per_m2"] == pytest.approx(3.08 * 1.103)


@pytest.mark.unit
def test_a_twin_that_misses_a_target_teaches_the_surrogate_and_refines_at_most_the_allowed_runs(monkeypatch):
    _twin(monkeypatch, ["skin_thickness_nm"])
    run = _Run()
    _, tw, runs = api._twin_loop(run, _found(3.08), 24.0, 1, 3, 4, {}, lambda k, name: None)
    assert (runs, run.resumes, tw.ok) == (3, 2, False)
    assert run.cor.time_factor != 1.0  # the twin's time per m² was learnt
    assert [e["kind"] for e in run.log] == ["twin"] * 3


@pytest.mark.integration
@pytest.mark.skipif(not solver_available(), reason="HiGHS not installed")
def test_the_default_command_recommends_the_process_models_optimum():
    """Default targets, every mode, twin check (8 h): the recommended point is the one the models found, to the
    digit: the twin prices it and does not move it."""
    cache = OPTIMISER_CACHE
    with_twin = optimize(Targets(470.0, 50.0), twin_hours=8.0, cache=cache)
    models_only = optimize(Targets(470.0, 50.0), verify_twin=False, cache=cache)
    assert with_twin.twin_agreed and with_twin.twin_iterations == 1
    assert with_twin.checked["cost_per_m2"] == pytest.approx(models_only.checked["cost_per_m2"], rel=1e-9)
    assert with_twin.cost_per_m2 == pytest.approx(with_twin.verified["cost_per_m2"], rel=1e-12)
