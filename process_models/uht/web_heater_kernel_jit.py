"""The compiled Newton iteration of the web heater for a prescribed peak (numba; imported only when used, see
:mod:`process_models.uht.newton_kernel` for the switch and the fingerprint).

It is :func:`process_models.uht.web_heater._newton` with ``target="peak"`` for one row (web) at a time: the same
balance (``_Problem.assemble``: the property tables' cubic Hermite interpolation, exponentially weighted advected
enthalpy, conduction, Joule or radiant source, radiation, gas and roll losses), the same bordered system (the peak
row from ``_peak``'s parabola), solved by Gaussian elimination with partial pivoting as LAPACK's ``dgtsv`` does, and
the same damping, floor and convergence test. Rows are independent in the numpy path too (a converged row is
frozen), so looping over them changes nothing. A row whose tridiagonal system is singular is handed back (status 2)
to the numpy path, which raises as before; a row that does not converge is reported (status 1) for the bracket.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_OPTS)
def table_eval(f, m, T0, step, T):
    """(value, slope) of a property table (``web_heater._Table``) at T."""
    n = f.shape[0]
    t = (T - T0) / step
    i = int(min(max(t, 0.0), n - 2))
    u = t - i
    f0, f1, m0, m1 = f[i], f[i + 1], m[i] * step, m[i + 1] * step
    uc = min(max(u, 0.0), 1.0)
    u2, u3 = uc * uc, uc * uc * uc
    value = (2 * u3 - 3 * u2 + 1) * f0 + (u3 - 2 * u2 + uc) * m0 + (3 * u2 - 2 * u3) * f1 + (u3 - u2) * m1
    slope = ((6 * u2 - 6 * uc) * (f0 - f1) + (3 * u2 - 4 * uc + 1) * m0 + (3 * u2 - 2 * uc) * m1) / step
    if uc != u:  # linear continuation beyond the grid
        value = value + slope * (u - uc) * step
    return value, slope


@njit(**_OPTS)
def gtsv2(dl, d, du, b):
    """Solve the tridiagonal system (sub ``dl`` (n-1,), diagonal ``d`` (n,), super ``du`` (n-1,)) for the two
    right-hand sides ``b`` (n, 2) in place, by Gaussian elimination with partial pivoting as LAPACK's ``dgtsv``
    does (the bands are overwritten); False if singular."""
    n = d.shape[0]
    for i in range(n - 1):  # dgtsv's elimination; its last row (i = n-2) has no second super-diagonal to fill
        if abs(d[i]) >= abs(dl[i]):  # no row interchange
            if d[i] == 0.0:
                return False
            fact = dl[i] / d[i]
            d[i + 1] = d[i + 1] - fact * du[i]
            for j in range(2):
                b[i + 1, j] = b[i + 1, j] - fact * b[i, j]
            dl[i] = 0.0
        else:  # interchange rows i and i+1
            fact = d[i] / dl[i]
            d[i] = dl[i]
            temp = d[i + 1]
            d[i + 1] = du[i] - fact * temp
            if i < n - 2:
                dl[i] = du[i + 1]
                du[i + 1] = -fact * dl[i]
            du[i] = temp
            for j in range(2):
                temp = b[i, j]
                b[i, j] = b[i + 1, j]
                b[i + 1, j] = temp - fact * b[i + 1, j]
    if d[n - 1] == 0.0:
        return False
    for j in range(2):
        b[n - 1, j] = b[n - 1, j] / d[n - 1]
        if n > 1:
            b[n - 2, j] = (b[n - 2, j] - du[n - 2] * b[n - 1, j]) / d[n - 2]
        for i in range(n - 3, -1, -1):
            b[i, j] = (b[i, j] - du[i] * b[i + 1, j] - dl[i] * b[i + 2, j]) / d[i]
    return True


@njit(**_OPTS)
def assemble_row(T, s, g, tabs, sc, R, lower, diag, upper, dR_ds, H, c, F, dFa, dFb):
    """``_Problem.assemble`` for one row: residual ``R``, the bands (``lower[i]`` couples cell i+1 to i, ``upper[i]``
    cell i to i+1, i < N-1), dR/ds into the work arrays. ``g`` (8, N): widths, zone, contact, entry contact, and
    (N-1 long, zero-padded) gaps and beta; ``tabs`` (8, nT): f and slope of the
    enthalpy, conductivity, resistivity and gas tables; ``sc``: scalars (see :func:`newton_peak_rows`)."""
    n = T.shape[0]
    w, z, contact, entry, gaps, beta = g[0], g[1], g[2], g[3], g[4], g[5]
    T0, step, m, d, H_in, T_in = sc[0], sc[1], sc[2], sc[3], sc[4], sc[5]
    eps, T_a, T_r, sigma, inlet_gap = sc[6], sc[7], sc[8], sc[9], sc[10]
    joule, conduction = sc[11] != 0.0, sc[12] != 0.0
    for i in range(n):
        h, ci = table_eval(tabs[0], tabs[1], T0, step, T[i])
        H[i] = h - H_in
        c[i] = ci
    for i in range(n - 1):
        F[i + 1] = m * ((1.0 - beta[i]) * H[i] + beta[i] * H[i + 1])
        dFa[i] = m * (1.0 - beta[i]) * c[i]
        dFb[i] = m * beta[i] * c[i + 1]
    F[n] = m * H[n - 1]
    dF_out = m * c[n - 1]
    F[0] = 0.0
    dF_in = 0.0
    if conduction:
        for i in range(n - 1):
            dT = T[i + 1] - T[i]
            kf, dkf = table_eval(tabs[2], tabs[3], T0, step, 0.5 * (T[i + 1] + T[i]))
            F[i + 1] -= kf * d * dT / gaps[i]
            dFa[i] += d * (kf - 0.5 * dkf * dT) / gaps[i]
            dFb[i] -= d * (kf + 0.5 * dkf * dT) / gaps[i]
        d0 = T[0] - T_in
        k0, dk0 = table_eval(tabs[2], tabs[3], T0, step, 0.5 * (T[0] + T_in))
        F[0] = -k0 * d * d0 / inlet_gap
        dF_in = -d * (k0 + 0.5 * dk0 * d0) / inlet_gap
    rad = 2.0 * eps * sigma
    drad = 8.0 * eps * sigma
    Ta4 = math.pow(T_a, 4.0)
    for i in range(n):
        if joule:
            rho_el, rslope = table_eval(tabs[4], tabs[5], T0, step, T[i])
            shape, dshape = rho_el / d, rslope / d
        else:
            shape, dshape = 1.0, 0.0
        gas, gas_slope = table_eval(tabs[6], tabs[7], T0, step, T[i])
        loss = 0.0 + rad * (math.pow(T[i], 4.0) - Ta4)
        loss = loss + gas
        loss = loss + entry[i] * (T[i] - T_r)
        loss = loss + (contact[i] - entry[i]) * (T[i] - T_r)
        dloss = drad * math.pow(T[i], 3.0) + gas_slope + contact[i]
        R[i] = F[i + 1] - F[i] + w[i] * (loss - s * z[i] * shape)
        diag[i] = w[i] * (dloss - s * z[i] * dshape)
        dR_ds[i] = -w[i] * z[i] * shape
    for i in range(n - 1):
        diag[i] += dFa[i]
    for i in range(n - 1):
        diag[i + 1] -= dFb[i]
    diag[n - 1] += dF_out
    diag[0] -= dF_in
    for i in range(n - 1):
        lower[i] = -dFa[i]
        upper[i] = dFb[i]


@njit(**_OPTS)
def peak_row(T, x, roll_start, roll_face, grad):
    """``web_heater._peak`` for one row: (peak [K], the middle cell m); the gradient of the peak with respect to
    (T[m-1], T[m], T[m+1]) into ``grad`` (3,). Next to the chill roll (its first cell ``roll_start``, its first face
    at ``roll_face``) the stencil stays off it, as there."""
    n = T.shape[0]
    i = min(max(int(np.argmax(T)), 1), n - 2)
    at_roll = i + 1 == roll_start and i >= 2
    if at_roll:
        i -= 1
    h1 = x[i] - x[i - 1]
    h2 = x[i + 1] - x[i]
    Tm, T0, Tp = T[i - 1], T[i], T[i + 1]
    s2, s1 = (Tp - T0) / h2, (T0 - Tm) / h1
    c = (s2 - s1) / (h1 + h2)
    b = s2 - c * h2
    ds2 = (0.0, -1.0 / h2, 1.0 / h2)
    ds1 = (-1.0 / h1, 1.0 / h1, 0.0)
    if at_roll:
        face = roll_face - x[i]
        delta = min(max(-b / (2.0 * c), -h1), face) if c < 0.0 else face
        peak = T0 + b * delta + c * delta ** 2
        if peak <= Tp:
            grad[0], grad[1], grad[2] = 0.0, 0.0, 1.0
            return Tp, i
        for j in range(3):
            dc = (ds2[j] - ds1[j]) / (h1 + h2)
            db = ds2[j] - h2 * dc
            grad[j] = delta * db + delta ** 2 * dc
        grad[1] += 1.0
        return peak, i
    if c < 0.0:
        peak = max(T0 - b ** 2 / (4.0 * c), T0)
        for j in range(3):
            dc = (ds2[j] - ds1[j]) / (h1 + h2)
            db = ds2[j] - h2 * dc
            grad[j] = -(b / (2.0 * c)) * db + (b ** 2 / (4.0 * c ** 2)) * dc
    else:
        peak = T0
        grad[0], grad[1], grad[2] = 0.0, 0.0, 0.0
    grad[1] += 1.0
    return peak, i


@njit(**_OPTS)
def newton_peak_rows(T, ln_s, value, x, geo, tabs, scal, consts):
    """Newton on (T, ln s) for a prescribed peak, row by row: ``T`` (B, N) and ``ln_s`` (B,) are updated in place;
    returns the status per row (0 converged, 1 not converged, 2 singular: the numpy path's). ``x`` (B, N) cell
    centres, ``geo`` (B, 8, N) the grid rows of :func:`assemble_row`, ``tabs`` (8, nT) the tables, ``scal`` (B, 16)
    each row's scalars (table origin and step, ρdv, d, H_in, T_in, ε, T_a, T_roll, σ, inlet gap, joule, conduction,
    floor, first cell on the chill roll, its upstream face), ``consts``: tolerance [K], iterations, largest update in
    T [K] and in ln s."""
    B, n = T.shape
    tol, max_iter, max_step_K, max_step_ln = consts[0], int(consts[1]), consts[2], consts[3]
    status = np.ones(B, dtype=np.int64)
    R, lower, diag, upper, dR_ds = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    H, c, F, dFa, dFb = np.empty(n), np.empty(n), np.empty(n + 1), np.empty(n - 1), np.empty(n - 1)
    rhs = np.empty((n, 2))
    grad = np.empty(3)
    for r in range(B):
        Tr, sc, floor = T[r], scal[r], scal[r, 13]
        for _ in range(max_iter):
            s = math.exp(ln_s[r])
            assemble_row(Tr, s, geo[r], tabs, sc, R, lower, diag, upper, dR_ds, H, c, F, dFa, dFb)
            peak, i = peak_row(Tr, x[r], int(sc[14]), sc[15], grad)
            C = peak - value[r]
            for k in range(n):
                rhs[k, 0] = -R[k]
                rhs[k, 1] = s * dR_ds[k]
            if not gtsv2(lower[:n - 1].copy(), diag.copy(), upper[:n - 1].copy(), rhs):
                status[r] = 2
                break
            cy = grad[0] * rhs[i - 1, 0] + grad[1] * rhs[i, 0] + grad[2] * rhs[i + 1, 0]
            cz = grad[0] * rhs[i - 1, 1] + grad[1] * rhs[i, 1] + grad[2] * rhs[i + 1, 1]
            du = (-C - cy) / (0.0 - cz)
            big = 0.0
            finite = np.isfinite(du)
            for k in range(n):
                step_k = abs(rhs[k, 0] - rhs[k, 1] * du)
                finite = finite and np.isfinite(step_k)
                big = max(big, step_k)
            if not finite:
                break  # the numpy path leaves such a row where it is until its iterations run out
            scale = min(1.0, min(max_step_K / max(big, 1e-300), max_step_ln / max(abs(du), 1e-300)))
            for k in range(n):
                Tr[k] = max(Tr[k] + scale * (rhs[k, 0] - rhs[k, 1] * du), floor)
            ln_s[r] = ln_s[r] + scale * du
            if big < tol and abs(du) < 1e-10:
                status[r] = 0
                break
    return status
