"""The figures of a run, from ``twin.plots`` (the builders the HTML report uses), free of Streamlit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pyarrow.parquet as pq

from twin import plots


def run_figures(report: dict[str, Any], out_dir: Path) -> list[tuple[str, go.Figure]]:
    """(title, figure) of a run whose Parquet logs are in ``out_dir``: equipment-state Gantt, skin along the web
    with the spec window, OEE waterfall, cost breakdown (those whose log or KPIs exist)."""
    out: list[tuple[str, go.Figure]] = []
    if (out_dir / "states.parquet").exists():
        out.append(("Equipment states", plots.state_gantt(pq.read_table(out_dir / "states.parquet"))))
    spec = report.get("spec")
    if (out_dir / "segments.parquet").exists() and spec:
        # the report's own thinning (bounded memory and points for long runs)
        table = plots.thinned(out_dir / "segments.parquet", plots.QUALITY_COLUMNS)
        out.append(("Skin thickness along the web", plots.quality_along_web(table, spec)))
    if all(report.get(k) is not None for k in ("availability", "performance", "quality")):
        out.append(("OEE waterfall", plots.oee_waterfall(report)))
    if report.get("cost_breakdown") and report.get("cost_per_m2") is not None:
        out.append(("Cost breakdown", plots.cost_breakdown(report)))
    return out
