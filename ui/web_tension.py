"""Web-tension widget of the what-if (issue 14 item 2): the first UHT line's tension per heated zone.

Kept apart from ``ui.whatif``'s knobs: the tensions become ``dotted.key=value`` overrides of the fields they change
(``twin.scenario`` validates them, so a tension beyond the line's ``web_tension_limits`` is a ``FoiltwinInputError``
naming the field and the range), and the caption's margins and break probability are ``process_models.web``'s at
the line's set points. Nothing here knows a number of its own.
"""

from __future__ import annotations

import math
from typing import Any

from process_models.errors import FoiltwinInputError
from process_models.web.handling import WebBreakModel, web_margins
from twin.scenario import WEB_TENSION_FIELDS, Scenario, UHTSettings, apply_overrides, field_bounds
from twin.simulate import build_parameters

ZONE_OF = {"stage2_web_tension_N_per_m": "stage2", "stage3_web_tension_N_per_m": "stage3"}
KEY = "wi.web_tension."  # session-state key prefix of the widgets


def _uht_index(base: Scenario) -> int | None:
    return next((i for i, ln in enumerate(base.plant.lines) if ln.type == "uht"), None)


def tension_overrides(base: Scenario, tensions_N_per_m: dict[str, float]) -> list[str]:
    """Overrides of the first UHT line's zone tensions that differ from ``base`` (field name → N/m)."""
    i = _uht_index(base)
    if i is None:
        return []
    s = base.plant.lines[i].settings
    return [f"plant.lines.{i}.settings.{name}={float(v)!r}" for name, v in tensions_N_per_m.items()
            if not math.isclose(float(v), getattr(s, name), rel_tol=1e-12, abs_tol=0.0)]


def tension_summary(scenario: Scenario) -> dict[str, Any] | None:
    """Margins and break probability of the first UHT line at its set points (stage-II temperature, stage-III peak:
    the registry's calibrated one when unset) and the incoming foil; None without a UHT line."""
    i = _uht_index(scenario)
    if i is None:
        return None
    s = scenario.plant.lines[i].settings
    params = build_parameters(scenario)
    peak = params["stage3_default_peak_temperature_K"] if s.stage3_peak_K is None else s.stage3_peak_K
    res = web_margins(WebBreakModel.from_values(params),
                      {ZONE_OF[f]: getattr(s, f) for f in WEB_TENSION_FIELDS},
                      {"stage2": s.stage2_temperature_K, "stage3": peak},
                      scenario.plant.incoming_coils.foil_thickness_um * 1e-6)
    return res.row(0)


def tension_widget(st: Any, base: Scenario) -> list[str]:
    """Sidebar number inputs for the zone tensions of the first UHT line (bounds: the line's limits) and a caption
    with the margins at the base's set points; returns the overrides the inputs make (``[]``: unchanged)."""
    i = _uht_index(base)
    if i is None:
        return []
    line = base.plant.lines[i]
    lim = line.web_tension_limits
    tensions = {}
    for name in WEB_TENSION_FIELDS:
        b = field_bounds(UHTSettings, name)
        given = {} if KEY + name in st.session_state else {"value": float(getattr(line.settings, name))}
        tensions[name] = st.number_input(
            f"{ZONE_OF[name].replace('stage', 'stage-')} web tension [N/m]", min_value=float(lim.min_N_per_m),
            max_value=float(lim.max_N_per_m), step=5.0, format="%g", key=KEY + name, **given,
            help=f"allowed by the line's web_tension_limits [{lim.min_N_per_m:g}, {lim.max_N_per_m:g}] N/m "
                 f"(field {b.text('N/m')}; `UHTSettings.{name}`)")
    overrides = tension_overrides(base, tensions)
    st.session_state[KEY + "overrides"] = overrides
    try:
        row = tension_summary(apply_overrides(base, overrides))
    except FoiltwinInputError as err:  # shown, not raised: the run names the bad field itself
        st.caption(f"web margins not available: {err}")
        return overrides
    if row is not None:
        margin = {k: "none" if z["yield_margin_frac"] is None else f"{z['yield_margin_frac']:.0%}"
                  for k, z in row["zones"].items()}
        st.caption(f"at the set points: margin to yield stage II {margin['stage2']}, stage III {margin['stage3']}; "
                   f"break probability {row['break_probability_per_m']:.2g} per m")
        for w in row["warnings"]:
            st.warning(w)
    return overrides


def state_overrides(session_state: Any) -> list[str]:
    """The overrides the tension widget made in this session (``[]`` before it was drawn)."""
    return list(session_state.get(KEY + "overrides", []))


def use_settings(session_state: Any, settings: dict[str, Any]) -> None:
    """The optimiser's decided tensions (``settings["uht"]``) into the widgets ("Use as what-if")."""
    uht = settings.get("uht") or {}
    for name in WEB_TENSION_FIELDS:
        if name in uht:
            session_state[KEY + name] = float(uht[name])
