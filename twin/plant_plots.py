"""Figures of plant data against the twin: parity and residuals over time (plotly).

Built from the JSON report of ``foiltwin calibrate`` (its ``observations``), so the CLI's HTML report and the
dashboard draw the same figures.
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


def write_figures_html(figures: list[go.Figure], path: str | os.PathLike, title: str,
                       field: str = "--report") -> None:
    """The figures on one self-contained HTML page, written atomically."""
    parts = [pio.to_html(f, full_html=False, include_plotlyjs="inline" if i == 0 else False)
             for i, f in enumerate(figures)]
    write_text_atomic(path, f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                      + "".join(parts) + "</body></html>", field)
