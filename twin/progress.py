"""The progress callback every long job takes: ``on_progress(done, total, label)``.

``done`` of ``total`` steps are finished; ``label`` says what was just finished (or starts next), in words a user
reads. The CLI prints it, the dashboard feeds a progress bar with it; the job itself never sleeps or prints for
it. Minimal protocol defined for the dashboard's replications (issue 12); the CLI's batch/optimise/simulate
progress uses the same shape.
"""

from __future__ import annotations

from typing import Protocol


class OnProgress(Protocol):
    """``on_progress(done, total, label)``: ``0 <= done <= total``, called once per finished step."""

    def __call__(self, done: int, total: int, label: str) -> None: ...


def no_progress(done: int, total: int, label: str) -> None:
    """The callback of a caller that wants none."""
