"""The dashboard's one data folder: results databases and parameter sets are chosen from it by name only.

``$FOILTWIN_DATA_DIR`` (``foiltwin ui --data-dir``), default ``./results``. A file is offered only if it lies
directly in the folder and its real path does too (no ``..``, no symlink out), so the pages reveal nothing else of
the server's files.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "FOILTWIN_DATA_DIR"
DEFAULT_DATA_DIR = "results"
MAX_LISTED = 200


def data_dir() -> Path:
    """The folder the pages take files from: ``$FOILTWIN_DATA_DIR``, or ``./results``."""
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def list_files(folder: str | Path, suffix: str) -> list[str]:
    """Names of the ``*suffix`` files directly in ``folder`` that really are there (a symlink pointing out of the
    folder is left out), sorted, at most :data:`MAX_LISTED`; none when the folder is missing or unreadable."""
    root = Path(folder)
    try:
        real = root.resolve(strict=True)
        candidates = sorted(root.iterdir())
    except (OSError, RuntimeError, ValueError):
        return []
    names = []
    for p in candidates:
        try:
            if p.suffix == suffix and p.is_file() and p.resolve(strict=True).parent == real:
                names.append(p.name)
        except (OSError, RuntimeError):
            continue
    return names[:MAX_LISTED]
