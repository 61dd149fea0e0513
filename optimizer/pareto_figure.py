"""The Pareto front of ``optimizer.pareto`` as a plotly figure (cost per good m² against throughput or tolerance).

Free of Streamlit; plotly is imported inside the function so that the CLI starts without it.
"""

from __future__ import annotations

from typing import Any

# axis key of a front point → (words, unit) on the plot
AXIS_LABELS: dict[str, tuple[str, str]] = {
    "cost_per_m2": ("cost per good m²", "{currency}/m²"),
    "throughput_m2_per_h": ("throughput (good m² per scheduled hour)", "m²/h"),
    "tolerance_nm": ("skin-thickness tolerance ±", "nm"),
}


def axis_title(key: str, currency: str = "USD") -> str:
    """'words [unit]' of a front axis key."""
    words, unit = AXIS_LABELS.get(key, (key, ""))
    unit = unit.format(currency=currency)
    return f"{words} [{unit}]" if unit else words


def _flat(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested settings as (dotted.key, value), unset (None) entries left out."""
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += _flat(v, f"{prefix}{k}.")
        elif v is not None:
            out.append((f"{prefix}{k}", v))
    return out


def _hover(point: dict[str, Any]) -> str:
    """The settings of one point, one per line (dotted keys)."""
    lines = [f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in _flat(point.get("settings") or {})]
    return "<br>".join(lines) or "(no settings)"


def pareto_figure(front: list[dict[str, Any]], *, dominated: list[dict[str, Any]] | None = None,
                  infeasible: list[dict[str, Any]] | None = None, currency: str = "USD", title: str | None = None
                  ) -> Any:
    """Plotly figure of a Pareto front.

    ``front``: the non-dominated points as ``OptimizationResult.pareto`` holds them, each ``{"axes": {"cost_per_m2":
    …, "throughput_m2_per_h" | "tolerance_nm": …}, "settings": {…}}``. The x axis is cost, the y axis the other
    objective; the points are joined in order of cost. ``dominated`` / ``infeasible`` (same shape; ``pareto`` keeps
    only the non-dominated points, so these are shown only when a caller has them) are drawn apart, unjoined.
    Hover shows each point's settings.
    """
    import plotly.graph_objects as go

    if not front:
        raise ValueError("pareto_figure: the front has no points")
    keys = list(front[0]["axes"])
    other = next(k for k in keys if k != "cost_per_m2")
    pts = sorted(front, key=lambda p: p["axes"]["cost_per_m2"])
    fig = go.Figure()

    def trace(points: list[dict[str, Any]], name: str, **style: Any) -> None:
        fig.add_trace(go.Scatter(
            x=[p["axes"]["cost_per_m2"] for p in points], y=[p["axes"][other] for p in points], name=name,
            text=[_hover(p) for p in points],
            hovertemplate=f"cost %{{x:.4g}} {currency}/m²<br>{other} %{{y:.4g}}<br>%{{text}}<extra>{name}</extra>",
            **style))

    trace(pts, "non-dominated", mode="lines+markers", marker={"size": 9})
    if dominated:
        trace(dominated, "dominated", mode="markers", marker={"size": 7, "color": "grey", "symbol": "circle-open"})
    if infeasible:
        trace(infeasible, "infeasible", mode="markers", marker={"size": 8, "color": "firebrick", "symbol": "x"})
    fig.update_layout(
        title=title or f"Pareto front: cost vs {AXIS_LABELS.get(other, (other,))[0]} ({len(pts)} points)",
        xaxis_title=axis_title("cost_per_m2", currency), yaxis_title=axis_title(other, currency),
        template="plotly_white", legend={"orientation": "h"})
    return fig
