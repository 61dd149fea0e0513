"""process_models.roots.bracketed_root against scipy's brentq."""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq

from process_models.roots import bracketed_root

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("f", "a", "b"), [
    (lambda x: x**3 - 2.0, 0.0, 3.0),
    (lambda x: math.exp(x) - 10.0, -5.0, 5.0),
    (lambda x: math.tanh(50.0 * (x - 0.3)), -1.0, 1.0),  # steep: falls back on bisection steps
    (lambda x: (x - 1e-3) * 1e9, 0.0, 1.0),
])
def test_the_root_is_brentqs(f, a, b):
    assert bracketed_root(f, a, b, xtol=1e-13) == pytest.approx(brentq(f, a, b, xtol=1e-14), abs=1e-11)


def test_no_sign_change_is_refused():
    with pytest.raises(ValueError, match="no sign change"):
        bracketed_root(lambda x: x * x + 1.0, -1.0, 1.0)


def test_lambert_w0_is_scipys():
    """Away from the branch point −1/e the two agree to 1e-13; near it W is ill-conditioned (dW/dx → ∞: one ulp
    of x moves W by ~1e-9), so there the test is the defining equation w·eʷ = x to round-off."""
    import numpy as np
    from scipy.special import lambertw

    from process_models.roots import lambert_w0

    e_inv = np.exp(-1.0)
    near = -e_inv + np.geomspace(1e-14, 1e-6, 100)
    x = np.concatenate([-e_inv + np.geomspace(1e-6, 0.3, 200), np.linspace(-0.05, 5.0, 200),
                        np.geomspace(5.0, 1e12, 100), [0.0]])
    np.testing.assert_allclose(lambert_w0(x), np.real(lambertw(x, 0)), rtol=1e-13, atol=1e-15)
    w = lambert_w0(near)
    np.testing.assert_allclose(w * np.exp(w), near, rtol=0.0, atol=2e-16)
    assert lambert_w0(np.array([-e_inv]))[0] == -1.0
    with pytest.raises(ValueError):
        lambert_w0(np.array([-0.5]))
