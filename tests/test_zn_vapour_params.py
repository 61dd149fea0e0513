"""The Zn vapour pressure inside the stage-II supply and the surface evaporation is read with the run's parameters
(process_models.uht.zn_supply, process_models.uht.zn_evaporation)."""

from __future__ import annotations

import numpy as np
import pytest

from process_models import parameters
from process_models.parameters import default_parameters
from process_models.uht.zn_evaporation import SurfaceEvaporation
from process_models.uht.zn_supply import hertz_knudsen_flux_mol_per_m2_s


@pytest.mark.unit
def test_zn_vapour_pressure_is_read_with_the_runs_parameters() -> None:
    """Both called zn_vapour_pressure_Pa without ``params``, so it read the melting points from the registry
    defaults: after a cache clear every cold recipe rebuilt the whole registry (≈ 2.5 ms; issue 15). With the run's
    parameters given, the defaults are not touched (the melting points are fixed points: the same numbers)."""
    p = default_parameters()
    T, origin, t = np.array([650.0, 900.0]), np.zeros(2), np.array([0.5, 0.5])
    evaporation = SurfaceEvaporation(p, origin)
    parameters.default_parameters.cache_clear()
    try:
        hertz_knudsen_flux_mol_per_m2_s(T, p)
        evaporation._factors_at(T, t, origin)
        assert parameters.default_parameters.cache_info().misses == 0
    finally:
        parameters.default_parameters.cache_clear()
