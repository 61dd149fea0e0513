"""The optimiser's mean of a scenario time model (``optimizer.space.mean_hours``) is the mean of the twin's own draws
(``twin.time_models.draw_hours``): the two layers agree on what a breakdown or a repair costs on average."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.space import mean_hours
from twin.scenario import ConstantTime, ExponentialTime, LognormalTime, WeibullTime
from twin.time_models import draw_hours


@pytest.mark.unit
@pytest.mark.parametrize("model", [ExponentialTime(mean_h=40.0), LognormalTime(mean_h=3.0, cv_frac=0.8),
                                   WeibullTime(scale_h=120.0, shape_frac=1.5), WeibullTime(scale_h=8.0, shape_frac=0.7),
                                   ConstantTime(value_h=2.5)])
def test_mean_hours_is_the_mean_of_the_twins_draws(model):
    rng = np.random.default_rng(11)
    draws = np.array([draw_hours(model, rng) for _ in range(20_000)])
    standard_error = draws.std() / np.sqrt(draws.size)
    assert abs(draws.mean() - mean_hours(model)) <= 4.0 * standard_error + 1e-12 * mean_hours(model)
