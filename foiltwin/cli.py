"""The `foiltwin` command line (Typer).

User mistakes (bad option values, unknown parameters, out-of-range inputs) end as ONE line on stderr
and exit code 2; nothing a user types produces a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from foiltwin import recipe_options as ro
from foiltwin.options import (
    check_json_target,
    flag,
    given,
    in_option_units,
    not_with,
    once_each,
    only_with,
    progress_printer,
    write_json,
)
from process_models import citations
from process_models.errors import FoiltwinInputError, shorten
from process_models.parameters import default_parameters
from process_models.parameters.registry import Kind, ParameterValues

# rich_markup_mode=None: plain click help; rich's help formatter (and the markdown parser it imports) cost
# ≈0.1-0.3 s of every `--help` (issue 15: start-up ≤ 0.3 s)
# help text is plain (no markup), so units in brackets ("[nm]") print as written
app = typer.Typer(
    add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
    help="foiltwin: digital twin of the Cu current-collector lines (UHT Cu-Zn skin and plating).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"foiltwin {_installed_version()}")
        raise typer.Exit(0)


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("foiltwin")
    except PackageNotFoundError:
        return "unknown"


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """foiltwin: digital twin of the Cu current-collector lines (UHT Cu-Zn skin and plating)."""

ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", help="Override a registry parameter, NAME=VALUE (repeatable; see `foiltwin params`)."),
]
JsonOption = Annotated[str | None, typer.Option("--json", help="Write the JSON report to FILE, or '-' for stdout.")]
ProgressOption = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", help="Show progress on stderr; default: when stderr is a terminal.")]
ParamsFileOption = Annotated[Path | None, typer.Option(
    "--params", help="A fitted parameter set (JSON, from `foiltwin calibrate`); its values replace the registry's.")]
CacheDirOption = Annotated[Path | None, typer.Option(
    "--cache-dir", envvar="FOILTWIN_CACHE_DIR", help="Keep the optimiser's tables and solved recipes in this folder "
    "(made if missing) and start from them next time: a warm run. Only a cache made by the same code is read "
    "(docs/optimizer.md).")]


def parse_overrides(items: list[str] | None, option: str = "--param") -> dict[str, float]:
    """Turn ``NAME=VALUE`` strings of ``option`` into a dict; a malformed item or a name given twice is a
    FoiltwinInputError."""
    out: dict[str, float] = {}
    for item in once_each(items, option):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise FoiltwinInputError(option, item, "NAME=VALUE with a registry parameter name")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise FoiltwinInputError(name.strip(), value, "a number") from None
    return out


def parameters_with(items: list[str] | None, params_file: Path | None = None) -> ParameterValues:
    """The default registry with the fitted parameter set ``params_file`` (``--params``) and then the ``--param``
    overrides applied."""
    return parameters_and_set(items, params_file)[0]


def parameters_and_set(items: list[str] | None, params_file: Path | None = None):
    """:func:`parameters_with` and the parameter set it applied (None without ``--params``)."""
    values = default_parameters()
    pset = load_params_file(params_file)
    if pset is not None:
        from twin.parameter_set import apply_parameter_set

        values = apply_parameter_set(values, pset)
    return values.with_overrides(parse_overrides(items)), pset


def load_params_file(path: Path | None):
    """The parameter set of ``--params FILE`` (None without one); its warnings go to stderr."""
    if path is None:
        return None
    from twin.parameter_set import load_parameter_set, warnings_of

    pset = load_parameter_set(path)
    for w in warnings_of(pset):
        typer.echo(f"warning: {w}", err=True)
    return pset


ObjectiveName = Literal["cost", "throughput", "weighted"]  # = optimizer.targets.OBJECTIVES (a test checks)


@app.command()
def params(
    json_out: JsonOption = None,
    kind: Annotated[Kind | None, typer.Option(help="Show only one kind.")] = None,
) -> None:
    """Print the parameter registry: name, value, unit, kind, source and where the value comes from."""
    check_json_target(json_out)
    records = [r for r in default_parameters().records() if kind is None or r.kind == kind]
    if json_out is not None:
        write_json({"parameters": [
            {"name": r.name, "value": r.value, "unit": r.unit, "kind": r.kind, "source": r.source,
             "reference": citations.CITATIONS[r.source], "where": r.where, "bounds": list(r.bounds),
             "fit_error": r.fit_error, "standard_error": r.standard_error,
             "standard_error_method": r.standard_error_method, "data_used": list(r.data_used)} for r in records]},
            json_out)
        if json_out == "-":
            return
    if not records:
        typer.echo(f"no parameter of kind {kind} in the registry")
        return
    from foiltwin.output import print_params

    print_params(records)


@app.command()
def recipe(
    ctx: typer.Context,
    stage2_temperature_K: ro.Stage2TemperatureK = 750.0,
    stage2_time_s: ro.Stage2TimeS = 120.0,
    stage3_peak_K: ro.Stage3PeakK = None,
    stage3_time_ms: ro.Stage3TimeMs = None,
    stage3_heating_rate_K_per_s: ro.Stage3HeatingRate = None,
    stage3_mode: ro.Stage3Mode = "web",
    line_speed_m_per_min: ro.LineSpeed = None,
    stage3_heater_length_mm: ro.HeaterLengthMm = None,
    stage3_power_W_per_m: ro.Stage3Power = None,
    foil_thickness_um: ro.FoilThicknessUm = 10.0,
    no_uht: ro.NoUHT = False,
    zn_route: ro.ZnRoute = "vapour",
    plated_zn_mg_per_cm2: ro.PlatedZn = 0.0,
    zn_bath: ro.ZnBath = None,
    zn_current_density_A_per_m2: ro.ZnCurrentDensity = 300.0,
    zn_plating_time_s: ro.ZnPlatingTime = 15.0,
    zn_bath_concentration_mol_per_m3: ro.ZnBathConcentration = None,
    zn_source_temperature_K: ro.ZnSourceTemperature = None,
    cooling: ro.Cooling = "contact",
    substrate: ro.Substrate = "commercial",
    electroform_bath: ro.ElectroformBath = "cu_acid_sulfate",
    electroform_current_density_A_per_m2: ro.ElectroformCurrentDensity = 300.0,
    electroform_temperature_K: ro.ElectroformTemperature = None,
    anneal_soak_temperature_K: ro.AnnealSoakTemperature = None,
    anneal_soak_h: ro.AnnealSoakH = 2.0,
    anneal_target_100: ro.AnnealTarget100 = None,
    texture_route: ro.TextureRoute = "furnace",
    hot_zone_temperature_K: ro.HotZoneTemperature = None,
    hot_zone_speed_mm_per_min: ro.HotZoneSpeed = None,
    ag_immersion_time_s: ro.AgImmersionTime = 0.0,
    agf_wt_pct: ro.AgfWtPct = 1.0,
    currency: ro.Currency = "USD",
    web_tension_N_per_m: ro.WebTension = None,
    skin_metal: ro.SkinMetal = "Zn",
    skin_route: ro.SkinRoute = "vapour",
    skin_loading_mg_per_cm2: ro.SkinLoading = 0.0,
    skin_source_temperature_K: ro.SkinSourceTemperature = None,
    profile: ro.Profile = False,
    scenario: ro.ScenarioFile = None,
    line: ro.ScenarioLine = None,
    uncertainty: ro.Uncertainty = None,
    samples: ro.Samples = 64,
    uq_seed: ro.UQSeed = 0,
    confidence: ro.Confidence = 0.95,
    param: ParamOption = None,
    params_file: ParamsFileOption = None,
    json_out: JsonOption = None,
) -> None:
    """Evaluate one collector recipe without line dynamics: plating, UHT skin, Ag, texture, indicators, cost.

    An option that only acts together with another (``--anneal-soak-h`` with ``--anneal-soak-temperature-K``, the
    Zn-plating options with ``--zn-bath``, ...) is refused when given without it (see ``_recipe_option_rules``).
    """
    # the options (their groups in foiltwin.recipe_options) reach the helpers as ctx.params
    from foiltwin.skin_commands import check_skin_options, run_other_skin

    check_skin_options(ctx)
    _recipe_option_rules(ctx)
    check_json_target(json_out)
    if scenario is not None:
        return _scenario_recipe(ctx.params)
    values, pset = parameters_and_set(param, params_file)
    if skin_metal != "Zn":
        citations.reset()
        return run_other_skin(ctx, values, json_out)
    _recipe_ranges_in_option_units(ctx, values)
    citations.reset()
    if params_file is not None:
        citations.register("PlantCalibration", "cli.recipe")
    _evaluate_recipe(ctx.params, values, pset)


def _uht_from_options(p: dict[str, Any]):
    """The UHT recipe of the recipe command's options (None with ``--no-uht``), in the models' SI units (pint)."""
    from foiltwin.units import to_unit
    from process_models.uht.recipe import UHTRecipe

    if p["no_uht"]:
        return None
    opt = lambda name, unit, si: None if p[name] is None else to_unit(p[name], unit, si)  # noqa: E731
    return UHTRecipe(
        foil_thickness_m=to_unit(p["foil_thickness_um"], "um", "m"), zn_route=p["zn_route"],
        stage2_temperature_K=p["stage2_temperature_K"], stage2_time_s=p["stage2_time_s"],
        zn_source_temperature_K=p["zn_source_temperature_K"],
        plated_zn_loading_kg_per_m2=to_unit(p["plated_zn_mg_per_cm2"], "mg/cm**2", "kg/m**2"),
        stage3_peak_K=p["stage3_peak_K"], stage3_time_s=opt("stage3_time_ms", "ms", "s"),
        stage3_heating_rate_K_per_s=p["stage3_heating_rate_K_per_s"], cooling=p["cooling"],
        stage3_mode=p["stage3_mode"], line_speed_m_per_s=opt("line_speed_m_per_min", "m/min", "m/s"),
        stage3_heater_length_m=opt("stage3_heater_length_mm", "mm", "m"),
        stage3_power_W_per_m=p["stage3_power_W_per_m"],
    )


def _collector_from_options(p: dict[str, Any], values: ParameterValues):
    """The collector recipe of the recipe command's options: substrate, Zn plating, UHT, Ag, and the texture step
    (furnace or hot zone)."""
    from dataclasses import replace

    from foiltwin.units import to_unit
    from process_models.collector.recipe import CollectorRecipe, PlatingStep

    zn = None if p["zn_bath"] is None else PlatingStep(p["zn_bath"], p["zn_current_density_A_per_m2"],
                                                      p["zn_plating_time_s"],
                                                      concentration_mol_per_m3=p["zn_bath_concentration_mol_per_m3"])
    recipe = CollectorRecipe(
        uht=_uht_from_options(p), substrate=p["substrate"], electroform_bath=p["electroform_bath"],
        electroform_current_density_A_per_m2=p["electroform_current_density_A_per_m2"],
        electroform_temperature_K=p["electroform_temperature_K"], zn_plating=zn,
        ag_immersion_time_s=p["ag_immersion_time_s"], agf_mass_frac=to_unit(p["agf_wt_pct"], "percent", ""),
        currency=p["currency"],
    )
    soak_K, target, hot_K, hot_v = (p["anneal_soak_temperature_K"], p["anneal_target_100"],
                                    p["hot_zone_temperature_K"], p["hot_zone_speed_mm_per_min"])
    if p["texture_route"] == "hot-zone":
        return replace(recipe, hot_zone=_hot_zone_step(recipe, values, soak_K, hot_K, hot_v, target))
    return _furnace_step(recipe, values, soak_K, p["anneal_soak_h"], target, hot_K, hot_v)


def _evaluate_recipe(p: dict[str, Any], values: ParameterValues, pset) -> None:
    """Evaluate the options' collector recipe, with its uncertainty when asked, and report it."""
    from process_models.collector.recipe import evaluate_collector

    try:
        recipe = _collector_from_options(p, values)
    except FoiltwinInputError as err:
        raise in_option_units(err, p, values) from None
    try:
        result = evaluate_collector(recipe, values)
    except FoiltwinInputError as err:
        raise in_option_units(_with_longest_stage2(err, recipe.uht, values), p, values) from None
    uq = None
    if p["uncertainty"] is not None:
        from foiltwin.uq_commands import recipe_uncertainty

        uq = recipe_uncertainty(recipe, values, pset, p["uncertainty"], p["samples"], p["uq_seed"],
                                p["confidence"])
    _report_recipe(result, p["profile"], p["json_out"], p["web_tension_N_per_m"], values, uq)


def _with_longest_stage2(err: FoiltwinInputError, uht: Any, values: ParameterValues) -> FoiltwinInputError:
    """A stage II whose Zn uptake overfills the foil as γ brass, re-said with the longest stage-II time that fits
    at the recipe's temperature (:func:`process_models.uht.recipe.longest_stage2_time_s`); any other refusal
    unchanged."""
    if err.field != "stage2_time_s" or "γ brass" not in err.allowed or uht is None:
        return err
    from process_models.uht.recipe import longest_stage2_time_s

    r = uht.validated(values)
    top = longest_stage2_time_s(r, values)
    return FoiltwinInputError(err.field, err.value, f"at most ≈{top:.4g} s at {r.stage2_temperature_K:g} K: "
                              + err.allowed, err.reason)


def _scenario_recipe(p: dict[str, Any]) -> None:
    """``recipe --scenario``: the collector recipe of the scenario's :class:`twin.plant_settings.PlantSettings`,
    with its uncertainty when ``--uncertainty`` asks (the scenario's parameter set and overrides applied)."""
    from foiltwin.units import to_unit
    from process_models.collector.recipe import CoilAnnealStep, CollectorRecipe, evaluate_collector
    from process_models.uht.recipe import UHTRecipe
    from twin.plant_settings import PlantSettings
    from twin.scenario import load_scenario, with_parameter_set
    from twin.simulate import build_parameters

    sc = with_parameter_set(load_scenario(p["scenario"]), load_params_file(p["params_file"]))
    values = build_parameters(sc).with_overrides(parse_overrides(p["param"]))
    citations.reset()
    if sc.parameter_set is not None:
        citations.register("PlantCalibration", "cli.recipe")
    f = PlantSettings.from_scenario(sc).recipe_fields(sc, p["line"])
    recipe = CollectorRecipe(uht=UHTRecipe(**f.uht), ag_immersion_time_s=p["ag_immersion_time_s"],
                             agf_mass_frac=to_unit(p["agf_wt_pct"], "percent", ""), currency=p["currency"],
                             coil_anneal=None if f.coil_anneal is None else CoilAnnealStep(**f.coil_anneal),
                             **f.collector)
    result = evaluate_collector(recipe, values)
    uq = None
    if p["uncertainty"] is not None:
        from foiltwin.uq_commands import recipe_uncertainty

        uq = recipe_uncertainty(recipe, values, sc.parameter_set, p["uncertainty"], p["samples"], p["uq_seed"],
                                p["confidence"])
    _report_recipe(result, p["profile"], p["json_out"], values=values, uq=uq)


def _report_recipe(result, profile: bool, json_out: str | None, web_tension_N_per_m: float | None = None,
                   values: ParameterValues | None = None, uq: dict | None = None) -> None:
    """The recipe's JSON report and its lines on stdout (with the web's margins at ``web_tension_N_per_m``)."""
    report = result.to_dict(profile=profile)
    web = None
    if web_tension_N_per_m is not None and result.uht is not None and values is not None:
        web = _web_handling(result.uht, web_tension_N_per_m, values)
    if web is not None:
        report["web_handling"] = web
        report["warnings"] = [*report.get("warnings", []), *web["warnings"]]
    if uq is not None:
        report["uncertainty"] = uq
    report["citations"] = citations.used()
    if values is not None:
        from twin.fingerprint import made_by

        report["made_by"] = made_by(values)  # the code and the parameter values that made it
    write_json(report, json_out)
    if json_out != "-":
        from foiltwin.output import print_recipe

        print_recipe(result)
        if web is not None:
            _echo_web_handling(web)
        if uq is not None:
            from foiltwin.uq_commands import print_recipe_uncertainty

            print_recipe_uncertainty(uq)


def _furnace_step(recipe, values: ParameterValues, soak_K: float | None, soak_h: float, target_100: float | None,
                  hot_zone_K: float | None, hot_zone_mm_per_min: float | None):
    """The recipe with its coil anneal from the CLI options (unchanged without one): the given soak, or the least
    soak reaching ``target_100``."""
    from dataclasses import replace

    from foiltwin.units import to_unit
    from process_models.collector.recipe import CoilAnnealStep, substrate_texture
    from process_models.texture.coil_anneal import soak_time_for_texture_100

    if hot_zone_K is not None or hot_zone_mm_per_min is not None:
        raise FoiltwinInputError("--hot-zone-temperature-K/--hot-zone-speed-mm-per-min", hot_zone_K or
                                 hot_zone_mm_per_min, "given with --texture-route hot-zone")
    if target_100 is not None and soak_K is None:
        raise FoiltwinInputError("--anneal-target-100", target_100,
                                 "given with --anneal-soak-temperature-K (or --texture-route hot-zone)")
    if soak_K is None:
        return recipe
    soak_s = to_unit(soak_h, "h", "s")
    if target_100 is not None:
        f0 = float(substrate_texture(recipe, values)[1])
        soak_s = float(soak_time_for_texture_100(target_100, f0, soak_K, values)[0])
    return replace(recipe, coil_anneal=CoilAnnealStep(soak_K, soak_s))


def _hot_zone_step(recipe, values: ParameterValues, soak_K: float | None, temperature_K: float | None,
                   speed_mm_per_min: float | None, target_100: float | None):
    """The recipe's hot-zone pass from the CLI options: the given speed, or the fastest reaching ``target_100``."""
    from process_models.collector.recipe import HotZoneStep, substrate_texture
    from process_models.texture.hot_zone import pull_speed_for_texture_100

    if soak_K is not None:
        raise FoiltwinInputError("--anneal-soak-temperature-K", soak_K, "given with --texture-route furnace")
    T = values["hot_zone_reference_temperature_K"] if temperature_K is None else temperature_K
    if (speed_mm_per_min is None) == (target_100 is None):
        raise FoiltwinInputError("--hot-zone-speed-mm-per-min", speed_mm_per_min,
                                 "either it or --anneal-target-100 with --texture-route hot-zone")
    if target_100 is not None:
        f0 = float(substrate_texture(recipe, values)[1])
        speed = float(pull_speed_for_texture_100(target_100, f0, T, values)[0])
    else:
        from foiltwin.units import to_unit

        speed = to_unit(float(speed_mm_per_min), "mm/min", "m/s")  # type: ignore[arg-type]
    return HotZoneStep(T, speed)


UHT_OPTIONS = ("stage2_temperature_K", "stage2_time_s", "stage3_peak_K", "stage3_time_ms",
               "stage3_heating_rate_K_per_s", "stage3_mode", "line_speed_m_per_min", "stage3_heater_length_mm",
               "stage3_power_W_per_m", "foil_thickness_um", "zn_route", "plated_zn_mg_per_cm2", "zn_bath",
               "zn_current_density_A_per_m2", "zn_plating_time_s", "zn_bath_concentration_mol_per_m3",
               "zn_source_temperature_K", "cooling", "web_tension_N_per_m")


def _web_handling(u, tension_N_per_m: float, values) -> dict:
    """Stress margins, break hazard and slack limit of the recipe's heated zones at one tension (``recipe``)."""
    from process_models.errors import check_range
    from process_models.web.handling import WebBreakModel, recipe_zone_temperatures, web_margins
    from twin.scenario import UHTSettings, field_bounds

    b = field_bounds(UHTSettings, "stage3_web_tension_N_per_m")
    check_range("--web-tension-N-per-m", tension_N_per_m, b.low, b.high, low_inclusive=b.low_inclusive,
                high_inclusive=b.high_inclusive, unit="N/m")
    r = u.recipe
    zones = recipe_zone_temperatures(r.stage2_temperature_K, r.stage2_time_s, u.peak_temperature_K,
                                     r.stage3_time_s or 0.0)
    if not zones:
        return {"zones": {}, "breaks_per_m": 0.0, "break_probability_per_m": 0.0, "limiting_zone": "",
                "warnings": []}
    res = web_margins(WebBreakModel.from_values(values), dict.fromkeys(zones, tension_N_per_m), zones,
                      r.foil_thickness_m)
    return res.row(0)


def _echo_web_handling(web: dict) -> None:
    def pct(x: float | None) -> str:
        return "none (no strength left)" if x is None else f"{x:.0%}"

    for name, z in web["zones"].items():
        typer.echo(f"web {name}: {z['tension_N_per_m']:.4g} N/m = {z['stress_MPa']:.3g} MPa at {z['peak_K']:.0f} K "
                   f"(yield {z['yield_strength_MPa']:.3g} MPa, tensile {z['tensile_strength_MPa']:.3g} MPa): margin "
                   f"to yield {pct(z['yield_margin_frac'])}, to break {pct(z['tensile_margin_frac'])}; slack limit "
                   f"{z['slack_tension_N_per_m']:.3g} N/m")
    typer.echo(f"web break probability {web['break_probability_per_m']:.3g} per m"
               + (f" (limiting zone {web['limiting_zone']})" if web["limiting_zone"] else ""))


# set points of ``recipe`` that ``--scenario`` gives (from the scenario's plant settings)
SCENARIO_SET_POINTS = ("stage2_temperature_K", "stage2_time_s", "stage3_peak_K", "stage3_time_ms",
                       "stage3_heating_rate_K_per_s", "stage3_mode", "line_speed_m_per_min", "stage3_heater_length_mm",
                       "stage3_power_W_per_m", "foil_thickness_um", "no_uht", "zn_route", "plated_zn_mg_per_cm2",
                       "zn_bath", "zn_current_density_A_per_m2", "zn_plating_time_s",
                       "zn_bath_concentration_mol_per_m3", "zn_source_temperature_K", "cooling", "substrate",
                       "electroform_bath",
                       "electroform_current_density_A_per_m2", "electroform_temperature_K",
                       "anneal_soak_temperature_K", "anneal_soak_h", "anneal_target_100", "texture_route",
                       "hot_zone_temperature_K", "hot_zone_speed_mm_per_min")


def _recipe_option_rules(ctx: typer.Context) -> None:
    """Options of ``recipe`` that act only together with another one: given without it, they are refused."""
    p = ctx.params
    for name in SCENARIO_SET_POINTS:
        not_with(ctx, name, "--scenario", p["scenario"] is not None, "the scenario's plant settings give it")
    only_with(ctx, "line", "--scenario", p["scenario"] is not None, "a UHT line of the scenario")
    not_with(ctx, "web_tension_N_per_m", "--scenario", p["scenario"] is not None,
             "the scenario's UHT lines set their own web tensions; `foiltwin simulate` reports the web")
    if p["no_uht"]:
        for name in UHT_OPTIONS:
            only_with(ctx, name, "a UHT step (not with --no-uht)", False,
                      "the foil is then 10 µm bare Cu" if name == "foil_thickness_um" else "")
        only_with(ctx, "profile", "a UHT step (not with --no-uht)", False, "the profile is the skin's")
    plated = p["zn_route"] == "plated" or p["zn_bath"] is not None
    not_with(ctx, "zn_route", "--zn-bath", p["zn_bath"] is not None and p["zn_route"] == "vapour",
             "a Zn bath plates the Zn: the route is plated")
    only_with(ctx, "plated_zn_mg_per_cm2", "--zn-route plated", p["zn_route"] == "plated",
              "the vapour route takes its Zn from the vapour")
    not_with(ctx, "plated_zn_mg_per_cm2", "--zn-bath", p["zn_bath"] is not None,
             "the bath's current density and time give the plated Zn")
    for name in ("zn_current_density_A_per_m2", "zn_plating_time_s", "zn_bath_concentration_mol_per_m3"):
        only_with(ctx, name, "--zn-bath", p["zn_bath"] is not None, "a setting of the Zn plating step")
    only_with(ctx, "zn_source_temperature_K", "the vapour route (not --zn-route plated or --zn-bath)", not plated,
              "the Zn source heats only on the vapour route")
    only_with(ctx, "stage2_temperature_K", "--stage2-time-s > 0", p["stage2_time_s"] > 0.0,
              "no stage II without its time")
    has3 = p["stage3_time_ms"] is None or p["stage3_time_ms"] > 0.0
    for name in ("stage3_peak_K", "stage3_heating_rate_K_per_s", "cooling", "stage3_mode", "line_speed_m_per_min",
                 "stage3_heater_length_mm", "stage3_power_W_per_m"):
        only_with(ctx, name, "--stage3-time-ms > 0", has3, "a setting of stage III")
    web = p["stage3_mode"] == "web"
    only_with(ctx, "stage3_heating_rate_K_per_s", "--stage3-mode batch or --skin-metal Mg, Ag, Sn or Al",
              not web or p["skin_metal"] != "Zn", "the ramp of the lumped pulse")
    for name in ("line_speed_m_per_min", "stage3_heater_length_mm", "stage3_power_W_per_m"):
        only_with(ctx, name, "--stage3-mode web", web, "a setting of the moving-web heater")
    not_with(ctx, "stage3_power_W_per_m", "--stage3-peak-K", p["stage3_peak_K"] is not None,
             "the power sets the peak, or the peak sets the power")
    timing = [n for n in ("stage3_time_ms", "line_speed_m_per_min", "stage3_heater_length_mm") if given(ctx, n)]
    if len(timing) == 3:
        not_with(ctx, "stage3_time_ms", "both --line-speed-m-per-min and --stage3-heater-length-mm", True,
                 "the pulse is heater length / line speed")
    for name in ("electroform_bath", "electroform_current_density_A_per_m2", "electroform_temperature_K"):
        only_with(ctx, name, "--substrate electroformed", p["substrate"] == "electroformed",
                  "a setting of the electroforming line")
    hot_zone = p["texture_route"] == "hot-zone"
    only_with(ctx, "anneal_soak_h", "--anneal-soak-temperature-K", p["anneal_soak_temperature_K"] is not None,
              "a setting of the coil anneal")
    only_with(ctx, "anneal_target_100", "--anneal-soak-temperature-K or --texture-route hot-zone",
              p["anneal_soak_temperature_K"] is not None or hot_zone, "a target of the texture route")
    only_with(ctx, "anneal_soak_temperature_K", "--texture-route furnace", not hot_zone,
              "a setting of the batch coil anneal")
    for name in ("hot_zone_temperature_K", "hot_zone_speed_mm_per_min"):
        only_with(ctx, name, "--texture-route hot-zone", hot_zone, "a setting of the moving hot zone")
    not_with(ctx, "anneal_soak_h", "--anneal-target-100", p["anneal_target_100"] is not None,
             "the target gives the least soak")
    only_with(ctx, "agf_wt_pct", "--ag-immersion-time-s > 0", p["ag_immersion_time_s"] > 0.0,
              "the strength of the AgF immersion bath")
    only_with(ctx, "profile", "--json", p["json_out"] is not None, "the profile is written in the JSON report")
    for name in ("samples", "uq_seed"):
        only_with(ctx, name, "--uncertainty mc|both", p["uncertainty"] in ("mc", "both"), "a setting of Monte Carlo")
    only_with(ctx, "confidence", "--uncertainty", p["uncertainty"] is not None, "the coverage of the intervals")


def check_uht_option_units(foil_thickness_um: float, stage3_time_ms: float | None) -> None:
    """The UHT recipe's foil thickness [µm] and stage-III time [ms] (None: the default) checked in the options'
    units, so that a refusal reads in what the user typed (``recipe``, ``sensitivity``, ``next-experiment``)."""
    from foiltwin.units import to_unit
    from process_models.errors import check_range
    from process_models.uht.recipe import FOIL_THICKNESS_RANGE_M, STAGE3_TIME_RANGE_S

    lo, hi = FOIL_THICKNESS_RANGE_M
    check_range("--foil-thickness-um", foil_thickness_um, to_unit(lo, "m", "um"), to_unit(hi, "m", "um"), unit="µm")
    if stage3_time_ms is not None:
        check_range("--stage3-time-ms", stage3_time_ms, to_unit(STAGE3_TIME_RANGE_S[0], "s", "ms"),
                    to_unit(STAGE3_TIME_RANGE_S[1], "s", "ms"), unit="ms")


def _recipe_ranges_in_option_units(ctx: typer.Context, values: ParameterValues) -> None:
    """Ranges of the ``recipe`` options whose unit differs from the model's (µm, ms, mg/cm², wt %, h), checked in
    the option's unit so that a refusal reads in what the user typed; the models check the rest."""
    from foiltwin.units import to_unit
    from process_models.errors import check_range
    from process_models.plating.ag_immersion import AGF_MASS_FRAC_RANGE
    from process_models.texture.hot_zone import pull_speed_range_m_per_s
    from process_models.uht.recipe import HEATER_LENGTH_RANGE_M, LINE_SPEED_RANGE_M_PER_S, PLATED_ZN_RANGE_KG_PER_M2

    p = ctx.params
    check_uht_option_units(p["foil_thickness_um"], p["stage3_time_ms"])
    for option, unit, model_unit, limits in (
            ("line_speed_m_per_min", "m/min", "m/s", LINE_SPEED_RANGE_M_PER_S),
            ("stage3_heater_length_mm", "mm", "m", HEATER_LENGTH_RANGE_M),
            ("hot_zone_speed_mm_per_min", "mm/min", "m/s", pull_speed_range_m_per_s(values))):
        if p[option] is not None:
            check_range(flag(ctx, option), p[option], to_unit(limits[0], model_unit, unit),
                        to_unit(limits[1], model_unit, unit), unit=unit)
    if p["zn_route"] == "plated" and p["zn_bath"] is None and not p["no_uht"]:
        lo, hi = PLATED_ZN_RANGE_KG_PER_M2
        check_range("--plated-zn-mg-per-cm2", p["plated_zn_mg_per_cm2"], to_unit(lo, "kg/m**2", "mg/cm**2"),
                    to_unit(hi, "kg/m**2", "mg/cm**2"), low_inclusive=False, unit="mg/cm2")
    if p["ag_immersion_time_s"] > 0.0:
        lo, hi = AGF_MASS_FRAC_RANGE
        check_range("--agf-wt-pct", p["agf_wt_pct"], to_unit(lo, "", "percent"), to_unit(hi, "", "percent"),
                    low_inclusive=False, unit="wt %")
    if p["anneal_soak_temperature_K"] is not None and p["anneal_target_100"] is None:
        check_range("--anneal-soak-h", p["anneal_soak_h"], 0.0, to_unit(values["coil_anneal_max_soak_time_s"], "s",
                                                                         "h"), unit="h")


@app.command()
def validate(param: ParamOption = None, json_out: JsonOption = None,
             stage3_window: Annotated[bool, typer.Option(
                 "--stage3-window", help="Also report the seed line's stage-III window against the diffusional "
                 "criterion (a 70-point scan, a few seconds).")] = False) -> None:
    """Run the seed validation cases: calibration residuals (cases the fitted parameters were fitted to),
    held-out validation, and leave-one-out predictions of the fits with several data points, in three sections;
    exit 1 if a calibration or held-out case fails (leave-one-out results are reported, not gated)."""
    from process_models.validation.leave_one_out import leave_one_out
    from process_models.validation.sections import validation_sections

    check_json_target(json_out)
    values = parameters_with(param)
    sections = validation_sections(values)
    loo = leave_one_out(values)
    rows = sections.calibration + sections.validation
    window = None
    if stage3_window:
        from process_models.validation.stage3_window_report import stage3_window_report

        window = stage3_window_report(values)
    if json_out is not None:
        extra = {} if window is None else {"stage3_window": window.to_dict()}
        write_json({"cases": [r.__dict__ for r in rows], **sections.to_dict(), "leave_one_out": loo.to_dict(),
                    **extra}, json_out)
    if json_out != "-":
        _print_validation(sections)
        _print_leave_one_out(loo)
        if window is not None:
            typer.echo("Stage-III window (issue 9 item 4)")
            for line in window.lines():
                typer.echo("  " + line)
    if not sections.passed:
        raise typer.Exit(1)


def _print_validation(sections) -> None:
    from foiltwin.output import print_validation

    for title, rows, note in (
            ("Calibration residuals", sections.calibration,
             "cases the fitted parameters were fitted to: a small residual shows the fit, it validates nothing"),
            ("Held-out validation", sections.validation, "cases no parameter was fitted to")):
        typer.echo(f"{title} ({note})")
        print_validation(rows)
        typer.echo("")


def _print_leave_one_out(loo) -> None:
    from foiltwin.output import print_leave_one_out

    typer.echo("Leave-one-out (each point of a multi-point fit left out, the parameter refitted without it and the "
               "point predicted: these predictions, not the calibration residuals, are validation)")
    print_leave_one_out(loo)
    typer.echo("")


@app.command()
def simulate(
    ctx: typer.Context,
    scenario: Annotated[Path | None, typer.Argument(help="Scenario TOML file; default: the built-in plant.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a field, dotted.key=value (repeatable).")]
    = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Simulated hours (overrides the scenario).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (overrides the scenario).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Run folder (new, empty or an earlier run's): Parquet "
                                             "logs, report.json/html and a manifest, replaced as a whole.")] = None,
    params_file: ParamsFileOption = None,
    json_out: JsonOption = None,
    progress: ProgressOption = None,
    uncertainty: Annotated[Literal["mc"] | None, typer.Option(
        "--uncertainty", help="Intervals on the KPIs from the parameter uncertainty (the --params set's covariance "
        "and the registry's standard errors): mc runs the plant once per parameter draw, all with the scenario's "
        "seed (common random numbers), and reports yield at risk.")] = None,
    draws: Annotated[int, typer.Option("--draws", min=2, max=10000, help="Parameter draws (Latin hypercube) of "
                                       "--uncertainty mc: one plant run each.")] = 32,
    uq_seed: Annotated[int, typer.Option("--uq-seed", min=0, help="Seed of the parameter draws.")] = 0,
    confidence: Annotated[float, typer.Option("--confidence", help="Coverage of the central intervals (0.9: the "
                                              "5th to 95th percentile).")] = 0.90,
    at_risk: Annotated[float, typer.Option("--at-risk", help="Yield at risk: the yield exceeded with this "
                                           "probability.")] = 0.95,
) -> None:
    """Simulate the plant metre by metre and report OEE, yield, skin, energy and cost."""
    from twin.run_folder import check_run_folder, write_run
    from twin.scenario import apply_overrides, load_scenario, with_parameter_set
    from twin.simulate import run_single

    for name in ("draws", "uq_seed", "confidence", "at_risk"):
        only_with(ctx, name, "--uncertainty mc", uncertainty is not None, "a setting of the parameter Monte Carlo")
    not_with(ctx, "uncertainty", "--out", out is not None, "a run folder holds one run")
    check_json_target(json_out, run_folder=out)
    if out is not None:
        check_run_folder("--out", out)
    sc = with_parameter_set(load_scenario(scenario), load_params_file(params_file))
    extra = once_each(set_, "--set")
    if hours is not None:
        extra.append(f"hours={hours!r}")
    if seed is not None:
        extra.append(f"seed={seed}")
    sc = apply_overrides(sc, extra)
    show = progress_printer(progress)
    if uncertainty is not None:
        from foiltwin.uq_commands import simulate_uncertainty

        simulate_uncertainty(sc, draws, uq_seed, confidence, at_risk, json_out, show)
        return
    report = run_single(sc, progress=show) if out is None else write_run(sc, out, "--out", progress=show)
    if json_out is not None:
        from twin.fingerprint import made_by
        from twin.simulate import build_parameters

        report = {**report, "made_by": made_by(build_parameters(sc))}  # the code and the parameter values
    write_json(report, json_out)
    if json_out != "-":
        from foiltwin.output import print_simulation

        print_simulation(report, sc.currency)
        if out is not None:
            typer.echo(f"logs and report in {out}")


@app.command()
def schema(json_out: JsonOption = "-") -> None:
    """Print the JSON schema of a scenario file."""
    from twin.scenario import scenario_json_schema

    write_json(scenario_json_schema(), json_out)


scenario_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                           help="Scenario files: write the default plant as commented TOML, check a file.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("init")
def scenario_init(out: Annotated[Path | None, typer.Option(
        "--out", help="Write to FILE (atomically) instead of stdout.")] = None) -> None:
    """Print the default plant as commented TOML (`foiltwin scenario init > plant.toml`); edit what you need and
    delete the rest: a partial file is merged over the default plant."""
    from twin.scenario_toml import scenario_toml

    text = scenario_toml()
    if out is None:
        typer.echo(text, nl=False)
        return
    from twin.files import write_text_atomic

    write_text_atomic(out, text, field="--out")
    typer.echo(f"wrote the default plant to {out}", err=True)


@scenario_app.command("check")
def scenario_check(scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario TOML file.")],
                   json_out: JsonOption = None) -> None:
    """Validate a scenario file (merged over the default plant) and list its lines, horizon and seed."""
    from twin.scenario import load_scenario
    from twin.simulate import build_parameters

    sc = load_scenario(scenario)
    build_parameters(sc)  # the registry overrides ([parameters]): names and ranges, as simulate checks them
    lines = [{"name": line.name, "type": line.type} for line in sc.plant.lines]
    furnaces = [f.name for f in sc.plant.furnaces if f.settings.enabled]
    write_json({"scenario": sc.name, "hours": sc.hours, "seed": sc.seed, "lines": lines,
                "furnaces_enabled": furnaces, "valid": True}, json_out)
    if json_out != "-":
        typer.echo(f"{scenario}: valid; {sc.name!r}, {sc.hours:g} h, seed {sc.seed}, lines "
                   + ", ".join(f"{x['name']} ({x['type']})" for x in lines)
                   + (f", furnaces on: {', '.join(furnaces)}" if furnaces else ", furnaces off"))


@app.command()
def optimize(
    ctx: typer.Context,
    scenario: Annotated[Path | None, typer.Argument(help="Scenario TOML file; default: the built-in plant.")] = None,
    skin_thickness_nm: Annotated[
        float | None, typer.Option("--skin-thickness-nm", help="Target skin thickness [nm]; default: the seed's.")
    ] = None,
    tolerance_nm: Annotated[float, typer.Option("--tolerance-nm", help="± tolerance on the skin [nm].")] = 50.0,
    min_texture_100: Annotated[float | None, typer.Option("--min-texture-100", help="Minimum (100) fraction.")]
    = None,
    min_throughput_m2_per_h: Annotated[
        float | None, typer.Option("--min-throughput-m2-per-h", help="Minimum good m² per scheduled hour.")
    ] = None,
    max_cost_per_m2: Annotated[float | None, typer.Option("--max-cost-per-m2", help="Maximum cost per good m².")]
    = None,
    max_overpotential_mV: Annotated[
        float | None, typer.Option("--max-overpotential-mV", help="Maximum Li nucleation overpotential [mV].")
    ] = None,
    surface_zn_min: Annotated[float | None, typer.Option("--surface-zn-min", help="Surface Zn window, low [at frac]; "
                                                          "default: the scenario spec.")] = None,
    surface_zn_max: Annotated[float | None, typer.Option("--surface-zn-max", help="Surface Zn window, high.")] = None,
    allow_multiphase: Annotated[bool, typer.Option("--allow-multiphase", help="Do not require single-phase α.")]
    = False,
    objective: Annotated[ObjectiveName, typer.Option("--objective", help="What to optimise.")] = "cost",
    cost_weight: Annotated[float, typer.Option("--cost-weight", help="Weight of cost in --objective weighted.")] = 0.5,
    pareto: Annotated[str | None, typer.Option("--pareto", help="cost,throughput | cost,tolerance")] = None,
    pareto_points: Annotated[int, typer.Option("--pareto-points", help="Points of the ε-constraint sweep.")] = 6,
    plot: Annotated[Path | None, typer.Option("--plot", metavar="FILE.html",
                                              help="Write the Pareto front as an interactive plotly HTML.")] = None,
    mode: Annotated[list[str] | None, typer.Option(
        "--mode", help="Allowed plant modes (repeatable): vapour_commercial, vapour_electroformed, plated_commercial.")]
    = None,
    no_twin: Annotated[bool, typer.Option("--no-twin", help="Check in the process models only.")] = False,
    twin_hours: Annotated[float, typer.Option("--twin-hours", help="Horizon of the twin check [h].")] = 24.0,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the twin check (default: the scenario's).")]
    = None,
    solver: Annotated[str, typer.Option("--solver", help="Pyomo MILP solver name.")] = "appsi_highs",
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a scenario field, dotted.key=value.")]
    = None,
    skin_metals: Annotated[str, typer.Option(
        "--skin-metals", help="Skin metals the UHT line's source may hold, comma-separated (Zn, Mg, Ag, Sn, Al): "
        "the metal becomes a decision; the limits of the others are the scenario's spec.skin_metals.")] = "Zn",
    confidence: Annotated[float | None, typer.Option(
        "--confidence", help="Robust optimum: keep the skin in spec and single-phase α with this probability under "
        "the parameter uncertainty (the --params set's covariance and the registry's standard errors); checked by "
        "Monte Carlo.")]
    = None,
    robust_samples: Annotated[int, typer.Option("--robust-samples", min=8, max=10000, help="Monte Carlo draws of "
                                                "the --confidence check.")] = 64,
    params_file: ParamsFileOption = None,
    cache_dir: CacheDirOption = None,
    json_out: JsonOption = None,
    progress: ProgressOption = None,
) -> None:
    """Least-cost line settings that meet skin, texture, throughput and cost targets, checked in the twin.

    Exit code 3 when the targets conflict (the conflicting targets and the nearest achievable point are shown).
    """
    from optimizer.solve import check_solver
    from twin.scenario import apply_overrides, load_scenario, with_parameter_set
    from twin.simulate import build_parameters

    _optimize_option_rules(ctx)
    check_json_target(json_out)
    check_solver(solver, "--solver")
    _check_plot_path(plot)
    pset = load_params_file(params_file)
    sc = apply_overrides(with_parameter_set(load_scenario(scenario), pset), once_each(set_, "--set"))
    values = build_parameters(sc)
    result, code = _run_optimizer(ctx.params, _optimize_targets(ctx.params, values), sc, values, pset)
    write_json(result.to_dict(), json_out)
    if plot is not None:
        _write_pareto_plot(result, plot)
    if json_out != "-":
        from foiltwin.output import print_optimization

        print_optimization(result)
    if code:
        typer.echo(f"infeasible targets: {result.message}", err=True)
        sys.exit(code)  # SystemExit, not typer.Exit: main() runs click with standalone_mode=False


def _check_plot_path(plot: Path | None) -> None:
    """``--plot`` refused (exit 2) before the run when its folder is missing or not writable."""
    if plot is not None:
        from twin.files import check_output_path

        check_output_path("--plot", plot)


# fields of the optimiser's inputs that the ``optimize`` options set under another name (the others are named as their
# option): field → (the option, its ctx.params key)
_OPTIMIZE_OPTION_OF_FIELD = {"surface_zn_at_frac_min": ("--surface-zn-min", "surface_zn_min"),
                             "surface_zn_at_frac_max": ("--surface-zn-max", "surface_zn_max"),
                             "modes": ("--mode", "mode"), "pareto points": ("--pareto-points", "pareto_points")}


def _in_optimize_options(err: FoiltwinInputError, p: dict[str, Any]) -> FoiltwinInputError:
    """The optimiser's refusal of one of its inputs re-said as the ``optimize`` option the user typed, with the value
    typed (``tolerance_nm`` → ``--tolerance-nm``, ``modes`` → ``--mode``); any other refusal unchanged."""
    if err.field == "surface_zn_at_frac":
        return FoiltwinInputError("--surface-zn-min/--surface-zn-max", (p["surface_zn_min"], p["surface_zn_max"]),
                                  err.allowed, err.reason)
    option = _OPTIMIZE_OPTION_OF_FIELD.get(err.field)
    if option is not None and p.get(option[1]) is not None:
        typed = p[option[1]]  # a repeated option (--mode) as its one value or the list of them
        if isinstance(typed, (list, tuple)):
            typed = typed[0] if len(typed) == 1 else list(typed)
        return FoiltwinInputError(option[0], typed, err.allowed, err.reason)
    return in_option_units(err, p)


def _optimize_targets(p: dict[str, Any], values: ParameterValues):
    """The optimiser's targets from the ``optimize`` options (``p``: ``ctx.params``); skin default: the seed's. A
    refusal names the option typed (:func:`_in_optimize_options`)."""
    try:
        return _targets_of_options(p, values)
    except FoiltwinInputError as err:
        raise _in_optimize_options(err, p) from None


def _targets_of_options(p: dict[str, Any], values: ParameterValues):
    from foiltwin.units import to_unit
    from optimizer import Targets

    lo, hi = p["surface_zn_min"], p["surface_zn_max"]
    if (lo is None) != (hi is None):
        raise FoiltwinInputError("--surface-zn-min/--surface-zn-max", (lo, hi), "both or neither")
    skin = p["skin_thickness_nm"]
    return Targets(
        skin_thickness_nm=to_unit(values["skin_reference_thickness_m"], "m", "nm") if skin is None else skin,
        tolerance_nm=p["tolerance_nm"], single_phase_alpha=not p["allow_multiphase"],
        surface_zn_at_frac=None if lo is None else (lo, hi),
        min_texture_100=p["min_texture_100"], min_throughput_m2_per_h=p["min_throughput_m2_per_h"],
        max_cost_per_m2=p["max_cost_per_m2"], max_overpotential_mV=p["max_overpotential_mV"],
        objective=p["objective"], cost_weight=p["cost_weight"],
    )


def _run_optimizer(p: dict[str, Any], targets: Any, sc: Any, values: ParameterValues, pset: Any) -> tuple[Any, int]:
    """Optimise (a Pareto front with ``--pareto``, a robust optimum with ``--confidence``, else one optimum): the
    result and the exit code (3: the targets conflict; the result then holds the nearest point). A solver failure is
    reported on stderr, exit 1. With ``--cache-dir`` the optimiser starts from the cache saved there by the same
    code, and saves its cache for the next run."""
    kw = {"params": values, "modes": tuple(p["mode"]) if p["mode"] else None, "verify_twin": not p["no_twin"],
          "twin_hours": p["twin_hours"], "twin_seed": p["seed"], "solver": p["solver"],
          "progress": progress_printer(p["progress"])}
    metals = _skin_metals_option(p["skin_metals"])
    if metals != ("Zn",):
        if p["confidence"] is not None:
            raise FoiltwinInputError("--skin-metals", p["skin_metals"], "Zn with --confidence (the robust optimum "
                                     "backs off the Zn skin's phase margin)")
        kw["skin_metals"] = metals
    computed_at_load: int | None = None  # values in the cache read from --cache-dir (None: nothing read)
    read_as: str | None = None  # the code fingerprint of the cache read
    if p["cache_dir"] is not None:
        from optimizer.cache_store import check_cache_dir, load_cache

        loaded = load_cache(check_cache_dir(p["cache_dir"]))
        typer.echo(loaded.note, err=True)
        kw["cache"] = loaded.cache
        computed_at_load = loaded.cache.computed() if loaded.warm else None
        read_as = loaded.read_as
    try:
        result, code = _optimize_with(p, targets, sc, values, pset, kw)
    except FoiltwinInputError as err:  # named as the option typed (--twin-hours, --mode, ...)
        raise _in_optimize_options(err, p) from None
    if p["cache_dir"] is not None:
        _save_optimiser_cache(kw["cache"], p["cache_dir"], computed_at_load, read_as)
    return result, code


def _save_optimiser_cache(cache: Any, cache_dir: Path, computed_at_load: int | None, read_as: str | None) -> None:
    """Write the optimiser's cache back for the next run, unless it was read from there and the run computed
    nothing new (a repeated run: the file already holds everything; ≈13 MB not rewritten)."""
    from optimizer.cache_store import save_cache

    if computed_at_load is not None and cache.computed() == computed_at_load:
        typer.echo("cache: nothing new, file kept as it was", err=True)
        return
    try:
        if save_cache(cache, cache_dir, read_as) is None:
            typer.echo("cache: not saved, the compiled kernels did not load in this run, so it ran other code than "
                       "the cache's; the file is kept as it was", err=True)
    except FoiltwinInputError as err:  # the result stands: only the next run starts cold
        typer.echo(f"cache: not saved ({err}); the next run starts cold", err=True)


def _optimize_with(p: dict[str, Any], targets: Any, sc: Any, values: ParameterValues, pset: Any,
                   kw: dict[str, Any]) -> tuple[Any, int]:
    """:func:`_run_optimizer`'s run with the optimiser's keywords ``kw``."""
    from optimizer import OptimizerError, TargetsInfeasibleError
    from optimizer import optimize as run_optimize
    from optimizer import pareto as run_pareto

    try:
        if p["pareto"] is not None:
            axes = tuple(a.strip() for a in p["pareto"].split(","))
            return run_pareto(targets, sc, axes=axes, points=p["pareto_points"], **kw), 0  # type: ignore[arg-type]
        if p["confidence"] is not None:
            from optimizer.robust import robust_optimize
            from optimizer.uq import uncertainty_of

            return robust_optimize(targets, sc, unc=uncertainty_of(values, pset), confidence=p["confidence"],
                                   samples=p["robust_samples"], **kw), 0
        return run_optimize(targets, sc, **kw), 0
    except TargetsInfeasibleError as err:
        return err.result, 3
    except OptimizerError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)


def _skin_metals_option(text: str) -> tuple[str, ...]:
    """``--skin-metals Zn,Mg`` as the metals (unknown or repeated ones refused, exit 2)."""
    from optimizer.metal_surrogates import check_skin_metals

    try:
        return check_skin_metals(tuple(x.strip() for x in text.split(",")))
    except FoiltwinInputError as err:
        raise FoiltwinInputError("--skin-metals", err.value, err.allowed) from None


def _write_pareto_plot(result: Any, plot: Path) -> None:
    """The Pareto front of ``result`` as a self-contained HTML at ``plot`` (atomic; nothing when the front is empty,
    said on stderr)."""
    if not result.pareto:
        typer.echo(f"no Pareto points to plot: {plot} not written", err=True)
        return
    from optimizer.pareto_figure import pareto_figure
    from twin.files import write_text_atomic

    fig = pareto_figure(result.pareto, currency=result.currency)
    write_text_atomic(plot, fig.to_html(include_plotlyjs=True, full_html=True), field="--plot")


def _optimize_option_rules(ctx: typer.Context) -> None:
    """Options of ``optimize`` that act only together with another one: given without it, they are refused."""
    p = ctx.params
    only_with(ctx, "cost_weight", "--objective weighted", p["objective"] == "weighted", "the weight of cost in it")
    only_with(ctx, "pareto_points", "--pareto", p["pareto"] is not None, "the points of the front")
    not_with(ctx, "confidence", "--pareto", p["pareto"] is not None, "a robust optimum is one point")
    only_with(ctx, "plot", "--pareto", p["pareto"] is not None, "the plot of the front")
    only_with(ctx, "robust_samples", "--confidence", p["confidence"] is not None, "the draws of its check")
    for name in ("twin_hours", "seed"):
        only_with(ctx, name, "the twin check (not with --no-twin)", not p["no_twin"], "a setting of the twin check")


batch_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        help="Headless scenario batches: run in parallel, results in DuckDB.")
app.add_typer(batch_app, name="batch")
DbArgument = Annotated[Path, typer.Argument(metavar="DB", help="DuckDB results file.")]
BatchOption = Annotated[str | None, typer.Option("--batch", help="Batch id or name (a name several batches share: "
                                                 "the latest, noted on stderr); default: the latest.")]


@batch_app.command("run")
def batch_run(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Batch spec TOML (see docs/batches.md).")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB results file (created if missing).")] = Path(
        "results.duckdb"),
    workers: Annotated[int, typer.Option("--workers", min=1, max=256, help="Local worker processes.")] = 1,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. "
                                                  "tcp://host:8786 (needs the 'dask' extra).")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Run failed jobs again.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No line per finished job.")] = False,
    params_file: Annotated[Path | None, typer.Option(
        "--params", help="A fitted parameter set (JSON) for every scenario; replaces the spec's `params`.")] = None,
) -> None:
    """Run a batch; jobs with a stored result are skipped (resume), failed ones are recorded and the rest go on.

    One numbered line per simulated job (k/N, failures so far, ETA), locally and under Dask: entries with identical
    content (aliases) share a job and are listed on its line."""
    from twin.batch import check_scheduler_address, load_spec, run_batch
    from twin.progress import duration_text

    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    s, root = load_spec(spec)
    if params_file is not None:
        load_params_file(params_file)  # refused here (exit 2) rather than in every job
        s = s.model_copy(update={"params": str(params_file.resolve())})

    last: list[dict] = []

    def result(res: dict) -> None:
        last[:] = [res]

    def progress(p) -> None:  # after each result: one numbered line with failures so far and the ETA
        if quiet or not last:
            return
        res, j = last[0], last[0]["job"]
        tail = f"{res['seconds']:.1f} s" if res["status"] == "ok" else (res["error"] or {}).get("message", "")
        also = [f"{a.scenario_name} [rep {a.replication}]" for a in res.get("aliases", ())]
        same = "" if not also else f" (aliases: {', '.join(also[:3])}" + (
            f" and {len(also) - 3} more)" if len(also) > 3 else ")")
        eta = "" if p.eta_s is None or p.done == p.total else f", ETA {duration_text(p.eta_s)}"
        typer.echo(f"  {res['status']:<6} {p.done:>{len(str(p.total))}}/{p.total} {j.scenario_name} "
                   f"[rep {j.replication}]{same} {(tail.splitlines() or [''])[0]} ({p.failed} failed so far{eta})")

    out = run_batch(s, db, root, workers=workers, scheduler=scheduler, retry_failed=retry_failed, progress=result,
                    on_progress=progress)
    aliases = f", {out.aliases} of {out.entries} entries are aliases of another's job" if out.aliases else ""
    typer.echo(f"batch {s.name} ({out.batch_id}): {out.jobs} jobs, {out.skipped} already stored, {out.ok} ok, "
               f"{out.failed} failed{aliases}, {out.seconds:.1f} s → {db}")
    _exit_3_without_results(db, out.batch_id)


def _exit_3_without_results(db: Path, batch_id: str) -> None:
    """Exit 3 when no job of the batch has an ok result (this run's and the stored ones): every job failed, so a
    script's next step (``&& foiltwin batch summary``) has nothing to read. Some failures among ok jobs stay exit 0:
    they are results of the batch, listed by ``batch status``."""
    from twin.results_db import ResultsDB

    with ResultsDB(db, read_only=True) as store:
        st = store.status(batch_id)
    if st["jobs"] and not st["counts"].get("ok"):
        typer.echo(f"error: no job of batch {batch_id} has a result: {st['counts'].get('failed', 0)} failed "
                   f"(`foiltwin batch status {db}` lists the errors)", err=True)
        sys.exit(3)


MAX_OTHER_BATCHES_NAMED = 5  # a --batch note names at most this many of the other batches of a shared name


def _chosen_batch(store: Any, batch: str | None) -> str | None:
    """The id of the batch ``--batch`` selects in the open results database ``store`` (None: the latest). A name
    that several stored batches share (the same spec run again after a code or parameter change, or two specs of
    one name) selects the latest of them, as before, and a one-line note on stderr says so, naming the chosen id
    and the others (newest first), so that a script keeps working and a person sees which batch was read. The id
    is a :class:`twin.results_db.BatchId`: the store's read methods take it without resolving the name again."""
    if batch is None:
        return None
    chosen, others = store.choose_batch(batch)
    if others:
        newest = others[::-1]
        shown = ", ".join(f"{r['batch_id']} ({r['created'][:19]})" for r in newest[:MAX_OTHER_BATCHES_NAMED])
        more = f" and {len(newest) - MAX_OTHER_BATCHES_NAMED} older" if len(newest) > MAX_OTHER_BATCHES_NAMED else ""
        typer.echo(f"note: --batch {batch!r} names {len(others) + 1} batches; using the latest, {chosen['batch_id']} "
                   f"({chosen['created'][:19]}); the others: {shown}{more}; select one with --batch ID", err=True)
    return chosen["batch_id"]


@batch_app.command("status")
def batch_status(db: DbArgument, batch: BatchOption = None, json_out: JsonOption = None) -> None:
    """Jobs of a batch by status, aliases, and the errors of the failed jobs (readable while the batch runs)."""
    from twin.results_db import ResultsDB

    with ResultsDB(db, read_only=True) as store:
        st = store.status(_chosen_batch(store, batch))
    write_json(st, json_out)
    if json_out != "-":
        typer.echo(f"batch {st['batch_id']}: " + ", ".join(f"{n} {k}" for k, n in sorted(st["counts"].items()))
                   + f" ({st['jobs']} jobs for {st['entries']} entries)")
        for a in st["aliases"][:20]:
            typer.echo(f"  one job for {', '.join(a['entries'][:4])}" + (" ..." if len(a["entries"]) > 4 else ""))
        if len(st["aliases"]) > 20:
            typer.echo(f"  ... and {len(st['aliases']) - 20} more alias groups (--json lists them all)")
        for f in st["failures"]:
            typer.echo(f"  failed {f['scenario']} [rep {f['replication']}]: {(f['message'] or '').splitlines()[0]}")


@batch_app.command("summary")
def batch_summary(db: DbArgument, batch: BatchOption = None,
                  line: Annotated[str, typer.Option("--line", help="'plant' or a line name.")] = "plant",
                  sobol: Annotated[bool, typer.Option("--sobol", help="Instead: the Sobol indices (first order, "
                                                      "total) of each KPI to the factors of a design.kind = \"sobol\" "
                                                      "batch (SALib, the 'uq' extra).")] = False,
                  json_out: JsonOption = None) -> None:
    """Per scenario and KPI: mean, standard deviation, n and the 95 % t-interval of the mean over replications;
    the factor values of a sweep or design as columns."""
    from twin.results_db import ResultsDB

    if sobol:
        from foiltwin.uq_commands import print_batch_sobol
        from optimizer.uq.batch_sobol import batch_sobol

        with ResultsDB(db, read_only=True) as store:
            batch = _chosen_batch(store, batch)
        d = batch_sobol(db, batch, line=line)
        write_json(d, json_out)
        if json_out != "-":
            print_batch_sobol(d)
        return

    with ResultsDB(db, read_only=True) as store:
        rows = store.summary(_chosen_batch(store, batch), line=line)
    write_json({"scenarios": rows}, json_out)
    if json_out != "-":
        print_summary(rows)


def print_summary(rows: list[dict]) -> None:
    """The batch summary as one table: a row per scenario and KPI, the factors as leading columns; a KPI that a run
    reports as undefined (a cost per good m² without good m²) reads "undefined", its reason listed below."""
    from foiltwin.tables import Column, mean_and_spread, print_table
    from twin.kpi_labels import kpi_label
    from twin.results_db import SUMMARY_KPIS

    factors = list(dict.fromkeys(k for r in rows for k in r.get("factors", {})))
    short = _short_factor_names(factors)
    cols = [Column("scenario", numeric=False), *(Column(short[f]) for f in factors), Column("KPI", numeric=False),
            Column("unit", numeric=False), Column("n"), Column("mean"), Column("sd"), Column("95 % CI low"),
            Column("95 % CI high")]
    table, undefined = [], []
    for r in rows:
        label = r["scenario"].split(" | ")[0] if factors else r["scenario"]
        kpis = [k for k, v in r.items() if isinstance(v, dict) and "mean" in v]
        for k in sorted(kpis, key=lambda k: (SUMMARY_KPIS.index(k) if k in SUMMARY_KPIS else len(SUMMARY_KPIS), k)):
            v = r[k]
            name, unit = kpi_label(k)
            if v.get("undefined_runs"):  # said, not left out: e.g. a cost per good m² without good m²
                at = ", ".join([label, *(f"{short[f]}={r['factors'][f]}" for f in factors if f in r["factors"])])
                undefined.append(f"{name} undefined at {at}: {v['undefined_reason']}")
                table.append([label, *(r["factors"].get(f, "") for f in factors), name, unit, v["n"], "undefined",
                              "n/a", "n/a", "n/a"])
                continue
            ci = v.get("ci95")
            half = v.get("ci95_half_width")
            mean, sd, _ = mean_and_spread(v["mean"], v["std"], half)
            lo, hi = ("n/a", "n/a") if ci is None else (mean_and_spread(ci[0])[0], mean_and_spread(ci[1])[0])
            table.append([label, *(r["factors"].get(f, "") for f in factors), name, unit, v.get("n", r["runs_ok"]),
                          mean, sd, lo, hi])
    print_table(cols, table, caption="sd: sample standard deviation over replications (0: no spread); CI: Student "
                "t interval of the mean (n/a with one run)")
    for line in undefined:
        typer.echo(line)
    for r in rows:
        if r["shares_runs_with"]:
            typer.echo(f"{r['scenario']} shares runs with {', '.join(r['shares_runs_with'])}")


def _short_factor_names(keys: list[str]) -> dict[str, str]:
    """Column headers for factor keys: the last part of the dotted path, longer where two would clash."""
    out = {}
    for k in keys:
        parts = k.split(".")
        for n in range(1, len(parts) + 1):
            name = ".".join(parts[-n:])
            if sum(1 for other in keys if other.endswith(name)) == 1:
                break
        out[k] = name
    return out


@batch_app.command("export")
def batch_export(db: DbArgument, folder: Annotated[Path, typer.Argument(metavar="DIR")]) -> None:
    """Write every table of the results database to Parquet files in DIR (each file written atomically)."""
    from twin.results_db import ResultsDB

    with ResultsDB(db, read_only=True) as store:
        paths = store.export_parquet(folder)
    typer.echo("wrote " + ", ".join(str(p) for p in paths))


@app.command("ui")
def ui_command(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8501,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; the default serves this machine "
                                      "only (the dashboard has no login).")] = "127.0.0.1",
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder of results databases for the "
                                                  "Batches tab (default: $FOILTWIN_DATA_DIR or ./results).")] = None,
) -> None:
    """Start the dashboard (Streamlit) on HOST:PORT, bound to 127.0.0.1 unless --host says otherwise."""
    import os

    from ui.launch import streamlit_command

    cmd = streamlit_command(host, port)
    env = dict(os.environ)
    if data_dir is not None:
        env["FOILTWIN_DATA_DIR"] = str(data_dir)
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"warning: listening on {host}: anyone who can reach it can use the dashboard", err=True)
    sys.exit(_launch(cmd, env))


def _launch(cmd: list[str], env: dict[str, str]) -> int:
    """Run the dashboard server until it stops (Ctrl-C ends it)."""
    import subprocess

    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130


from foiltwin.plant_commands import calibrate, data_app  # noqa: E402  (commands of docs/calibration.md)

app.command()(calibrate)
app.add_typer(data_app, name="data")
from foiltwin.uq_commands import next_experiment, sensitivity  # noqa: E402  (docs/calibration.md §7-8)

app.command()(sensitivity)
app.command("next-experiment")(next_experiment)



METAVARS = {"param": "NAME=VALUE", "set_": "KEY=VALUE", "json_out": "FILE|-", "mode": "MODE"}


def plain_metavars(command) -> None:
    """Give every option and argument of ``command`` (and its subcommands) a plain metavar: ``FLOAT``, ``INT``,
    ``FILE``, ``web|batch``, ``NAME=VALUE`` (typer's default prints ``<float>``, ``<list[str]>``)."""
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)
    for p in command.params:
        if p.param_type_name == "argument" and hasattr(p, "display_type_rich"):
            p.display_type_rich = lambda ctx: None  # the argument's name says it: no "<path>" after it
        if p.metavar is not None or getattr(p, "is_flag", False):
            continue
        desc = getattr(p, "type_descriptor", None)
        if p.name in METAVARS:
            p.metavar = METAVARS[p.name]
        elif desc is not None and desc.is_choice and desc.choices:
            p.metavar = "|".join(str(getattr(c, "value", c)) for c in desc.choices)
        elif p.param_type_name == "argument":
            p.metavar = (p.name or "arg").upper()
        else:
            bare = p.bare_type() if hasattr(p, "bare_type") else "text"
            p.metavar = {"float": "FLOAT", "int": "INT", "str": "TEXT", "path": "FILE", "bool": "BOOL"}.get(
                bare, bare.upper())


_COLLECTOR_FROZEN_AT_EXIT: list[bool] = []  # registered once per process


def _freeze_collector_at_exit() -> None:
    """Freeze Python's cyclic garbage collector (``gc.freeze``) at exit, before the interpreter's shutdown runs it.

    The shutdown runs the collector over every object the imports and the command made (≈ 10^5 after importing
    Pyomo, pint and scipy, more with a loaded optimiser cache) only to free memory the OS takes back at once: it took
    ≈ 0.16 s of a warm ``optimize --cache-dir`` (issue 15). Registered when ``main`` starts, the handler runs after
    the ``atexit`` handlers registered later (Dask's, a progress display's). Nothing of the product relies on a
    finaliser at exit: every output is written atomically and closed before the command returns."""
    if not _COLLECTOR_FROZEN_AT_EXIT:
        import atexit
        import gc

        atexit.register(gc.freeze)
        _COLLECTOR_FROZEN_AT_EXIT.append(True)


def main() -> None:
    """Console entry point: one-line errors with exit code 2 for user mistakes."""
    _freeze_collector_at_exit()
    try:
        command = typer.main.get_command(app)
        plain_metavars(command)
        code = command(standalone_mode=False)  # without standalone mode click returns typer.Exit's code
    except FoiltwinInputError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(130)
    except typer.TyperException as err:  # click's usage errors (unknown option, not a number, ...)
        message = err.format_message() if hasattr(err, "format_message") else str(err)
        typer.echo(f"error: {shorten(message.replace('Value error, ', ''), 800)}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
