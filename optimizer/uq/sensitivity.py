"""Global sensitivity: Sobol indices of the outputs to the uncertain parameters (issue 10 item 5).

Saltelli's design and Jansen's estimators through SALib (``SALib.sample.sobol``, ``SALib.analyze.sobol``; an
optional dependency, the ``uq`` extra), first-order S1 (the share of the output variance a parameter explains
alone) and total ST (alone and through every interaction), with bootstrap confidence intervals. N base draws
cost N·(d + 2) model runs.

Sobol indices assume independent inputs: each parameter is drawn from its own marginal (the normal of
:class:`~optimizer.uq.propagate.ParameterUncertainty` in its ln or linear space, truncated to the registry bounds
and any bracket); the correlations of a fitted set are NOT kept here (the propagation keeps them). A parameter
without a standard error can be given an assumed relative standard deviation (:func:`with_assumed_spread`), marked
as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.uq.propagate import Model, ParameterUncertainty, uncertainty_of
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues


def _salib():
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:  # pragma: no cover - the extra is part of dev
        raise FoiltwinInputError("sensitivity", "SALib", "installed: pip install 'foiltwin[uq]'") from None
    return sample, analyze


def with_assumed_spread(values: ParameterValues, pset: Any, names: Sequence[str],
                        spread: Mapping[str, float]) -> ParameterUncertainty:
    """The uncertainty of ``names``: a standard error where the set or registry has one, else the assumed
    relative standard deviation ``spread[name]`` (fraction of the value; source "assumed ±x %")."""
    missing = [n for n in names if n not in spread]
    known = uncertainty_of(values, pset, missing) if missing else None
    for n, rel in spread.items():
        if n not in names:
            raise FoiltwinInputError("--spread", n, f"one of the parameters analysed ({', '.join(names)})")
        if not (isinstance(rel, int | float) and 0.0 < rel <= 1.0):
            raise FoiltwinInputError(f"--spread {n}", rel, "a relative standard deviation in (0, 1]")
        if values[n] == 0.0:
            raise FoiltwinInputError(f"--spread {n}", rel, "a parameter with a non-zero value (relative spread)")
    from twin.parameter_uncertainty import choose_transform, draw_bounds

    sd, log, src = [], [], []
    for n in names:
        if n in spread:
            sd.append(abs(values[n]) * spread[n])
            log.append(choose_transform(values[n], values.record(n).bounds) == "log")
            src.append(f"assumed ±{spread[n]:.0%}")
        else:
            k = known.names.index(n)  # type: ignore[union-attr]
            sd.append(known.sd[k])  # type: ignore[union-attr]
            log.append(bool(known.log[k]))  # type: ignore[union-attr]
            src.append(known.sources[k])  # type: ignore[union-attr]
    return ParameterUncertainty(tuple(names), np.array([values[n] for n in names]), np.diag(np.square(sd)),
                                np.array(log), np.array([draw_bounds(values.record(n)) for n in names], dtype=float),
                                tuple(src))


def independent_from_uniform(unc: ParameterUncertainty, u: np.ndarray) -> np.ndarray:
    """Parameter vectors from uniforms ``u`` (k, d): each marginal a normal in its ln/linear space truncated to
    the registry bounds and any bracket (inverse CDF), the correlations dropped."""
    from scipy.stats import norm

    z0, cz = unc._z_cov()
    s = np.sqrt(np.clip(np.diag(cz), 0.0, None))
    lo, hi = unc.bounds[:, 0], unc.bounds[:, 1]
    with np.errstate(divide="ignore"):
        zlo = np.where(unc.log, np.log(np.maximum(lo, 0.0)), lo)
        zhi = np.where(unc.log, np.log(hi), hi)
    safe = np.where(s > 0.0, s, 1.0)
    a, b = norm.cdf((zlo - z0) / safe), norm.cdf((zhi - z0) / safe)
    p = np.clip(a + np.clip(u, 0.0, 1.0) * (b - a), 1e-12, 1.0 - 1e-12)
    z = z0 + s * norm.ppf(p)
    return np.where(unc.log, np.exp(np.where(unc.log, z, 0.0)), z)


@dataclass
class SobolResult:
    """First-order and total indices (outputs × parameters) with their confidence half-widths."""

    names: tuple[str, ...]
    outputs: tuple[str, ...]
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    base_samples: int
    runs: int
    output_sd: np.ndarray

    def dominant(self, output: str) -> str:
        """The parameter with the largest total index for ``output``."""
        return self.names[int(np.argmax(self.ST[self.outputs.index(output)]))]

    def to_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        def indices(i: int) -> dict[str, Any]:
            return {n: {"S1": num(self.S1[i, j]), "S1_conf": num(self.S1_conf[i, j]), "ST": num(self.ST[i, j]),
                        "ST_conf": num(self.ST_conf[i, j])} for j, n in enumerate(self.names)}

        moves = [self.output_sd[i] > 0.0 and bool(np.isfinite(self.ST[i]).any()) for i in range(len(self.outputs))]
        return {"method": "Sobol (Saltelli design, SALib), independent marginals", "base_samples": self.base_samples,
                "runs": self.runs, "parameters": list(self.names), "outputs": {
                    o: {"sd": num(self.output_sd[i]), "dominant": self.dominant(o) if moves[i] else None,
                        "indices": indices(i)} for i, o in enumerate(self.outputs)}}


def check_base_samples(base_samples: int, field: str = "--samples") -> None:
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise FoiltwinInputError(field, base_samples, "a power of 2 ≥ 2 (Sobol' sequence balance)")


def analyse_sobol(names: Sequence[str], outputs: Sequence[str], Y: np.ndarray, base_samples: int,
                  seed: int = 0) -> SobolResult:
    """Sobol indices (SALib's estimators, bootstrap confidence) of the outputs ``Y`` (rows: Saltelli's design of
    ``base_samples`` N over the ``names`` in SALib's order, first and total order: N·(d + 2) rows). An output that
    does not move gets zero indices (no variance to share). Shared by :func:`sobol_uniform` and the batch
    designs' indices (:mod:`optimizer.uq.batch_sobol`)."""
    _, analyze = _salib()
    d, m = len(names), len(outputs)
    Y = np.asarray(Y, dtype=float).reshape(-1, m)
    if Y.shape[0] != base_samples * (d + 2):
        raise ValueError(f"{Y.shape[0]} rows for N = {base_samples} and d = {d}: need N·(d + 2)")
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    S1, S1c, ST, STc = (np.full((m, d), np.nan) for _ in range(4))
    sd = Y.std(axis=0)
    for i in range(m):
        if sd[i] <= 1e-12 * max(abs(Y[:, i]).max(), 1e-300):  # the output does not move: no variance to share
            S1[i], ST[i], S1c[i], STc[i] = 0.0, 0.0, 0.0, 0.0
            continue
        # SALib seeds its bootstrap only for a truthy seed (`if seed:`): seed 0 left the confidence intervals to
        # numpy's global state, so one command gave other intervals on each run. seed + 1 is never 0.
        r = analyze.analyze(problem, Y[:, i], calc_second_order=False, seed=seed + 1)
        S1[i], S1c[i], ST[i], STc[i] = r["S1"], r["S1_conf"], r["ST"], r["ST_conf"]
    return SobolResult(tuple(names), tuple(outputs), S1, S1c, ST, STc, base_samples, Y.shape[0], sd)


def sobol_uniform(g: Model, names: Sequence[str], outputs: Sequence[str], base_samples: int = 64,
                  seed: int = 0) -> SobolResult:
    """Sobol indices of ``g`` over independent uniforms on [0, 1]ᵈ (``base_samples``: a power of 2)."""
    check_base_samples(base_samples)
    sample, _ = _salib()
    d = len(names)
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    U = sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    Y = np.asarray(g(U), dtype=float).reshape(U.shape[0], len(outputs))
    if not np.all(np.isfinite(Y)):
        bad = int((~np.all(np.isfinite(Y), axis=1)).sum())
        raise FoiltwinInputError("sensitivity", f"{bad} of {U.shape[0]} runs refused by the models",
                                 "parameter draws the models accept (narrow the spreads)")
    return analyse_sobol(names, outputs, Y, base_samples, seed)


def sobol_indices(f: Model, unc: ParameterUncertainty, outputs: Sequence[str], base_samples: int = 64,
                  seed: int = 0) -> SobolResult:
    """Sobol indices of ``f``'s outputs over ``unc``'s independent marginals (see the module docstring)."""
    return sobol_uniform(lambda U: f(independent_from_uniform(unc, U)), unc.names, outputs, base_samples, seed)
