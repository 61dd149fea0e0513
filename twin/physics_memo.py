"""Solved segment histories kept across runs in one process: a batch worker's memo (issue 15).

A run's :class:`twin.segment_physics.SegmentPhysics` already solves each distinct quantised history once. Runs of
the same plant with other seeds (replications) meet mostly the same histories again: of the ≈190 distinct
histories of a 168 h default-plant run, ≈80 % were solved by the runs with other seeds before it. A
:class:`PhysicsMemo` owned by the caller that runs them one after the other (a batch worker process) keeps those
results, so each later run solves only what is new to the process.

Results stay those of a fresh process, bit for bit: a history's result does not depend on which histories share
its solve (the run's own cache relies on the same), the key holds the whole parameter set (names, values,
sources, kinds), and the citations registered while a result was computed are registered again on every hit
(:class:`process_models.cache.EvaluationCache`), so a run's report lists its sources as a fresh run's would.
What a run reports as its ``physics_solves`` is the histories new to that run, memo or not.

The UHT lines' stage-III heater tables (:class:`twin.heaters.HeaterLoop`: the set point's power and the peaks at
the powers around it) are kept in the same memo under keys of their own (parameters key, what the table is, the
line's speed, heater length, foil, quench and set point or powers): a repeated run of the same line (the
optimiser's twin check of a point seen before) then needs no web-heater solve, and no load of its compiled kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from process_models.cache import EvaluationCache
from process_models.parameters.registry import ParameterValues

PHYSICS_MEMO_SIZE = 20_000  # distinct (parameters, history) results a memo keeps, least recently used evicted


def parameters_key(params: ParameterValues) -> tuple:
    """What a result depends on among the parameters: every record's name, value, source and kind."""
    return tuple((p.name, p.value, p.source, p.kind) for p in params.records())


class PhysicsMemo(EvaluationCache[tuple, Any]):
    """Results of segment histories keyed on (parameters key, history), across the runs of one process."""

    def __init__(self, max_size: int = PHYSICS_MEMO_SIZE) -> None:
        super().__init__(max_size)

    def results(self, params_key: tuple, histories: Sequence[Any],
                solve: Callable[[list[Any]], Sequence[Any]]) -> list[Any]:
        """The results of ``histories`` under ``params_key``; ``solve`` gets the histories not yet known, in
        first-seen order, and returns their results (errors as values) in that order."""
        keys = [(params_key, h) for h in histories]
        return self.get_many(keys, lambda missing: solve([h for _, h in missing]))
