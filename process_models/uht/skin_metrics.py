"""From a composition-depth profile to the quantities an engineer reads: layers, skin, phases.

Definitions (docs/uht_model.md):
- **skin thickness**: depth from the surface to the first point where x_Zn falls below
  ``skin_edge_zn_frac`` (0.18 = half the seed's nominal skin composition 0.36: the 50 % point used to place
  an interface in depth profiling), linearly interpolated between cell centres;
- **phases** are the phases as quenched (:mod:`process_models.uht.quench`): each depth's equilibrium at the
  temperature where its diffusion froze, with the β of that point either massive α or retained β′; a
  profile given without a quench result (no thermal history) falls back to the diagram at
  ``phase_freeze_temperature_K``;
- **layers**: contiguous runs of cells (from the surface down to the last cell with x_Zn ≥
  ``alloyed_depth_min_zn_frac``) with the same set of phases present and the same quench path;
- **skin phase**: the phases that fill at least ``skin_phase_min_share_frac`` of the skin, most abundant
  first, joined by '+'; **quench path**: the paths that fill at least that share, most abundant first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from process_models.parameters.registry import ParameterValues
from process_models.uht.phase_diagram import PHASES
from process_models.uht.quench import PATHS, QuenchResult, unquenched_phases

_PRESENT = 1e-3  # phase fraction below which a phase is not counted as present in a cell
_FEW_CELLS = 24  # up to this many cells, spans are taken on Python floats
_GREEK = {"alpha": "α", "beta": "β′", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "liquid": "liquid"}


@dataclass(frozen=True)
class Layer:
    """A contiguous run of cells with the same phases present (as quenched) and the same quench path."""

    phase: str
    thickness_m: float
    path: str = "no_history"
    path_text: str = ""
    freeze_temperature_K: tuple[float, float] = (float("nan"), float("nan"))


@dataclass(frozen=True)
class SkinMetrics:
    """Profile metrics of one foil."""

    skin_thickness_m: float
    skin_phase: str
    skin_mean_zn_frac: float
    surface_zn_frac: float
    max_zn_frac: float
    layers: tuple[Layer, ...]
    phase_thickness_m: dict[str, float]
    surface_phase_fractions: dict[str, float]
    phase_fractions_as_quenched: dict[str, float]
    phase_fractions_at_freeze: dict[str, float]
    quench_path: str
    quench_path_shares: dict[str, float]
    skin_freeze_temperature_K: tuple[float, float]


def skin_thickness_m(x: np.ndarray, centres_m: np.ndarray, threshold: float,
                     bottom_m: float | None = None) -> np.ndarray:
    """Depth [m] where each profile in ``x`` (B, N) first falls below ``threshold`` (0 if the surface does); a
    profile that never falls below it has its skin through the whole profile, to ``bottom_m`` (the foil's depth;
    default the last cell centre). Interpolating past the last cell there extrapolated the last two cells' slope:
    a whole 10 µm foil converted to γ read as a 0.9 mm skin."""
    below = x < threshold
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    depth = np.zeros(x.shape[0])
    for b, i in enumerate(first):
        if i == 0:
            continue
        if i < 0:
            depth[b] = centres_m[-1] if bottom_m is None else bottom_m
            continue
        x0, x1 = x[b, i - 1], x[b, i]
        z0, z1 = centres_m[i - 1], centres_m[i]
        frac = (x0 - threshold) / (x0 - x1) if x0 != x1 else 1.0
        depth[b] = z0 + frac * (z1 - z0)
    return depth


def _span(values: np.ndarray, fmt: str, unit: str = "") -> str:
    """"lo–hi" of the finite values (one value when both print alike), or "n/a". A layer's cells are mostly few:
    then Python floats beat three numpy reductions (the same min and max)."""
    if values.size > _FEW_CELLS:
        v = values[np.isfinite(values)]
        if v.size == 0:
            return "n/a"
        lo, hi = format(float(v.min()), fmt), format(float(v.max()), fmt)
        return (lo if lo == hi else f"{lo}–{hi}") + unit
    f = [a for a in values.tolist() if math.isfinite(a)]
    if not f:
        return "n/a"
    lo, hi = format(min(f), fmt), format(max(f), fmt)
    return (lo if lo == hi else f"{lo}–{hi}") + unit


def _t0_text(beta_t0_K: np.ndarray) -> str:
    span = _span(beta_t0_K, ".0f", " K")
    return "no T0: β′ stays below α" if span == "n/a" else f"T0 {span}"


def describe_path(path: str, label: str, freeze_K: np.ndarray, beta_x: np.ndarray, beta_t0_K: np.ndarray) -> str:
    """One line saying how cells of one quench path got their phases (values: ranges over the cells); only the
    path's own line is formatted."""
    T = _span(freeze_K, ".0f", " K")
    if path == "alpha_equilibrium":
        return f"α (equilibrium: single-phase α when diffusion froze at {T})"
    if path == "alpha_massive":
        return f"α (massive from β: β x_Zn {_span(beta_x, '.3f')} frozen at {T} → {_t0_text(beta_t0_K)})"
    if path == "beta_retained":
        return (f"β′ retained (β x_Zn {_span(beta_x, '.3f')} frozen at {T}; {_t0_text(beta_t0_K)}, driving force "
                "below the massive threshold)")
    phases = "+".join(_GREEK.get(p, p) for p in label.split("+")) if label else "none"
    if path == "alpha_beta_diffusional":
        return (f"{phases} (diffusional α+β until diffusion froze at {T}; β x_Zn {_span(beta_x, '.3f')} retained "
                f"as β′, {_t0_text(beta_t0_K)}, driving force below the massive threshold)")
    return {
        "intermetallic": f"{phases} (incomplete conversion: frozen at {T})",
        "liquid": f"{phases} (liquid at the freeze point {T}; solidification not modelled)",
        "not_frozen": f"{phases} (not frozen: equilibrium at the end of the history, {T})",
        "no_history": f"{phases} (no thermal history: read at {T})",
    }[path]


_BASE = 8  # > len(PHASES): a cell's phase set, most abundant first, as the digits of one integer


def _label_keys(fractions: np.ndarray) -> np.ndarray:
    """Integer key per cell of its present phases ordered by abundance (digit r = phase id + 1 of rank r)."""
    order = np.argsort(-fractions, axis=-1, kind="stable")
    present = np.take_along_axis(fractions > _PRESENT, order, axis=-1)
    return np.sum(np.where(present, order + 1, 0) * _BASE ** np.arange(fractions.shape[-1]), axis=-1)


def _label(key: int) -> str:
    names = []
    while key:
        key, digit = divmod(int(key), _BASE)
        names.append(PHASES[digit - 1])
    return "+".join(names)


def _layers(q: QuenchResult, b: int, keys: np.ndarray, n_alloyed: int, widths_m: np.ndarray) -> tuple[Layer, ...]:
    """Runs of cells with the same phase set and quench path, from the surface to the last alloyed cell."""
    k, path = keys[:n_alloyed], q.path[b, :n_alloyed]
    starts = np.concatenate([[0], np.flatnonzero((k[1:] != k[:-1]) | (path[1:] != path[:-1])) + 1])
    layers = []
    for start, stop in zip(starts, [*starts[1:], n_alloyed], strict=True):
        if start >= stop:
            continue
        cells = slice(start, stop)
        label, name = _label(k[start]), PATHS[path[start]]
        freeze = q.freeze_temperature_K[b, cells]
        layers.append(Layer(
            phase=label, thickness_m=float(np.sum(widths_m[cells])), path=name,
            path_text=describe_path(name, label, freeze, q.beta_zn_frac[b, cells], q.beta_t0_K[b, cells]),
            freeze_temperature_K=(float(freeze.min()), float(freeze.max())),
        ))
    return tuple(layers)


def _heaviest_key(keys: np.ndarray, weights: np.ndarray) -> int:
    """The key with the largest summed weight (the smallest such key on a tie); sums in cell order."""
    total: dict[int, float] = {}
    for k, w in zip(keys.tolist(), weights.tolist(), strict=True):
        total[k] = total.get(k, 0.0) + w
    return min(total, key=lambda k: (-total[k], k))


def _skin_path(q: QuenchResult, b: int, weights: np.ndarray, keys: np.ndarray, path_share: np.ndarray,
               min_share: float) -> str:
    """The skin's quench paths filling at least ``min_share`` of it, most abundant first, with their shares."""
    parts = []
    for k in np.argsort(-path_share, kind="stable"):
        if path_share[k] < min_share:
            break
        sel = np.flatnonzero((weights > 0.0) & (q.path[b] == k))
        label = _label(_heaviest_key(keys[sel], weights[sel]))
        text = describe_path(PATHS[k], label, q.freeze_temperature_K[b, sel], q.beta_zn_frac[b, sel],
                             q.beta_t0_K[b, sel])
        parts.append(f"{text} [{100.0 * path_share[k]:.0f} % of the skin]")
    return "; ".join(parts)


def _shares(weights: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    return (fractions * weights[:, None]).sum(axis=0) / weights.sum()


def skin_metrics(x: np.ndarray, centres_m: np.ndarray, widths_m: np.ndarray, params: ParameterValues,
                 quench: QuenchResult | None = None) -> list[SkinMetrics]:
    """Metrics of each profile in ``x`` (B, N) on cells with the given centres and widths [m].

    ``quench``: the phases as quenched (:func:`process_models.uht.quench.quench_phases`) for these profiles;
    None reads the diagram at ``phase_freeze_temperature_K`` (profiles with no thermal history).
    """
    x = np.clip(np.atleast_2d(x), 0.0, 1.0)
    q = unquenched_phases(x, params) if quench is None else quench
    fractions = q.fractions  # (B, N, P)
    skins = skin_thickness_m(x, centres_m, params["skin_edge_zn_frac"], float(centres_m[-1] + widths_m[-1] / 2.0))
    min_zn = params["alloyed_depth_min_zn_frac"]
    min_share = params["skin_phase_min_share_frac"]
    keys = _label_keys(fractions)  # (B, N)
    out = []
    for b in range(x.shape[0]):
        alloyed = np.nonzero(x[b] >= min_zn)[0]
        n_alloyed = alloyed[-1] + 1 if alloyed.size else 0
        thick = fractions[b, :n_alloyed].T @ widths_m[:n_alloyed]
        seen = np.any(fractions[b, :n_alloyed] > _PRESENT, axis=0)
        phase_thickness = {PHASES[p]: float(thick[p]) for p in range(len(PHASES)) if seen[p]}
        skin = skins[b]
        in_skin = np.clip((skin - (centres_m - widths_m / 2.0)) / widths_m, 0.0, 1.0)  # share of each cell
        weights = in_skin * widths_m
        if skin > 0.0:
            share = _shares(weights, fractions[b])
            order = np.argsort(-share)
            skin_phase = "+".join(PHASES[p] for p in order if share[p] >= min_share)
            mean_zn = float(np.sum(x[b] * weights) / skin)
            at_freeze = _shares(weights, q.fractions_at_freeze[b])
            path_share = np.bincount(q.path[b], weights=weights, minlength=len(PATHS)) / weights.sum()
            quench_path = _skin_path(q, b, weights, keys[b], path_share, min_share)
            freeze = q.freeze_temperature_K[b, weights > 0.0]
            freeze_range = (float(freeze.min()), float(freeze.max()))
        else:
            skin_phase, mean_zn, quench_path = "none", 0.0, "none"
            share = at_freeze = np.zeros(len(PHASES))
            path_share = np.zeros(len(PATHS))
            freeze_range = (float("nan"), float("nan"))
        out.append(SkinMetrics(
            skin_thickness_m=float(skin), skin_phase=skin_phase, skin_mean_zn_frac=mean_zn,
            surface_zn_frac=float(x[b, 0]), max_zn_frac=float(x[b].max()),
            layers=_layers(q, b, keys[b], n_alloyed, widths_m),
            phase_thickness_m=phase_thickness,
            surface_phase_fractions={PHASES[p]: float(fractions[b, 0, p]) for p in range(len(PHASES))
                                     if fractions[b, 0, p] > _PRESENT},
            phase_fractions_as_quenched={PHASES[p]: float(share[p]) for p in range(len(PHASES)) if share[p] > 0.0},
            phase_fractions_at_freeze={PHASES[p]: float(at_freeze[p]) for p in range(len(PHASES))
                                       if at_freeze[p] > 0.0},
            quench_path=quench_path,
            quench_path_shares={PATHS[k]: float(path_share[k]) for k in range(len(PATHS)) if path_share[k] > 0.0},
            skin_freeze_temperature_K=freeze_range,
        ))
    return out
