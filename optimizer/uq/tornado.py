"""Tornado chart of Sobol indices (issue 10 item 5; docs/calibration.md §7): one output's first-order and total
indices per parameter or factor as horizontal bars, largest total on top. Reads the JSON of ``foiltwin
sensitivity`` or the per-scenario result of ``foiltwin batch summary --sobol`` (the ``outputs`` mapping of
:meth:`optimizer.uq.sensitivity.SobolResult.to_dict`). plotly is imported here only (lazy for the CLI)."""

from __future__ import annotations

from typing import Any

from process_models.errors import FoiltwinInputError


def sobol_outputs(result: dict[str, Any]) -> dict[str, Any]:
    """The ``outputs`` mapping of a sensitivity result, or of the first scenario of a batch's Sobol result."""
    if isinstance(result.get("outputs"), dict):
        return result["outputs"]
    scenarios = result.get("scenarios")
    if isinstance(scenarios, dict) and scenarios:
        first = next(iter(scenarios.values()))
        if isinstance(first, dict) and isinstance(first.get("outputs"), dict):
            return first["outputs"]
    raise FoiltwinInputError("sensitivity result", "…", "the JSON of `foiltwin sensitivity` or of `foiltwin batch "
                             "summary --sobol` (an 'outputs' table of Sobol indices)")


def tornado_rows(result: dict[str, Any], output: str) -> list[dict[str, Any]]:
    """Per parameter: S1, ST and their half-widths for ``output``, sorted by ST, largest first."""
    outs = sobol_outputs(result)
    if output not in outs:
        raise FoiltwinInputError("output", output, f"one of {', '.join(outs)}")
    rows = [{"parameter": name, "S1": ix.get("S1"), "ST": ix.get("ST"), "S1_conf": ix.get("S1_conf"),
             "ST_conf": ix.get("ST_conf")} for name, ix in outs[output]["indices"].items()]
    return sorted(rows, key=lambda r: -(r["ST"] if r["ST"] is not None else -1.0))


def tornado_figure(result: dict[str, Any], output: str) -> Any:
    """A plotly horizontal bar chart: S1 and ST (with bootstrap error bars) per parameter, largest ST on top."""
    import plotly.graph_objects as go

    rows = list(reversed(tornado_rows(result, output)))  # plotly draws the first bar at the bottom
    names = [r["parameter"] for r in rows]
    fig = go.Figure()
    for key, label in (("ST", "total (ST)"), ("S1", "first order (S1)")):
        fig.add_trace(go.Bar(y=names, x=[r[key] for r in rows], orientation="h", name=label,
                             error_x={"type": "data", "array": [r[f"{key}_conf"] or 0.0 for r in rows]}))
    fig.update_layout(title=f"Sobol indices of {output}", barmode="group", xaxis_title="share of the variance",
                      height=max(260, 60 + 50 * len(rows)), legend={"orientation": "h"})
    return fig
