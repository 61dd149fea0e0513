"""The Calibrate and Drift pages' work, free of Streamlit (docs/calibration.md §10): plant data from the data
folder or an upload, the fit (:func:`optimizer.calibration.calibrate`), the parameter set as a download, the drift
report (:func:`twin.drift.drift_report`) and their figures (:mod:`twin.plant_plots`). No statistics here: every
number comes from the layers below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.parameter_set import ParameterSet
from twin.plant_data import PlantData, parse_plant_data, read_plant_data
from ui.data_folder import list_files

DATA_SUFFIXES = (".csv", ".parquet")


def list_plant_data(folder: Path) -> list[str]:
    """Names of the plant data files (*.csv, *.parquet) directly in the data folder."""
    return sorted(n for s in DATA_SUFFIXES for n in list_files(folder, s))


def load_plant_data(folder: Path, name: str | None, upload: tuple[str, bytes] | None) -> PlantData:
    """An upload (name, bytes) if given, else the folder's file ``name`` (a listed name, nothing else)."""
    if upload is not None:
        fname, data = upload
        return parse_plant_data(data, fname, "parquet" if fname.lower().endswith(".parquet") else "csv",
                                "plant data upload")
    if name is None or name not in list_plant_data(folder):
        raise FoiltwinInputError("plant data", name, f"one of the *.csv / *.parquet files in {folder}")
    return read_plant_data(folder / name, "plant data")


def parse_names(text: str) -> list[str] | None:
    """Comma- or line-separated names; None when empty (the defaults)."""
    names = [n.strip() for n in text.replace("\n", ",").split(",") if n.strip()]
    return names or None


def fit(data: PlantData, names: list[str] | None, outcomes: list[str] | None, set_name: str) -> dict[str, Any]:
    """Calibrate and return the report dict, the parameter set JSON (None when not writable: not identifiable
    or not converged) and the figures."""
    from optimizer.calibration import calibrate
    from twin.plant_plots import parity_figure, residual_time_figure

    result = calibrate(data, names, default_parameters(), outcomes)
    d = result.to_dict()
    set_json = None
    if result.writable:
        pset = result.parameter_set(set_name)
        set_json = json.dumps(pset.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    return {"report": d, "set_json": set_json, "converged": result.fit.converged,
            "identifiable": result.stats.identifiable,
            "figures": [("Parity: predicted against measured", parity_figure(d["observations"])),
                        ("Standardised residuals against time", residual_time_figure(d["observations"]))]}


def estimate_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per fitted parameter: value, standard error, 95 % interval, start."""
    from optimizer.calibration.plant import interval_text

    rows = []
    for p in report["parameters"]:
        rows.append({"parameter": p["name"], "value": f"{p['value']:.4g}",
                     "std. error": "n/a" if p["standard_error"] is None else f"{p['standard_error']:.2g}",
                     "95 % interval": interval_text(p["interval_95"]),
                     "start": f"{p['start']:.4g}", "unit": p["unit"]})
    return rows


def drift(data: PlantData, pset: ParameterSet, k: float, h: float) -> dict[str, Any]:
    """The drift report of ``data`` against ``pset`` and its CUSUM figure."""
    from twin.drift import MonitorSettings, drift_report
    from twin.plant_plots import drift_figure

    d = drift_report(data, pset, None, MonitorSettings(k=k, h=h))
    return {"report": d, "figure": drift_figure(d)}


def drift_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per outcome: readings, drift or not, direction and size, alarm and estimated start (row, time)."""
    def at(x: dict[str, Any] | None) -> str:
        return "" if x is None else f"row {x['row']}" + (f" ({x['time']})" if x.get("time") else "")

    return [{"outcome": name, "readings": o["n"], "drift": "DRIFT" if o["alarm"] else "no",
             "direction": o["direction"] or "", "shift [σ]": "" if o["shift_sigma"] is None
             else f"{o['shift_sigma']:+.2g}", "CUSUM alarm": at(o["cusum_alarm"]), "started ≈": at(o["start"]),
             "EWMA alarm": at(o["ewma_alarm"])} for name, o in report["outcomes"].items()]
