"""Tabulated Cu-Zn phase diagram (Liang 2015) and its lookup API: process_models.uht.phase_diagram."""

from __future__ import annotations

import itertools
import time
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.uht.phase_diagram import (
    ACTIVITY_CSV,
    FIELDS_CSV,
    PHASES,
    CuZnPhaseDiagram,
    cuzn_phase_diagram,
)

LIANG_TDB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cuzn_liang2015.tdb"


@pytest.fixture(scope="module")
def pd() -> CuZnPhaseDiagram:
    return cuzn_phase_diagram()


def _fields(pd: CuZnPhaseDiagram, T: float) -> dict[str, tuple[float, float]]:
    return {p: (lo, hi) for p, lo, hi in pd.single_phase_fields(T)}


def _pycalphad():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("pycalphad")


def _equilibrium(dbf, phases: list[str], xs: list[float], T: float) -> list[dict[str, float]]:
    """Per x: {phase: x_Zn of that phase} for the stable assemblage at T (K), 1 atm."""
    from pycalphad import equilibrium
    from pycalphad import variables as v

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eq = equilibrium(dbf, ["CU", "ZN", "VA"], phases, {v.X("ZN"): xs, v.T: T, v.P: 101325, v.N: 1})
    names = eq.Phase.values[0, 0, 0].astype(str)
    comp = eq.X.sel(component="ZN").values[0, 0, 0]
    amount = eq.NP.values[0, 0, 0]
    out = []
    for i in range(len(xs)):
        d: dict[str, float] = {}
        for n, c, f in zip(names[i], comp[i], amount[i], strict=True):
            if n and f > 1e-7:
                key = "BCC" if n in ("BCC", "BCC_B2") else n  # beta and beta' are one field in the table
                d[key] = c
        out.append(d)
    return out


# --------------------------------------------------------------------------------------- tables
@pytest.mark.unit
def test_tables_carry_source_header_and_stay_small():
    for name in (FIELDS_CSV, ACTIVITY_CSV):
        res = resources.files("process_models") / "data" / name
        text = res.read_text(encoding="utf-8")
        assert len(text.encode()) < 1_000_000, name
        head = [ln for ln in text.splitlines()[:10] if ln.startswith("#")]
        joined = "\n".join(head)
        assert "Liang" in joined and "CALPHAD 51 (2015) 224" in joined, name
        assert "pycalphad" in joined and "scripts/tabulate_cuzn_phase_diagram.py" in joined, name


@pytest.mark.unit
def test_temperature_range_and_phase_names(pd):
    assert pd.temperature_range_K == (500.0, 1357.77)
    assert PHASES == ("alpha", "beta", "gamma", "delta", "epsilon", "eta", "liquid")
    seen = {p for T in np.arange(500, 1357, 5.0) for p, _, _ in pd.single_phase_fields(float(T))}
    assert seen == set(PHASES)


@pytest.mark.unit
def test_fields_are_ordered_and_cover_zero_to_one(pd):
    for T in [*np.arange(500.0, 1357.0, 7.3), 1357.77]:
        f = pd.single_phase_fields(float(T))
        assert f[0][0] == "alpha" and f[0][1] == 0.0 and f[-1][2] == 1.0
        edges = np.array([(lo, hi) for _, lo, hi in f]).ravel()
        assert np.all(np.diff(edges) >= 0), (T, f)
        names = [p for p, _, _ in f]
        assert len(set(names)) == len(names), (T, f)


# ----------------------------------------------------------------------- feasibility-study numbers
@pytest.mark.unit
def test_alpha_solvus_matches_feasibility_study(pd):
    assert pd.alpha_max_zn_frac(750.0) == pytest.approx(0.388, abs=0.005)
    assert pd.alpha_max_zn_frac(1100.0) == pytest.approx(0.331, abs=0.005)
    # α solvus reaches x = 0.36 at 925-926 K (feasibility study §1)
    T = np.arange(900.0, 950.0, 0.5)
    crossing = T[np.argmax(pd.alpha_max_zn_frac(T) < 0.36)]
    assert crossing == pytest.approx(926.0, abs=2.0)
    # above the β peritectic α borders the liquid: 0.282 at 1200 K (metastable α solidus = stable here)
    assert pd.alpha_max_zn_frac(1200.0) == pytest.approx(0.282, abs=0.005)


@pytest.mark.unit
def test_gamma_and_beta_ranges_match_feasibility_study(pd):
    f750 = _fields(pd, 750.0)
    assert f750["gamma"] == pytest.approx((0.575, 0.685), abs=0.005)
    assert f750["beta"] == pytest.approx((0.438, 0.486), abs=0.005)
    f1000 = _fields(pd, 1000.0)
    assert f1000["beta"] == pytest.approx((0.397, 0.532), abs=0.005)
    assert f1000["gamma"] == pytest.approx((0.586, 0.675), abs=0.005)
    assert f1000["liquid"][0] == pytest.approx(0.782, abs=0.005)


@pytest.mark.unit
def test_gamma_peritectic_near_1105_K(pd):
    assert "gamma" in _fields(pd, 1100.0)
    assert "gamma" not in _fields(pd, 1110.0)
    T = np.arange(1095.0, 1115.0, 0.1)
    present = np.array([pd.phase_fractions(0.5956, t)[PHASES.index("gamma")] > 0 for t in T])
    assert T[present].max() == pytest.approx(1105.5, abs=1.0)


@pytest.mark.unit
def test_first_liquid_at_x036_is_the_beta_peritectic(pd):
    assert pd.solidus_temperature_K(0.36) == pytest.approx(1175.0, abs=5.0)
    fl = pd.liquid_fraction(0.36, np.array([1170.0, 1178.0, 1183.0, 1185.0]))
    assert fl[0] == 0.0 and 0.0 < fl[1] < fl[2] < 1.0 and fl[3] == 1.0  # liquid from 1184 K
    assert pd.solidus_temperature_K(0.62) == pytest.approx(1097.0, abs=2.0)
    assert pd.solidus_temperature_K(1.0) == pytest.approx(692.68, abs=0.5)  # pure Zn melts
    assert pd.solidus_temperature_K(0.0) == pytest.approx(1357.77)


@pytest.mark.unit
def test_first_liquid_row_by_ranges_equals_the_mask(pd):
    """The solidus grid's sorted-x path (index ranges per grid temperature) gives the rows of the unsorted path (a
    points × temperatures mask), on the grid, on random points and on every liquid bound itself (ties)."""
    bounds = pd._liq[np.isfinite(pd._liq)].ravel()
    rng = np.random.default_rng(3)
    for x in (np.linspace(0.0, 1.0, 10001), np.sort(rng.uniform(0.0, 1.0, 4000)),
              np.unique(np.concatenate([bounds, np.nextafter(bounds, 2.0), np.nextafter(bounds, -1.0)]))):
        x = x[(x >= 0.0) & (x <= 1.0)]
        perm = rng.permutation(x.size)  # unsorted: the mask path
        by_mask = np.empty(x.size, dtype=np.intp)
        by_mask[perm] = pd._first_liquid_row(x[perm])
        assert np.array_equal(pd._first_liquid_row(x), by_mask)


@pytest.mark.unit
def test_solidus_is_consistent_with_liquid_fraction(pd):
    x = np.array([0.05, 0.2, 0.3, 0.45, 0.7, 0.95])
    Ts = pd.solidus_temperature_K(x)
    assert Ts.shape == x.shape
    assert np.all(pd.liquid_fraction(x, Ts - 0.3) == 0.0)
    assert np.all(pd.liquid_fraction(x, np.minimum(Ts + 0.3, 1357.77)) > 0.0)


@pytest.mark.unit
def test_zn_activity_matches_feasibility_study(pd):
    assert pd.zn_activity(0.62, 750.0) == pytest.approx(0.27, rel=0.2)
    assert pd.zn_activity(0.348, 1000.0) == pytest.approx(0.115, rel=0.2)
    assert pd.zn_activity(0.438, 750.0) == pytest.approx(0.068, rel=0.2)
    assert pd.zn_activity(0.28, 1200.0) == pytest.approx(0.11, rel=0.2)
    a = pd.zn_activity(np.array([0.0, 1.0]), 1300.0)
    assert a[0] == 0.0 and a[1] == pytest.approx(1.0, abs=1e-3)
    # constant across a two-phase field (α+β at 900 K), rising with x inside α
    assert pd.zn_activity(0.38, 900.0) == pytest.approx(pd.zn_activity(0.40, 900.0), rel=0.01)
    assert np.all(np.diff(pd.zn_activity(np.linspace(0, 0.36, 40), 900.0)) > 0)


# --------------------------------------------------------------------------------- lever rule / API
@pytest.mark.unit
def test_phase_fractions_are_fractions(pd):
    x = np.linspace(0.0, 1.0, 301)[:, None]
    T = np.linspace(500.0, 1357.77, 97)[None, :]
    f = pd.phase_fractions(x, T)
    assert f.shape == (301, 97, len(PHASES))
    assert np.all((f >= 0.0) & (f <= 1.0))
    np.testing.assert_allclose(f.sum(axis=-1), 1.0, atol=1e-12)
    assert np.all(np.count_nonzero(f, axis=-1) <= 2)


@pytest.mark.unit
@pytest.mark.parametrize("T", [600.0, 750.0, 887.3, 1000.0, 1102.4, 1150.0, 1260.0])
def test_lever_rule_reproduces_x(pd, T):
    fields = pd.single_phase_fields(T)
    for (p_l, _, x_l), (p_r, x_r, _) in itertools.pairwise(fields):
        if x_r - x_l < 1e-6:
            continue
        x = np.linspace(x_l, x_r, 7)[1:-1]
        f = pd.phase_fractions(x, T)
        i_l, i_r = PHASES.index(p_l), PHASES.index(p_r)
        np.testing.assert_allclose(f[:, i_l] + f[:, i_r], 1.0)
        np.testing.assert_allclose(f[:, i_l] * x_l + f[:, i_r] * x_r, x, atol=1e-12)
    for p, lo, hi in fields:  # inside a single-phase field that phase is 1
        f = pd.phase_fractions(0.5 * (lo + hi), T)
        assert f[PHASES.index(p)] == 1.0


@pytest.mark.unit
def test_alpha_max_is_the_alpha_edge_of_phase_fractions(pd):
    T = np.array([520.0, 760.0, 1010.0, 1140.0, 1250.0])
    xm = pd.alpha_max_zn_frac(T)
    ia = PHASES.index("alpha")
    assert np.all(pd.phase_fractions(xm - 1e-4, T)[:, ia] == 1.0)
    assert np.all(pd.phase_fractions(xm + 2e-3, T)[:, ia] < 1.0)
    assert np.all(np.diff(xm[1:]) < 0)  # falls above ≈700 K (retrograde: 0.36 at 520 K, 0.39 at 760 K)
    assert xm[0] < xm[1]


@pytest.mark.unit
def test_boundaries_interpolate_linearly_between_grid_temperatures(pd):
    lo, hi = _fields(pd, 1000.0)["beta"], _fields(pd, 1005.0)["beta"]
    mid = _fields(pd, 1002.0)["beta"]
    assert mid == pytest.approx((0.6 * lo[0] + 0.4 * hi[0], 0.6 * lo[1] + 0.4 * hi[1]), abs=1e-9)


@pytest.mark.unit
@pytest.mark.parametrize("bad_T", [499.0, 1358.0, float("nan")])
def test_temperature_outside_table_raises(pd, bad_T):
    for call in (
        lambda: pd.phase_fractions(0.3, bad_T),
        lambda: pd.zn_activity(0.3, np.array([800.0, bad_T])),
        lambda: pd.alpha_max_zn_frac(bad_T),
        lambda: pd.single_phase_fields(bad_T),
    ):
        with pytest.raises(FoiltwinInputError) as err:
            call()
        assert err.value.field == "temperature_K"
        assert "[500, 1357.77] K" in err.value.allowed


@pytest.mark.unit
@pytest.mark.parametrize("bad_x", [-0.01, 1.01, float("nan")])
def test_composition_outside_zero_one_raises(pd, bad_x):
    for call in (
        lambda: pd.phase_fractions(np.array([0.2, bad_x]), 800.0),
        lambda: pd.zn_activity(bad_x, 800.0),
        lambda: pd.liquid_fraction(bad_x, 800.0),
        lambda: pd.solidus_temperature_K(bad_x),
    ):
        with pytest.raises(FoiltwinInputError) as err:
            call()
        assert err.value.field == "zn_frac"


@pytest.mark.unit
def test_use_registers_the_liang_citation(pd):
    citations.reset()
    pd.phase_fractions(0.3, 900.0)
    assert "Liang2015" in citations.used()
    citations.reset()
    assert cuzn_phase_diagram() is pd
    assert "Liang2015" in citations.used()


@pytest.mark.unit
def test_lookups_are_fast(pd):
    x = np.linspace(0.0, 1.0, 1000)[:, None]
    T = np.linspace(500.0, 1357.77, 200)[None, :]
    xa, Ta = np.linspace(0, 1, 1000), np.linspace(500, 1357, 1000)
    pd.phase_fractions(x, T)
    best_pf = best_a = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        pd.phase_fractions(x, T)
        t1 = time.perf_counter()
        pd.zn_activity(xa, Ta)
        t2 = time.perf_counter()
        best_pf, best_a = min(best_pf, t1 - t0), min(best_a, t2 - t1)
    # budgets 50 ms and ~1 ms; generous limits so a loaded CI machine does not flake, a Python loop would
    assert best_pf < 0.25
    assert best_a < 0.01


# ------------------------------------------------------------------------------- live CALPHAD checks
@pytest.mark.component
def test_table_matches_live_pycalphad_on_liang_tdb(pd):
    if not LIANG_TDB.is_file():
        pytest.skip(f"reference TDB not found at {LIANG_TDB} (shared/data is outside the repository)")
    pycalphad = _pycalphad()
    dbf = pycalphad.Database(str(LIANG_TDB))
    phases = list(dbf.phases)
    for T in (750.0, 900.0, 1000.0, 1100.0):
        f = _fields(pd, T)
        (_, a_hi), (b_lo, b_hi), (g_lo, g_hi) = f["alpha"], f["beta"], f["gamma"]
        nxt = min(lo for p, (lo, _) in f.items() if lo > g_hi)
        xs = [0.5 * (a_hi + b_lo), 0.5 * (b_hi + g_lo), 0.5 * (g_hi + nxt), 0.5 * (b_lo + b_hi),
              0.5 * (g_lo + g_hi)]
        ab, bg, g_next, in_b, in_g = _equilibrium(dbf, phases, xs, T)
        assert set(ab) == {"FCC", "BCC"} and set(bg) == {"BCC", "GAMMA"}, (T, ab, bg)
        assert ab["FCC"] == pytest.approx(a_hi, abs=0.005), T
        assert ab["BCC"] == pytest.approx(b_lo, abs=0.005), T
        assert bg["BCC"] == pytest.approx(b_hi, abs=0.005), T
        assert bg["GAMMA"] == pytest.approx(g_lo, abs=0.005), T
        assert g_next["GAMMA"] == pytest.approx(g_hi, abs=0.005), T
        assert set(in_b) == {"BCC"} and set(in_g) == {"GAMMA"}, (T, in_b, in_g)


@pytest.mark.component
def test_alpha_solvus_agrees_with_cost507(pd):
    pycalphad = _pycalphad()
    tdb = resources.files("pycalphad.tests.databases") / "COST507.tdb"
    if not tdb.is_file():
        pytest.skip("this pycalphad installation does not ship COST507.tdb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dbf = pycalphad.Database(tdb.read_text())
    # binary Cu-Zn phases only: COST507's ternary Al-Cu-Zn phases would wrongly appear
    phases = ["FCC_A1", "BCC_B2", "CUZN_GAMMA", "HCP_ZN", "HCP_A3", "LIQUID"]
    for T in (750.0, 900.0, 1000.0):
        x_ab = pd.alpha_max_zn_frac(T) + 0.02  # inside α+β in both assessments
        (res,) = _equilibrium(dbf, phases, [x_ab], T)
        assert set(res) == {"FCC_A1", "BCC"}, (T, res)
        assert res["FCC_A1"] == pytest.approx(pd.alpha_max_zn_frac(T), abs=0.012), T


@pytest.mark.unit
def test_phase_compositions_are_the_tie_line_ends_and_balance_the_zinc(pd):
    x = np.linspace(0.0, 1.0, 401)[:, None]
    T = np.array([[620.0, 750.0, 900.0, 1000.0, 1150.0, 1300.0]])
    frac, comp = pd.phase_compositions(x, T)
    np.testing.assert_allclose(frac, pd.phase_fractions(x, T), atol=0)
    np.testing.assert_allclose(np.nansum(frac * comp, axis=-1), np.broadcast_to(x, frac.shape[:-1]), atol=1e-12)
    assert np.all(np.isnan(comp) == (frac == 0.0))
    _, c = pd.phase_compositions(0.385, 900.0)  # α+β at 900 K: each phase on its field edge
    fields = {p: (lo, hi) for p, lo, hi in pd.single_phase_fields(900.0)}
    assert c[PHASES.index("alpha")] == pytest.approx(fields["alpha"][1])
    assert c[PHASES.index("beta")] == pytest.approx(fields["beta"][0])


@pytest.mark.unit
def test_phase_field_lookup_is_the_vectorised_single_phase_fields(pd):
    T = np.array([500.0, 750.0, 952.5, 1100.0, 1150.0])
    for phase in ("alpha", "beta", "gamma", "epsilon"):
        lo, hi = pd.phase_field_zn_frac(phase, T)
        for i, t in enumerate(T):
            field = [f for f in pd.single_phase_fields(float(t)) if f[0] == phase]
            if field:
                assert (lo[i], hi[i]) == pytest.approx(field[0][1:], abs=1e-12)
            else:
                assert np.isnan(lo[i]) and np.isnan(hi[i])
    assert np.isnan(pd.phase_field_zn_frac("gamma", 1150.0)[0])  # above the γ peritectic (1105.5 K)
    with pytest.raises(FoiltwinInputError):
        pd.phase_field_zn_frac("zeta", 750.0)
