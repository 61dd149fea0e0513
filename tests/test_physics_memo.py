"""A physics memo across runs (twin/physics_memo.py, issue 15) serves solved histories and changes no report.

A batch worker keeps the segment histories its jobs solved; a later job (another seed) must report exactly what it
reports in a fresh process: the same KPIs, physics solves and citations, bit for bit.
"""

from __future__ import annotations

import json

import pytest

from twin.physics_memo import PhysicsMemo
from twin.scenario import apply_overrides, load_scenario
from twin.simulate import run_single


def _scenario(seed: int, *extra: str):
    return apply_overrides(load_scenario(None), ["hours=8", f"seed={seed}", *extra])


@pytest.mark.component
def test_memo_serves_later_runs_and_their_reports_are_those_of_fresh_runs():
    memo = PhysicsMemo()
    run_single(_scenario(1), physics_memo=memo)
    solved_first = memo.misses
    assert solved_first > 0 and memo.hits == 0
    for seed in (2, 3):
        fresh = run_single(_scenario(seed))
        memoised = run_single(_scenario(seed), physics_memo=memo)
        assert json.dumps(memoised, sort_keys=True) == json.dumps(fresh, sort_keys=True)
    assert memo.hits > 0  # the later seeds met histories the first one solved


@pytest.mark.component
def test_memo_keys_on_the_parameters():
    """A run with other parameter values solves its histories anew (no result of the default parameters is
    served to it), and reports what a fresh run with those values reports."""
    memo = PhysicsMemo()
    run_single(_scenario(1), physics_memo=memo)
    hits = memo.hits
    other = _scenario(1, "parameters.foil_emissivity_frac=0.3")
    assert json.dumps(run_single(other, physics_memo=memo), sort_keys=True) == \
        json.dumps(run_single(other), sort_keys=True)
    assert memo.hits == hits


@pytest.mark.component
def test_a_repeated_run_reads_its_stage_three_heater_tables_from_the_memo(monkeypatch):
    """The UHT lines' heater tables are kept in the memo too: the same run again solves no web heater for them
    (and so loads no compiled kernel), and reports what a fresh run reports, bit for bit."""
    import twin.heaters as heaters

    solves: list[str] = []
    real = heaters.solve_web_heater

    def counted(*args, **kw):
        solves.append("peak" if "peak_K" in kw else "power")
        return real(*args, **kw)

    monkeypatch.setattr(heaters, "solve_web_heater", counted)
    fresh = run_single(_scenario(1))
    per_run = len(solves)
    assert per_run > 0
    memo = PhysicsMemo()
    first = run_single(_scenario(1), physics_memo=memo)
    again = run_single(_scenario(1), physics_memo=memo)
    assert len(solves) == 2 * per_run  # the memo's first run solved them, the second none
    assert json.dumps(again, sort_keys=True) == json.dumps(fresh, sort_keys=True) == json.dumps(first, sort_keys=True)
