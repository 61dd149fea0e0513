"""Words and units of report keys for tables and figure axes (the CLI's batch summary, the dashboard's batch
pages): the KPI catalogue's (:mod:`twin.kpi_catalogue`) where it lists the key; otherwise the key in words, its
unit read from the name's suffix where it has one."""

from __future__ import annotations

from twin.kpi_catalogue import KPIS

SUFFIX_UNITS = (("_m2_per_h", "m²/h"), ("_kwh_per_m2", "kWh/m²"), ("_per_m2", "per m²"), ("_nm", "nm"),
                ("_um", "µm"), ("_mm", "mm"), ("_m", "m"), ("_K", "K"), ("_h", "h"), ("_s", "s"), ("_mV", "mV"),
                ("_frac", "fraction"), ("_fraction", "fraction"))


def kpi_label(key: str, currency: str = "USD") -> tuple[str, str]:
    """(words, unit) of a report key (``skin_thickness_nm.p05`` → ("skin thickness p05", "nm")); a fraction's unit
    is "fraction" (its values are 0–1), a money unit is in ``currency``."""
    k = KPIS.get(key)
    if k is not None:
        return k.label, "fraction" if k.format == "fraction" else k.value_unit(currency)
    base = key.split(".")[0]
    for suffix, unit in SUFFIX_UNITS:
        if base.endswith(suffix):
            return key.replace("_", " "), unit
    return key.replace("_", " "), ""
