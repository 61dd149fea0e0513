"""Figures of plant data against the twin: parity, residuals over time, drift monitors (plotly).

Built from the JSON reports of ``foiltwin calibrate`` (its ``observations``) and ``foiltwin data drift`` (its
``outcomes``), so the CLI's HTML reports and the dashboard draw the same figures.
"""

from __future__ import annotations

import math
import os
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from twin.files import write_text_atomic


def _by_outcome(observations: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for o in observations:
        out.setdefault(o["outcome"], []).append(o)
    return out


def _grid(n: int) -> tuple[int, int]:
    cols = min(n, 3)
    return math.ceil(n / cols), cols


def parity_figure(observations: list[dict[str, Any]]) -> go.Figure:
    """Predicted against measured, one panel per outcome, with ±σ bars and the y = x line."""
    groups = _by_outcome(observations)
    rows, cols = _grid(len(groups))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(groups))
    for i, (name, obs) in enumerate(groups.items()):
        r, c = divmod(i, cols)
        x = [o["measured"] for o in obs]
        y = [o["predicted"] for o in obs]
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name=name, showlegend=False,
                                 error_x={"type": "data", "array": [o["sigma"] for o in obs], "thickness": 1},
                                 text=[f"row {o['row']}" for o in obs]), row=r + 1, col=c + 1)
        lo, hi = min(x + y), max(x + y)
        fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", line={"dash": "dash", "color": "#777"},
                                 showlegend=False, hoverinfo="skip"), row=r + 1, col=c + 1)
        fig.update_xaxes(title_text="measured", row=r + 1, col=c + 1)
        fig.update_yaxes(title_text="predicted", row=r + 1, col=c + 1)
    fig.update_layout(title="Parity: twin against plant", height=320 * rows)
    return fig


def residual_time_figure(observations: list[dict[str, Any]]) -> go.Figure:
    """Standardised residuals (model − measured)/σ against time, one trace per outcome, with ±2 lines."""
    fig = go.Figure()
    for name, obs in _by_outcome(observations).items():
        fig.add_trace(go.Scatter(x=[o["time_h"] for o in obs], y=[o["standardised"] for o in obs], mode="markers",
                                 name=name, text=[f"row {o['row']}" for o in obs]))
    for y in (-2.0, 2.0):
        fig.add_hline(y=y, line_dash="dot", line_color="#d62728")
    fig.update_layout(title="Residuals against time", xaxis_title="time from the first row [h]",
                      yaxis_title="(model − measured) / σ")
    return fig


def drift_figure(report: dict[str, Any]) -> go.Figure:
    """CUSUM sums of every outcome against time with the decision interval h; alarm and estimated start marked."""
    h = report["settings"]["h"]
    names = list(report["outcomes"])
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, subplot_titles=names)
    for i, name in enumerate(names, start=1):
        o = report["outcomes"][name]
        s = o["series"]
        fig.add_trace(go.Scatter(x=s["time_h"], y=s["cusum_upper"], mode="lines+markers", name=f"{name} C⁺",
                                 line={"color": "#1f77b4"}), row=i, col=1)
        fig.add_trace(go.Scatter(x=s["time_h"], y=[-v for v in s["cusum_lower"]], mode="lines+markers",
                                 name=f"{name} −C⁻", line={"color": "#ff7f0e"}), row=i, col=1)
        for y in (h, -h):
            fig.add_hline(y=y, line_dash="dash", line_color="#d62728", row=i, col=1)
        for key, colour in (("start", "#2ca02c"), ("cusum_alarm", "#d62728")):
            if o[key] is not None:
                fig.add_vline(x=o[key]["time_h"], line_dash="dot", line_color=colour, row=i, col=1)
    fig.update_layout(title=f"Drift monitor (CUSUM, k = {report['settings']['k']:g}, h = {h:g}); green: estimated "
                      "start, red: alarm", height=260 * max(len(names), 1), xaxis_title="time [h]")
    return fig


def write_figures_html(figures: list[go.Figure], path: str | os.PathLike, title: str,
                       field: str = "--report") -> None:
    """The figures on one self-contained HTML page, written atomically."""
    parts = [pio.to_html(f, full_html=False, include_plotlyjs="inline" if i == 0 else False)
             for i, f in enumerate(figures)]
    write_text_atomic(path, f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                      + "".join(parts) + "</body></html>", field)
