"""One progress protocol for every long job (batch, optimisation, simulation), so the CLI's progress lines and the
dashboard's ``st.progress`` bar are fed by the same callback.

A job calls ``progress(Progress(...))`` as it goes; the callback must be quick and must not raise (a job does not
guard it). ``fraction`` is what a progress bar shows (None: unknown, e.g. between the optimiser's stages).

    def to_streamlit(bar):                       # bar = st.progress(0.0)
        def cb(p: Progress) -> None:
            bar.progress(p.fraction or 0.0, text=p.text())
        return cb
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Progress:
    """Where a long job stands.

    ``job``: "batch" | "optimize" | "simulate"; ``stage``: what it is doing now, in words ("solving the MILP",
    a scenario name); ``done`` of ``total`` in ``unit`` ("jobs", "h" simulated, "stages"; total None when unknown);
    ``failed``: failures so far (batch jobs); ``elapsed_s`` wall time since the start; ``eta_s`` estimated wall
    time left (None when it cannot be told yet)."""

    job: str
    stage: str
    done: float
    total: float | None
    unit: str
    elapsed_s: float
    failed: int = 0
    eta_s: float | None = None

    @property
    def fraction(self) -> float | None:
        """``done / total`` in [0, 1] (None when the total is unknown)."""
        if not self.total:
            return None
        return min(max(self.done / self.total, 0.0), 1.0)

    def text(self) -> str:
        """One line: ``batch 12/40 jobs (30 %), 1 failed, 41 s, ETA 1 min 35 s: <stage>``."""
        amount = (f"{self.done:g}/{self.total:g} {self.unit}" if self.total is not None
                  else f"{self.done:g} {self.unit}")
        pct = "" if self.fraction is None else f" ({self.fraction:.0%})"
        failed = f", {self.failed} failed" if self.failed else ""
        eta = "" if self.eta_s is None else f", ETA {duration_text(self.eta_s)}"
        stage = f": {self.stage}" if self.stage else ""
        return f"{self.job} {amount}{pct}{failed}, {duration_text(self.elapsed_s)}{eta}{stage}"


class ProgressCallback(Protocol):
    """What a long job accepts as ``progress=``: any callable taking one :class:`Progress`."""

    def __call__(self, progress: Progress, /) -> None: ...


def eta_s(done: float, total: float | None, elapsed_s: float) -> float | None:
    """Time left at the mean pace so far (None before the first unit is done or without a total)."""
    if total is None or done <= 0:
        return None
    return max(elapsed_s / done * (total - done), 0.0)


def duration_text(seconds: float) -> str:
    """``4.2 s``, ``3 min 05 s``, ``2 h 07 min``."""
    if seconds < 60.0:
        return f"{seconds:.1f} s"
    m, s = divmod(round(seconds), 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"
