"""The batches tab without Streamlit: which results databases the page may open, and what one (``foiltwin batch
run``) holds, as tables of numbers (sortable), labels from the factors, main-effects and replication figures, and
a side-by-side compare of 2–5 scenarios. Reads through :class:`twin.results_db.ResultsDB`, read-only (a database
that is only viewed is never changed); the statistics come from below (``ResultsDB.summary``'s t-intervals,
``twin.batch_effects``): nothing here but display scaling (fractions in %) and the relative differences of the
compare chart.

The page opens databases from one configured folder only (:func:`data_dir`: ``$FOILTWIN_DATA_DIR``, default
``./results``): the ``*.duckdb`` files directly in it whose real path is in it too (no ``..``, no symlink out), so
the page reveals nothing else of the server's files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from process_models.errors import FoiltwinInputError
from twin.batch_effects import main_effects
from twin.kpi_labels import kpi_label
from twin.results_db import SUMMARY_KPIS, ResultsDB
from ui.data_folder import list_files

MAX_COMPARE = 5


def list_databases(folder: str | Path) -> list[str]:
    """Names of the ``*.duckdb`` files of the data folder ``folder`` (:func:`ui.data_folder.list_files`)."""
    return list_files(folder, ".duckdb")


def database_path(folder: str | Path, name: str) -> Path:
    """The real path of the database ``name`` of :func:`list_databases` (anything else is refused)."""
    if name not in list_databases(folder):
        raise FoiltwinInputError("results database", name, f"one of the *.duckdb files in the data folder {folder}")
    return (Path(folder) / name).resolve()


def batch_overview(db_path: str | Path, batch: str | None = None, line: str = "plant") -> dict[str, Any]:
    """Batches in the file, the chosen one's status (counts, aliases, failures) and its per-scenario summary, read
    in one read-only session."""
    p = Path(db_path)
    if not p.is_file():
        raise FoiltwinInputError("results database", str(p), "an existing file made by `foiltwin batch run`")
    with ResultsDB(p, read_only=True) as db:
        batches = db.batches()
        status = db.status(batch)
        summary = db.summary(status["batch_id"], line=line)
        runs = db.runs_table(status["batch_id"], line=line)
    return {"batches": batches, "status": status, "summary": summary, "runs": runs,
            "factors": list(dict.fromkeys(k for s in summary for k in s.get("factors", {})))}


def failure_rows(status: dict[str, Any]) -> list[dict[str, Any]]:
    """The failed jobs: scenario, replication and the error's field, value, allowed range."""
    return [{"scenario": f["scenario"], "replication": f["replication"], "field": f["field"], "value": f["value"],
             "allowed": f["allowed"]} for f in status["failures"]]


# ------------------------------------------------------------------------------------------------- labels, tables
def short_names(keys: list[str]) -> dict[str, str]:
    """Factor keys → the shortest dotted tails that stay distinct (``plant.lines.1.settings.web_speed_m_per_min`` →
    ``web_speed_m_per_min``)."""
    out = {}
    for k in keys:
        parts = k.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if sum(1 for o in keys if o == tail or o.endswith("." + tail)) == 1:
                break
        out[k] = tail
    return out


def _value_text(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def scenario_labels(summary: list[dict[str, Any]], factors: list[str]) -> dict[str, str]:
    """Scenario name → a label from its factor values (``web_speed_m_per_min=1.2, stage2_temperature_K=765``);
    the name itself when it has no factors, or when two scenarios would share a label (named scenarios crossed
    with a sweep get ``name: factors``)."""
    short = short_names(factors)
    labels = {}
    for s in summary:
        f = s.get("factors") or {}
        text = ", ".join(f"{short[k]}={_value_text(f[k])}" for k in factors if k in f)
        labels[s["scenario"]] = text or s["scenario"]
    if len(set(labels.values())) < len(labels):
        labels = {n: (f"{n}: {t}" if t != n else n) for n, t in labels.items()}
    return labels


def kpi_heading(kpi: str) -> str:
    """``cost per good m² [USD/m²]``; fractions shown in %."""
    words, unit = kpi_label(kpi)
    return f"{words} [{'%' if unit == 'fraction' else unit}]" if unit else words


def _shown(kpi: str, v: float | None) -> float | None:
    """A number as the tables show it (fractions in %)."""
    return None if v is None else (100.0 * v if kpi_label(kpi)[1] == "fraction" else v)


def summary_table(summary: list[dict[str, Any]], labels: dict[str, str], factors: list[str],
                  kpis: tuple[str, ...] = SUMMARY_KPIS) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Rows of numbers (one per scenario: label, factor values, runs ok, each KPI's mean and the half-width of its
    95 % interval) and, per column, a heading and a printf format for ``st.column_config.NumberColumn`` — so the
    table sorts by value, not by text."""
    short = short_names(factors)
    rows = []
    columns: dict[str, dict[str, str]] = {"runs ok": {"label": "runs ok", "format": "%d"}}
    for k in factors:
        columns[k] = {"label": short[k], "format": "%g"}
    for kpi in kpis:
        columns[kpi] = {"label": kpi_heading(kpi), "format": "%.4g"}
        columns[f"{kpi} ±95%"] = {"label": "± 95 %", "format": "%.2g"}
    for s in summary:
        row: dict[str, Any] = {"scenario": labels.get(s["scenario"], s["scenario"]), "runs ok": s["runs_ok"]}
        f = s.get("factors") or {}
        row.update({k: f.get(k) for k in factors})
        for kpi in kpis:
            st_ = s.get(kpi) or {}
            row[kpi] = _shown(kpi, st_.get("mean"))
            row[f"{kpi} ±95%"] = _shown(kpi, st_.get("ci95_half_width"))
        rows.append(row)
    return rows, columns


def undefined_notes(summary: list[dict[str, Any]], labels: dict[str, str],
                    kpis: tuple[str, ...] = SUMMARY_KPIS) -> list[str]:
    """One line per (scenario, KPI) that the summary reports as undefined (an empty cell of :func:`summary_table`),
    with the reason the results database gives (``undefined_reason``: e.g. no good m², so no cost per good m²)."""
    out = []
    for s in summary:
        for kpi in kpis:
            st_ = s.get(kpi) or {}
            if st_.get("mean") is None and st_.get("undefined_reason"):
                out.append(f"{labels.get(s['scenario'], s['scenario'])}: {kpi_heading(kpi)} undefined, "
                           f"{st_['undefined_reason']}")
    return out


# ------------------------------------------------------------------------------------------------- figures
def main_effects_figure(runs: list[dict[str, Any]], factors: list[str], kpi: str) -> go.Figure | None:
    """One panel per factor: the KPI's mean over all runs at each level, with its 95 % interval
    (``twin.batch_effects.main_effects``); None when no factor has two levels."""
    from plotly.subplots import make_subplots

    eff = main_effects(runs, factors, kpi)
    if not eff:
        return None
    short = short_names(factors)
    fig = make_subplots(rows=1, cols=len(eff), shared_yaxes=True, subplot_titles=[short[f] for f in eff])
    for i, (f, levels) in enumerate(eff.items(), start=1):
        y = [_shown(kpi, lv.mean) for lv in levels]
        up = [None if lv.ci_high is None else _shown(kpi, lv.ci_high - lv.mean) for lv in levels]
        fig.add_trace(go.Scatter(
            x=[_value_text(lv.level) for lv in levels], y=y, mode="lines+markers", name=short[f],
            error_y={"type": "data", "array": [u or 0.0 for u in up], "visible": True},
            customdata=[lv.n for lv in levels], hovertemplate="%{x}: %{y:.4g} (n=%{customdata})<extra></extra>"),
            row=1, col=i)
        fig.update_xaxes(title_text=short[f], type="category", row=1, col=i)
    fig.update_yaxes(title_text=kpi_heading(kpi), row=1, col=1)
    fig.update_layout(title=f"Main effects on {kpi_label(kpi)[0]} (mean of all runs at each level, 95 % interval)",
                      showlegend=False, margin={"t": 70})
    return fig


def replications_figure(runs: list[dict[str, Any]], labels: dict[str, str], kpi: str,
                        scenarios: list[str] | None = None) -> go.Figure:
    """Box and points of the KPI over each scenario's replications (``scenarios``: these, in this order; else every
    scenario with a finished run)."""
    names = scenarios or list(dict.fromkeys(r["scenario"] for r in runs if r.get("status") == "ok"))
    fig = go.Figure()
    for name in names:
        vals = [_shown(kpi, r[kpi]) for r in runs if r["scenario"] == name and r.get("status") == "ok"
                and r.get(kpi) is not None]
        fig.add_trace(go.Box(y=vals, name=labels.get(name, name), boxpoints="all", jitter=0.4, pointpos=0,
                             hovertemplate="%{y:.4g}<extra></extra>"))
    fig.update_layout(title=f"{kpi_label(kpi)[0]} over replications", yaxis_title=kpi_heading(kpi),
                      showlegend=False, margin={"t": 50})
    return fig


# ------------------------------------------------------------------------------------------------- compare
def check_compare(chosen: list[str], known: list[str]) -> None:
    """2 to :data:`MAX_COMPARE` distinct scenarios of the batch."""
    if not 2 <= len(chosen) <= MAX_COMPARE or len(set(chosen)) != len(chosen) or any(c not in known for c in chosen):
        raise FoiltwinInputError("compare", ", ".join(chosen) or "(none)",
                                 f"2 to {MAX_COMPARE} distinct scenarios of the batch")


def compare_table(summary: list[dict[str, Any]], chosen: list[str], labels: dict[str, str],
                  kpis: tuple[str, ...] = SUMMARY_KPIS) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Side by side: one row per KPI, per chosen scenario its mean and the half-width of the 95 % interval (numbers;
    column headings and formats for ``st.column_config``)."""
    check_compare(chosen, [s["scenario"] for s in summary])
    by = {s["scenario"]: s for s in summary}
    columns: dict[str, dict[str, str]] = {}
    for i, name in enumerate(chosen):
        columns[f"{i}:mean"] = {"label": labels.get(name, name), "format": "%.4g"}
        columns[f"{i}:ci"] = {"label": "± 95 %", "format": "%.2g"}
    rows = []
    for kpi in kpis:
        row: dict[str, Any] = {"KPI": kpi_heading(kpi)}
        for i, name in enumerate(chosen):
            st_ = by[name].get(kpi) or {}
            row[f"{i}:mean"] = _shown(kpi, st_.get("mean"))
            row[f"{i}:ci"] = _shown(kpi, st_.get("ci95_half_width"))
        rows.append(row)
    return rows, columns


def compare_figure(summary: list[dict[str, Any]], chosen: list[str], labels: dict[str, str],
                   kpis: tuple[str, ...] = SUMMARY_KPIS) -> go.Figure:
    """The chosen scenarios overlaid on one chart: each KPI's mean relative to the first scenario's (%), with the
    95 % interval, one trace per scenario (KPIs in different units on one axis)."""
    check_compare(chosen, [s["scenario"] for s in summary])
    by = {s["scenario"]: s for s in summary}
    ref = by[chosen[0]]
    shown = [k for k in kpis if (ref.get(k) or {}).get("mean")  # an undefined KPI (mean None) is not drawn
             and all((by[c].get(k) or {}).get("mean") is not None for c in chosen)]
    fig = go.Figure()
    for name in chosen:
        y, err = [], []
        for k in shown:
            r0, st_ = ref[k]["mean"], by[name][k]
            y.append(100.0 * (st_["mean"] / r0 - 1.0))
            err.append(0.0 if st_.get("ci95_half_width") is None else 100.0 * st_["ci95_half_width"] / abs(r0))
        fig.add_trace(go.Scatter(x=[kpi_label(k)[0] for k in shown], y=y, name=labels.get(name, name),
                                 mode="markers+lines", error_y={"type": "data", "array": err, "visible": True}))
    fig.update_layout(title=f"KPIs relative to {labels.get(chosen[0], chosen[0])} (mean, 95 % interval)",
                      yaxis_title="difference from the first scenario [%]", legend_title="scenario",
                      margin={"t": 50})
    return fig
