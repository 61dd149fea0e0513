"""Quality indicators fitted to the seeds (process_models.quality.indicators): anchors, orderings, CE algebra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.quality import indicators as qi

P = default_parameters()
COMMERCIAL = np.array([P["bare_cu_reference_111_frac"], P["bare_cu_reference_100_frac"],
                       P["bare_cu_reference_110_frac"], 0.0])
COMMERCIAL[3] = 1.0 - COMMERCIAL[:3].sum()
PURE = {"111": [1.0, 0, 0, 0], "100": [0, 1.0, 0, 0], "110": [0, 0, 1.0, 0], "random": [0, 0, 0, 1.0]}


@pytest.mark.unit
def test_every_seed_anchor_is_reproduced_within_its_stated_error():
    rows = qi.anchor_residuals()
    assert len(rows) == len(qi.SEED_ANCHORS) == 6
    for row in rows:
        assert abs(row["residual_V"]) <= row["allowed_V"], row
    # the anchors themselves, recomputed through the public function
    eta = qi.nucleation_overpotential_V(COMMERCIAL, [0, 1, 0], [0, 0, 1], 0.0, protocol="seed002_ether")
    np.testing.assert_allclose(eta, [0.0936, 0.0372, 0.0332], atol=5e-4)  # seed 002 Fig. 2a
    cover = default_parameters()["ag_plume_coverage_at_reference_frac"]  # the seed's plumes at 1 wt %/2 min
    eta = qi.nucleation_overpotential_V(COMMERCIAL, ag_frac=[0.0, cover], protocol="seed004_carbonate")
    np.testing.assert_allclose(eta, [0.365, 0.041], atol=5e-4)  # seed 004 Fig. 3b
    eta = qi.nucleation_overpotential_V(COMMERCIAL, protocol="seed000_review")
    assert 0.030 <= eta[0] <= 0.050  # seed 000 O3 band
    assert {"Wang2025", "Zhang2023", "Feng2026"} <= set(citations.used())


@pytest.mark.unit
def test_fitted_factors_carry_their_fit_error():
    for name in ("nucleation_factor_gamma_frac", "nucleation_factor_alpha_frac", "nucleation_factor_ag_frac"):
        rec = P.record(name)
        assert rec.kind == "fitted" and "residual" in rec.fit_error


@pytest.mark.unit
@pytest.mark.parametrize("protocol", qi.PROTOCOLS)
def test_orders_cu_gamma_alpha_and_facets(protocol):
    cu, gamma, alpha, silver = qi.nucleation_overpotential_V(COMMERCIAL, [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1],
                                                            protocol=protocol)
    assert cu > gamma > alpha  # seed 002 Fig. 2a
    assert silver < cu  # seed 004 Fig. 3b
    f111, f100, f110 = (qi.nucleation_overpotential_V(PURE[k], protocol=protocol)[0] for k in ("111", "100", "110"))
    assert f100 < f110 < f111  # seed 000 T3/T5/T9


@pytest.mark.unit
def test_mixed_surfaces_are_coverage_weighted():
    S_cu = qi.cu_surface_factor(COMMERCIAL)[0]
    assert S_cu == pytest.approx(1.0)
    half = qi.surface_factor(COMMERCIAL, ag_frac=0.5)[0]
    assert half == pytest.approx(0.5 * S_cu + 0.5 * P["nucleation_factor_ag_frac"])
    theta = np.linspace(0.0, 1.0, 11)
    S = qi.surface_factor(COMMERCIAL, alpha_frac=theta)
    assert np.all(np.diff(S) < 0.0)
    with pytest.raises(FoiltwinInputError) as err:
        qi.surface_factor(COMMERCIAL, gamma_frac=0.6, alpha_frac=0.6)
    assert err.value.field == "gamma_frac+alpha_frac+ag_frac"


@pytest.mark.unit
def test_current_density_scaling_and_nucleus_density():
    j = np.array([0.5, 1.0, 10.0, 100.0])
    cu = qi.nucleation_overpotential_V(COMMERCIAL, protocol="seed004_carbonate", current_density_A_per_m2=j)
    silver = qi.nucleation_overpotential_V(COMMERCIAL, ag_frac=1.0, protocol="seed004_carbonate",
                                           current_density_A_per_m2=j)
    assert np.all(np.diff(cu) > 0.0) and np.all(np.diff(silver) > 0.0)  # seed 004 N4: rises with j
    assert np.all(np.diff(silver) < np.diff(cu))  # ... much less on Ag@Cu (V004-07)
    assert cu[2] == pytest.approx(0.365)  # at the protocol's own j the anchor is untouched
    assert qi.nucleation_density_ratio(0.2, 0.1) == pytest.approx(8.0)  # N ∝ η³ (Pei2017)
    assert qi.nucleation_density_ratio(0.0, 0.1) == 0.0


@pytest.mark.unit
@settings(max_examples=200, deadline=None)
@given(retention=st.floats(0.01, 1.0), cycles=st.floats(1.0, 1e4))
def test_required_ce_to_the_n_is_the_retention(retention, cycles):
    ce = qi.required_coulombic_efficiency(retention, cycles)
    assert ce**cycles == pytest.approx(retention, rel=1e-12)
    assert qi.retention_after_cycles(ce, cycles) == pytest.approx(retention, rel=1e-12)
    if ce < 1.0:  # n = ln r / ln CE: CE rounded to double limits it to ~eps/|ln CE| relative
        rel = 1e-12 + 4.0 * np.finfo(float).eps / abs(float(np.log(ce)))
        assert qi.cycles_to_retention(ce, retention) == pytest.approx(cycles, rel=rel)


@pytest.mark.unit
def test_ce_table_and_seed_implied_values():
    """Seed note 000 §6(d): 80 % after 100/200/500/1000 cycles needs 99.777/99.888/99.955/99.978 %."""
    ce = qi.required_coulombic_efficiency(0.8, np.array([100, 200, 500, 1000]))
    np.testing.assert_allclose(ce, [0.99777, 0.99888, 0.99955, 0.99978], atol=6e-6)
    implied = {row["anchor"]: row.get("implied_mean_ce_frac") for row in qi.ce_anchors()}
    assert implied["retention seed000_wavy_lfp"] == pytest.approx(0.99884, abs=5e-6)  # V000-09
    assert implied["retention seed000_fsi_pouch"] == pytest.approx(0.99400, abs=5e-6)  # V000-11
    assert qi.cycles_to_retention(1.0, 0.8) == np.inf
    assert qi.cycles_to_retention(0.99, 1.0) == 0.0


@pytest.mark.unit
def test_figure_of_merit_is_zero_for_commercial_cu_and_penalises_flags():
    S = qi.surface_factor(COMMERCIAL, alpha_frac=[0.0, 1.0])
    fom = qi.figure_of_merit(S, [0, 0])
    assert fom[0] == pytest.approx(0.0, abs=1e-12) and fom[1] > 0.4
    assert qi.figure_of_merit(S[1], 1) == pytest.approx(fom[1] - P["fom_flag_penalty_frac"])


@pytest.mark.unit
@pytest.mark.parametrize(("call", "field"), [
    (lambda: qi.nucleation_overpotential_V(COMMERCIAL, protocol="seed003"), "protocol"),
    (lambda: qi.nucleation_overpotential_V(COMMERCIAL, current_density_A_per_m2=0.0), "current_density_A_per_m2"),
    (lambda: qi.nucleation_overpotential_V([0.5, 0.5, 0.5, 0.0]), "texture"),
    (lambda: qi.surface_factor(COMMERCIAL, ag_frac=-0.1), "ag_frac"),
    (lambda: qi.required_coulombic_efficiency(0.0, 100), "retention_frac"),
    (lambda: qi.required_coulombic_efficiency(0.8, 0), "cycles_count"),
    (lambda: qi.cycles_to_retention(1.01, 0.8), "coulombic_efficiency_frac"),
    (lambda: qi.retention_after_cycles(0.99, -1), "cycles_count"),
    (lambda: qi.nucleation_density_ratio(0.1, 0.0), "reference_overpotential_V"),
    (lambda: qi.figure_of_merit(0.0), "surface_factor_frac"),
])
def test_bad_inputs_name_the_field(call, field):
    with pytest.raises(FoiltwinInputError) as err:
        call()
    assert err.value.field == field
