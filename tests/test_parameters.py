"""The parameter registry: units in names, sources, overrides."""

from __future__ import annotations

import math

import pytest

from process_models.citations import CITATIONS
from process_models.errors import FoiltwinInputError
from process_models.parameters import (
    PARAMETER_SETS,
    default_parameters,
    get_parameter_set,
    unit_of_name,
)
from process_models.parameters.registry import Parameter


@pytest.mark.unit
def test_every_name_declares_its_unit():
    bad = [
        (p.name, p.unit)
        for p in default_parameters().records()
        if unit_of_name(p.name) is None or unit_of_name(p.name) != p.unit
    ]
    assert not bad, f"names whose suffix is unknown or disagrees with the unit field: {bad}"


@pytest.mark.unit
def test_every_parameter_has_a_known_source_and_location():
    for p in default_parameters().records():
        assert p.source in CITATIONS, p.name
        assert p.where.strip(), f"{p.name} has no location/reason"
        if p.kind == "fitted":
            assert p.fit_error, f"fitted parameter {p.name} must report its fit error"


@pytest.mark.unit
def test_each_set_lists_its_citations():
    for name in PARAMETER_SETS:
        values = get_parameter_set(name)
        sources = {p.source for p in values["parameters"]}
        assert sources <= set(values["citations"]), f"{name}: sources {sources} not all in citations"


@pytest.mark.unit
def test_unknown_set_name_lists_the_valid_ones():
    with pytest.raises(FoiltwinInputError, match="seed002_wang2025"):
        get_parameter_set("seed002")


@pytest.mark.unit
def test_override_by_name_marks_the_record():
    params = default_parameters()
    new = params.with_overrides({"stage2_reference_time_s": 60.0})
    assert new["stage2_reference_time_s"] == 60.0
    assert new.record("stage2_reference_time_s").where == "user override"
    assert params["stage2_reference_time_s"] == 120.0  # the default is untouched


@pytest.mark.unit
def test_misspelt_override_is_an_error_with_a_suggestion():
    with pytest.raises(FoiltwinInputError, match="did you mean stage2_reference_time_s"):
        default_parameters().with_overrides({"stage2_reference_tme_s": 60.0})


@pytest.mark.unit
@pytest.mark.parametrize("value", [-1.0, float("nan"), 1e9, "abc"])
def test_out_of_bounds_override_names_field_value_and_range(value):
    with pytest.raises(FoiltwinInputError) as err:
        default_parameters().with_overrides({"stage2_reference_time_s": value})
    assert err.value.field == "stage2_reference_time_s"
    assert "stage2_reference_time_s" in str(err.value)


@pytest.mark.unit
def test_registry_records_carry_a_standard_error():
    with pytest.raises(ValueError, match="standard error"):
        Parameter("x_K", 1.0, "K", "Assumed", "test", "assumed", (0.0, 2.0), standard_error=-1.0)
    assert Parameter("x_K", 1.0, "K", "Assumed", "test", "assumed", (0.0, 2.0)).standard_error is None
    h = "gas_convection_multiplier_frac"
    with pytest.raises(FoiltwinInputError, match="standard_error"):
        default_parameters().with_overrides({h: 1.2}, standard_errors={h: math.nan})
    rec = default_parameters().with_overrides({h: 1.2}, kind="fitted", source="Calibrated", where="a fit",
                                              fit_error="a residual", standard_errors={h: 0.5}).record(h)
    assert (rec.kind, rec.source, rec.where, rec.fit_error, rec.standard_error) == (
        "fitted", "Calibrated", "a fit", "a residual", 0.5)
    # the seed-fitted values carry the standard error their calibration script computes
    for name in ("zn_vapour_transfer_efficiency_frac", "stage3_default_peak_temperature_K"):
        rec = default_parameters().record(name)
        assert rec.kind == "fitted" and rec.standard_error is not None and rec.standard_error > 0
        assert "standard errors from the targets' uncertainty" in rec.fit_error


@pytest.mark.unit
def test_physical_constants_are_those_of_scipy_constants():
    """physical_constants replaced scipy.constants (start-up time, issue 15): same values, bit for bit."""
    import scipy.constants

    from process_models import physical_constants as pc

    names = [n for n in vars(pc) if not n.startswith("_") and isinstance(getattr(pc, n), float)]
    assert {"R", "N_A", "e", "sigma", "pound", "troy_ounce", "calorie", "atm", "g"} <= set(names)
    for name in names:
        assert getattr(pc, name) == getattr(scipy.constants, name), name
    assert pc.N_A * scipy.constants.k == pc.R  # exact in the 2019 SI


def _number(literal: str) -> float:
    """A Python numeric literal's value (decimal, float, hex/octal/binary, underscores; a complex literal is nan)."""
    import ast

    v = ast.literal_eval(literal)
    return float(v) if isinstance(v, int | float) else float("nan")


@pytest.mark.unit
def test_the_cu_melting_point_is_written_once_in_the_registry():
    """Every bound at the Cu melting point imports the registry module's constant: the number appears as a literal
    in the source of that module only (comments and docstrings aside)."""
    import io
    import tokenize
    from pathlib import Path

    from process_models.parameters import default_parameters as defaults
    from process_models.parameters.materials_literature import CU_MELTING_TEMPERATURE_K
    from process_models.uht.recipe import CU_MELTING_K as RECIPE_LIMIT_K
    from twin.scenario import CU_MELTING_K as SCENARIO_LIMIT_K

    assert defaults()["cu_melting_temperature_K"] == CU_MELTING_TEMPERATURE_K == RECIPE_LIMIT_K == SCENARIO_LIMIT_K
    root = Path(__file__).resolve().parents[1]
    found = []
    for package in ("process_models", "twin", "optimizer", "ui", "foiltwin"):
        for path in (root / package).rglob("*.py"):
            tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
            if any(t.type == tokenize.NUMBER and _number(t.string) == CU_MELTING_TEMPERATURE_K for t in tokens):
                found.append(str(path.relative_to(root)))
    assert found == ["process_models/parameters/materials_literature.py"]
