"""Parameter sets, one module per source, joined into one registry.

Each module has ``get_parameter_values()`` returning ``{"parameters": [...], "citations": [...]}``.
:func:`default_parameters` joins every set; a name defined twice is an error.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import lru_cache

from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import (
    UNIT_SUFFIXES,
    Parameter,
    ParameterValues,
    unit_of_name,
)

PARAMETER_SETS: tuple[str, ...] = (
    "seed002_wang2025",
    "materials_literature",
    "cuzn_diffusion_literature",
    "thermal_assumptions",
    "uht_line_assumptions",
    "stage2_gamma_islands",
    "fitted_uht",
    "electrodeposition_literature",
    "texture_literature",
    "ag_immersion_seed004",
    "ag_natural_convection_literature",
    "quality_indicators_seeds",
    "costing_prices",
    "coil_anneal_assumptions",
    "coil_sticking_literature",
    "hot_zone_anneal_assumptions",
    "measurement_assumptions",
    "cuzn_quench",
    "web_handling_literature",
    "skin_metals_literature",
    "skin_diffusion_literature",
    "skin_indicators_assumed",
)

__all__ = [
    "PARAMETER_SETS",
    "UNIT_SUFFIXES",
    "Parameter",
    "ParameterValues",
    "default_parameters",
    "get_parameter_set",
    "parameters_or_default",
    "unit_of_name",
]


def get_parameter_set(name: str) -> dict:
    """The ``get_parameter_values()`` dict of set ``name``; an unknown name lists the valid ones."""
    if name not in PARAMETER_SETS:
        raise FoiltwinInputError("parameter_set", name, f"one of {', '.join(PARAMETER_SETS)}")
    module = importlib.import_module(f"process_models.parameters.{name}")
    return module.get_parameter_values()


@lru_cache(maxsize=1)
def default_parameters() -> ParameterValues:
    """All parameter sets joined (cached; the object is immutable)."""
    records: list[Parameter] = []
    for name in PARAMETER_SETS:
        records.extend(get_parameter_set(name)["parameters"])
    return ParameterValues(records)


def parameters_or_default(params: Mapping[str, float] | None) -> Mapping[str, float]:
    """``params`` when given (a registry with overrides, or any name → value mapping), else the defaults."""
    return default_parameters() if params is None else params
