"""Quality INDICATORS fitted to the seeds: Li nucleation overpotential, nucleus density, CE for a cycle life.

These are not a cell model. They rank surfaces the line makes (textured Cu, γ-Cu5Zn8, α-brass, Ag plumes)
with a few numbers taken from seeds 000/001/002/004; docs/texture_ag_quality.md.

- **Nucleation overpotential** η = η_Cu(protocol)·(j/j_protocol)^p · S. The seeds' bare-Cu values disagree
  (93.6 mV ether at 0.1 mA/cm², seed 002; 365 mV carbonate at 1 mA/cm², seed 004; 30-50 mV commercial Cu,
  seed 000 O3) because electrolyte and current differ, so each is a *protocol baseline* and surfaces enter
  only as a factor S relative to the bare (commercial, (111)-rich) Cu of the same test. S of a mixed surface
  is the coverage-weighted mean of its parts (seed note 001 M1 generalised: η = η_Cu(1 − φ) when the
  lithiophilic part has η ≈ 0); bare Cu's own S is its texture-weighted facet factor over that of the
  reference commercial texture, so the seeds' bare Cu has S = 1 by construction.
- **Nucleus density** N/N_ref = (η/η_ref)³ (Pei2017; seed note 001 M3).
- **CE for a cycle life** (anode-free, zero Li excess): retention after n cycles = CE^n, so
  CE_required = retention^(1/n) and n = ln(retention)/ln(CE).
- :func:`figure_of_merit` is a heuristic for the optimiser, documented as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError
from process_models.errors import check_array as _check
from process_models.parameters import parameters_or_default as _values
from process_models.rowwise import row_dot
from process_models.texture.texture_model import Texture, as_texture_array

FloatArray = NDArray[np.float64]
ParamsLike = Mapping[str, float] | None
Protocol = Literal["seed002_ether", "seed004_carbonate", "seed000_review"]

PROTOCOLS: tuple[str, ...] = ("seed002_ether", "seed004_carbonate", "seed000_review")
_PROTOCOL_SOURCE = {"seed002_ether": "Wang2025", "seed004_carbonate": "Zhang2023", "seed000_review": "Feng2026"}
_COVERAGE_TOL = 1e-9
CURRENT_DENSITY_RANGE_A_PER_M2 = (1e-3, 1e3)  # 0.1 µA/cm2 to 100 mA/cm2
# Seed anchors of the nucleation overpotential:
# (name, protocol, surface, registry name of the measured value [V], registry name of its stated band or None)
SEED_ANCHORS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("seed002 Fig. 2a Cu", "seed002_ether", "cu", "nucleation_seed002_ether_bare_cu_V", None),
    ("seed002 Fig. 2a Cu@Cu5Zn8", "seed002_ether", "gamma", "nucleation_seed002_ether_gamma_V", None),
    ("seed002 Fig. 2a Cu@Cu0.64Zn0.36", "seed002_ether", "alpha", "nucleation_seed002_ether_alpha_V", None),
    ("seed004 Fig. 3b Cu", "seed004_carbonate", "cu", "nucleation_seed004_carbonate_bare_cu_V", None),
    ("seed004 Fig. 3b Ag@Cu", "seed004_carbonate", "ag", "nucleation_seed004_carbonate_ag_V", None),
    ("seed000 O3 commercial (111)-rich Cu", "seed000_review", "cu", "nucleation_seed000_review_bare_cu_V",
     "nucleation_seed000_review_band_V"),
)
# Rounding of the seeds' printed values (0.1 mV / 1 mV): the tolerance the anchors are checked to.
ANCHOR_PRINT_TOLERANCE_V = 5e-4





# ---------------------------------------------------------------------------------------------------------
# Nucleation overpotential
# ---------------------------------------------------------------------------------------------------------
def bare_cu_baseline(protocol: Protocol, params: ParamsLike = None) -> tuple[float, float]:
    """(bare-Cu nucleation overpotential [V], its current density [A/m2]) of a seed test protocol."""
    if protocol not in PROTOCOLS:
        raise FoiltwinInputError("protocol", protocol, f"one of {', '.join(PROTOCOLS)}")
    values = _values(params)
    register(_PROTOCOL_SOURCE[protocol], "quality_indicators.bare_cu_baseline")
    return (float(values[f"nucleation_{protocol}_bare_cu_V"]),
            float(values[f"nucleation_{protocol}_current_density_A_per_m2"]))


def _facet_factors(values: Mapping[str, float]) -> FloatArray:
    return np.array([values[f"nucleation_facet_{f}_frac"] for f in ("111", "100", "110", "random")])


def cu_surface_factor(texture: Texture | ArrayLike, params: ParamsLike = None) -> FloatArray:
    """Overpotential factor of bare Cu with ``texture`` ((4,) or (B, 4)) relative to the seeds' commercial Cu.

    Σ f_hkl·s_hkl / Σ f_ref,hkl·s_hkl with facet factors s (ordering from seed 000 T3/T5/T9, values assumed).
    """
    register("Feng2026", "quality_indicators.cu_surface_factor")
    values = _values(params)
    s = _facet_factors(values)
    ref3 = np.array([values[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")])
    if ref3.sum() > 1.0 + 1e-12:
        raise FoiltwinInputError("bare_cu_reference_*_frac", ref3.tolist(), "shares summing to at most 1")
    ref = np.append(ref3, max(1.0 - ref3.sum(), 0.0))
    denominator = float(ref @ s)
    if denominator <= 0.0:
        raise FoiltwinInputError("nucleation_facet_*_frac", s.tolist(), "a positive factor for the reference foil")
    return row_dot(as_texture_array(texture, "texture"), s) / denominator


def surface_factor(
    texture: Texture | ArrayLike,
    gamma_frac: ArrayLike = 0.0,
    alpha_frac: ArrayLike = 0.0,
    ag_frac: ArrayLike = 0.0,
    params: ParamsLike = None,
) -> FloatArray:
    """Overpotential factor S (B,) of a surface: coverage-weighted mean over bare Cu, γ-Cu5Zn8, α-brass, Ag.

    Coverages are area fractions (scalars or (B,)); bare Cu covers the rest and carries ``texture``.
    """
    register("Wang2025", "quality_indicators.surface_factor")
    register("Zhang2023", "quality_indicators.surface_factor")
    register("WangTY2024", "quality_indicators.surface_factor")
    values = _values(params)
    g = _check("gamma_frac", gamma_frac, 0.0, 1.0, "1")
    a = _check("alpha_frac", alpha_frac, 0.0, 1.0, "1")
    s = _check("ag_frac", ag_frac, 0.0, 1.0, "1")
    s_cu = cu_surface_factor(texture, values)
    try:
        g, a, s, s_cu = np.broadcast_arrays(np.atleast_1d(g), np.atleast_1d(a), np.atleast_1d(s), s_cu)
    except ValueError:
        raise FoiltwinInputError("coverages", (np.shape(gamma_frac), np.shape(alpha_frac), np.shape(ag_frac)),
                                 "scalars or arrays of one length B, like the texture batch") from None
    covered = g + a + s
    over = covered > 1.0 + _COVERAGE_TOL
    if np.any(over):
        i = int(np.flatnonzero(over)[0])
        raise FoiltwinInputError("gamma_frac+alpha_frac+ag_frac", float(covered[i]), "at most 1 (area fractions)")
    bare = np.clip(1.0 - covered, 0.0, 1.0)
    return (bare * s_cu + g * values["nucleation_factor_gamma_frac"] + a * values["nucleation_factor_alpha_frac"]
            + s * values["nucleation_factor_ag_frac"])


def nucleation_overpotential_V(
    texture: Texture | ArrayLike,
    gamma_frac: ArrayLike = 0.0,
    alpha_frac: ArrayLike = 0.0,
    ag_frac: ArrayLike = 0.0,
    *,
    protocol: Protocol = "seed002_ether",
    current_density_A_per_m2: ArrayLike | None = None,
    params: ParamsLike = None,
) -> FloatArray:
    """Li nucleation overpotential indicator [V] (B,): η_Cu(protocol)·(j/j_protocol)^p·S(surface).

    ``current_density_A_per_m2`` defaults to the protocol's own (then p plays no role).
    """
    values = _values(params)
    eta_cu, j_ref = bare_cu_baseline(protocol, values)
    S = surface_factor(texture, gamma_frac, alpha_frac, ag_frac, values)
    if current_density_A_per_m2 is None:
        return eta_cu * S
    register("Zhang2023", "quality_indicators.nucleation_overpotential_V (current scaling)")
    j = _check("current_density_A_per_m2", current_density_A_per_m2, *CURRENT_DENSITY_RANGE_A_PER_M2, "A/m2")
    return eta_cu * (j / j_ref) ** values["nucleation_current_exponent_frac"] * S


def anchor_residuals(params: ParamsLike = None) -> list[dict]:
    """Model vs every seed anchor of the nucleation overpotential: measured, model, residual [V], allowed [V].

    ``allowed`` is the anchor's stated band (O3: ±10 mV) plus the print rounding of the seeds' values.
    """
    values = _values(params)
    ref_texture = np.array([values[f"bare_cu_reference_{f}_frac"] for f in ("111", "100", "110")])
    ref_texture = np.append(ref_texture, 1.0 - ref_texture.sum())
    out = []
    for name, protocol, surface, measured_name, band_name in SEED_ANCHORS:
        measured = float(values[measured_name])
        band = 0.0 if band_name is None else float(values[band_name])
        cover = {k: (1.0 if surface == k else 0.0) for k in ("gamma", "alpha")}
        cover["ag"] = values["ag_plume_coverage_at_reference_frac"] if surface == "ag" else 0.0
        model = float(nucleation_overpotential_V(ref_texture, cover["gamma"], cover["alpha"], cover["ag"],
                                                 protocol=protocol, params=values)[0])
        out.append({"anchor": name, "source": _PROTOCOL_SOURCE[protocol], "measured_V": measured,
                    "model_V": model, "residual_V": model - measured,
                    "allowed_V": band + ANCHOR_PRINT_TOLERANCE_V})
    return out


def nucleation_density_ratio(
    overpotential_V: ArrayLike, reference_overpotential_V: ArrayLike, params: ParamsLike = None
) -> FloatArray:
    """Areal nucleus density relative to a reference, (η/η_ref)^3 (Pei2017; seed note 001 M3).

    Meaningful at a fixed surface when η changes with the current density; across surfaces at fixed j a
    lower η means fewer, larger nuclei (seed note 001 M3).
    """
    register("Pei2017", "quality_indicators.nucleation_density_ratio")
    register("WangTY2024", "quality_indicators.nucleation_density_ratio")
    eta = _check("overpotential_V", overpotential_V, 0.0, None, "V")
    eta_ref = _check("reference_overpotential_V", reference_overpotential_V, 0.0, None, "V", low_inclusive=False)
    return (eta / eta_ref) ** _values(params)["nucleation_density_exponent_frac"]


# ---------------------------------------------------------------------------------------------------------
# Coulombic efficiency and cycle life (anode-free: zero Li excess)
# ---------------------------------------------------------------------------------------------------------
def required_coulombic_efficiency(retention_frac: ArrayLike, cycles_count: ArrayLike) -> FloatArray:
    """Mean CE needed to keep ``retention_frac`` of the Li after ``cycles_count`` cycles: retention^(1/n)."""
    r = _check("retention_frac", retention_frac, 0.0, 1.0, "1", low_inclusive=False)
    n = _check("cycles_count", cycles_count, 0.0, None, "cycles", low_inclusive=False)
    return np.exp(np.log(r) / n)


def retention_after_cycles(coulombic_efficiency_frac: ArrayLike, cycles_count: ArrayLike) -> FloatArray:
    """Li (capacity) retention after n cycles at a mean CE, CE^n (anode-free, zero excess)."""
    ce = _check("coulombic_efficiency_frac", coulombic_efficiency_frac, 0.0, 1.0, "1")
    n = _check("cycles_count", cycles_count, 0.0, None, "cycles")
    return ce**n


def cycles_to_retention(coulombic_efficiency_frac: ArrayLike, retention_frac: ArrayLike) -> FloatArray:
    """Cycles until the retention falls to ``retention_frac`` at a mean CE: ln(retention)/ln(CE) (inf at CE=1)."""
    ce = _check("coulombic_efficiency_frac", coulombic_efficiency_frac, 0.0, 1.0, "1", low_inclusive=False)
    r = _check("retention_frac", retention_frac, 0.0, 1.0, "1", low_inclusive=False)
    ce, r = np.broadcast_arrays(ce, r)
    out = np.where(r < 1.0, np.inf, 0.0)
    lossy = ce < 1.0
    out[lossy] = np.log(r[lossy]) / np.log(ce[lossy])
    return out + 0.0  # (no −0.0 for retention 1)


def ce_anchors(params: ParamsLike = None) -> list[dict]:
    """The seeds' CE and retention anchors with the mean CE each implies (documentation, no fit)."""
    register("Wang2025", "quality_indicators.ce_anchors")
    register("Feng2026", "quality_indicators.ce_anchors")
    values = _values(params)
    out = []
    for key in ("seed002_ether", "seed002_carbonate", "seed000_cu_cnt"):
        out.append({"anchor": f"ce {key}", "ce_frac": values[f"ce_anchor_{key}_frac"],
                    "cycles_count": values[f"ce_anchor_{key}_cycles_count"]})
    for key in ("seed000_wavy_lfp", "seed000_fsi_pouch"):
        r, n = values[f"retention_anchor_{key}_frac"], values[f"retention_anchor_{key}_cycles_count"]
        out.append({"anchor": f"retention {key}", "retention_frac": r, "cycles_count": n,
                    "implied_mean_ce_frac": float(required_coulombic_efficiency(r, n))})
    return out


# ---------------------------------------------------------------------------------------------------------
# Heuristic figure of merit
# ---------------------------------------------------------------------------------------------------------
def figure_of_merit(surface_factor_frac: ArrayLike, flags_count: ArrayLike = 0, params: ParamsLike = None
                    ) -> FloatArray:
    """HEURISTIC score for the optimiser: log10(1/S) − penalty·(number of raised process flags).

    log10(1/S) is the decades by which the nucleation overpotential falls below the seeds' bare Cu
    (0 for commercial Cu, ≈ 0.45 for α-brass, ≈ 0.95 for Ag plumes). It is a ranking aid, not a cell metric.
    """
    S = _check("surface_factor_frac", surface_factor_frac, 0.0, None, "1", low_inclusive=False)
    k = _check("flags_count", flags_count, 0.0, None, "flags")
    return -np.log10(S) - _values(params)["fom_flag_penalty_frac"] * k
