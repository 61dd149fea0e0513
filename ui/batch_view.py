"""The batches tab without Streamlit: which results databases the page may open, and what one (``foiltwin batch
run``) holds, as display rows and a chart. Reads through :class:`twin.results_db.ResultsDB`, read-only (a database
that is only viewed is never changed); computes nothing of its own but mean ± sd.

The page opens databases from one configured folder only (:func:`data_dir`: ``$FOILTWIN_DATA_DIR``, default
``./results``): the ``*.duckdb`` files directly in it whose real path is in it too (no ``..``, no symlink out), so
the page reveals nothing else of the server's files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from process_models.errors import FoiltwinInputError
from twin.results_db import SUMMARY_KPIS, ResultsDB
from ui.data_folder import list_files


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
    return {"batches": batches, "status": status, "summary": summary}


def summary_rows(summary: list[dict[str, Any]], kpis: tuple[str, ...] = SUMMARY_KPIS) -> list[dict[str, Any]]:
    """One row per scenario: runs and 'mean ± sd' of each KPI (sd blank with one run)."""
    rows = []
    for s in summary:
        row: dict[str, Any] = {"scenario": s["scenario"], "runs ok": s["runs_ok"],
                               "shares runs with": ", ".join(s.get("shares_runs_with", []))}
        for k in kpis:
            v = s.get(k)
            if v is None:
                row[k] = ""
            else:
                row[k] = f"{v['mean']:.4g}" + (f" ± {v['std']:.2g}" if v["std"] is not None else "")
        rows.append(row)
    return rows


def failure_rows(status: dict[str, Any]) -> list[dict[str, Any]]:
    """The failed jobs: scenario, replication and the error's field, value, allowed range."""
    return [{"scenario": f["scenario"], "replication": f["replication"], "field": f["field"], "value": f["value"],
             "allowed": f["allowed"]} for f in status["failures"]]


def kpi_chart(summary: list[dict[str, Any]], kpi: str) -> go.Figure:
    """Mean of ``kpi`` per scenario with ± one standard deviation over replications."""
    have = [s for s in summary if kpi in s]
    fig = go.Figure(go.Bar(
        x=[s["scenario"] for s in have], y=[s[kpi]["mean"] for s in have],
        error_y={"type": "data", "array": [s[kpi]["std"] or 0.0 for s in have], "visible": True},
    ))
    fig.update_layout(title=f"{kpi} per scenario (mean ± sd over replications)", yaxis_title=kpi,
                      xaxis_title="scenario", margin={"t": 50})
    return fig
