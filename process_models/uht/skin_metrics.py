"""From a composition-depth profile to the quantities an engineer reads: layers, skin, phases.

Definitions (docs/uht_model.md):
- **skin thickness**: depth from the surface to the first point where x_Zn falls below
  ``skin_edge_zn_frac`` (0.18 = half the seed's nominal skin composition 0.36: the 50 % point used to place
  an interface in depth profiling), linearly interpolated between cell centres;
- **phases** are read from the Cu–Zn diagram at ``phase_freeze_temperature_K`` (the profile is taken as
  frozen below it), with the lever rule inside two-phase fields;
- **layers**: contiguous runs of cells (from the surface down to the last cell with x_Zn ≥
  ``alloyed_depth_min_zn_frac``) with the same set of phases present;
- **skin phase**: the phases that fill at least ``skin_phase_min_share_frac`` of the skin, most abundant
  first, joined by '+'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from process_models.parameters.registry import ParameterValues
from process_models.uht.phase_diagram import PHASES, cuzn_phase_diagram

_PRESENT = 1e-3  # phase fraction below which a phase is not counted as present in a cell


@dataclass(frozen=True)
class Layer:
    """A contiguous run of cells with the same phases present."""

    phase: str
    thickness_m: float


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


def skin_thickness_m(x: np.ndarray, centres_m: np.ndarray, threshold: float) -> np.ndarray:
    """Depth [m] where each profile in ``x`` (B, N) first falls below ``threshold`` (0 if the surface does)."""
    below = x < threshold
    first = np.where(below.any(axis=1), below.argmax(axis=1), x.shape[1] - 1)
    depth = np.zeros(x.shape[0])
    for b, i in enumerate(first):
        if i == 0:
            continue
        x0, x1 = x[b, i - 1], x[b, i]
        z0, z1 = centres_m[i - 1], centres_m[i]
        frac = (x0 - threshold) / (x0 - x1) if x0 != x1 else 1.0
        depth[b] = z0 + frac * (z1 - z0)
    return depth


def skin_metrics(x: np.ndarray, centres_m: np.ndarray, widths_m: np.ndarray,
                 params: ParameterValues) -> list[SkinMetrics]:
    """Metrics of each profile in ``x`` (B, N) on cells with the given centres and widths [m]."""
    diagram = cuzn_phase_diagram()
    x = np.clip(np.atleast_2d(x), 0.0, 1.0)
    fractions = diagram.phase_fractions(x, params["phase_freeze_temperature_K"])  # (B, N, P)
    threshold = params["skin_edge_zn_frac"]
    skins = skin_thickness_m(x, centres_m, threshold)
    min_zn = params["alloyed_depth_min_zn_frac"]
    min_share = params["skin_phase_min_share_frac"]
    out = []
    for b in range(x.shape[0]):
        alloyed = np.nonzero(x[b] >= min_zn)[0]
        n_alloyed = alloyed[-1] + 1 if alloyed.size else 0
        layers: list[Layer] = []
        for i in range(n_alloyed):
            present = [PHASES[p] for p in np.argsort(-fractions[b, i]) if fractions[b, i, p] > _PRESENT]
            label = "+".join(present)
            if layers and layers[-1].phase == label:
                layers[-1] = Layer(label, layers[-1].thickness_m + widths_m[i])
            else:
                layers.append(Layer(label, float(widths_m[i])))
        phase_thickness = {
            PHASES[p]: float(np.sum(fractions[b, :n_alloyed, p] * widths_m[:n_alloyed]))
            for p in range(len(PHASES))
            if np.any(fractions[b, :n_alloyed, p] > _PRESENT)
        }
        skin = skins[b]
        in_skin = np.clip((skin - (centres_m - widths_m / 2.0)) / widths_m, 0.0, 1.0)  # share of each cell
        if skin > 0.0:
            share = (fractions[b] * (in_skin * widths_m)[:, None]).sum(axis=0) / skin
            order = np.argsort(-share)
            skin_phase = "+".join(PHASES[p] for p in order if share[p] >= min_share)
            mean_zn = float(np.sum(x[b] * in_skin * widths_m) / skin)
        else:
            skin_phase, mean_zn = "none", 0.0
        out.append(SkinMetrics(
            skin_thickness_m=float(skin), skin_phase=skin_phase, skin_mean_zn_frac=mean_zn,
            surface_zn_frac=float(x[b, 0]), max_zn_frac=float(x[b].max()), layers=tuple(layers),
            phase_thickness_m=phase_thickness,
            surface_phase_fractions={PHASES[p]: float(fractions[b, 0, p]) for p in range(len(PHASES))
                                     if fractions[b, 0, p] > _PRESENT},
        ))
    return out
