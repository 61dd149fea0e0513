"""The compiled per-step bookkeeping of stage II's γ islands: numba kernels (imported only when used; the switch
and the fingerprint are :mod:`process_models.uht.newton_kernel`'s).

:meth:`process_models.uht.gamma_islands.IslandGrowth.step_done` books each solver step for every foil: ≈ 100 numpy
calls on (B,) arrays, ≈ 0.25 ms a step whatever B is, so a recipe's new stage II (≈ 50 steps) spends ≈ 12 ms
there. :func:`islands_step` does the same for every foil in one call, foil by foil, with the same formulas in the
same order: the Zn accounts, the γ's diffusion capacity and the ε beyond it, nucleation
(:func:`~process_models.uht.gamma_islands.nucleate`), growth and coverage (``IslandGrowth._grow``), the dilution of
β by new coverage, and the Kidson β layer (:func:`~process_models.uht.gamma_islands.kidson_beta_thickness_m`, with
W₀ by :func:`~process_models.roots.lambert_w0`'s iteration). The sums over cohorts run in order where numpy sums
pairwise, and libm's ``cbrt``/``expm1``/``exp``/``log`` may differ from numpy's by an ulp, so the two paths agree to
round-off, not bit for bit (tests/test_islands_kernel.py compares them recipe by recipe).

Layout. ``state`` (12, B), one row per account (the rows of :data:`STATE_ROWS`); ``fields`` (10, B), the phase
fields at the step temperature (the rows of :data:`FIELD_ROWS`); ``k`` the constants (:data:`CONSTANT_NAMES`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

STATE_ROWS = ("coverage_frac", "capture_frac", "beta_thickness_m", "beta_zn_frac", "epsilon_zn_frac",
              "delivered_mol_per_m2", "alpha_mol_per_m2", "intermetallic_mol_per_m2", "epsilon_mol_per_m2",
              "max_supersaturation", "min_capacity_ratio", "t_prev_s")
FIELD_ROWS = ("x_a", "b_lo", "b_hi", "g_lo", "g_hi", "e_lo", "e_hi", "x_cap", "D_gamma", "D_beta_mid")
CONSTANT_NAMES = ("molar_density_mol_per_m3", "gamma_zn_frac", "gamma_molar_density_mol_per_m3",
                  "cap_volume_factor", "capture_length_m", "nucleation_rate_ref_per_m2_s",
                  "reference_flux_mol_per_m2_s", "saturation_width_frac", "beta_reaction_length_m",
                  "capacity_substeps_max")

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy"}
_TINY = np.finfo(float).tiny
_E_INV = math.exp(-1.0)


@njit(**_OPTS)
def lambert_w0_one(x):
    """W₀(x) for x ≥ −1/e: :func:`process_models.roots.lambert_w0` for one number (the same start and Halley
    steps, stopping at its own convergence)."""
    x = max(x, -_E_INV)
    p = math.sqrt(max(2.0 * (math.e * x + 1.0), 0.0))
    if x < -0.25:
        w = -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p ** 3
    elif x > 3.0:
        lx = math.log1p(x)
        w = lx - math.log(max(lx, 1e-300))
    else:
        w = 0.567 * x / (1.0 + 0.567 * abs(x))
    for _ in range(40):
        ew = math.exp(w)
        f = w * ew - x
        wp1 = w + 1.0
        denom = ew * wp1 - (w + 2.0) * f / (1e-300 if wp1 == 0.0 else 2.0 * wp1)
        step = f / denom if denom != 0.0 else 0.0
        w = w - step
        if abs(step) <= 4e-16 * (1.0 + abs(w)):
            break
    return -1.0 if x == -_E_INV else w


@njit(**_OPTS)
def y_plus_ln_y_one(rhs):
    """y > 0 with y + ln y = rhs: ``gamma_islands._solve_y_plus_ln_y`` for one number."""
    y = rhs - math.log(max(rhs, 1.0)) if rhs > 1.0 else math.exp(min(rhs, 1.0))
    y = max(y, 1e-300)
    for _ in range(60):
        f = y + math.log(y) - rhs
        y_new = max(y - f * y / (y + 1.0), 0.5 * y)
        if abs(y_new - y) <= 1e-14 * max(y, 1e-300):
            return y_new
        y = y_new
    return y


@njit(**_OPTS)
def kidson_one(L0, a, b, dt):
    """:func:`~process_models.uht.gamma_islands.kidson_beta_thickness_m` for one layer [m]."""
    out = math.sqrt(L0 * L0 + 2.0 * a * dt)
    if not (b > 0.0 and a > 0.0):
        return out
    Ls = a / b
    w0 = 1.0 - L0 / Ls
    tau = b * b * dt / a
    w = 0.0
    if w0 > 0.0:
        w = -lambert_w0_one(max(-w0 * math.exp(-w0 - tau), -_E_INV))
    elif w0 < 0.0:
        w = -y_plus_ln_y_one(math.log(-w0) - w0 - tau)
    return Ls * (1.0 - w)


@njit(**_OPTS)
def _grow_row(b, born, zn, counts, zn_per, K, k):
    """``IslandGrowth._grow`` for foil b: cohort K−1 gets ``born`` islands [1/m²], ``zn`` [mol/m²] is shared by
    capture reach; returns (coverage θ, capture Λ)."""
    ell, per_vol, cap = k[4], k[1] * k[2], k[3]
    counts[b, K - 1] += born
    total = 0.0
    for j in range(K):
        r = np.cbrt(zn_per[b, j] / per_vol / cap)
        total += counts[b, j] * (math.pi * (r + ell) ** 2)
    share = zn / total if total > 0.0 else 0.0
    area = 0.0
    capture = 0.0
    for j in range(K):
        r = np.cbrt(zn_per[b, j] / per_vol / cap)
        zn_per[b, j] += share * (math.pi * (r + ell) ** 2)
        r = np.cbrt(zn_per[b, j] / per_vol / cap)
        area += counts[b, j] * math.pi * r * r
        capture += counts[b, j] * math.pi * ((r + ell) ** 2 - r * r)
    return -math.expm1(-area), capture


@njit(**_OPTS)
def _gamma_height_m(st, b, k):
    """``IslandGrowth.gamma_height_m`` of foil b [m]."""
    c = k[0]
    theta = st[0, b]
    beta = min(theta * c * st[3, b] * st[2, b], st[7, b])
    vol = max(st[7, b] - beta, 0.0) / (k[1] * k[2])
    return vol / theta if theta > 0.0 else 0.0


@njit(**_OPTS)
def _gamma_capacity_row(st, b, fv, dt, k):
    """``IslandGrowth._gamma_capacity`` for foil b: (the Zn the γ can pass over dt [mol/m²], whether the γ exists)."""
    theta = st[0, b]
    ok = theta > 0.0 and math.isfinite(fv[3])
    h = _gamma_height_m(st, b, k)
    rate = k[0] * fv[8] * ((fv[4] - fv[3]) if ok else 0.0)
    capacity = rate / h * theta * dt if h > 0.0 else np.inf
    return capacity, ok


@njit(**_OPTS)
def _beyond_gamma_row(st, b, fv, dt, d_islands, k):
    """``IslandGrowth._beyond_gamma_capacity`` for foil b (its fields ``fv``): the Zn of the step the γ cannot pass
    [mol/m²]."""
    capacity, ok = _gamma_capacity_row(st, b, fv, dt, k)
    offered = max(d_islands, 0.0)
    ratio = capacity / offered if offered > 0.0 else np.inf
    st[10, b] = min(st[10, b], ratio if ok else np.inf)
    e_mid = 0.5 * (fv[5] + fv[6])
    if math.isfinite(e_mid):
        st[4, b] = e_mid
    return max(offered - capacity, 0.0) if ok else 0.0


@njit(**_OPTS)
def _substeps_row(st, b, fv, dt, d_islands, k):
    """``IslandGrowth._substeps`` for foil b: the parts to book the step's Zn in."""
    capacity, ok = _gamma_capacity_row(st, b, fv, dt, k)
    offered = max(d_islands, 0.0)
    if not (ok and offered > capacity):
        return 1.0
    return min(math.ceil(offered / capacity), k[9]) if capacity > 0.0 else k[9]


@njit(**_OPTS)
def _kidson_row(st, b, fv, dt, d_int, k):
    """``IslandGrowth._kidson`` for foil b (its fields ``fv``): the β layer under the covered area over the step."""
    c, a0 = k[0], k[8]
    theta = st[0, b]
    ok = theta > 0.0 and math.isfinite(fv[3]) and math.isfinite(fv[1])
    if not ok:
        return  # β keeps its thickness and composition
    d1 = fv[3] - fv[2]
    d2 = fv[1] - fv[0]
    xb = 0.5 * (fv[1] + fv[2])
    a = fv[9] * (fv[2] - fv[1]) * (1.0 / d1 + 1.0 / d2)
    j_loc = max(d_int, 0.0) / (theta * dt) if dt > 0.0 else 0.0
    L_new = max(kidson_one(st[2, b] + a0, a, j_loc / (c * d1), dt) - a0, 0.0)
    st[2, b] = min(L_new, st[7, b] / theta / (c * xb))
    st[3, b] = xb


@njit(**_OPTS)
def _book_row(b, s, Jb, fv, dt, d_islands, st, counts, zn_per, K, k):
    """``IslandGrowth._book`` for foil b: ``d_islands`` [mol/m²] over ``dt`` [s] (a step or a sub-step) at the α
    surface ``s``; returns the coverage."""
    a_new = math.pi * k[4] ** 2
    d_eps = _beyond_gamma_row(st, b, fv, dt, d_islands, k)
    st[8, b] += d_eps
    d_int = d_islands - d_eps
    st[7, b] += d_int
    theta_old = st[0, b]
    Jf = Jb * (1.0 - theta_old)
    rate0 = k[5] * (Jf / k[6]) ** 2
    S0 = s + st[1, b]
    born = max((np.cbrt(S0 ** 3 + 3.0 * a_new * (rate0 * (1.0 - theta_old)) * dt) - S0) / a_new, 0.0)
    u = 1.0 / max(S0 + a_new * born, _TINY)
    st[9, b] = max(st[9, b], u if Jb > 0.0 else 0.0)
    theta, capture = _grow_row(b, born, max(d_int, 0.0), counts, zn_per, K, k)
    st[0, b], st[1, b] = theta, capture
    st[2, b] *= theta_old / theta if theta > 0.0 else 0.0
    _kidson_row(st, b, fv, dt, d_int, k)
    return theta


@njit(**_OPTS)
def islands_row(b, xb, widths, Jb, t_end, fv, st, counts, zn_per, K, k):
    """:meth:`IslandGrowth.step_done` for foil b: its profile ``xb`` (N,) at the step end, the step's supply ``Jb``
    and end time ``t_end``, its fields ``fv`` (10,) at the step's effective temperature (at least the phase table's
    start), ``K`` cohorts after the step; updates row b of ``st``, ``counts`` and ``zn_per`` in place and returns the
    coverage. The step's Zn is booked in the parts :func:`_substeps_row` gives (the births of all in cohort K−1)."""
    c = k[0]
    dt = max(t_end - st[11, b], 0.0)
    st[11, b] = t_end
    inv = 0.0
    for i in range(xb.shape[0]):
        inv += xb[i] * widths[i]
    alpha_now = c * inv
    d_islands = Jb * dt - (alpha_now - st[6, b])
    st[6, b] = alpha_now
    st[5, b] += Jb * dt
    s = min(max((fv[7] - xb[0]) / k[7], 0.0), 1.0)
    m = _substeps_row(st, b, fv, dt, d_islands, k)
    theta = st[0, b]
    for _ in range(int(m)):
        theta = _book_row(b, s, Jb, fv, dt / m, d_islands / m, st, counts, zn_per, K, k)
    return theta


@njit(**_OPTS)
def next_cohorts(n_cohorts, k_max):
    """Cohorts after a step: one more, until the table (``k_max``) is full (later births merge into the last)."""
    return n_cohorts + 1 if n_cohorts < k_max else n_cohorts


@njit(**_OPTS)
def islands_step(x, widths, J, t_end, f, st, counts, zn_per, n_cohorts, k, coverage_out):
    """:meth:`IslandGrowth.step_done` for every foil (:func:`islands_row`): profiles ``x`` (B, N) at the step end, the
    step's supply ``J`` (B,), end times ``t_end`` (B,), the fields ``f`` (10, B) at the step's effective temperature;
    updates ``st`` (12, B), ``counts`` and ``zn_per`` (B, K_max) in place, writes the coverage into ``coverage_out``
    and returns the new number of cohorts."""
    K = next_cohorts(n_cohorts, counts.shape[1])
    fv = np.empty(f.shape[0])
    for b in range(x.shape[0]):
        for i in range(f.shape[0]):
            fv[i] = f[i, b]
        coverage_out[b] = islands_row(b, x[b], widths, J[b], t_end[b], fv, st, counts, zn_per, K, k)
    return K
