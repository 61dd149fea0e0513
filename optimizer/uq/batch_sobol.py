"""Sobol indices from the results of a batch with a ``sobol`` design (issue 10 item 5; docs/batches.md,
docs/calibration.md §7b): ``foiltwin batch summary DB --sobol`` and the dashboard's tornado chart.

The design is rebuilt from the spec stored with the batch (deterministic from its seed), and each entry's position
in the spec's expansion — named scenario i, design point n, replication r: position (i·P + n)·R + r — tells which
point of Saltelli's design it is. Per named scenario and KPI, the design point's value is the mean over its
finished replications (every point sees the same seeds: common random numbers), and SALib's estimators
(:func:`optimizer.uq.sensitivity.analyse_sobol`, the code ``foiltwin sensitivity`` uses) give first-order and total
indices over the design's factor ranges (independent uniform factors). Every design point needs a result; a KPI
missing at any point (a run with no good metres has no cost per good m²) is left out and named.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from optimizer.uq.sensitivity import analyse_sobol
from process_models.errors import FoiltwinInputError
from twin.batch import BatchSpec
from twin.results_db import SUMMARY_KPIS, ResultsDB


def sobol_of_results(spec_json: str, entries: list[dict[str, Any]], kpis: tuple[str, ...] = SUMMARY_KPIS
                     ) -> dict[str, Any]:
    """Indices per named scenario from a batch's stored spec and its entries in expansion order
    (:meth:`twin.results_db.ResultsDB.positioned_results`)."""
    spec = BatchSpec.model_validate_json(spec_json)
    design = spec.design
    if design is None or design.kind != "sobol":
        raise FoiltwinInputError("--sobol", spec.name, "a batch whose spec has design.kind = \"sobol\" (Saltelli's "
                                 "design; docs/batches.md)")
    P, R = design.point_count(), spec.replications
    names = [s.name for s in spec.scenarios] or ["base"]
    if len(entries) != len(names) * P * R:
        raise FoiltwinInputError("--sobol", f"{len(entries)} entries", f"{len(names) * P * R}: the spec's expansion "
                                 "(the batch's entries do not match its stored spec)")
    factors = list(design.ranges)
    out: dict[str, Any] = {}
    for i, name in enumerate(names):
        Y = np.full((P, len(kpis)), math.nan)
        missing = 0
        for n in range(P):
            start = (i * P + n) * R
            ok = [e for e in entries[start:start + R] if e["status"] == "ok"]
            if not ok:
                missing += 1
                continue
            for k, kpi in enumerate(kpis):
                vals = [e["kpis"].get(kpi) for e in ok]
                if all(v is not None for v in vals):
                    Y[n, k] = math.fsum(vals) / len(vals)
        if missing:
            raise FoiltwinInputError("--sobol", f"{missing} of {P} design points of {name!r} without a result",
                                     "a finished batch: every point of Saltelli's design (run or resume it; "
                                     "`foiltwin batch status` lists failures)")
        usable = [k for k in range(len(kpis)) if np.all(np.isfinite(Y[:, k]))]
        res = analyse_sobol(factors, [kpis[k] for k in usable], Y[:, usable], int(design.base_samples or 0),
                            design.seed)
        out[name] = {**res.to_dict(), "kpis_left_out": [kpis[k] for k in range(len(kpis)) if k not in usable]}
    return {"batch": spec.name, "factors": factors, "ranges": {k: list(v) for k, v in design.ranges.items()},
            "base_samples": design.base_samples, "points": P, "replications": R, "seed": design.seed,
            "scenarios": out}


def batch_sobol(db: str | Path, batch: str | None = None, kpis: tuple[str, ...] = SUMMARY_KPIS,
                line: str = "plant") -> dict[str, Any]:
    """Sobol indices of a ``sobol`` batch stored in the results database ``db`` (read-only)."""
    with ResultsDB(db, read_only=True) as store:
        got = store.positioned_results(batch, kpis, line)
    return {"batch_id": got["batch_id"], "line": line, **sobol_of_results(got["spec_json"], got["entries"], kpis)}
