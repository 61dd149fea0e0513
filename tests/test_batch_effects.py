"""Main effects of a batch's factors (twin.batch_effects) on a known 2×2 design."""

from __future__ import annotations

import pytest

from twin.batch_effects import main_effects


@pytest.mark.unit
def test_main_effects_of_a_2x2_design_with_replications():
    # y = 10 + 2·[speed = 2] + 5·[width = 1.0] + noise (±0.1 per replication)
    rows = []
    for speed in (1.0, 2.0):
        for width in (0.5, 1.0):
            for rep, noise in enumerate((-0.1, 0.1)):
                y = 10.0 + 2.0 * (speed == 2.0) + 5.0 * (width == 1.0) + noise
                rows.append({"scenario": f"s{speed}w{width}", "replication": rep, "status": "ok", "speed": speed,
                             "width": width, "bath": "a", "cost": y})
    rows.append({"scenario": "bad", "replication": 0, "status": "failed", "speed": 3.0, "width": 0.5, "cost": None})
    eff = main_effects(rows, ["speed", "width", "bath"], "cost")
    assert list(eff) == ["speed", "width"]  # one level of bath: no effect to show; the failed run left out
    s1, s2 = eff["speed"]
    assert (s1.level, s1.n, s2.level, s2.n) == (1.0, 4, 2.0, 4)
    assert s2.mean - s1.mean == pytest.approx(2.0) and s1.mean == pytest.approx(12.5)
    w1, w2 = eff["width"]
    assert w2.mean - w1.mean == pytest.approx(5.0)
    assert w1.ci_low < w1.mean < w1.ci_high  # four runs: an interval (spread from the other factor and noise)
    single = main_effects([{"status": "ok", "x": 1, "k": 2.0}, {"status": "ok", "x": 2, "k": 3.0}], ["x"], "k")
    assert single["x"][0].ci_low is None and single["x"][1].mean == 3.0
