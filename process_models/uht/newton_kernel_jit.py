"""The compiled Newton step of the Cu–Zn interdiffusion solver: numba kernels (imported only when the kernel is
used; see :mod:`process_models.uht.newton_kernel` for what they do and how they match the numpy path).

Each function's plain-Python original is its ``py_func`` (the tests run both). Compiled at the first call and kept
in numba's on-disk cache (``__pycache__``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from process_models.uht import islands_kernel_jit as _islands
from process_models.uht.gamma_islands import uptake_conductance
from process_models.uht.interdiffusion import newton_converged, newton_flux_holds
from process_models.uht.islands_kernel_jit import islands_row, next_cohorts

converged = njit(cache=True, nogil=True)(newton_converged)  # the numpy path's convergence rule, compiled
flux_holds = njit(cache=True, nogil=True)(newton_flux_holds)  # ... and its test of the surface flux, compiled
conductance = njit(cache=True, nogil=True)(uptake_conductance)  # the islands' uptake conductance, compiled
# code from other files inside this file's cached kernels (see newton_kernel): the convergence rule, and the islands'
# bookkeeping that march_islands compiles in
COMPILED_IN = (newton_converged, newton_flux_holds, uptake_conductance,
               *(f.py_func for f in (islands_row, next_cohorts, _islands._grow_row, _islands._gamma_height_m,
                                     _islands._gamma_capacity_row, _islands._beyond_gamma_row,
                                     _islands._substeps_row, _islands._book_row, _islands._kidson_row,
                                     _islands.kidson_one,
                                     _islands.lambert_w0_one, _islands.y_plus_ln_y_one)))


@njit(cache=True, nogil=True, error_model="numpy")
def kirchhoff_row(x, pc, xb, psi, d):
    """Ψ and D̃ [m²/s] of one profile ``x`` (N,) into ``psi``, ``d``: ``pc`` the 15 step coefficients of
    ``CuZnFickDiffusivity._pieces_at``, ``xb`` the four piece bounds x1..x4."""
    d_a, d_a_k, k = pc[0], pc[1], pc[2]
    d1, d1_l, lam1, d2, hq_b, q_b = pc[3], pc[4], pc[5], pc[6], pc[7], pc[8]
    d3, d3_l, lam2, d4, hq_g, q_g = pc[9], pc[10], pc[11], pc[12], pc[13], pc[14]
    x1, x2, x3, x4 = xb[0], xb[1], xb[2], xb[3]
    for i in range(x.shape[0]):
        xi = x[i]
        ea = np.expm1(k * min(xi, x1))
        p = d_a_k * ea
        di = d_a + d_a * ea
        if xi > x1:
            e1 = np.expm1(lam1 * (min(xi, x2) - x1))
            p += d1_l * e1
            di += d1 * e1
            if xi > x2:
                ub = min(xi, x3) - x2
                p += ub * (d2 + hq_b * ub)
                di += q_b * ub
                if xi > x3:
                    e3 = np.expm1(lam2 * (min(xi, x4) - x3))
                    p += d3_l * e3
                    di += d3 * e3
                    if xi > x4:
                        ug = xi - x4
                        p += ug * (d4 + hq_g * ug)
                        di += q_g * ug
        psi[i] = p
        d[i] = di


@njit(cache=True, nogil=True, error_model="numpy")
def flux_row(xs, fl, xg, dxg, a0, a1):
    """(J, dJ/dx_s) [mol m⁻² s⁻¹] into the foil at surface composition ``xs``, by the flux's kind ``fl[0]``:

    * 0: no flux;
    * 1: evaporation, J = −rate·a_Zn(x_s), a_Zn linear along the activity table's rows ``a0``, ``a1`` (weight
      v) at the entries around x_s; ``fl`` = (1, rate, v) (``zn_evaporation._flux_one``);
    * 2: α uptake in stage II, J = k·clip((x_cap − x_s)/w, 0, 1); ``fl`` = (2, k, x_cap, w)
      (``gamma_islands.IslandGrowth._alpha_flux``)."""
    kind = fl[0]
    if kind == 1.0:
        rate, v = fl[1], fl[2]
        x = min(max(xs, 0.0), 1.0)
        top = xg.shape[0] - 2
        i = np.searchsorted(xg, x, side="right") - 1
        i = min(max(i, 0), top)
        w = 1 - v
        lo = w * a0[i] + v * a1[i]
        slope = (w * a0[i + 1] + v * a1[i + 1] - lo) / dxg[i]
        a = lo + slope * (x - xg[i])
        return -rate * a, -rate * slope
    if kind == 2.0:
        k, x_cap, width = fl[1], fl[2], fl[3]
        s_raw = (x_cap - xs) / width
        s = min(max(s_raw, 0.0), 1.0)
        ds = -1.0 / width if (s_raw > 0.0 and s_raw < 1.0) else 0.0
        return k * s, k * ds
    return 0.0, 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def solve_spd(diag, off, b):
    """Solve the SPD tridiagonal system (``diag`` (N,), ``off`` (N-1,)) in place of ``b`` by LDLᵀ, as LAPACK's
    ``dpttrf``/``dpttrs`` do (``diag`` is overwritten with D, ``off`` with L's sub-diagonal); False if a pivot
    is not positive (not positive definite: nothing is solved)."""
    n = diag.shape[0]
    for i in range(n - 1):
        if not diag[i] > 0.0:
            return False
        ei = off[i]
        off[i] = ei / diag[i]
        diag[i + 1] = diag[i + 1] - off[i] * ei
    if not diag[n - 1] > 0.0:
        return False
    for i in range(1, n):
        b[i] = b[i] - b[i - 1] * off[i - 1]
    b[n - 1] = b[n - 1] / diag[n - 1]
    for i in range(n - 2, -1, -1):
        b[i] = b[i] / diag[i] - b[i + 1] * off[i]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def limit_row(x, delta, s, d, it, pc, xb, xn, psi_w, d_w, consts):
    """The next iterate into ``xn`` (``interdiffusion._limit_one``): damped, kept in D̃'s trust region after
    ``TRUST_AFTER_ITER`` updates, clipped to [0, 1]; returns (damped, cells clipped)."""
    max_update, trust_after, ln_trust, clip_tol, tiny = consts[0], consts[1], consts[2], consts[3], consts[4]
    n = x.shape[0]
    damped = False
    if s > max_update:
        scale = min(1.0, max_update / max(s, max_update))
        for i in range(n):
            xn[i] = x[i] + scale * delta[i]
        damped = scale < 1.0
    else:
        for i in range(n):
            xn[i] = x[i] + delta[i]
    if it >= trust_after:
        xc = np.empty(n)
        for i in range(n):
            xc[i] = min(max(xn[i], 0.0), 1.0)
        kirchhoff_row(xc, pc, xb, psi_w, d_w)
        jump = 0.0
        for i in range(n):
            jump = max(jump, abs(np.log(max(d_w[i], tiny) / max(d[i], tiny))))
        if jump > ln_trust:
            f = ln_trust / jump
            for i in range(n):
                xn[i] = x[i] + (xn[i] - x[i]) * f
            damped = True
    n_out = 0
    for i in range(n):
        if xn[i] < -clip_tol or xn[i] > 1.0 + clip_tol:
            n_out += 1
    if n_out:
        for i in range(n):
            if xn[i] < -clip_tol or xn[i] > 1.0 + clip_tol:
                xn[i] = min(max(xn[i], 0.0), 1.0)
    return damped, n_out


@njit(cache=True, nogil=True, error_model="numpy")
def newton_one(x_old, x, a, g, gsum, pc, xb, fl, xg, dxg, a0, a1, ra, dt, consts, x_out, work):
    """One foil's backward-Euler step from ``x`` (``interdiffusion._newton_one``): returns (status, Zn in
    [mol/m²], iterations, clipped cells, rate constant); the iterate is left in ``x_out``. ``work`` (10, N): scratch
    rows the caller allocates once for all its steps (nothing is carried between calls)."""
    tol, max_iter, tiny = consts[5], int(consts[6]), consts[4]
    n = x_old.shape[0]
    psi, d, res, diag, xn, psi_w, d_w, xc = work[0], work[1], work[2], work[3], work[4], work[5], work[6], work[7]
    off, q = work[8, :n - 1], work[9, :n - 1]
    xc[:] = x
    la, clipped = 0.0, 0
    first, zn_first = False, 0.0  # a first update the carried rate accepted, until the next update confirms it
    for it in range(max_iter):
        kirchhoff_row(xc, pc, xb, psi, d)
        j, dj = flux_row(xc[0], fl, xg, dxg, a0, a1)
        for i in range(n):
            res[i] = (xc[i] - x_old[i]) * a[i]
        for i in range(n - 1):  # the numpy order: every face's outflow first, then the inflows
            q[i] = (psi[i + 1] - psi[i]) * g[i]
            res[i] -= q[i]
        for i in range(n - 1):
            res[i + 1] += q[i]
        res[0] -= j
        dmin = d[0]
        for i in range(n):
            res[i] = -res[i]
            dmin = min(dmin, d[i])
        if not dmin > 0.0:
            x_out[:] = xc
            return 2, 0.0, it, clipped, ra
        for i in range(n):
            diag[i] = a[i] / d[i] + gsum[i]
        diag[0] -= dj / d[0]
        for i in range(n - 1):
            off[i] = -g[i]
        if not solve_spd(diag, off, res):
            x_out[:] = xc
            return 2, 0.0, it, clipped, ra
        s = 0.0
        finite = True
        for i in range(n):
            res[i] = res[i] / d[i]
            if not np.isfinite(res[i]):
                finite = False
            s = max(s, abs(res[i]))
        if not finite:
            x_out[:] = xc
            return 1, 0.0, it + 1, clipped, ra
        if first and s <= tol:  # confirmed: the first update's iterate stands
            x_out[:] = xc
            return 0, zn_first, it + 1, clipped, ra
        first = False
        damped, n_out = limit_row(xc, res, s, d, it, pc, xb, xn, psi_w, d_w, consts)
        conv, ra = converged(s, la, ra, it, tol, tiny)
        clipped += n_out
        if conv and not damped and n_out == 0:
            j_lin = j + dj * res[0]
            if s > tol:  # accepted by the predicted rate: the flux at the new surface must be the one assumed
                j_new, dj_new = flux_row(xn[0], fl, xg, dxg, a0, a1)
                conv = flux_holds(j_new, dj_new, j_lin, a[0], tol)
            if conv and (it > 0 or s <= tol):
                x_out[:] = xn
                return 0, j_lin * dt, it + 1, clipped, ra
            if conv:  # accepted by the previous step's rate: the next update must confirm it
                first, zn_first = True, j_lin * dt
        la = s
        xc[:] = xn
    x_out[:] = xc
    return 1, 0.0, max_iter, clipped, ra


@njit(cache=True, nogil=True, error_model="numpy")
def newton_foils(x_old, x_guess, a, g, gsum, pcs, xb, fls, xg, dxg, a0s, a1s, rate, dt, consts):
    """Every foil's step: returns (x (b, N), Zn in (b,), iterations (b,), status (b,), clipped (b,)); ``rate``
    (b,) is updated in place."""
    b, n = x_old.shape
    x_new = np.empty((b, n))
    zn = np.zeros(b)
    iters = np.zeros(b, dtype=np.int64)
    status = np.zeros(b, dtype=np.int64)
    clipped = np.zeros(b, dtype=np.int64)
    work = np.empty((10, n))
    for r in range(b):
        st, z, its, cl, ra = newton_one(x_old[r], x_guess[r], a[r], g, gsum, pcs[r], xb, fls[r], xg, dxg,
                                        a0s[r], a1s[r], rate[r], dt[r], consts, x_new[r], work)
        status[r], zn[r], iters[r], clipped[r], rate[r] = st, z, its, cl, ra
    return x_new, zn, iters, status, clipped


@njit(cache=True, nogil=True, error_model="numpy")
def guess_row(xo, xp, smooth, lc, tk, k, pred_max, guess):
    """The Newton start of a foil's step k into ``guess``: after a smooth step, the linear extrapolation of its last
    two profiles ``xo``, ``xp`` (if the last step changed them by at most ``pred_max`` per unit of step ratio),
    clipped to [0, 1]; else ``xo`` (``interdiffusion._one_step``)."""
    use = False
    r = 0.0
    if k > 0 and smooth != 0:
        r = (tk[k + 1] - tk[k]) / (tk[k] - tk[k - 1])
        use = r * lc <= pred_max
    if use:
        for i in range(xo.shape[0]):
            guess[i] = min(max(xo[i] + r * (xo[i] - xp[i]), 0.0), 1.0)
    else:
        guess[:] = xo


@njit(cache=True, nogil=True, error_model="numpy")
def march_scratch(x):
    """A march's per-call arrays for profiles ``x`` (B, N): the stopping steps (B,), all -1 (done); the Newton start,
    the new profile and the accumulation coefficients (N,); the step kernel's work rows (10, N)."""
    n_cells = x.shape[1]
    return (np.full(x.shape[0], -1, dtype=np.int64), np.empty(n_cells), np.empty(n_cells), np.empty(n_cells),
            np.empty((10, n_cells)))


@njit(cache=True, nogil=True, error_model="numpy")
def start_step(b, k, x, x_prev, smooth, last_change, tk, c, w, pred_max, guess, a):
    """Foil b's step k: its Newton start into ``guess`` (:func:`guess_row`) and its accumulation coefficients c/Δt·w
    into ``a``; returns Δt [s]."""
    guess_row(x[b], x_prev[b], smooth[b], last_change[b], tk[b], k, pred_max, guess)
    dt = tk[b, k + 1] - tk[b, k]
    f = c / dt
    for i in range(w.shape[0]):
        a[i] = f * w[i]
    return dt


@njit(cache=True, nogil=True, error_model="numpy")
def book_step(b, xo, xnew, its, cl, z, ra, smooth_max, x, x_prev, smooth, last_change, rate, iters, clipped, max_it,
              zn_in, zn_out):
    """A converged step of foil b into its state and accounts (``interdiffusion._march_one``'s bookkeeping)."""
    rate[b] = ra
    iters[b] += its
    clipped[b] += cl
    lc = 0.0
    for i in range(xo.shape[0]):
        lc = max(lc, abs(xnew[i] - xo[i]))
    smooth[b] = 1 if (its <= smooth_max and cl == 0) else 0
    max_it[b] = max(max_it[b], its)
    zn_in[b] += max(z, 0.0)
    zn_out[b] += max(-z, 0.0)
    x_prev[b] = xo
    x[b] = xnew
    last_change[b] = lc


@njit(cache=True, nogil=True, error_model="numpy")
def march_foils(x, x_prev, smooth, last_change, rate, tk, k_next, c, w, g, gsum, pcs, xb, fl, rows, act, xg, dxg,
                consts, mconsts, iters, clipped, max_it, zn_in, zn_out, profiles, keep):
    """Every foil's steps from ``k_next`` (B,) on, in one call (``interdiffusion._march_one``'s loop for each foil:
    the predictor, :func:`newton_one`, the accounts). ``pcs`` (B, n, 15), ``fl`` (B, n, 4) and ``rows`` (B, n) are the
    steps' planned coefficients, flux factors and activity-table rows. State and accounts (B,) are updated in place;
    with ``keep`` each step's profile goes to ``profiles`` (n, B, N). A foil whose step does not converge here
    (failed, or handed back) stops before that step, its state untouched: returns each foil's stopping step (-1:
    all steps done), which the caller takes in Python (splits, the numpy path) before calling again."""
    B, n = x.shape[0], tk.shape[1] - 1
    smooth_max, pred_max = mconsts[0], mconsts[1]
    stop, guess, xnew, a, work = march_scratch(x)
    for b in range(B):
        k = k_next[b]
        while k < n:
            xo = x[b]
            dt = start_step(b, k, x, x_prev, smooth, last_change, tk, c, w, pred_max, guess, a)
            row = rows[b, k]
            st, z, its, cl, ra = newton_one(xo, guess, a, g, gsum, pcs[b, k], xb, fl[b, k], xg, dxg, act[row],
                                            act[row + 1], rate[b], dt, consts, xnew, work)
            if st != 0:
                stop[b] = k
                break
            book_step(b, xo, xnew, its, cl, z, ra, smooth_max, x, x_prev, smooth, last_change, rate, iters, clipped,
                      max_it, zn_in, zn_out)
            if keep:
                profiles[k, b] = xnew
            k += 1
        k_next[b] = k
    return stop


@njit(cache=True, nogil=True, error_model="numpy")
def march_islands(x, x_prev, smooth, last_change, rate, tk, k_next, c, w, g, gsum, pcs, xb, supply, x_cap, width,
                  fields, st, counts, zn_per, n_cohorts, kc, consts, mconsts, iters, clipped, max_it, zn_in, zn_out,
                  coverage):
    """:func:`march_foils` for stage II: α takes up Zn beside the γ islands (flux kind 2 of :func:`flux_row`), and
    each step is booked with the islands (:func:`~process_models.uht.islands_kernel_jit.islands_row`) as the
    solver's ``record`` hook ``IslandGrowth.step_done`` books it. ``supply``, ``x_cap`` (B, n) and ``fields``
    (B, n, 10) are the steps' planned supply, α cap and phase fields; the uptake conductance of a step is made from
    the islands' state at its start, as ``IslandGrowth.alpha_flux`` makes it. ``st`` (12, B), ``counts``, ``zn_per``
    (B, K_max), the cohorts ``n_cohorts`` (B,) and ``coverage`` (n, B) (the records) are updated in place. Stops as
    :func:`march_foils` does, before the step, with the foil's islands untouched."""
    B, n = x.shape[0], tk.shape[1] - 1
    smooth_max, pred_max = mconsts[0], mconsts[1]
    stop, guess, xnew, a, work = march_scratch(x)
    fl = np.zeros(4)
    fl[0], fl[3] = 2.0, width
    none = np.zeros(2)  # kind 2 reads no activity table
    for b in range(B):
        k = k_next[b]
        while k < n:
            xo = x[b]
            dt = start_step(b, k, x, x_prev, smooth, last_change, tk, c, w, pred_max, guess, a)
            J = supply[b, k]
            fl[1] = conductance(J, st[0, b], st[1, b])
            fl[2] = x_cap[b, k]
            s, z, its, cl, ra = newton_one(xo, guess, a, g, gsum, pcs[b, k], xb, fl, none, none, none, none, rate[b],
                                           dt, consts, xnew, work)
            if s != 0:
                stop[b] = k
                break
            book_step(b, xo, xnew, its, cl, z, ra, smooth_max, x, x_prev, smooth, last_change, rate, iters, clipped,
                      max_it, zn_in, zn_out)
            n_cohorts[b] = next_cohorts(n_cohorts[b], counts.shape[1])
            coverage[k, b] = islands_row(b, xnew, w, J, tk[b, k + 1], fields[b, k], st, counts, zn_per, n_cohorts[b],
                                         kc)
            k += 1
        k_next[b] = k
    return stop
