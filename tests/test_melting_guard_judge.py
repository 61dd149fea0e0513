"""The melting guard judged on a checked point (optimizer.verify.judge_melting_guard): a miss exactly when the set
point lies above the point's melting edge and the foil does not already melt at the set point (unit)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from optimizer.space import STAGE3_GUARD_SIGMA
from optimizer.verify import GUARD_MISS, Check, judge_melting_guard

SPACE = SimpleNamespace(stage3_scatter_K=2.0)


def _check(edge_K: float | None, melting: bool = False, misses: tuple[str, ...] = ()) -> Check:
    kpis = {"melting": melting}
    if edge_K is not None:
        kpis["stage3_melt_edge_K"] = edge_K
    return Check(kpis, list(misses))


@pytest.mark.unit
def test_a_set_point_above_its_edge_misses_the_guard_and_names_the_guarded_peak():
    got = judge_melting_guard(SPACE, SimpleNamespace(stage3_peak_K=1105.0), _check(1100.0))
    assert not got.ok and len(got.misses) == 1 and got.misses[0].startswith(GUARD_MISS)
    assert f"{1105.0 + STAGE3_GUARD_SIGMA * 2.0:.1f} K" in got.misses[0]


@pytest.mark.unit
@pytest.mark.parametrize("edge_K, melting, misses", [
    (1105.0, False, ()),  # at the edge: the guard holds
    (1110.0, False, ()),  # below the edge
    (None, False, ()),  # no edge searched (another metal, or no melting target)
    (1100.0, True, ("no_melting: the foil melts",)),  # melts at the set point: already a miss
    (1100.0, False, (f"{GUARD_MISS} + 3σ (1111.0 K), the line's scatter",)),  # already judged
])
def test_the_guard_adds_nothing_where_it_holds_or_is_already_judged(edge_K, melting, misses):
    chk = _check(edge_K, melting, misses)
    assert judge_melting_guard(SPACE, SimpleNamespace(stage3_peak_K=1105.0), chk) is chk
