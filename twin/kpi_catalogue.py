"""The KPI catalogue: each KPI's report key, unit, sense, label and display format, in one place.

The twin's reports, the optimiser's predictions and checks and the collector results are JSON dicts; their keys are a
contract (golden report, results database, exported files) and stay as they are. The catalogue types those dicts:
:data:`KPIS` says what each key holds, :func:`check_kpis` checks a report against it, and everything that shows a
KPI (the CLI, the dashboard's tables, the batch summaries, the optimiser's targets) reads its label, unit and
format here. A money unit is written ``{currency}`` and filled in from the scenario (``Scenario.currency``) or the
result that carries one (:meth:`Kpi.unit_in`).

``sense``: ``"max"`` the more the better, ``"min"`` the less the better, ``None`` a window or a label (skin
thickness has a target window, not a direction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

Format = Literal["number", "fraction", "count", "text"]
Sense = Literal["min", "max"] | None
CURRENCY = "{currency}"


@dataclass(frozen=True)
class Kpi:
    """One KPI: ``name`` is its key in the report (dotted for a nested value, ``skin_thickness_nm.mean``)."""

    name: str
    unit: str
    sense: Sense
    label: str
    format: Format = "number"
    undefined_when: str = ""  # why a report can give None for it (a per-good-m² figure without good m²)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))

    def unit_in(self, currency: str) -> str:
        """The display unit of :meth:`text` (fractions in %; a money unit in ``currency``)."""
        return "%" if self.format == "fraction" else self.value_unit(currency)

    def value_unit(self, currency: str) -> str:
        """The unit of the value as stored in the report (a fraction is a plain number: "")."""
        return self.unit.replace(CURRENCY, currency)

    def value(self, report: dict[str, Any] | None) -> Any:
        """The KPI's value in ``report`` (``None`` when missing)."""
        node: Any = report
        for key in self.path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def text(self, v: Any) -> str:
        """A display cell: fractions in %, counts as integers, numbers to 4 significant digits, missing as –."""
        return format_value(v, self.format)

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` is better than ``b`` by this KPI's sense."""
        if self.sense is None:
            raise ValueError(f"{self.name} has no sense (a window or a label)")
        return a < b if self.sense == "min" else a > b


def format_value(v: Any, fmt: Format = "number") -> str:
    """A cell: fractions in %, numbers to 4 significant digits, missing as an en dash."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        if not math.isfinite(v):
            return str(v)
        if fmt == "fraction":
            return f"{100.0 * v:.1f} %"
        if isinstance(v, int) or (fmt == "count" and float(v).is_integer()):
            return f"{int(v):d}"
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(v)


_ALL: tuple[Kpi, ...] = (
    # output and OEE (twin reports: plant and lines)
    Kpi("throughput_m2_per_h", "m²/h", "max", "throughput (good)"),
    Kpi("metres_produced", "m", "max", "metres produced"),
    Kpi("yield_fraction", "", "max", "yield", "fraction"),
    Kpi("oee", "", "max", "OEE", "fraction"),
    Kpi("availability", "", "max", "availability", "fraction"),
    Kpi("performance", "", "max", "performance", "fraction"),
    Kpi("quality", "", "max", "quality", "fraction"),
    Kpi("breakdowns", "", "min", "breakdowns", "count"),
    Kpi("batches", "", None, "batches", "count"),
    Kpi("utilisation", "", None, "utilisation (hot)", "fraction"),
    # the skin (twin reports: a distribution; optimiser and collector results: one value)
    Kpi("skin_thickness_nm", "nm", None, "skin thickness"),
    Kpi("skin_thickness_nm.mean", "nm", None, "skin thickness mean"),
    Kpi("skin_thickness_nm.p05", "nm", None, "skin thickness p05"),
    Kpi("skin_thickness_nm.p95", "nm", None, "skin thickness p95"),
    Kpi("skin_thickness_p05_nm", "nm", None, "skin thickness p05 (twin)"),
    Kpi("skin_thickness_p95_nm", "nm", None, "skin thickness p95 (twin)"),
    Kpi("skin_phase", "", None, "skin phase", "text"),
    Kpi("surface_zn_at_frac", "at. frac", None, "surface Zn"),
    Kpi("zn_loading_mg_per_cm2", "mg/cm²", None, "Zn loading"),
    Kpi("zn_lost_fraction", "", "min", "Zn lost", "fraction"),
    Kpi("peak_temperature_K", "K", None, "peak temperature"),
    # texture and the Li indicator
    Kpi("texture_fraction_100", "", "max", "(100) texture", "fraction"),
    Kpi("texture_fraction_111", "", None, "texture (111)", "fraction"),
    Kpi("texture_fraction_110", "", None, "texture (110)", "fraction"),
    Kpi("texture_fraction_100_after_anneal", "", "max", "(100) after anneal", "fraction"),
    Kpi("nucleation_overpotential_mV", "mV", "min", "nucleation overpotential (indicator)"),
    # skin metals (issue 14)
    Kpi("skin_metal", "", None, "skin metal (at the start)", "text"),
    Kpi("skin_changeovers", "", "min", "skin-metal changeovers", "count"),
    Kpi("skin_changeover_hours", "h", "min", "skin-metal changeover downtime"),
    # plating
    Kpi("bath", "", None, "bath", "text"),
    Kpi("deposit_mean_um", "µm", None, "deposit mean"),
    Kpi("metres_cut_out", "m", "min", "cut out at the rewinder"),
    # energy and cost
    Kpi("energy_kwh_per_m2", "kWh/m²", "min", "energy",
        undefined_when="no good m² (yield 0): an energy per good m² is unbounded"),
    Kpi("energy_kwh_per_processed_m2", "kWh/m² processed", "min", "energy"),
    Kpi("energy_lower_bound_kwh_per_m2", "kWh/m²", None, "UHT energy lower bound"),
    Kpi("energy_total_kwh_per_m2", "kWh/m²", "min", "energy, all steps"),
    Kpi("cost_per_m2", f"{CURRENCY}/m²", "min", "cost",
        undefined_when="no good m² (yield 0): a cost per good m² is unbounded"),
)
KPIS: dict[str, Kpi] = {k.name: k for k in _ALL}


def kpi(name: str, label: str | None = None) -> Kpi:
    """The catalogue's KPI ``name`` (a ``KeyError`` names it when missing), optionally shown under another label
    (a furnace's throughput is its "area annealed per hour")."""
    k = KPIS[name]
    return k if label is None else replace(k, label=label)


# what each view shows, in order
PLANT_VIEW: tuple[Kpi, ...] = tuple(kpi(n) for n in (
    "throughput_m2_per_h", "metres_produced", "yield_fraction", "oee", "availability", "performance", "quality",
    "skin_thickness_nm.mean", "skin_thickness_nm.p05", "skin_thickness_nm.p95", "skin_phase", "texture_fraction_100",
    "energy_kwh_per_m2", "cost_per_m2"))
_WEB_LINE = tuple(kpi(n) for n in ("throughput_m2_per_h", "metres_produced", "yield_fraction", "oee", "availability",
                                   "breakdowns"))
LINE_VIEW: dict[str, tuple[Kpi, ...]] = {
    "uht": (*_WEB_LINE, *(kpi(n) for n in (
        "skin_thickness_nm.mean", "skin_thickness_nm.p05", "skin_thickness_nm.p95", "skin_phase",
        "texture_fraction_100", "nucleation_overpotential_mV", "energy_kwh_per_processed_m2", "cost_per_m2",
        "skin_metal", "skin_changeovers", "skin_changeover_hours"))),
    "electrodeposition": (*_WEB_LINE, *(kpi(n) for n in ("bath", "deposit_mean_um", "metres_cut_out",
                                                         "energy_kwh_per_processed_m2", "cost_per_m2"))),
    "coil_anneal": (kpi("throughput_m2_per_h", "area annealed per hour"), kpi("batches"), kpi("utilisation"),
                    kpi("texture_fraction_100_after_anneal"), kpi("energy_kwh_per_processed_m2"), kpi("cost_per_m2")),
}
OPTIMISER_VIEW: tuple[Kpi, ...] = tuple(kpi(n) for n in (
    "skin_thickness_nm", "skin_thickness_p05_nm", "skin_thickness_p95_nm", "surface_zn_at_frac", "skin_phase",
    "texture_fraction_100", "nucleation_overpotential_mV", "yield_fraction", "throughput_m2_per_h", "cost_per_m2"))
COLLECTOR_VIEW: tuple[Kpi, ...] = (
    kpi("skin_thickness_nm"), kpi("skin_phase"), kpi("surface_zn_at_frac"), kpi("zn_loading_mg_per_cm2"),
    kpi("zn_lost_fraction"), kpi("peak_temperature_K"), kpi("texture_fraction_111"), kpi("texture_fraction_100"),
    kpi("texture_fraction_110"), kpi("nucleation_overpotential_mV"), kpi("energy_kwh_per_m2", "UHT energy"),
    kpi("energy_lower_bound_kwh_per_m2"), kpi("energy_total_kwh_per_m2"), kpi("cost_per_m2"))
# the batch summaries' KPIs (mean ± std over replications)
SUMMARY_VIEW: tuple[Kpi, ...] = tuple(kpi(n) for n in (
    "throughput_m2_per_h", "yield_fraction", "oee", "availability", "cost_per_m2", "energy_kwh_per_m2",
    "skin_thickness_nm.mean", "skin_thickness_nm.p05", "skin_thickness_nm.p95", "texture_fraction_100"))


def skin_metal_kpis(metal: str) -> tuple[Kpi, ...]:
    """The per-metal KPIs of a UHT line (issue 14; ``twin.kpis``): metres made with a skin of ``metal`` and, for a
    metal other than Zn (whose Zn is in the Zn KPIs), the metal deposited per processed m²."""
    out = [Kpi(f"skin_metal_metres.{metal}", "m", None, f"metres with a {metal} skin")]
    if metal != "Zn":
        out.append(Kpi(f"skin_metal_deposited_kg_per_processed_m2.{metal}", "kg/m²", "min",
                       f"{metal} deposited per processed m²"))
    return tuple(out)


def line_view(kind: str, *reports: dict[str, Any] | None) -> tuple[Kpi, ...]:
    """The KPIs of a line of ``kind`` (:data:`LINE_VIEW`) and, for a UHT line, the per-metal ones
    (:func:`skin_metal_kpis`) of every metal the ``reports`` of that line made metres with."""
    metals = dict.fromkeys(x for r in reports for x, m in ((r or {}).get("skin_metal_metres") or {}).items() if m)
    return (*LINE_VIEW.get(kind, ()), *(k for x in metals for k in skin_metal_kpis(x)))


def check_kpis(report: dict[str, Any], view: tuple[Kpi, ...]) -> list[str]:
    """What in ``report`` does not fit the catalogue's types (empty: all fit): a text KPI holds a string, a number
    a finite number (or ``None``: not available), a fraction one in [0, 1], a count a whole number ≥ 0."""
    out = []
    for k in view:
        v = k.value(report)
        if v is None:
            continue
        if k.format == "text":
            if not isinstance(v, str):
                out.append(f"{k.name}: {v!r} is not text")
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            out.append(f"{k.name}: {v!r} is not a finite number")
        elif k.format == "fraction" and not (0.0 <= v <= 1.0 + 1e-12):
            out.append(f"{k.name}: {v!r} is not a fraction in [0, 1]")
        elif k.format == "count" and (v < 0 or not float(v).is_integer()):
            out.append(f"{k.name}: {v!r} is not a count")
    return out
