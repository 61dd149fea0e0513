"""Exact binary copies of the packaged numeric tables, for a fast cold start (issue 15).

The CSVs in ``process_models/data`` are the cited source of the Cu-Zn tables (``Liang2015``, tabulated with
pycalphad by ``scripts/tabulate_cuzn_phase_diagram.py``). Parsing the two large ones took ≈ 7 ms of a cold
recipe's ≈ 24 ms. Each numeric table therefore also ships as ``data/binary/<table>.npy``: the rows the CSV parses
to, bit for bit. ``data/binary/manifest.json`` lists, per table, the SHA-256 of the CSV's text the copy was made
from (line ends aside), its columns and its shape.

:func:`binary_copy` gives the copy only when the CSV's text hashes to the listed value and the columns and shape
agree. Otherwise it warns and returns None, and the caller parses the CSV: a table retabulated without refreshing
its copy is never read stale. Refresh the copies with ``python -m process_models.uht.binary_tables`` (the
tabulation script does it after writing its CSVs).
"""

from __future__ import annotations

import hashlib
import json
import sys
import warnings
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

BINARY_DIR = "binary"
MANIFEST = "manifest.json"
TABLES: tuple[str, ...] = (  # the packaged all-numeric tables read by read_numeric_table
    "cuzn_zn_activity_liang2015.csv",
    "cuzn_fcc_bcc_gibbs_liang2015.csv",
    "cuzn_t0_fcc_bcc_liang2015.csv",
)


def universal_newlines(text: str) -> str:
    """``text`` with its line ends made ``\\n``, as reading in text mode gives it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_sha256(text: str) -> str:
    """The hex SHA-256 of a CSV's text with its line ends already made ``\\n`` (:func:`universal_newlines`): the
    key of its binary copy, so a checkout that turns line ends into ``\\r\\n`` keeps the copy."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest(data_dir: Traversable) -> dict[str, dict]:
    """The manifest's entries ({} when there is none, or, with a warning, when it cannot be read)."""
    path = data_dir / BINARY_DIR / MANIFEST
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        warnings.warn(f"{path}: unreadable ({type(exc).__name__}); the tables' CSVs are parsed", stacklevel=4)
        return {}
    return entries if isinstance(entries, dict) else {}


def binary_copy(data_dir: Traversable, name: str, text: str, columns: list[str]) -> NDArray[np.float64] | None:
    """The rows of table ``name`` from its binary copy in ``data_dir``, or None when there is no copy, it was made
    from another text than ``text`` (the CSV as read now, :func:`universal_newlines`) or for other columns, or it or
    the manifest cannot be read (truncated, damaged: a warning says which)."""
    entry = _manifest(data_dir).get(name)
    if entry is None:
        return None
    if entry.get("csv_sha256") != csv_sha256(text) or entry.get("columns") != columns:
        warnings.warn(f"{name}: its binary copy was made from another version of the CSV; parsing the CSV "
                      "(refresh the copies with `python -m process_models.uht.binary_tables`)", stacklevel=3)
        return None
    try:
        with (data_dir / BINARY_DIR / f"{name}.npy").open("rb") as f:
            rows = np.load(f, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:  # missing, truncated or not an .npy: the CSV is the source
        warnings.warn(f"{name}: its binary copy cannot be read ({type(exc).__name__}: {exc}); parsing the CSV",
                      stacklevel=3)
        return None
    if rows.dtype != np.float64 or list(rows.shape) != entry.get("shape"):
        warnings.warn(f"{name}: its binary copy holds {rows.dtype} {rows.shape}, not the listed "
                      f"{entry.get('shape')}; parsing the CSV", stacklevel=3)
        return None
    return rows


def write_binary_copies(data_dir: Path, names: tuple[str, ...] = TABLES) -> dict[str, dict]:
    """(Re)write the binary copy of each table in ``names`` from its CSV in ``data_dir`` (parsed, not copied from
    an older binary) and the manifest; returns the manifest's entries written."""
    from process_models.uht.phase_diagram import read_numeric_table, table_columns

    out = data_dir / BINARY_DIR
    out.mkdir(exist_ok=True)
    manifest = _manifest(data_dir)
    written = {}
    for name in names:
        text = universal_newlines((data_dir / name).read_bytes().decode("utf-8"))
        columns = table_columns(text)
        rows = read_numeric_table(name, columns, data_dir=data_dir, use_copy=False)
        tmp = out / f"{name}.npy.tmp"
        with tmp.open("wb") as f:
            np.save(f, np.ascontiguousarray(rows, dtype=np.float64), allow_pickle=False)
        tmp.replace(out / f"{name}.npy")
        written[name] = {"csv_sha256": csv_sha256(text), "columns": columns, "shape": list(rows.shape)}
    manifest.update(written)
    tmp = out / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out / MANIFEST)
    return written


def packaged_data_dir() -> Traversable:
    """The package's data folder (``process_models/data``)."""
    return resources.files("process_models") / "data"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(str(packaged_data_dir()))
    for table, entry in write_binary_copies(target).items():
        print(f"{target / BINARY_DIR / table}.npy: {entry['shape'][0]} rows, CSV sha256 {entry['csv_sha256'][:12]}")
