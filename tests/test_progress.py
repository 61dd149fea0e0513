"""The one progress protocol (twin/progress.py) as the long jobs report through it: simulate (simulated hours,
without changing the report), optimise (the name of each stage), and its text."""

from __future__ import annotations

import json

import pytest

from twin.progress import Progress, duration_text, eta_s
from twin.scenario import Scenario
from twin.simulate import run_single


@pytest.mark.unit
def test_progress_text_fraction_and_eta():
    p = Progress("batch", "a | x=1", 3, 12, "jobs", 30.0, failed=1, eta_s=eta_s(3, 12, 30.0))
    assert p.fraction == 0.25 and p.eta_s == 90.0
    assert p.text() == "batch 3/12 jobs (25%), 1 failed, 30.0 s, ETA 1 min 30 s: a | x=1"
    assert Progress("optimize", "solving", 1, None, "stages", 2.0).fraction is None
    assert eta_s(0, 10, 5.0) is None and duration_text(7384) == "2 h 03 min"


@pytest.mark.component
def test_simulate_reports_simulated_hours_and_the_same_report():
    sc = Scenario().model_copy(update={"hours": 3.0})
    seen: list[Progress] = []
    with_progress = run_single(sc, progress=seen.append)
    assert json.dumps(with_progress, sort_keys=True) == json.dumps(run_single(sc), sort_keys=True)
    hours = [p.done for p in seen]
    assert hours == sorted(hours) and hours[-1] == 3.0 and len(hours) == 3
    assert all(p.unit == "h" and p.total == 3.0 for p in seen)


@pytest.mark.unit
def test_optimize_names_its_first_stage_before_the_work(monkeypatch):
    import optimizer.api as api
    from optimizer import Targets

    class StopError(Exception):
        pass

    def stop(*_a, **_k):
        raise StopError

    monkeypatch.setattr(api, "coarse_surrogates", stop)
    seen: list[Progress] = []
    with pytest.raises(StopError):
        api.optimize(Targets(skin_thickness_nm=470.0), progress=seen.append)
    assert [p.stage for p in seen] == [api.STAGES[0]] and seen[0].job == "optimize" and seen[0].total == 3


@pytest.mark.integration
def test_simulate_progress_goes_to_stderr_only_when_asked(cli):
    code, out, err = cli("simulate", "--hours", "1", "--progress")
    assert code == 0 and "simulate 1/1 h (100%)" in err and "simulate" not in out.splitlines()[0][:8]
    code, out, err = cli("simulate", "--hours", "1")
    assert code == 0 and err == ""
