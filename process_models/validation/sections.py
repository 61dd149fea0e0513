"""``foiltwin validate`` in two sections: calibration residuals and held-out validation (issue 9 item 5).

A case belongs to the calibration section when its data point (``CaseOutcome.data_id``) is named by any
registry parameter's ``data_used`` (a fitted value fitted to it, or a measured input that is it): the model
reproducing it tests nothing but the fit. Every other case is held out. No case is in both; a case the
registry names but no case reproduces is listed as well, so nothing fitted is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from process_models.parameters.registry import ParameterValues
from process_models.validation.collector_cases import run_collector_validation
from process_models.validation.uht_cases import CaseOutcome, run_validation


@dataclass(frozen=True)
class ValidationSections:
    """Cases split by whether their data set a parameter; ``fitted_by`` maps a data id to the parameters."""

    calibration: list[CaseOutcome]
    validation: list[CaseOutcome]
    fitted_by: dict[str, list[str]]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.calibration + self.validation)

    def to_dict(self) -> dict:
        return {"calibration": [r.__dict__ for r in self.calibration],
                "validation": [r.__dict__ for r in self.validation], "fitted_by": self.fitted_by,
                "passed": self.passed}


def data_fitted_by(params: ParameterValues) -> dict[str, list[str]]:
    """Data id -> the parameters whose value it set (from the registry's ``data_used``)."""
    out: dict[str, list[str]] = {}
    for name in params:
        for d in params.record(name).data_used:
            out.setdefault(d, []).append(name)
    return out


def split_cases(rows: list[CaseOutcome], fitted_by: dict[str, list[str]]) -> ValidationSections:
    cal = [r for r in rows if r.data_id and r.data_id in fitted_by]
    val = [r for r in rows if not (r.data_id and r.data_id in fitted_by)]
    return ValidationSections(cal, val, fitted_by)


def validation_sections(params: ParameterValues) -> ValidationSections:
    """Run every seed case on ``params`` and split them (data only; printing is the CLI's)."""
    return split_cases(run_validation(params) + run_collector_validation(params), data_fitted_by(params))
