"""Which trial next (issue 10 item 5): the linear-Gaussian update against closed forms and a linear model with a
known best trial; the plant candidates and the command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from optimizer.uq.design import Candidate, information_gain, posterior_covariance, rank_candidates
from process_models.errors import FoiltwinInputError
from twin.plant_data import PlantRecord, plant_csv_text


@pytest.mark.unit
def test_update_equals_the_information_form_and_handles_a_singular_prior():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    prior = A @ A.T + 0.1 * np.eye(3)
    J, sigma = rng.normal(size=(2, 3)), np.array([0.3, 0.7])
    info = np.linalg.inv(np.linalg.inv(prior) + J.T @ np.diag(sigma**-2) @ J)
    assert posterior_covariance(prior, J, sigma) == pytest.approx(info, rel=1e-9, abs=1e-12)
    gain = np.linalg.slogdet(prior)[1] - np.linalg.slogdet(info)[1]
    assert information_gain(prior, J, sigma) == pytest.approx(gain, rel=1e-9)
    singular = np.diag([1.0, 0.0])  # the second parameter is known exactly
    post = posterior_covariance(singular, np.array([[1.0, 5.0]]), np.array([1.0]))
    assert post == pytest.approx(np.diag([0.5, 0.0]))


def line_candidates(xs):
    return [Candidate(f"x={x:g}", np.array([[1.0, x]]), np.array([0.5])) for x in xs]


@pytest.mark.unit
def test_linear_model_known_best_trial():
    """y = θ₀ + θ₁x, prior Σ = I, σ = 0.5, prediction at x* = 1 (g = (1, 1)). One reading at x reduces
    var(gᵀθ) by (gᵀΣj)²/(jᵀΣj + σ²) = (1 + x)²/(1.25 + x²), largest at x = 1.25 (not at x* itself); the
    D-criterion gains ln(1 + (1 + x²)/σ²), largest at the farthest x."""
    xs = [-1.0, 0.0, 0.5, 1.0, 1.25, 3.0]
    ranked = rank_candidates(np.eye(2), line_candidates(xs), np.array([1.0, 1.0]), "prediction")
    assert ranked[0]["label"] == "x=1.25" and ranked[1]["label"] == "x=1"
    for r in ranked:
        x = float(r["label"][2:])
        assert r["prediction_sd_after"] ** 2 == pytest.approx(2.0 - (1 + x) ** 2 / (1.25 + x * x), rel=1e-9)
    d = rank_candidates(np.eye(2), line_candidates(xs), None, "D")
    assert d[0]["label"] == "x=3" and d[0]["information_gain"] == pytest.approx(np.log(1 + 10 / 0.25))
    with pytest.raises(FoiltwinInputError, match="prediction"):
        rank_candidates(np.eye(2), line_candidates(xs), None, "prediction")
    with pytest.raises(FoiltwinInputError, match="--criterion"):
        rank_candidates(np.eye(2), line_candidates(xs), None, "A")


@pytest.mark.integration
def test_next_experiment_command_on_plant_candidates(cli, tmp_path):
    """Three stage-II temperatures as candidate trials reading the XRF Zn loading, to make the loading at the
    default recipe surer: with the registry's η and stage-III-peak errors, the reading informs η, and each
    candidate shrinks the loading's variance (the ranking is the model's; the numbers must be consistent)."""
    rows = [PlantRecord(coil_id=f"T{t}", stage2_temperature_K=float(t), stage3_time_ms=0.0) for t in (700, 750, 800)]
    path = tmp_path / "candidates.csv"
    path.write_text(plant_csv_text(rows))
    code, out, err = cli("next-experiment", str(path), "--measure", "zn_loading_mg_per_cm2", "--predict",
                         "zn_loading_mg_per_cm2", "--uncertain",
                         "zn_vapour_transfer_efficiency_frac,stage3_default_peak_temperature_K",
                         "--json", str(tmp_path / "n.json"))
    assert code == 0, err
    assert "run T" in out
    d = json.loads((tmp_path / "n.json").read_text())
    after = [r["prediction_sd_after"] for r in d["ranking"]]
    assert after == sorted(after) and all(a < d["ranking"][0]["prediction_sd_before"] for a in after)
    assert all(0.0 < r["prediction_variance_reduction"] < 1.0 for r in d["ranking"])
    code, _, err = cli("next-experiment", str(path), "--measure", "xrf")
    assert code == 2 and "--measure" in err
