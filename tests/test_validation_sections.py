"""Calibration is not validation: every fitted parameter names its data, and no case is in both sections."""

from __future__ import annotations

import pytest

from process_models.parameters import default_parameters
from process_models.validation.sections import data_fitted_by, split_cases
from process_models.validation.uht_cases import CaseOutcome

P = default_parameters()


@pytest.mark.unit
def test_every_fitted_parameter_names_the_data_it_was_fitted_to():
    fitted = [r for r in P.records() if r.kind == "fitted"]
    assert len(fitted) >= 10
    assert [r.name for r in fitted if not r.data_used] == []
    by = data_fitted_by(P)
    assert by["V3a"] == by["V4"] and "stage3_default_peak_temperature_K" in by["V3a"]
    # an override is no longer fitted to anything: its cases become held out
    assert "V3a" not in data_fitted_by(P.with_overrides({"stage3_default_peak_temperature_K": 1090.0,
                                                         "zn_vapour_transfer_efficiency_frac": 1e-4}))


@pytest.mark.unit
def test_sections_are_disjoint_and_every_fitted_case_is_a_calibration_residual():
    by = data_fitted_by(P)
    rows = [CaseOutcome(f"case {d}", "s", "p", "m", "e", True, d) for d in (*by, "V5a", "V3c", "")]
    sec = split_cases(rows, by)
    cal, val = {id(r) for r in sec.calibration}, {id(r) for r in sec.validation}
    assert not cal & val and len(cal) + len(val) == len(rows)
    assert {r.data_id for r in sec.calibration} == set(by)
    assert {r.data_id for r in sec.validation} == {"V5a", "V3c", ""}
