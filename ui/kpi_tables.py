"""Display tables built from the dicts the lower layers return (twin reports, optimisation results, collector
results), free of Streamlit. Nothing here computes a KPI: every number is read from a report; the only arithmetic
is the difference between two reports' numbers. Labels, units (the currency: the scenario's or the result's) and
formats come from the KPI catalogue (:mod:`twin.kpi_catalogue`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twin.replications import PairedDelta, PairedReplications

from twin.kpi_catalogue import (
    COLLECTOR_VIEW,
    LINE_VIEW,
    OPTIMISER_VIEW,
    PLANT_VIEW,
    Kpi,
    format_value,
    line_view,
)

# what each table shows, from the KPI catalogue (labels, units, formats: twin.kpi_catalogue)
PLANT_KPIS: tuple[Kpi, ...] = PLANT_VIEW
LINE_KPIS: dict[str, tuple[Kpi, ...]] = LINE_VIEW


def lookup(report: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    """``report[a][b]...``; ``None`` when any step is missing."""
    node: Any = report
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v)


@dataclass(frozen=True)
class KpiRow:
    """One KPI of a baseline/what-if comparison. ``delta`` = what-if − baseline (numbers only); ``delta_rel`` the
    same over |baseline| (None when the baseline is 0 or missing)."""

    scope: str
    kpi: str
    unit: str
    kind: str
    baseline: Any
    whatif: Any
    paired: PairedDelta | None = None  # over replications: the means above and the interval of the delta

    @property
    def delta(self) -> float | None:
        if self.paired is not None:
            return self.paired.delta_mean
        a, b = _number(self.baseline), _number(self.whatif)
        return None if a is None or b is None else b - a

    @property
    def delta_rel(self) -> float | None:
        a, d = _number(self.baseline), self.delta
        return None if d is None or not a else d / abs(a)

    @property
    def changed(self) -> bool:
        if self.kind == "text":
            return self.baseline != self.whatif
        d = self.delta
        return (d is not None and d != 0.0) or (self.baseline is None) != (self.whatif is None)


def _rows(scope: str, kpis: tuple[Kpi, ...], a: dict | None, b: dict | None, currency: str, prefix: str = "",
          paired: PairedReplications | None = None) -> list[KpiRow]:
    out = []
    for k in kpis:
        unit = k.unit_in(currency)
        p = paired.delta(prefix + k.name) if paired is not None and k.format != "text" else None
        if p is not None:
            out.append(KpiRow(scope, k.label, unit, k.format, p.baseline_mean, p.whatif_mean, p))
        else:
            out.append(KpiRow(scope, k.label, unit, k.format, k.value(a), k.value(b)))
    return out


def compare_reports(baseline: dict[str, Any], whatif: dict[str, Any], paired: PairedReplications | None = None,
                    currency: str = "USD") -> list[KpiRow]:
    """Plant KPIs, then every line's (a line present in one report only shows ``None`` in the other); costs in
    ``currency`` (the scenario's). With ``paired`` (``twin.replications.run_paired``) numbers are means over the
    replications with the interval of the delta; text KPIs, and numbers missing from some replication, are the first
    replication's (``baseline`` and ``whatif``)."""
    rows = _rows("plant", PLANT_KPIS, baseline, whatif, currency, "", paired)
    lines_a, lines_b = baseline.get("lines") or {}, whatif.get("lines") or {}
    for name in [*lines_a, *[n for n in lines_b if n not in lines_a]]:
        a, b = lines_a.get(name), lines_b.get(name)
        kind = (a or b or {}).get("type", "")
        rows += _rows(f"{name} ({kind})", line_view(kind, a, b), a, b, currency, f"lines.{name}.", paired)
    return rows


def fmt(v: Any, kind: str = "number") -> str:
    """A cell: fractions in %, numbers to 4 significant digits, missing as an en dash (the catalogue's format)."""
    return format_value(v, kind)  # type: ignore[arg-type]


def fmt_delta(row: KpiRow) -> tuple[str, str]:
    """(Δ, Δ %) cells: fractions change in percentage points, text KPIs say whether they changed."""
    if row.kind == "text":
        return ("changed" if row.changed else "", "")
    d = row.delta
    if d is None:
        return ("", "")
    if d == 0.0:
        return ("0", "0 %" if row.kind in ("number", "count") and row.delta_rel is not None else "")
    if row.kind == "fraction":
        pp = f"{100.0 * d:+.1f}"
        return ("~0 pp" if pp in ("+0.0", "-0.0") else f"{pp} pp", "")
    rel = row.delta_rel
    return (f"{d:+.4g}", "" if rel is None else f"{100.0 * rel:+.1f} %")


def fmt_interval(row: KpiRow) -> tuple[str, str]:
    """(± half-width of the 95 % interval of Δ, significant?) cells; blank without replications to pair."""
    p = row.paired
    if p is None or p.half_width is None:
        return ("", "")
    hw = p.half_width
    text = f"± {100.0 * hw:.2g} pp" if row.kind == "fraction" else f"± {hw:.2g}"
    return (text, "yes" if p.significant else "no")


def comparison_table(rows: list[KpiRow]) -> list[dict[str, str]]:
    """The side-by-side table as text cells (one type a column, so any table widget shows it as is): values,
    Δ = what-if − baseline, and with replications the 95 % t-interval of the paired Δ and whether it excludes 0."""
    out = []
    for r in rows:
        d, rel = fmt_delta(r)
        ci, sig = fmt_interval(r)
        out.append({"scope": r.scope, "KPI": r.kpi, "unit": r.unit, "baseline": fmt(r.baseline, r.kind),
                    "what-if": fmt(r.whatif, r.kind), "Δ": d, "Δ %": rel, "95 % CI of Δ": ci, "significant": sig})
    return out


HEADLINE = (("plant", "throughput (good)"), ("plant", "metres produced"), ("plant", "yield"), ("plant", "cost"))


def headline(rows: list[KpiRow], currency: str = "USD") -> list[dict[str, str | None]]:
    """The plant's headline KPIs as metric cards: label with unit, the what-if's value, and Δ (± interval) against
    the baseline."""
    out = []
    for r in rows:
        if (r.scope, r.kpi) not in HEADLINE:
            continue
        unit = f"{currency}/m²" if r.kpi == "cost" else r.unit
        d, _ = fmt_delta(r)
        ci, sig = fmt_interval(r)
        delta = None if not d else d + (f" {ci}" if ci else "") + (" (significant)" if sig == "yes" else "")
        out.append({"label": f"{r.kpi} [{unit}]", "value": fmt(r.whatif, r.kind), "delta": delta})
    return out


# ------------------------------------------------------------------------------------------------- optimiser
OPT_KPIS: tuple[Kpi, ...] = OPTIMISER_VIEW


def flatten(d: dict[str, Any] | None, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dict → (dotted key, value) pairs; lists kept as text."""
    out: list[tuple[str, Any]] = []
    for k, v in (d or {}).items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out += flatten(v, key + ".")
        elif v is not None:
            out.append((key, ", ".join(map(str, v)) if isinstance(v, list | tuple) else v))
    return out


def settings_table(settings: dict[str, Any] | None) -> list[dict[str, str]]:
    """The recommended settings, one row per setting (units are in the names)."""
    return [{"setting": k, "value": fmt(v)} for k, v in flatten(settings)]


def optimisation_kpi_table(result: dict[str, Any], currency: str = "USD") -> list[dict[str, str]]:
    """Prediction (surrogate) · process models · twin, as ``OptimizationResult.table`` lays them out."""
    pred, chk, ver = result.get("predicted") or {}, result.get("checked") or {}, result.get("verified") or {}
    out = []
    for k in OPT_KPIS:
        cells = []
        for src in (pred, chk, ver):
            v = k.value(src)
            if k.name == "skin_phase" and src is pred and "single_phase_alpha" in src:
                v = "alpha" if src["single_phase_alpha"] else "not alpha"
            cells.append(k.text(v))
        if all(c == "–" for c in cells):
            continue
        out.append({"KPI": k.label, "unit": k.unit_in(currency), "predicted": cells[0], "models": cells[1],
                    "twin": cells[2]})
    return out


def infeasibility_table(result: dict[str, Any]) -> list[dict[str, str]]:
    """Each conflicting target and how far it must give way."""
    inf = result.get("infeasibility") or {}
    viol = inf.get("violations") or {}
    return [{"target": name, "must give way by": fmt((viol.get(name) or {}).get("amount")),
             "unit": str((viol.get(name) or {}).get("unit", "")), "note": str((viol.get(name) or {}).get("note", ""))}
            for name in inf.get("conflicting_targets") or sorted(viol)]


# ------------------------------------------------------------------------------------------------- line warnings
WARNING_KINDS = {"operating_warnings": "plating outside its bath's windows",
                 "web_warnings": "web tension at the zones' set points"}


def line_warnings(report: dict[str, Any] | None) -> list[dict[str, str]]:
    """One row per warning the lines of a twin report carry, as the twin wrote it: the plating line's
    ``operating_warnings`` (a bath window or the limiting current, with the metres plated under it) and the UHT
    lines' ``web_warnings`` (a zone too hot for the web's tension); [] when there are none."""
    rows = []
    for name, line in ((report or {}).get("lines") or {}).items():
        for key, kind in WARNING_KINDS.items():
            rows += [{"line": name, "kind": kind, "warning": str(w)} for w in line.get(key) or ()]
    return rows


# ------------------------------------------------------------------------------------------------- lab recipe
LAB_KPIS: tuple[Kpi, ...] = COLLECTOR_VIEW


def collector_table(result: dict[str, Any]) -> list[dict[str, str]]:
    """The main figures of ``CollectorResult.to_dict()`` (keys missing without a UHT step are left out)."""
    cur = result.get("currency", "")
    return [{"KPI": k.label, "value": k.text(result[k.name]), "unit": k.unit_in(cur)}
            for k in LAB_KPIS if k.name in result]
# ------------------------------------------------------------------------------------------------- optimiser → what-if
def optimiser_cost(result: dict[str, Any]) -> dict[str, Any] | None:
    """The optimiser's cost of its settings, from its most complete check: the twin's (steady state), else the
    process models', else the surrogate prediction; None when it has none."""
    for key, source in (("verified", "its twin check (steady state: the start-up of a short run left out, bought "
                                     "foil priced, spec = the targets)"),
                        ("checked", "its process-model check (the recipe priced like the MILP, no line dynamics)"),
                        ("predicted", "its surrogate prediction")):
        v = _number((result.get(key) or {}).get("cost_per_m2"))
        if v is not None:
            return {"value": v, "source": source}
    return None


def cost_comparison_line(applied: dict[str, Any], whatif_cost: Any, hours: float, replications: int,
                         plating_dropped: bool = False) -> str:
    """One line: the optimiser's and the what-if's cost of the same settings, both numbers, and why they differ."""
    cur = applied.get("currency", "USD")
    opt = applied.get("cost")
    runs = f"{replications} run{'s' if replications > 1 else ''}"
    wi = (f"this what-if {fmt(whatif_cost)} {cur}/m² (twin, mean of {runs} of {hours:g} h: start-up, breakdowns "
          "and the scenario's spec included" + ("; bought foil not priced" if plating_dropped else "") + ")")
    if opt is None:
        return f"Cost of the optimiser's settings: the optimiser gave none; {wi}."
    same = _number(whatif_cost) is not None and math.isclose(opt["value"], float(whatif_cost), rel_tol=5e-3)
    head = (f"Cost of the optimiser's settings: optimiser {fmt(opt['value'])} {cur}/m² from {opt['source']}; {wi}"
            + (" — the same to 0.5 %." if same else "."))
    rounded = applied.get("rounded") or []
    return head + (f" Settings rounded to the widget step: {'; '.join(rounded)}." if rounded else "")


def parameter_interval_table(d: dict[str, Any], currency: str = "USD") -> list[dict[str, str]]:
    """The what-if's KPIs under the parameter uncertainty (``optimizer.uq.twin_kpis.TwinIntervals.to_dict``): per
    KPI the nominal run, the mean over the parameter draws and the central interval, then the yield at risk.
    Labels, units and formats from the KPI catalogue; every number read from ``d``."""
    from twin.kpi_catalogue import kpi

    qlo, qhi = d["interval_quantiles"]
    lo_h, hi_h = f"{100 * qlo:g} %", f"{100 * qhi:g} %"
    rows = []
    for name, v in d["kpis"].items():
        k = kpi(name)
        unit = k.unit_in(currency)
        lo, hi = v["interval"]
        label = f"{k.label}, run mean" if name == "skin_thickness_nm" else k.label  # the report's distribution mean
        rows.append({"KPI": label + (f" [{unit}]" if unit else ""), "nominal": k.text(v["nominal"]),
                     "mean": k.text(v["mean"]), lo_h: k.text(lo), hi_h: k.text(hi)})
    yar = d["yield_at_risk"]
    k = kpi("yield_fraction")
    rows.append({"KPI": f"yield at risk ({yar['probability']:.0%}) [%]", "nominal": "", "mean": "",
                 lo_h: k.text(yar["yield_fraction"]), hi_h: ""})
    return rows
