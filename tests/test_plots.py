"""Figures and the run's HTML report: skin along the web with interrupted metres apart, downsampling that keeps
the extremes, words in legends, and a report that opens with its numbers and is the same bytes every time."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from twin import plots
from twin.run_folder import write_run
from twin.scenario import Scenario

SPEC = {"skin_thickness_nm_min": 400.0, "skin_thickness_nm_max": 540.0}


def _segments(n: int = 2000, spike_at: int = 700) -> pa.Table:
    rng = np.random.default_rng(0)
    skin = 470.0 + rng.normal(0.0, 10.0, n)
    interrupted = np.zeros(n, dtype=bool)
    interrupted[spike_at] = True
    skin[spike_at] = 1200.0  # the web stood in the heated zone
    t = np.arange(n) / 60.0
    t[spike_at:] += 2.0  # a 2 h stop before the restart
    return pa.table({"finished_h": t, "gauge_skin_thickness_nm": skin + rng.normal(0.0, 8.0, n),
                     "skin_thickness_nm": skin, "in_spec": (skin > 400) & (skin < 540), "interrupted": interrupted})


@pytest.mark.unit
def test_interrupted_metres_are_apart_and_do_not_stretch_the_axis():
    fig = plots.quality_along_web(_segments(), SPEC)
    names = [t.name for t in fig.data]
    assert "metres interrupted by a stop (1, model)" in names
    assert {"gauge reading, in spec", "model skin (true)"} <= set(names)
    lo, hi = fig.layout.yaxis.range
    assert hi < 700.0 and lo > 300.0 and hi > SPEC["skin_thickness_nm_max"]
    model = next(t for t in fig.data if t.name == "model skin (true)")
    assert None in list(model.y)  # the line breaks across the stop
    assert all("spec limit" in a.text for a in fig.layout.annotations)


@pytest.mark.unit
def test_downsampling_keeps_the_extremes(tmp_path):
    n = 200_000
    y = np.full(n, 470.0)
    y[123_457], y[190_001] = 1250.0, 35.0
    pq.write_table(pa.table({"finished_h": np.arange(n) / 60.0, "gauge_skin_thickness_nm": y, "skin_thickness_nm": y,
                             "in_spec": np.ones(n, dtype=bool)}), tmp_path / "s.parquet")
    t = plots.thinned(tmp_path / "s.parquet", plots.QUALITY_COLUMNS, max_points=3000)
    ys = t.column("skin_thickness_nm").to_pylist()
    assert len(ys) <= 3100 and max(ys) == 1250.0 and min(ys) == 35.0
    assert "interrupted" not in t.column_names  # an older log without the column still plots
    xs = t.column("finished_h").to_pylist()
    assert xs == sorted(xs)


@pytest.mark.component
def test_the_html_report_opens_with_its_numbers_and_is_reproducible(tmp_path):
    sc = Scenario().model_copy(update={"hours": 2.0, "name": "report check"})
    report = write_run(sc, tmp_path / "a")
    html = (tmp_path / "a" / "report.html").read_text()
    first_figure = html.index("figure-0")
    for text in ("foiltwin run: report check", "seed 1", "horizon 2 h", "foiltwin ", "Key figures", "throughput",
                 f"{report['throughput_m2_per_h']:.1f}", "cost per good m²", "uht-1"):
        assert html.index(text) < first_figure, text
    write_run(sc, tmp_path / "b")
    assert (tmp_path / "b" / "report.html").read_bytes() == (tmp_path / "a" / "report.html").read_bytes()
    assert "producing" in html and "lower spec limit" in html
