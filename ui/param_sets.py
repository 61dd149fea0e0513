"""Parameter sets in the dashboard, free of Streamlit: the sets in the data folder, an uploaded set, a table of one.

The data folder is the dashboard's one data folder (:mod:`ui.data_folder`). The page offers the ``*.json`` files
directly in it by name — no path is typed, so nothing outside the folder can be opened — or an
upload. Either is checked like ``--params FILE`` (:mod:`twin.parameter_set`: hash, registry names, bounds); the
chosen set enters the base scenario as its ``parameter_set``, so the what-if runs, the optimiser and the recipe tab
all use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from process_models.errors import FoiltwinInputError
from twin.parameter_set import ParameterSet, load_parameter_set, parse_parameter_set
from ui.data_folder import list_files


def list_parameter_sets(folder: Path) -> list[str]:
    """Names of the ``*.json`` files of the data folder ``folder`` (sorted; none when it does not exist)."""
    return list_files(folder, ".json")


def load_from_folder(folder: Path, name: str) -> ParameterSet:
    """The set ``name`` of ``folder`` (a name from :func:`list_parameter_sets`, nothing else)."""
    if name not in list_parameter_sets(folder):
        raise FoiltwinInputError("parameter set", name, f"one of the *.json files in {folder}")
    return load_parameter_set(folder / name, "parameter set")


def load_upload(name: str, data: bytes) -> ParameterSet:
    """An uploaded set, checked as a file is."""
    return parse_parameter_set(data, name, "parameter set upload")


def set_rows(pset: ParameterSet) -> list[dict[str, Any]]:
    """One row per fitted value: name, value, standard error, 95 % interval (a null end, beyond the float range, as
    -inf / inf), unit."""
    from optimizer.calibration.plant import interval_text

    return [{"parameter": p.name, "value": f"{p.value:.4g}",
             "std. error": "n/a" if p.standard_error is None else f"{p.standard_error:.2g}",
             "95 % interval": interval_text(p.interval_95), "unit": p.unit} for p in pset.parameters]
