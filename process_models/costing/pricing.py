"""Costing: price the flows a station reports per m² and add the fixed costs of the line.

Stations (UHT line, plating line, coil-anneal furnace) report *flows* per processed m² (kWh, kg Zn, L of bath
make-up, Nm³ Ar, …); this module prices them and adds labour, overhead, maintenance and capital charges of the line
(IDAES-style: unit models hold no prices, a costing package does). All prices are registry parameters in
USD of :data:`PRICE_YEAR` (``process_models/parameters/costing_prices.py``); the breakdown can be given in
another currency through an exchange-rate parameter.

Bases, per m²:

* flows and fixed costs are computed per **processed** m² (every m² that passes the line, good or not);
* the good m² carries the cost of the scrapped m²: with yield y (good / processed area), each good m² comes
  with (1 − y)/y m² of scrap, so cost per good m² = cost per processed m² / y;
* the breakdown lists each category per processed m² (the good m²'s own share) and the rest as ``scrap``:
  ``scrap = (1 − y)/y · Σ_c cost_c``, split by category in ``scrap_by_category``. The categories therefore
  sum to the total per good m², and ``cost_c + scrap_by_category[c]`` is category c's full share per good m².

Every cost term is ≥ 0: flows are checked to be ≥ 0 (credits, e.g. recovered metal, are not modelled: a
station reports net consumption) and prices are checked to be ≥ 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from process_models.citations import register
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters.costing_prices import PRICE_YEAR
from process_models.parameters.registry import ParameterValues

BASE_CURRENCY = "USD"
# currency → parameter giving its units per USD (None: the base currency itself)
CURRENCY_RATE_PARAMETERS: dict[str, str | None] = {"USD": None, "CNY": "exchange_rate_CNY_per_USD"}

VARIABLE_CATEGORIES: tuple[str, ...] = ("substrate", "electricity", "metals", "bath_chemicals", "gas", "water",
                                        "other")
FIXED_CATEGORIES: tuple[str, ...] = ("labour", "overhead", "maintenance", "depreciation")
CATEGORIES: tuple[str, ...] = (*VARIABLE_CATEGORIES, *FIXED_CATEGORIES, "scrap")
LINE_TYPES: tuple[str, ...] = ("uht", "electrodeposition", "coil_anneal", "hot_zone_anneal")

_FLOW_SUFFIX = "_per_m2"
_CALLER = "costing"


# --------------------------------------------------------------------------------------------------------------
# flow types
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlowType:
    """A priced flow per processed m²: ``<what>_<unit>_per_m2`` (e.g. ``zn_kg_per_m2``).

    ``price_parameters`` are summed to the unit price; each must be in ``USD/<unit>``.
    """

    name: str
    category: str
    price_parameters: tuple[str, ...]
    description: str = ""

    @property
    def unit(self) -> str:
        """Amount unit of one m² of flow, e.g. ``kg`` for ``zn_kg_per_m2``."""
        return self.name[: -len(_FLOW_SUFFIX)].rsplit("_", 1)[1]


DEFAULT_FLOW_TYPES: tuple[FlowType, ...] = (
    FlowType("electricity_kWh_per_m2", "electricity", ("electricity_price_USD_per_kWh",),
             "electricity drawn from the grid (UHT: RecipeResult.energy_kwh_per_m2, heater losses and Zn source "
             "included; plating: rectifier input)"),
    FlowType("zn_kg_per_m2", "metals", ("zn_price_USD_per_kg",),
             "Zn bought: vapour route = deposited / zn_source_utilisation_frac (source and wall losses "
             "included; evaporation from the skin is part of what was deposited); plated route = anode Zn "
             "dissolved"),
    FlowType("ag_kg_per_m2", "metals", ("ag_price_USD_per_kg", "agf_conversion_cost_USD_per_kg"),
             "kg of Ag (not of AgF) contained in the AgF consumed: deposited + drag-out + dumped bath"),
    FlowType("mg_kg_per_m2", "metals", ("mg_price_USD_per_kg",),
             "Mg bought for a Mg skin (vapour source): deposited / zn_source_utilisation_frac"),
    FlowType("sn_kg_per_m2", "metals", ("sn_price_USD_per_kg",), "Sn bought for a Sn skin (as Mg)"),
    FlowType("al_kg_per_m2", "metals", ("al_price_USD_per_kg",), "Al bought for an Al skin (as Mg)"),
    FlowType("ag_metal_kg_per_m2", "metals", ("ag_price_USD_per_kg",),
             "metallic Ag bought for an Ag skin source (as Mg; no AgF conversion, unlike ag_kg_per_m2)"),
    FlowType("cu_anode_kg_per_m2", "metals", ("cu_cathode_price_USD_per_kg", "cu_anode_premium_USD_per_kg"),
             "soluble Cu anode dissolved in acid Cu plating/texturing baths"),
    FlowType("cu_foil_kg_per_m2", "substrate", ("cu_cathode_price_USD_per_kg", "cu_foil_conversion_fee_USD_per_kg"),
             "incoming Cu foil bought in (10 µm: 0.0896 kg/m²); leave it out to cost the conversion step only"),
    FlowType("cu_acid_sulfate_bath_L_per_m2", "bath_chemicals", ("cu_acid_sulfate_bath_price_USD_per_L",),
             "litres of fresh acid Cu sulfate make-up (bleed/dump + drag-out replacement)"),
    FlowType("zn_acid_sulfate_bath_L_per_m2", "bath_chemicals", ("zn_acid_sulfate_bath_price_USD_per_L",),
             "litres of fresh acid Zn sulfate make-up"),
    FlowType("h2so4_clean_bath_L_per_m2", "bath_chemicals", ("h2so4_clean_bath_price_USD_per_L",),
             "litres of fresh 1 M H2SO4 pre-clean"),
    FlowType("argon_Nm3_per_m2", "gas", ("argon_price_USD_per_Nm3",), "Ar purge/blanket gas, Nm³ (0 °C, 1 atm)"),
    FlowType("nitrogen_Nm3_per_m2", "gas", ("nitrogen_price_USD_per_Nm3",), "N2 purge/drying gas, Nm³"),
    FlowType("forming_gas_Nm3_per_m2", "gas", ("forming_gas_price_USD_per_Nm3",),
             "N2-5 % H2 protective atmosphere of the batch coil anneal, Nm³ (coil_anneal.AnnealCycle)"),
    FlowType("di_water_m3_per_m2", "water", ("di_water_price_USD_per_m3",),
             "deionised water for rinses and bath make-up (the AgF bath's water is here too)"),
    FlowType("wastewater_m3_per_m2", "water", ("wastewater_treatment_price_USD_per_m3",),
             "metal-bearing wastewater treated on site"),
)


class FlowPricer:
    """Registry of flow types (IDAES ``register_flow_type``); prices are read from a parameter set when used.

    Unknown flow names raise :class:`FoiltwinInputError` listing the known ones.
    """

    def __init__(self, flow_types: Iterable[FlowType] = DEFAULT_FLOW_TYPES) -> None:
        self._types: dict[str, FlowType] = {}
        for ft in flow_types:
            self.register_flow_type(ft.name, ft.category, ft.price_parameters, ft.description)

    def register_flow_type(self, name: str, category: str, price_parameters: str | Sequence[str],
                           description: str = "") -> FlowType:
        """Add a flow type ``<what>_<unit>_per_m2`` priced by the sum of ``price_parameters`` (USD/<unit>)."""
        if not isinstance(name, str) or not name.endswith(_FLOW_SUFFIX) or name.count("_") < 3:
            raise FoiltwinInputError("flow", name, "a name '<what>_<unit>_per_m2', e.g. 'zn_kg_per_m2'")
        if name in self._types:
            raise FoiltwinInputError("flow", name, "a flow name not registered yet")
        if category not in VARIABLE_CATEGORIES:
            raise FoiltwinInputError("category", category, f"one of {', '.join(VARIABLE_CATEGORIES)}")
        prices = (price_parameters,) if isinstance(price_parameters, str) else tuple(price_parameters)
        if not prices or not all(isinstance(p, str) and p for p in prices):
            raise FoiltwinInputError("price_parameters", price_parameters, "one or more parameter names")
        ft = FlowType(name, category, prices, description)
        self._types[name] = ft
        return ft

    @property
    def names(self) -> tuple[str, ...]:
        """Registered flow names, in registration order."""
        return tuple(self._types)

    def flow_type(self, name: str) -> FlowType:
        """The registered flow type ``name``; unknown names raise listing the known ones."""
        try:
            return self._types[name]
        except (KeyError, TypeError):
            raise FoiltwinInputError("flow", name, f"one of {', '.join(self._types)}") from None

    def unit_price_USD(self, name: str, params: ParameterValues) -> float:
        """Price of one unit of flow ``name`` [USD of PRICE_YEAR per unit]; checks units and sign."""
        ft = self.flow_type(name)
        total = 0.0
        for pname in ft.price_parameters:
            rec = params.record(pname)
            if rec.unit != f"USD/{ft.unit}":
                raise FoiltwinInputError(pname, rec.unit, f"a price in USD/{ft.unit} to price flow {name}")
            if not (math.isfinite(rec.value) and rec.value >= 0.0):
                raise FoiltwinInputError(pname, rec.value, "a finite price >= 0")
            total += rec.value
        return total

    def unit_prices_USD(self, params: ParameterValues) -> dict[str, float]:
        """Unit price of every registered flow [USD per unit] (for the optimiser's own costing)."""
        return {name: self.unit_price_USD(name, params) for name in self._types}


# --------------------------------------------------------------------------------------------------------------
# line economics
# --------------------------------------------------------------------------------------------------------------
MAX_THROUGHPUT_M2_PER_H = 1e7  # the largest line throughput the costing takes


@dataclass(frozen=True)
class LineEconomics:
    """What the line contributes to the cost of an m²; the line twin measures these, defaults are parameters.

    ``throughput_m2_per_h``: processed area per running hour; ``availability_frac``: running / scheduled hours;
    ``yield_frac``: good / processed area; ``operators_count``: operators on duty per scheduled hour;
    ``capex_USD``: installed cost of the line; ``scheduled_time_h_per_yr``: staffed hours per year.
    """

    throughput_m2_per_h: float
    availability_frac: float
    yield_frac: float
    operators_count: float
    capex_USD: float
    scheduled_time_h_per_yr: float

    def __post_init__(self) -> None:
        check_range("throughput_m2_per_h", self.throughput_m2_per_h, 0.0, MAX_THROUGHPUT_M2_PER_H, low_inclusive=False,
                    unit="m2/h")
        check_range("availability_frac", self.availability_frac, 0.0, 1.0, low_inclusive=False)
        check_range("yield_frac", self.yield_frac, 0.0, 1.0, low_inclusive=False)
        check_range("operators_count", self.operators_count, 0.0, 1e4)
        check_range("capex_USD", self.capex_USD, 0.0, 1e12, unit="USD")
        check_range("scheduled_time_h_per_yr", self.scheduled_time_h_per_yr, 0.0, 8784.0, low_inclusive=False,
                    unit="h/yr")

    @classmethod
    def default(cls, line: str, params: ParameterValues, **overrides: float) -> LineEconomics:
        """Registry defaults of ``line`` ("uht", "electrodeposition", "coil_anneal" or "hot_zone_anneal"), with field
        ``overrides``.

        A coil-anneal furnace's throughput depends on its programme: pass ``AnnealCycle.throughput_m2_per_h``.
        """
        if line not in LINE_TYPES:
            raise FoiltwinInputError("line", line, f"one of {', '.join(LINE_TYPES)}")
        names = {
            "throughput_m2_per_h": f"{line}_line_throughput_m2_per_h",
            "availability_frac": "line_availability_frac",
            "yield_frac": "line_yield_frac",
            "operators_count": f"{line}_line_operators_count",
            "capex_USD": f"{line}_line_capex_USD",
            "scheduled_time_h_per_yr": "line_scheduled_time_h_per_yr",
        }
        unknown = set(overrides) - set(names)
        if unknown:
            raise FoiltwinInputError("line field", sorted(unknown)[0], f"one of {', '.join(names)}")
        values = {}
        for fname, pname in names.items():
            if fname in overrides:
                values[fname] = float(overrides[fname])
            else:
                values[fname] = params[pname]
                register(params.record(pname).source, f"{_CALLER}.LineEconomics.default")
        return cls(**values)

    @property
    def annual_processed_m2_per_yr(self) -> float:
        """Processed area per year [m²/yr] = throughput × scheduled hours × availability."""
        return self.throughput_m2_per_h * self.scheduled_time_h_per_yr * self.availability_frac

    @property
    def annual_good_m2_per_yr(self) -> float:
        """Good area per year [m²/yr] = processed area × yield."""
        return self.annual_processed_m2_per_yr * self.yield_frac


def capital_recovery_factor_per_yr(interest_rate_per_yr: float, life_yr: float) -> float:
    """Annual capital charge per unit capex [1/yr]: i(1+i)^n/((1+i)^n − 1), and 1/n for i = 0 (straight line)."""
    i = check_range("capital_interest_rate_per_yr", interest_rate_per_yr, 0.0, 1.0)
    n = check_range("equipment_life_yr", life_yr, 0.0, None, low_inclusive=False, unit="yr")
    if i == 0.0:
        return 1.0 / n
    g = (1.0 + i) ** n
    return i * g / (g - 1.0)


_FIXED_PARAMETERS = ("operator_labour_rate_USD_per_h", "overhead_labour_frac", "overhead_capex_share_per_yr",
                     "maintenance_capex_share_per_yr", "equipment_life_yr", "capital_interest_rate_per_yr")


def _fixed_cost_arrays(throughput: np.ndarray, availability: np.ndarray, operators: np.ndarray,
                       capex: np.ndarray, hours: np.ndarray, params: ParameterValues) -> dict[str, np.ndarray]:
    """Fixed costs per processed m² [USD/m²] for arrays of line data."""
    annual = throughput * hours * availability  # processed m²/yr
    labour = operators * params["operator_labour_rate_USD_per_h"] / (throughput * availability)
    crf = capital_recovery_factor_per_yr(params["capital_interest_rate_per_yr"], params["equipment_life_yr"])
    return {
        "labour": labour,
        "overhead": params["overhead_labour_frac"] * labour + params["overhead_capex_share_per_yr"] * capex / annual,
        "maintenance": params["maintenance_capex_share_per_yr"] * capex / annual,
        "depreciation": crf * capex / annual,
    }


def fixed_costs_per_processed_m2(line: LineEconomics, params: ParameterValues) -> dict[str, float]:
    """Labour, overhead, maintenance and depreciation per processed m² [USD/m²] of ``line``.

    labour = operators × rate / (throughput × availability); overhead = overhead_labour_frac × labour +
    overhead_capex_share_per_yr × capex / annual processed m²; maintenance = maintenance_capex_share_per_yr ×
    capex / annual processed m²; depreciation = CRF × capex / annual processed m² (CRF = 1/life at zero interest).
    """
    for pname in _FIXED_PARAMETERS:
        register(params.record(pname).source, f"{_CALLER}.fixed_costs_per_processed_m2")
    arr = lambda v: np.array([v], dtype=float)  # noqa: E731
    out = _fixed_cost_arrays(arr(line.throughput_m2_per_h), arr(line.availability_frac), arr(line.operators_count),
                             arr(line.capex_USD), arr(line.scheduled_time_h_per_yr), params)
    return {k: float(v[0]) for k, v in out.items()}


# --------------------------------------------------------------------------------------------------------------
# currency
# --------------------------------------------------------------------------------------------------------------
def exchange_rate_per_USD(currency: str, params: ParameterValues) -> float:
    """Units of ``currency`` per USD (1 for USD); an unknown currency raises listing the known ones."""
    if not isinstance(currency, str) or currency not in CURRENCY_RATE_PARAMETERS:
        raise FoiltwinInputError("currency", currency, f"one of {', '.join(CURRENCY_RATE_PARAMETERS)}")
    pname = CURRENCY_RATE_PARAMETERS[currency]
    if pname is None:
        return 1.0
    register(params.record(pname).source, f"{_CALLER}.exchange_rate_per_USD")
    return params[pname]


# --------------------------------------------------------------------------------------------------------------
# breakdowns
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CostBreakdown:
    """Cost of one good m² in ``currency`` (of ``currency_year``).

    ``by_category`` holds every name of :data:`CATEGORIES` (zeros included) and sums to
    ``total_per_good_m2``; categories other than ``scrap`` are per processed m², ``scrap`` carries the
    scrapped area, split in ``scrap_by_category``. ``flows_per_processed_m2`` are the priced flows and
    ``flow_costs_per_processed_m2`` their costs. ``line`` is ``None`` when only flows were priced.
    """

    total_per_good_m2: float
    by_category: dict[str, float]
    scrap_by_category: dict[str, float]
    currency: str
    currency_year: int
    yield_frac: float
    flows_per_processed_m2: dict[str, float]
    flow_costs_per_processed_m2: dict[str, float]
    line: LineEconomics | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict (plain floats and strings)."""
        return {
            "total_per_good_m2": self.total_per_good_m2,
            "currency": self.currency,
            "currency_year": self.currency_year,
            "yield_frac": self.yield_frac,
            "by_category": dict(self.by_category),
            "scrap_by_category": dict(self.scrap_by_category),
            "flows_per_processed_m2": dict(self.flows_per_processed_m2),
            "flow_costs_per_processed_m2": dict(self.flow_costs_per_processed_m2),
            "line": None if self.line is None else asdict(self.line),
        }


@dataclass(frozen=True, eq=False)
class BatchCostBreakdown:
    """B cost breakdowns as arrays of shape (B,); :meth:`row` gives one as a :class:`CostBreakdown`."""

    total_per_good_m2: np.ndarray
    by_category: dict[str, np.ndarray]
    scrap_by_category: dict[str, np.ndarray]
    currency: str
    currency_year: int
    yield_frac: np.ndarray
    flows_per_processed_m2: dict[str, np.ndarray]
    flow_costs_per_processed_m2: dict[str, np.ndarray]
    lines: tuple[LineEconomics | None, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.total_per_good_m2.shape[0])

    def row(self, b: int) -> CostBreakdown:
        """Scenario ``b`` as a :class:`CostBreakdown`."""
        pick = lambda d: {k: float(v[b]) for k, v in d.items()}  # noqa: E731
        return CostBreakdown(
            total_per_good_m2=float(self.total_per_good_m2[b]), by_category=pick(self.by_category),
            scrap_by_category=pick(self.scrap_by_category), currency=self.currency,
            currency_year=self.currency_year, yield_frac=float(self.yield_frac[b]),
            flows_per_processed_m2=pick(self.flows_per_processed_m2),
            flow_costs_per_processed_m2=pick(self.flow_costs_per_processed_m2), line=self.lines[b],
        )


def _flow_arrays(flows: Mapping[str, ArrayLike], pricer: FlowPricer) -> tuple[dict[str, np.ndarray], int | None]:
    """Validated flows as float arrays (0-d or 1-d) and the batch size they imply (None: all scalars)."""
    if not isinstance(flows, Mapping):
        raise FoiltwinInputError("flows", type(flows).__name__, "a mapping of flow name to amount per m2")
    out: dict[str, np.ndarray] = {}
    size: int | None = None
    for name, value in flows.items():
        pricer.flow_type(name)
        try:
            a = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise FoiltwinInputError(name, value, "a number or 1-D array of numbers") from None
        if a.ndim > 1 or (a.ndim == 1 and a.shape[0] == 0):
            raise FoiltwinInputError(name, f"array of shape {a.shape}", "a number or a non-empty 1-D array")
        bad = ~np.isfinite(a) | (a < 0.0)
        if np.any(bad):
            raise FoiltwinInputError(name, float(a[bad].flat[0]) if a.ndim else float(a),
                                     "a finite amount >= 0 (a flow cannot be negative; credits are not modelled)")
        if a.ndim == 1:
            if size is not None and a.shape[0] != size:
                raise FoiltwinInputError(name, f"{a.shape[0]} values", f"{size} values, as the other flows")
            size = a.shape[0]
        out[name] = a
    return out, size


def cost_per_m2_batch(flows: Mapping[str, ArrayLike], line: LineEconomics | Sequence[LineEconomics | None] | None,
                      params: ParameterValues, currency: str = BASE_CURRENCY, *,
                      pricer: FlowPricer | None = None) -> BatchCostBreakdown:
    """Cost per good m² of B scenarios.

    ``flows`` maps flow names to amounts per processed m², each a number or an array of shape (B,);
    ``line`` is one :class:`LineEconomics` for all, a sequence of B (``None`` entries: flows only), or
    ``None`` (flows only: no fixed costs, yield 1). Returns arrays in ``currency``.
    """
    pricer = FlowPricer() if pricer is None else pricer
    rate = exchange_rate_per_USD(currency, params)
    arrays, size = _flow_arrays(flows, pricer)
    if line is None or isinstance(line, LineEconomics):
        lines: tuple[LineEconomics | None, ...] | None = None
    else:
        lines = tuple(line)
        if not lines or not all(x is None or isinstance(x, LineEconomics) for x in lines):
            raise FoiltwinInputError("line", line, "None, a LineEconomics, or a non-empty sequence of them")
        if size is not None and len(lines) != size:
            raise FoiltwinInputError("line", f"{len(lines)} lines", f"{size} lines, one per flow scenario")
        size = len(lines)
    B = 1 if size is None else size
    if lines is None:
        lines = (line,) * B  # type: ignore[assignment]

    caller = f"{_CALLER}.cost_per_m2"
    zeros = np.zeros(B)
    flows_b = {name: np.broadcast_to(a, (B,)).astype(float) for name, a in arrays.items()}
    flow_costs = {}
    by_cat = {c: zeros.copy() for c in CATEGORIES}
    for name, amount in flows_b.items():
        ft = pricer.flow_type(name)
        price = pricer.unit_price_USD(name, params)
        for pname in ft.price_parameters:
            register(params.record(pname).source, caller)
        flow_costs[name] = price * amount
        by_cat[ft.category] += flow_costs[name]

    has_line = np.array([x is not None for x in lines])
    yield_frac = np.ones(B)
    if has_line.any():
        for pname in _FIXED_PARAMETERS:
            register(params.record(pname).source, caller)
        idx = np.nonzero(has_line)[0]
        col = lambda f: np.array([getattr(lines[b], f) for b in idx], dtype=float)  # noqa: E731
        fixed = _fixed_cost_arrays(col("throughput_m2_per_h"), col("availability_frac"), col("operators_count"),
                                   col("capex_USD"), col("scheduled_time_h_per_yr"), params)
        for c, v in fixed.items():
            by_cat[c][idx] = v
        yield_frac[idx] = col("yield_frac")

    scrap_factor = (1.0 - yield_frac) / yield_frac  # scrapped m² per good m²
    scrap_by_cat = {c: by_cat[c] * scrap_factor for c in CATEGORIES if c != "scrap"}
    by_cat["scrap"] = sum(scrap_by_cat.values(), zeros.copy())
    total = sum((by_cat[c] for c in CATEGORIES), zeros.copy())
    conv = lambda d: {k: v * rate for k, v in d.items()}  # noqa: E731
    return BatchCostBreakdown(
        total_per_good_m2=total * rate, by_category=conv(by_cat), scrap_by_category=conv(scrap_by_cat),
        currency=currency, currency_year=PRICE_YEAR, yield_frac=yield_frac, flows_per_processed_m2=flows_b,
        flow_costs_per_processed_m2=conv(flow_costs), lines=tuple(lines),
    )


def cost_per_m2(flows: Mapping[str, float], line: LineEconomics | None, params: ParameterValues,
                currency: str = BASE_CURRENCY, *, pricer: FlowPricer | None = None) -> CostBreakdown:
    """Cost per good m² of one scenario: ``flows`` per processed m² (scalars), ``line`` (``None``: flows only).

    See the module docstring for the bases and how ``scrap`` is computed.
    """
    if isinstance(flows, Mapping):
        for name, value in flows.items():
            if np.ndim(value) != 0:
                raise FoiltwinInputError(name, value, "a number (use cost_per_m2_batch for arrays)")
    if line is not None and not isinstance(line, LineEconomics):
        raise FoiltwinInputError("line", line, "None or a LineEconomics")
    return cost_per_m2_batch(flows, line, params, currency, pricer=pricer).row(0)


# --------------------------------------------------------------------------------------------------------------
# reference: seed 000 Table 2
# --------------------------------------------------------------------------------------------------------------
_SEED000_ROUTES: dict[str, tuple[str, str | None, str]] = {
    "electrodeposition": ("seed000_electrodeposition_cost_min_CNY_per_m2",
                          "seed000_electrodeposition_cost_max_CNY_per_m2", "prediction by the review"),
    "cvd": ("seed000_cvd_cost_min_CNY_per_m2", None, "'> 30 000 CNY/m2': lower end only"),
    "high_t_annealing": ("seed000_annealing_cost_min_CNY_per_m2", "seed000_annealing_cost_max_CNY_per_m2", ""),
}


def seed000_unit_cost_reference(params: ParameterValues, currency: str = BASE_CURRENCY) -> dict[str, dict]:
    """Seed 000 Table 2 unit costs of 10 µm single-crystal Cu foil, converted to ``currency``.

    Returns ``{route: {"min_per_m2", "max_per_m2" (None if open), "currency", "note"}}``; CNY → USD uses
    ``exchange_rate_CNY_per_USD`` (a 2024 average; the review does not state its currency year).
    """
    rate = exchange_rate_per_USD(currency, params) / exchange_rate_per_USD("CNY", params)
    out = {}
    for route, (lo, hi, note) in _SEED000_ROUTES.items():
        for pname in (lo, hi):
            if pname is not None:
                register(params.record(pname).source, f"{_CALLER}.seed000_unit_cost_reference")
        out[route] = {
            "min_per_m2": params[lo] * rate,
            "max_per_m2": None if hi is None else params[hi] * rate,
            "currency": currency,
            "note": note,
        }
    return out
