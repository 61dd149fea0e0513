"""Main effects of a batch's factors: per factor, the mean of a KPI over every finished run at each of its levels,
with the 95 % t-interval of that mean (issue 12). Rows are ``ResultsDB.runs_table``'s (one per scenario ×
replication, factor values as columns). In a full-factorial sweep each level's mean averages over the other
factors' levels alike, so the line through the level means is the factor's main effect; in a space-filling design
every point has its own level, so the means are single runs (n = 1, no interval)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twin.replications import t_interval


@dataclass(frozen=True)
class LevelMean:
    """One level of a factor: the KPI's mean over ``n`` runs and its 95 % t-interval (None with one run)."""

    level: Any
    n: int
    mean: float
    ci_low: float | None
    ci_high: float | None


def _sort_key(v: Any) -> tuple[int, Any]:
    return (0, float(v)) if isinstance(v, int | float) and not isinstance(v, bool) else (1, str(v))


def main_effects(rows: list[dict[str, Any]], factors: list[str], kpi: str) -> dict[str, list[LevelMean]]:
    """Per factor with at least two levels among the finished runs (``status`` "ok", ``kpi`` a number): its level
    means in level order."""
    out: dict[str, list[LevelMean]] = {}
    ok = [r for r in rows if r.get("status") == "ok" and isinstance(r.get(kpi), int | float)]
    for f in factors:
        groups: dict[Any, list[float]] = {}
        for r in ok:
            if r.get(f) is not None:
                groups.setdefault(r[f], []).append(float(r[kpi]))
        if len(groups) < 2:
            continue
        levels = []
        for level in sorted(groups, key=_sort_key):
            mean, _, lo, hi = t_interval(groups[level])
            levels.append(LevelMean(level, len(groups[level]), mean, lo, hi))
        out[f] = levels
    return out
