"""`foiltwin recipe --skin-metal {Mg,Ag,Sn,Al}`: the skin of another metal on the UHT line (issue 14 item 1).

Zn (the default) keeps the full collector recipe unchanged; another metal is evaluated by
:func:`process_models.skins.skin.evaluate_skin` (deposit, interdiffusion, phase, energy, cost; see
``docs/skin_metals.md``). Options of the Zn line and of the other collector steps do not apply to it and are
refused by name.
"""

from __future__ import annotations

import typer

from foiltwin.options import in_option_units, only_with, write_json
from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues

SKIN_METAL_CHOICES = ("Zn", "Mg", "Ag", "Sn", "Al")
# recipe options that belong to the Zn line or to the other collector steps (refused with another metal)
ZN_ONLY_OPTIONS = (
    "zn_route", "plated_zn_mg_per_cm2", "zn_bath", "zn_current_density_A_per_m2", "zn_plating_time_s",
    "zn_bath_concentration_mol_per_m3", "zn_source_temperature_K", "stage3_mode",
    "line_speed_m_per_min", "stage3_heater_length_mm", "stage3_power_W_per_m", "cooling", "no_uht", "substrate",
    "electroform_bath", "electroform_current_density_A_per_m2", "electroform_temperature_K",
    "anneal_soak_temperature_K", "anneal_soak_h", "anneal_target_100", "texture_route", "hot_zone_temperature_K",
    "hot_zone_speed_mm_per_min", "ag_immersion_time_s", "agf_wt_pct", "currency",
)
OTHER_METAL_OPTIONS = ("skin_route", "skin_loading_mg_per_cm2", "skin_source_temperature_K")
# recipe options of the Zn collector recipe that the other metals' skin report does not take (refused with them)
ZN_RECIPE_ONLY = {"uncertainty": "intervals are computed for the Zn collector recipe",
                  "web_tension_N_per_m": "the web's margins are computed on the Zn line's heater",
                  "scenario": "a scenario's settings give the Zn collector recipe"}
# the skin recipe's fields the command line sets in the same unit, by their option (a refusal names the option)
_SKIN_OPTION_OF_FIELD = {"stage3_peak_K": "--stage3-peak-K",
                         "stage3_heating_rate_K_per_s": "--stage3-heating-rate-K-per-s"}


def check_skin_options(ctx: typer.Context) -> None:
    """Refuse the options that do not act with the chosen ``--skin-metal``."""
    p = ctx.params
    other = p["skin_metal"] != "Zn"
    for name in ZN_ONLY_OPTIONS:
        only_with(ctx, name, "--skin-metal Zn", not other, "a setting of the Zn line or of another collector step")
    for name in OTHER_METAL_OPTIONS:
        only_with(ctx, name, "--skin-metal Mg, Ag, Sn or Al", other, "the Zn line has its own options")
    for name, why in ZN_RECIPE_ONLY.items():
        only_with(ctx, name, "--skin-metal Zn", not other, why)
    only_with(ctx, "skin_loading_mg_per_cm2", "--skin-route contact", p["skin_route"] == "contact",
              "the vapour route's loading follows from the source")
    only_with(ctx, "skin_source_temperature_K", "--skin-route vapour", p["skin_route"] == "vapour",
              "the contact route has no vapour source")


def _check_in_option_units(p: dict, t3_ms: float) -> None:
    """The skin recipe's ranges in the options' units (µm, ms, mg/cm²), so that a refusal reads in what the user
    typed, not in the model's SI field."""
    from foiltwin.units import to_unit
    from process_models.errors import check_range
    from process_models.skins.skin import (
        CONTACT_LOADING_RANGE_KG_PER_M2,
        FOIL_RANGE_M,
        STAGE3_RAMP_RANGE_K_PER_S,
        STAGE3_TIME_RANGE_S,
    )

    check_range("--foil-thickness-um", p["foil_thickness_um"], *(to_unit(x, "m", "um") for x in FOIL_RANGE_M),
                unit="µm")
    check_range("--stage3-time-ms", t3_ms, *(to_unit(x, "s", "ms") for x in STAGE3_TIME_RANGE_S),
                low_inclusive=False, unit="ms")
    if p["stage3_heating_rate_K_per_s"] is not None:
        check_range("--stage3-heating-rate-K-per-s", p["stage3_heating_rate_K_per_s"], *STAGE3_RAMP_RANGE_K_PER_S,
                    unit="K/s")
    if p["skin_route"] == "contact":
        check_range("--skin-loading-mg-per-cm2", p["skin_loading_mg_per_cm2"],
                    *(to_unit(x, "kg/m**2", "mg/cm**2") for x in CONTACT_LOADING_RANGE_KG_PER_M2),
                    low_inclusive=False, unit="mg/cm2")


def _check_deposit_in_option_units(recipe, values: ParameterValues) -> None:
    """A deposit more than the foil can hold is refused naming the option that sets it and its range in the
    option's units (``--stage2-time-s`` at the source temperature, or ``--skin-loading-mg-per-cm2``)."""
    from foiltwin.units import to_unit
    from process_models.errors import check_range
    from process_models.skins.skin import deposit_limit

    r = recipe.validated(values)
    field, top, _ = deposit_limit(r, values)
    foil_um = to_unit(r.foil_thickness_m, "m", "um")
    if field == "contact_loading_kg_per_m2":
        check_range("--skin-loading-mg-per-cm2", to_unit(r.contact_loading_kg_per_m2, "kg/m**2", "mg/cm**2"), 0.0,
                    to_unit(top, "kg/m**2", "mg/cm**2"), low_inclusive=False,
                    unit=f"mg/cm2 (the most {r.metal} the {foil_um:g} µm foil can hold)")
    else:
        check_range("--stage2-time-s", r.stage2_time_s, 0.0, top, low_inclusive=False,
                    unit=f"s at the source temperature {r.source_temperature_K:.1f} K (a longer deposit is more "
                         f"{r.metal} than the {foil_um:g} µm foil can hold)")


def _as_option(err: FoiltwinInputError, p: dict) -> FoiltwinInputError:
    """A skin model's refusal re-said as the option the user typed (:func:`foiltwin.options.in_option_units`, and
    the stage-III peak and ramp, whose options share the field's unit); a field the user did not set keeps its
    name (the registry's ramp is the parameter ``stage3_heating_rate_K_per_s``)."""
    option = _SKIN_OPTION_OF_FIELD.get(err.field)
    if option is not None and p.get(err.field) is not None:
        return FoiltwinInputError(option, p[err.field], err.allowed, err.reason)
    return in_option_units(err, p)


def run_other_skin(ctx: typer.Context, values: ParameterValues, json_out: str | None) -> None:
    """Evaluate and report the skin of a metal other than Zn from the ``recipe`` options."""
    from foiltwin.units import to_unit  # pint: the options' units to SI and SI to the printed units
    from process_models.skins.skin import SkinRecipe, evaluate_skin

    p = ctx.params
    t3_ms = 30.0 if p["stage3_time_ms"] is None else p["stage3_time_ms"]
    _check_in_option_units(p, t3_ms)
    recipe = SkinRecipe(
        metal=p["skin_metal"], foil_thickness_m=to_unit(p["foil_thickness_um"], "um", "m"), route=p["skin_route"],
        source_temperature_K=p["skin_source_temperature_K"],
        contact_loading_kg_per_m2=to_unit(p["skin_loading_mg_per_cm2"], "mg/cm**2", "kg/m**2"),
        stage2_temperature_K=p["stage2_temperature_K"], stage2_time_s=p["stage2_time_s"],
        stage3_peak_K=p["stage3_peak_K"], stage3_time_s=to_unit(t3_ms, "ms", "s"),
        stage3_heating_rate_K_per_s=p["stage3_heating_rate_K_per_s"],
    )
    _check_deposit_in_option_units(recipe, values)
    try:
        r = evaluate_skin(recipe, values)
    except FoiltwinInputError as err:
        raise _as_option(err, p) from None
    report = {
        "skin_metal": r.recipe.metal,
        "route": r.recipe.route,
        "source_temperature_K": r.recipe.source_temperature_K if r.recipe.route == "vapour" else None,
        "deposited_mol_per_m2": r.deposited_mol_per_m2,
        "surface_at_frac": r.surface_frac,
        "skin_thickness_nm": to_unit(r.skin_thickness_m, "m", "nm"),
        "alloyed_depth_nm": to_unit(r.alloyed_depth_m, "m", "nm"),
        "skin_phases": list(r.skin_phases),
        "peak_temperature_K": r.stage3_peak_K,
        "stage3_ramp_K_per_s": r.stage3_ramp_K_per_s,
        "stage3_programmed_ramp_K_per_s": r.recipe.stage3_heating_rate_K_per_s,
        "energy_kwh_per_m2": r.energy_kWh_per_m2,
        "cost_USD_per_m2": r.cost_USD_per_m2,
        "warnings": list(r.warnings),
        "model": "process_models.skins.skin (impurity diffusivity; docs/skin_metals.md)",
    }
    if p["profile"]:
        report["profile"] = {"depth_nm": (r.depth_m * to_unit(1.0, "m", "nm")).tolist(), "x": r.profile_x.tolist()}
    report["citations"] = citations.used()
    from twin.fingerprint import made_by

    report["made_by"] = made_by(values)  # the code and the parameter values that made it
    write_json(report, json_out)
    if json_out != "-":
        nm, depth_nm = report["skin_thickness_nm"], report["alloyed_depth_nm"]
        umol_per_cm2 = to_unit(r.deposited_mol_per_m2, "mol/m**2", "umol/cm**2")
        typer.echo(f"{r.recipe.metal} skin ({r.recipe.route}): {nm:.0f} nm "
                   f"{'+'.join(r.skin_phases)}, surface x_{r.recipe.metal} {r.surface_frac:.3f}, alloyed to "
                   f"{depth_nm:.0f} nm, {umol_per_cm2:.3g} µmol/cm2, "
                   f"peak {r.stage3_peak_K:.0f} K")
        typer.echo(f"energy {r.energy_kWh_per_m2:.4f} kWh/m2, cost {r.cost_USD_per_m2:.2f} USD/m2")
        for w in r.warnings:
            typer.echo(f"  warning: {w}")
