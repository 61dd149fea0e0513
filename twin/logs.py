"""Run logs as Parquet, streamed: segments, equipment states and sensor/controller time series.

Rows are written in batches as the run goes, so memory does not grow with simulated time. Without an
output directory nothing is kept, and pyarrow is not even imported (start-up time).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow.parquet as pq

SENSOR_COLUMNS = ("t_h", "stage2_setpoint_K", "stage2_true_K", "stage2_measured_K", "stage3_setpoint_K",
                  "stage3_true_K", "stage3_measured_K", "stage2_power_multiplier", "stage3_power_multiplier",
                  "ageing_power_factor")
STATE_COLUMNS = ("start_h", "end_h", "state", "cause")
BATH_COLUMNS = ("t_h", "concentration_mol_per_m3", "current_efficiency", "dosing_mol_per_s")


class Recorder:
    """Parquet writers for the three logs of a run (``out_dir`` None: discard)."""

    def __init__(self, out_dir: Path | None) -> None:
        self.out_dir = out_dir
        self._writers: dict[str, pq.ParquetWriter] = {}
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)

    @property
    def active(self) -> bool:
        return self.out_dir is not None

    def _write(self, name: str, columns: dict[str, np.ndarray | list]) -> None:
        if self.out_dir is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({k: pa.array(list(v) if isinstance(v, np.ndarray) and v.dtype == object else v)
                          for k, v in columns.items()})
        if name not in self._writers:
            self._writers[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", table.schema)
        self._writers[name].write_table(table.cast(self._writers[name].schema))

    def segments(self, columns: dict[str, np.ndarray]) -> None:
        """Append finished segments (the per-segment quality log)."""
        self._write("segments", columns)

    def plating_segments(self, columns: dict[str, np.ndarray]) -> None:
        """Append finished segments of a plating line."""
        self._write("plating_segments", columns)

    def bath(self, line: str, rows: list[tuple]) -> None:
        """Append the bath log of a plating line (time, concentration, efficiency, dosing)."""
        if rows:
            data = np.asarray(rows, dtype=float)
            cols = {"line": np.full(len(rows), line, dtype=object)}
            cols.update({c: data[:, i] for i, c in enumerate(BATH_COLUMNS)})
            self._write("bath", cols)

    def sensors(self, line: str, rows: list[tuple]) -> None:
        """Append sensor and controller readings of ``line``."""
        if rows:
            data = np.asarray(rows, dtype=float)
            cols = {"line": np.full(len(rows), line, dtype=object)}
            cols.update({c: data[:, i] for i, c in enumerate(SENSOR_COLUMNS)})
            self._write("sensors", cols)

    def states(self, line: str, rows: list[tuple[float, float, str, str]]) -> None:
        """Append the equipment state intervals of ``line``."""
        if rows:
            self._write("states", {
                "line": np.full(len(rows), line, dtype=object),
                "start_h": np.array([r[0] for r in rows]), "end_h": np.array([r[1] for r in rows]),
                "state": np.array([r[2] for r in rows], dtype=object),
                "cause": np.array([r[3] for r in rows], dtype=object),
            })

    def close(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers.clear()
