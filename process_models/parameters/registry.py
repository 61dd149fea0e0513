"""Parameter registry: every constant with its value, unit, source and kind.

A parameter's name carries its unit (``zn_vapour_transfer_efficiency_frac``, ``foil_emissivity_frac``,
``cu_melting_temperature_K``); :data:`UNIT_SUFFIXES` maps each allowed suffix to the unit it means, and
a test fails on any name whose suffix is unknown or disagrees with its ``unit`` field.
Overrides are by name; an unknown name or a value outside the parameter's bounds raises
:class:`~process_models.errors.FoiltwinInputError`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from process_models.citations import CITATIONS
from process_models.errors import FoiltwinInputError, require_number

Kind = Literal["measured", "literature", "fitted", "assumed", "derived", "constant"]
KINDS: tuple[str, ...] = ("measured", "literature", "fitted", "assumed", "derived", "constant")

# Longest suffixes first so that e.g. "_J_per_mol_K" wins over "_K".
UNIT_SUFFIXES: dict[str, str] = {
    # costing: prices, currency, time and throughput (longest first among themselves; none ends a suffix below)
    "_USD_per_kWh": "USD/kWh",
    "_Nm3_per_m2": "Nm3/m2",
    "_USD_per_Nm3": "USD/Nm3",
    "_CNY_per_USD": "CNY/USD",
    "_CNY_per_m2": "CNY/m2",
    "_USD_per_kg": "USD/kg",
    "_USD_per_m3": "USD/m3",
    "_USD_per_L": "USD/L",
    "_USD_per_h": "USD/h",
    "_Nm3_per_h": "Nm3/h",
    "_h_per_yr": "h/yr",
    "_m2_per_h": "m2/h",
    "_per_yr": "1/yr",
    "_USD": "USD",
    "_yr": "yr",
    "_mol_per_m2_s": "mol/(m2 s)",
    "_J_per_kg_K": "J/(kg K)",
    "_J_per_mol_K": "J/(mol K)",
    "_W_per_m2_K": "W/(m2 K)",
    "_W_per_m_K": "W/(m K)",
    "_W_per_K": "W/K",
    "_m2_per_s": "m2/s",
    "_J_per_mol": "J/mol",
    "_J_per_kg": "J/kg",
    "_N_per_m": "N/m",
    "_kg": "kg",
    "_kg_per_m3": "kg/m3",
    "_kg_per_mol": "kg/mol",
    "_m3_per_mol": "m3/mol",
    "_mol_per_m3": "mol/m3",
    "_mol_per_m2": "mol/m2",
    "_kg_per_m2": "kg/m2",
    "_W_per_m2": "W/m2",
    "_A_per_m2": "A/m2",
    "_V": "V",
    "_K_per_s": "K/s",
    "_m_per_s": "m/s",
    "_ohm_m": "ohm m",
    "_S_per_m": "S/m",
    "_per_m2_s": "1/(m2 s)",
    "_per_m2": "1/m2",
    "_per_K": "1/K",
    "_per_m": "1/m",
    "_per_s": "1/s",
    "_frac": "1",
    "_count": "1",
    "_Pa": "Pa",
    "_K": "K",
    "_s": "s",
    "_m": "m",
}


def unit_of_name(name: str) -> str | None:
    """The unit a parameter name declares through its suffix, or ``None`` if it has no known suffix."""
    for suffix, unit in UNIT_SUFFIXES.items():
        if name.endswith(suffix):
            return unit
    return None


@dataclass(frozen=True)
class Parameter:
    """One scalar parameter.

    ``bounds`` is the physically meaningful range an override must stay in (inclusive).
    ``where`` locates the value in its source (seed section/figure, table) or, for assumptions,
    gives the reason. ``fit_error`` is filled for fitted parameters; ``standard_error`` is the fit's standard
    error in the parameter's own unit (``None`` when unknown: every literature, assumed or measured value today,
    and fitted values whose fit gave no uncertainty).
    """

    name: str
    value: float
    unit: str
    source: str
    where: str
    kind: Kind
    bounds: tuple[float, float] = (-math.inf, math.inf)
    fit_error: str = ""
    standard_error: float | None = None
    # the data a fitted value was fitted to (a measured input: the data it is): validation case ids
    # (``process_models.validation``: "V3a", "V004-N3", ...) or a named source; the cases named here are reported
    # as calibration residuals, never as validation passes
    data_used: tuple[str, ...] = ()
    # how ``standard_error`` was obtained from the fit (Jacobian, bootstrap, or the measurement's stated error
    # carried through a one-point solve); :mod:`process_models.fits` recomputes it, a test compares the two
    standard_error_method: str = ""
    # (name, ρ): the correlation of this value's fit error with that of each parameter fitted jointly with it (one
    # covariance J⁻¹ΣJ⁻ᵀ), so that cov = ρ·SE·SE'. The delta method scales each parameter alone, so ρ is the same
    # for x and ln x. Both records name each other; an override of either drops the pair (its error is new)
    correlations: tuple[tuple[str, float], ...] = ()
    # (lo, hi): the values the observations leave, when they bracket the value rather than fix it (a fit of
    # "consistent with both observations"): uncertainty draws stay inside it (twin.parameter_uncertainty), as
    # they stay inside ``bounds``; an override drops it (the value is then the user's)
    bracket: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} not in {KINDS}")
        if self.source not in CITATIONS:
            raise ValueError(f"{self.name}: source {self.source!r} is not a known citation key")
        lo, hi = self.bounds
        if not (lo <= self.value <= hi):
            raise ValueError(f"{self.name}: default {self.value} outside its bounds {self.bounds}")
        se = self.standard_error
        if se is not None and not (math.isfinite(se) and se >= 0.0):
            raise ValueError(f"{self.name}: standard error {se} must be a finite number >= 0 (or None)")
        if self.bracket is not None and not (lo <= self.bracket[0] <= self.value <= self.bracket[1] <= hi):
            raise ValueError(f"{self.name}: bracket {self.bracket} must hold the value {self.value} within the "
                             f"bounds {self.bounds}")
        for other, rho in self.correlations:
            if other == self.name or not (math.isfinite(rho) and -1.0 <= rho <= 1.0) or se is None:
                raise ValueError(f"{self.name}: correlation {rho} with {other!r} must be in [-1, 1], with another "
                                 "parameter, on a record with a standard error")


class ParameterValues(Mapping[str, float]):
    """An immutable name → value mapping backed by :class:`Parameter` records."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        self._records: dict[str, Parameter] = {}
        for p in parameters:
            if p.name in self._records:
                raise ValueError(f"parameter {p.name!r} is defined twice")
            self._records[p.name] = p

    def __getitem__(self, name: str) -> float:
        try:
            return self._records[name].value
        except KeyError:
            raise self._unknown(name) from None

    def __contains__(self, name: object) -> bool:
        # Mapping's default tries ``self[name]``, whose miss raises FoiltwinInputError (with a difflib hint), not
        # KeyError: ``name in values`` would raise instead of answering
        return name in self._records

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def record(self, name: str) -> Parameter:
        """The full record (unit, source, kind, bounds) of ``name``."""
        if name not in self._records:
            raise self._unknown(name)
        return self._records[name]

    def records(self) -> list[Parameter]:
        return list(self._records.values())

    def _unknown(self, name: str) -> FoiltwinInputError:
        close = difflib.get_close_matches(name, self._records, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; run `foiltwin params` for the list"
        return FoiltwinInputError("parameter", name, "a known parameter name" + hint)

    def with_overrides(self, overrides: Mapping[str, float], kind: Kind = "assumed", *, source: str = "Assumed",
                       where: str = "user override", fit_error: str = "",
                       standard_errors: Mapping[str, float | None] | None = None) -> ParameterValues:
        """A copy with ``overrides`` applied; each must name a known parameter and respect its bounds.

        Overridden records keep their unit and bounds and are marked ``kind`` with ``source`` (a citation key) and
        ``where`` — by default "Assumed" / "user override", so reports show that the value no longer is the cited
        one; a fitted parameter set passes kind "fitted", its citation key, its provenance and ``fit_error``. Their
        standard error is the one in ``standard_errors`` (same unit as the value) or ``None``; the replaced value's
        fit error, standard error and the data it was fitted to never carry over to the new value.
        """
        new = dict(self._records)
        errors = standard_errors or {}
        for name, value in overrides.items():
            rec = self.record(name)
            v = require_number(name, value, rec.unit)  # no bool→float, no "3"→3
            lo, hi = rec.bounds
            if math.isnan(v) or not (lo <= v <= hi):
                raise FoiltwinInputError(name, value, f"must lie in [{lo:g}, {hi:g}] {rec.unit}")
            se = errors.get(name)
            if se is not None and not (math.isfinite(float(se)) and float(se) >= 0.0):
                raise FoiltwinInputError(f"{name}.standard_error", se, f"a finite number >= 0 in {rec.unit}")
            new[name] = replace(rec, value=v, kind=kind, source=source, where=where, fit_error=fit_error,
                                standard_error=None if se is None else float(se), data_used=(),
                                standard_error_method="" if se is None else "given with the override",
                                correlations=(), bracket=None)
        return ParameterValues(new.values())
