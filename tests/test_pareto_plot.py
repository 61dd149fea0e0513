"""The Pareto-front figure (optimizer.pareto_figure), its CLI writer (optimize --pareto --plot) and option rules."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from optimizer.pareto_figure import pareto_figure

FRONT = [  # a synthetic front in OptimizationResult.pareto's shape (deliberately not sorted by cost)
    {"axes": {"cost_per_m2": 4.2, "throughput_m2_per_h": 180.0},
     "settings": {"mode": "vapour_commercial", "uht": {"stage2_time_s": 31.5, "anneal": None}}},
    {"axes": {"cost_per_m2": 3.1, "throughput_m2_per_h": 120.0},
     "settings": {"mode": "vapour_commercial", "uht": {"stage2_time_s": 45.0}}},
    {"axes": {"cost_per_m2": 3.6, "throughput_m2_per_h": 150.0}, "settings": {"mode": "plated_commercial"}},
]


@pytest.mark.unit
def test_figure_traces_hold_exactly_the_front_points_joined_in_cost_order():
    fig = pareto_figure(FRONT, currency="EUR")
    assert len(fig.data) == 1
    tr = fig.data[0]
    assert tr.mode == "lines+markers"
    assert list(tr.x) == [3.1, 3.6, 4.2] and list(tr.y) == [120.0, 150.0, 180.0]
    assert "stage2_time_s" not in tr.text[1] and "uht.stage2_time_s = 45" in tr.text[0]
    assert "anneal" not in tr.text[2]  # unset settings are left out
    assert fig.layout.xaxis.title.text == "cost per good m² [EUR/m²]"
    assert fig.layout.yaxis.title.text.startswith("throughput") and "[m²/h]" in fig.layout.yaxis.title.text


@pytest.mark.unit
def test_dominated_and_infeasible_points_are_shown_apart_and_tolerance_axis_is_labelled():
    tol = [{"axes": {"cost_per_m2": c, "tolerance_nm": t}, "settings": {}} for c, t in ((3.0, 60.0), (3.5, 30.0))]
    dom = [{"axes": {"cost_per_m2": 4.0, "tolerance_nm": 50.0}, "settings": {}}]
    bad = [{"axes": {"cost_per_m2": 2.0, "tolerance_nm": 10.0}, "settings": {}}]
    fig = pareto_figure(tol, dominated=dom, infeasible=bad)
    names = [t.name for t in fig.data]
    assert names == ["non-dominated", "dominated", "infeasible"]
    assert list(fig.data[0].x) == [3.0, 3.5] and list(fig.data[1].y) == [50.0] and list(fig.data[2].x) == [2.0]
    assert fig.data[1].mode == "markers" and fig.data[2].mode == "markers"
    assert fig.layout.yaxis.title.text == "skin-thickness tolerance ± [nm]"


@pytest.mark.unit
def test_an_empty_front_is_refused():
    with pytest.raises(ValueError, match="no points"):
        pareto_figure([])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", "optimize", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.integration
def test_plot_without_pareto_is_refused_with_exit_2(tmp_path):
    out = _cli("--no-twin", "--plot", str(tmp_path / "f.html"))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "--plot" in out.stderr and "--pareto" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "f.html").exists()


@pytest.mark.integration
def test_plot_into_a_missing_folder_is_refused_before_solving(tmp_path):
    out = _cli("--no-twin", "--pareto", "cost,tolerance", "--plot", str(tmp_path / "no" / "f.html"))
    assert out.returncode == 2 and "--plot" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.integration
def test_cli_writes_an_html_plot_holding_the_front_points(tmp_path):
    from optimizer import solver_available

    if not solver_available():
        pytest.skip("HiGHS (appsi_highs) is not available")
    import json

    html, js = tmp_path / "front.html", tmp_path / "r.json"
    out = _cli("--mode", "vapour_commercial", "--no-twin", "--tolerance-nm", "60", "--pareto", "cost,tolerance",
               "--pareto-points", "2", "--plot", str(html), "--json", str(js))
    assert out.returncode == 0, out.stderr
    front = json.loads(js.read_text())["pareto"]
    text = html.read_text()
    assert "<html>" in text[:100] and text.rstrip().endswith("</html>") and "plotly" in text
    assert front and "skin-thickness tolerance" in text
    for p in front:  # each front point's coordinates are in the figure's data
        assert re.search(rf'"y":\[[^\]]*{p["axes"]["tolerance_nm"]:g}', text), p["axes"]
    assert not list(tmp_path.glob("*.tmp*"))
