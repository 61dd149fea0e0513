"""Words and units of the KPIs in run reports and batch summaries, for tables and figure axes (the CLI, the
dashboard and the batch summary share them). A key not listed is shown as itself, its unit read from the name's
suffix where it has one."""

from __future__ import annotations

KPI_LABELS: dict[str, tuple[str, str]] = {
    "throughput_m2_per_h": ("throughput", "m²/h"),
    "yield_fraction": ("yield", "fraction"),
    "oee": ("OEE", "fraction"),
    "availability": ("availability", "fraction"),
    "performance": ("performance", "fraction"),
    "quality": ("quality", "fraction"),
    "cost_per_m2": ("cost per good m²", "USD/m²"),
    "energy_kwh_per_m2": ("energy", "kWh/m²"),
    "skin_thickness_nm.mean": ("skin thickness, mean", "nm"),
    "skin_thickness_nm.p05": ("skin thickness, 5th percentile", "nm"),
    "skin_thickness_nm.p95": ("skin thickness, 95th percentile", "nm"),
    "texture_fraction_100": ("(100) texture", "fraction"),
    "metres_produced": ("metres produced", "m"),
    "hours_simulated": ("simulated", "h"),
}
SUFFIX_UNITS = (("_m2_per_h", "m²/h"), ("_kwh_per_m2", "kWh/m²"), ("_per_m2", "per m²"), ("_nm", "nm"),
                ("_um", "µm"), ("_mm", "mm"), ("_m", "m"), ("_K", "K"), ("_h", "h"), ("_s", "s"), ("_mV", "mV"),
                ("_frac", "fraction"), ("_fraction", "fraction"))


def kpi_label(key: str) -> tuple[str, str]:
    """(words, unit) of a KPI key (``skin_thickness_nm.p05`` → ("skin thickness, 5th percentile", "nm"))."""
    if key in KPI_LABELS:
        return KPI_LABELS[key]
    base = key.split(".")[0]
    for suffix, unit in SUFFIX_UNITS:
        if base.endswith(suffix):
            return key.replace("_", " "), unit
    return key.replace("_", " "), ""
