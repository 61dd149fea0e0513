"""Figures of a run, built from the report and the Parquet logs (shared by the CLI and the dashboard).

Each builder takes plain data (the report dict, or a pyarrow table read from the logs) and returns a plotly
figure; :func:`write_html_report` puts them on one self-contained page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa
import pyarrow.parquet as pq

from twin.kpi_catalogue import KPIS

STATE_COLOURS = {
    "production": "#2ca02c", "setup": "#1f77b4", "breakdown": "#d62728", "maintenance": "#9467bd",
    "starved": "#ff7f0e", "blocked": "#8c564b", "non_scheduled": "#7f7f7f",
}


def state_gantt(states: pa.Table) -> go.Figure:
    """Equipment-state Gantt chart: one row per line, one bar per state interval (hours)."""
    d = states.to_pydict()
    fig = go.Figure()
    for state, colour in STATE_COLOURS.items():
        idx = [i for i, s in enumerate(d["state"]) if s == state]
        if not idx:
            continue
        fig.add_trace(go.Bar(
            y=[d["line"][i] for i in idx], x=[d["end_h"][i] - d["start_h"][i] for i in idx],
            base=[d["start_h"][i] for i in idx], orientation="h", name=state, marker_color=colour,
            hovertext=[d["cause"][i] for i in idx],
        ))
    fig.update_layout(barmode="overlay", title="Equipment states", xaxis_title="time [h]", yaxis_title="line")
    return fig


def quality_along_web(segments: pa.Table, spec: dict[str, Any]) -> go.Figure:
    """Skin thickness (true and gauge) of each metre in production order, with the spec window."""
    d = segments.to_pydict()
    x = d["finished_h"]
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=x, y=d["gauge_skin_thickness_nm"], mode="markers", name="gauge reading",
                               marker={"size": 3, "color": ["#2ca02c" if ok else "#d62728" for ok in d["in_spec"]]}))
    fig.add_trace(go.Scattergl(x=x, y=d["skin_thickness_nm"], mode="lines", name="model (true)",
                               line={"width": 1, "color": "#333333"}))
    for key in ("skin_thickness_nm_min", "skin_thickness_nm_max"):
        fig.add_hline(y=spec[key], line_dash="dash", line_color="#d62728", annotation_text=key)
    fig.update_layout(title="Skin thickness along the web", xaxis_title="finished at [h]",
                      yaxis_title="skin thickness [nm]")
    return fig


def oee_waterfall(report: dict[str, Any]) -> go.Figure:
    """OEE waterfall: scheduled time → availability loss → performance loss → quality loss → OEE."""
    a, p, q = report["availability"], report["performance"], report["quality"]
    fig = go.Figure(go.Waterfall(
        x=["scheduled", "availability loss", "performance loss", "quality loss", "OEE"],
        measure=["absolute", "relative", "relative", "relative", "total"],
        y=[1.0, a - 1.0, a * p - a, a * p * q - a * p, 0.0],
        text=[f"{v:.1%}" for v in (1.0, a - 1.0, a * p - a, a * p * q - a * p, a * p * q)],
    ))
    fig.update_layout(title="OEE waterfall", yaxis_tickformat=".0%")
    return fig


def cost_breakdown(report: dict[str, Any], currency: str = "USD") -> go.Figure:
    """Cost per good m² by category, in ``currency`` (the scenario's: the report's costs are in it)."""
    items = [(k, v) for k, v in report["cost_breakdown"].items() if v > 0]
    fig = go.Figure(go.Bar(x=[k for k, _ in items], y=[v for _, v in items]))
    unit = KPIS["cost_per_m2"].unit_in(currency)
    fig.update_layout(title=f"Cost per good m²: {report['cost_per_m2']:.2f} {unit}", yaxis_title=unit)
    return fig


QUALITY_COLUMNS = ("finished_h", "gauge_skin_thickness_nm", "skin_thickness_nm", "in_spec")
MAX_POINTS = 20000


def thinned(path: Path, columns: tuple[str, ...], max_points: int = MAX_POINTS) -> pa.Table:
    """Every k-th row of a Parquet log, read batch by batch, so a long run's plot costs bounded memory."""
    f = pq.ParquetFile(path)
    step = max(1, -(-f.metadata.num_rows // max_points))
    parts, offset = [], 0
    for batch in f.iter_batches(columns=list(columns), batch_size=65536):
        start = (-offset) % step
        parts.append(pa.Table.from_batches([batch]).take(list(range(start, batch.num_rows, step))))
        offset += batch.num_rows
    return pa.concat_tables(parts) if parts else pa.table({c: [] for c in columns})


def write_html_report(report: dict[str, Any], out_dir: Path, spec: dict[str, Any] | None = None,
                      currency: str = "USD") -> Path:
    """Write ``report.html`` beside the logs in ``out_dir`` and return its path (costs in ``currency``)."""
    figures = [oee_waterfall(report), cost_breakdown(report, currency)]
    if (out_dir / "states.parquet").exists():
        figures.insert(0, state_gantt(pq.read_table(out_dir / "states.parquet")))
    if (out_dir / "segments.parquet").exists():
        limits = spec or report.get("spec", {})
        if limits:
            figures.insert(1, quality_along_web(thinned(out_dir / "segments.parquet", QUALITY_COLUMNS), limits))
    parts = [pio.to_html(f, full_html=False, include_plotlyjs="inline" if i == 0 else False)
             for i, f in enumerate(figures)]
    path = out_dir / "report.html"
    path.write_text("<html><head><meta charset='utf-8'><title>foiltwin run</title></head><body>"
                    + "".join(parts) + "</body></html>")
    return path
