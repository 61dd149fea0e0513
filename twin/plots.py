"""Figures of a run, built from the report and the Parquet logs (shared by the CLI and the dashboard).

Each builder takes plain data (the report dict, or a pyarrow table read from the logs) and returns a plotly
figure; :func:`write_html_report` puts them on one self-contained page.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa
import pyarrow.parquet as pq

from twin.kpi_catalogue import KPIS

STATE_WORDS = {"production": "producing", "setup": "setup", "breakdown": "breakdown", "maintenance": "maintenance",
               "starved": "starved (no coil)", "blocked": "blocked (store full)", "non_scheduled": "not scheduled"}
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
            base=[d["start_h"][i] for i in idx], orientation="h", name=STATE_WORDS.get(state, state),
            marker_color=colour,
            hovertext=[d["cause"][i] for i in idx],
        ))
    fig.update_layout(barmode="overlay", title="Equipment states", xaxis_title="time [h]", yaxis_title="line")
    return fig


SPEC_WORDS = {"skin_thickness_nm_min": "lower spec limit", "skin_thickness_nm_max": "upper spec limit"}


def _gapped(x: list[float], y: list[float], gap_h: float) -> tuple[list[float | None], list[float | None]]:
    """``x, y`` with a None between points more than ``gap_h`` apart, so a line breaks across a stop."""
    gx: list[float | None] = []
    gy: list[float | None] = []
    for i, (a, b) in enumerate(zip(x, y, strict=True)):
        if i and a - x[i - 1] > gap_h:
            gx.append(None)
            gy.append(None)
        gx.append(a)
        gy.append(b)
    return gx, gy


def quality_along_web(segments: pa.Table, spec: dict[str, Any]) -> go.Figure:
    """Skin thickness (true and gauge) of each metre in production order, with the spec window.

    Segments interrupted by a stop (the web stood in a heated zone, then restarted) are a separate trace, marked
    apart, and do not set the y axis: the axis spans the uninterrupted metres and the spec window, so a restart
    spike of 1,000 nm does not flatten the rest (its points above the axis are listed in the legend's count). The
    model's line breaks where production stopped."""
    d = segments.to_pydict()
    n = len(d["finished_h"])
    interrupted = d.get("interrupted") or [False] * n
    normal = [i for i in range(n) if not interrupted[i]]
    stopped = [i for i in range(n) if interrupted[i]]
    fig = go.Figure()
    for label, ok, colour in (("gauge reading, in spec", True, "#2ca02c"), ("gauge reading, out of spec", False,
                                                                            "#d62728")):
        idx = [i for i in normal if bool(d["in_spec"][i]) is ok]
        if idx:
            fig.add_trace(go.Scattergl(x=[d["finished_h"][i] for i in idx],
                                       y=[d["gauge_skin_thickness_nm"][i] for i in idx], mode="markers",
                                       name=label, marker={"size": 3, "color": colour}))
    xs = [d["finished_h"][i] for i in normal]
    ys = [d["skin_thickness_nm"][i] for i in normal]
    steps = sorted(b - a for a, b in itertools.pairwise(xs) if b > a)
    gap_h = 5.0 * steps[len(steps) // 2] if steps else float("inf")
    gx, gy = _gapped(xs, ys, gap_h)
    fig.add_trace(go.Scattergl(x=gx, y=gy, mode="lines", name="model skin (true)", connectgaps=False,
                               line={"width": 1, "color": "#333333"}))
    if stopped:
        fig.add_trace(go.Scattergl(x=[d["finished_h"][i] for i in stopped],
                                   y=[d["skin_thickness_nm"][i] for i in stopped], mode="markers",
                                   name=f"metres interrupted by a stop ({len(stopped)}, model)",
                                   marker={"size": 6, "symbol": "x", "color": "#ff7f0e"}))
    limits = [spec[k] for k in SPEC_WORDS if k in spec]
    for key, words in SPEC_WORDS.items():
        if key in spec:
            fig.add_hline(y=spec[key], line_dash="dash", line_color="#d62728",
                          annotation_text=f"{words} {spec[key]:g} nm")
    values = [v for i in normal for v in (d["skin_thickness_nm"][i], d["gauge_skin_thickness_nm"][i])
              if v is not None] + limits
    if values:
        lo, hi = min(values), max(values)
        pad = 0.08 * (hi - lo or max(abs(hi), 1.0))
        fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_layout(title="Skin thickness along the web", xaxis_title="finished at [h]",
                      yaxis_title="skin thickness [nm]")
    return fig


def oee_waterfall(report: dict[str, Any]) -> go.Figure:
    """OEE waterfall: scheduled time → availability loss → performance loss → quality loss → OEE."""
    a, p, q = report["availability"], report["performance"], report["quality"]
    fig = go.Figure(go.Waterfall(
        x=["scheduled time", "availability loss", "performance loss", "quality loss", "OEE"],
        measure=["absolute", "relative", "relative", "relative", "total"],
        y=[1.0, a - 1.0, a * p - a, a * p * q - a * p, 0.0],
        text=[f"{v:.1%}" for v in (1.0, a - 1.0, a * p - a, a * p * q - a * p, a * p * q)],
    ))
    fig.update_layout(title="OEE waterfall", yaxis_tickformat=".0%")
    return fig


def cost_breakdown(report: dict[str, Any], currency: str = "USD") -> go.Figure:
    """Cost per good m² by category, in ``currency`` (the scenario's: the report's costs are in it)."""
    items = [(k, v) for k, v in report["cost_breakdown"].items() if v > 0]
    fig = go.Figure(go.Bar(x=[k.replace("_", " ") for k, _ in items], y=[v for _, v in items]))
    unit = KPIS["cost_per_m2"].unit_in(currency)
    cost = report.get("cost_per_m2")
    fig.update_layout(title="Cost per good m²: " + ("n/a (no good m²)" if cost is None else f"{cost:.2f} {unit}"),
                      yaxis_title=unit)
    return fig


QUALITY_COLUMNS = ("finished_h", "gauge_skin_thickness_nm", "skin_thickness_nm", "in_spec", "interrupted")
MAX_POINTS = 20000


def _extremes(values: np.ndarray, start: int, step: int) -> list[int]:
    """Row indices keeping, of each run of ``step`` rows from ``start``, its first row and the rows of its least
    and greatest value (NaN ignored), in order."""
    keep: list[int] = []
    for a in range(start, len(values), step):
        chunk = values[a:a + step]
        picks = {a}
        if np.isfinite(chunk).any():
            picks.update((a + int(np.nanargmin(chunk)), a + int(np.nanargmax(chunk))))
        keep += sorted(picks)
    return keep


def thinned(path: Path, columns: tuple[str, ...], max_points: int = MAX_POINTS,
            extremes_of: str | None = "skin_thickness_nm") -> pa.Table:
    """At most about ``max_points`` rows of a Parquet log, read batch by batch so that a long run's plot costs
    bounded memory: of every run of k rows, the first and those holding the least and greatest ``extremes_of``
    (so a downsampled plot keeps every spike and dip; None: every k-th row). Columns missing from the log (an
    older run) are left out."""
    f = pq.ParquetFile(path)
    have = set(f.schema_arrow.names)
    columns = tuple(c for c in columns if c in have)
    keep_extremes = extremes_of is not None and extremes_of in columns
    step = max(1, -(-f.metadata.num_rows // (max_points // 3 if keep_extremes else max_points)))
    parts, offset = [], 0
    for batch in f.iter_batches(columns=list(columns), batch_size=65536 - 65536 % step or step):
        start = (-offset) % step
        if keep_extremes and step > 1:
            y = batch.column(columns.index(extremes_of)).to_numpy(zero_copy_only=False).astype(float)
            rows = _extremes(y, start, step)
        else:
            rows = list(range(start, batch.num_rows, step))
        parts.append(pa.Table.from_batches([batch]).take(rows))
        offset += batch.num_rows
    return pa.concat_tables(parts) if parts else pa.table({c: [] for c in columns})


REPORT_KPIS = (("metres produced", "metres_produced", "m", ".0f"), ("yield", "yield_fraction", "%", ".1%"),
               ("OEE", "oee", "%", ".1%"), ("availability", "availability", "%", ".1%"),
               ("performance", "performance", "%", ".1%"), ("quality", "quality", "%", ".1%"),
               ("throughput", "throughput_m2_per_h", "m²/h", ".1f"),
               ("skin thickness, mean", "skin_thickness_nm.mean", "nm", ".0f"),
               ("skin thickness, 5th–95th percentile", "skin_thickness_nm.p05-p95", "nm", ".0f"),
               ("skin phase", "skin_phase", "", ""), ("(100) texture", "texture_fraction_100", "fraction", ".2f"),
               ("energy", "energy_kwh_per_m2", "kWh/m²", ".3f"), ("cost per good m²", "cost_per_m2", "USD/m²", ".2f"))


def _kpi_cell(report: dict[str, Any], key: str, fmt: str) -> str:
    sk = report.get("skin_thickness_nm") or {}
    if key == "skin_thickness_nm.mean":
        v: Any = sk.get("mean")
    elif key == "skin_thickness_nm.p05-p95":
        lo, hi = sk.get("p05"), sk.get("p95")
        return "n/a" if lo is None or hi is None else f"{lo:{fmt}}–{hi:{fmt}}"
    else:
        v = report.get(key)
    if v is None:
        return "n/a"
    return v if isinstance(v, str) else format(v, fmt)


def report_header_html(report: dict[str, Any], version: str, currency: str = "USD") -> str:
    """The opening of a run's HTML report: scenario, seed, horizon, foiltwin version, and a table of the plant's
    KPIs and of each line's, before the figures."""
    from html import escape

    rows = "".join(f"<tr><td>{escape(label)}</td><td class='n'>{escape(_kpi_cell(report, key, fmt))}</td>"
                   f"<td>{escape(unit.replace('USD', currency) if unit != '%' else '')}</td></tr>"
                   for label, key, unit, fmt in REPORT_KPIS)
    lines = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(line['type'])}</td>"
        f"<td class='n'>{line['metres_produced']:.0f}</td>"
        f"<td class='n'>{'' if line.get('yield_fraction') is None else format(line['yield_fraction'], '.1%')}</td>"
        f"<td class='n'>{'n/a' if line.get('cost_per_m2') is None else format(line['cost_per_m2'], '.2f')}</td></tr>"
        for name, line in report.get("lines", {}).items())
    return (
        f"<h1>foiltwin run: {escape(str(report.get('scenario', '')))}</h1>"
        f"<p>seed {report.get('seed')} · horizon {report.get('hours_simulated', 0):g} h · "
        f"foiltwin {escape(version)}</p>"
        "<h2>Key figures</h2><table><tr><th>KPI</th><th>value</th><th>unit</th></tr>" + rows + "</table>"
        "<h2>Lines</h2><table><tr><th>line</th><th>type</th><th>produced [m]</th><th>yield</th>"
        f"<th>cost [{escape(currency)}/m²]</th></tr>" + lines + "</table><h2>Figures</h2>")


STYLE = ("<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}"
         "td,th{border:1px solid #ccc;padding:2px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}"
         "</style>")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("foiltwin")
    except PackageNotFoundError:
        return "unknown"


def write_html_report(report: dict[str, Any], out_dir: Path, spec: dict[str, Any] | None = None,
                      currency: str = "USD") -> Path:
    """Write ``report.html`` beside the logs in ``out_dir`` and return its path: the scenario, seed, horizon and
    version, the KPI tables, then the figures. The same report and logs give the same bytes (fixed figure ids)."""
    figures = [oee_waterfall(report), cost_breakdown(report, currency)]
    if (out_dir / "states.parquet").exists():
        figures.insert(0, state_gantt(pq.read_table(out_dir / "states.parquet")))
    if (out_dir / "segments.parquet").exists():
        limits = spec or report.get("spec", {})
        if limits:
            figures.insert(1, quality_along_web(thinned(out_dir / "segments.parquet", QUALITY_COLUMNS), limits))
    parts = [pio.to_html(f, full_html=False, include_plotlyjs="inline" if i == 0 else False, div_id=f"figure-{i}")
             for i, f in enumerate(figures)]
    path = out_dir / "report.html"
    path.write_text("<html><head><meta charset='utf-8'><title>foiltwin run</title>" + STYLE + "</head><body>"
                    + report_header_html(report, _version(), currency) + "".join(parts) + "</body></html>",
                    encoding="utf-8")
    return path
