"""The uncertainty parts of the command line (docs/calibration.md §6-9): ``recipe --uncertainty``,
``foiltwin sensitivity`` and ``foiltwin next-experiment``. Registered on the main app by :mod:`foiltwin.cli`;
heavy imports stay inside the functions (``foiltwin --help`` must stay fast)."""

from __future__ import annotations

from typing import Any

import typer

UQ_OUTPUTS = ("skin_thickness_nm", "surface_zn_at_frac", "phase_margin_zn_frac", "zn_loading_mg_per_cm2",
              "cost_per_m2")
# the β′ retained as quenched jumps (0 → ≈0.2 of the skin) where the massive criterion flips: Monte Carlo only (a
# Jacobian over ±½ sd would see a flat 0 and report no uncertainty)
RETAINED_BETA = "retained_beta_frac"
RETAINED_BETA_MIN_FRAC = 1e-3


def recipe_uncertainty(recipe: Any, values: Any, pset: Any, method: str, samples: int, seed: int,
                       confidence: float) -> dict[str, Any]:
    """Prediction intervals of a recipe's outputs from the parameter uncertainty (JSON-ready dict)."""
    from optimizer.uq import linearised, monte_carlo, recipe_model, uncertainty_of

    unc = uncertainty_of(values, pset)
    outputs = UQ_OUTPUTS if recipe.uht is not None else ("cost_per_m2",)
    f = recipe_model(recipe, values, unc.names, outputs)
    out: dict[str, Any] = {"parameters": unc.summary(), "correlation": unc.correlation.round(6).tolist(),
                           "confidence": confidence}
    if method in ("linear", "both"):
        lin = linearised(f, unc, outputs, confidence)
        out["linearised"] = lin.to_dict()
        if "phase_margin_zn_frac" in outputs:
            out["linearised"]["p_single_phase_alpha"] = lin.probability("phase_margin_zn_frac", hi=0.0)
    if method in ("mc", "both"):
        mc_outputs = (*outputs, RETAINED_BETA) if recipe.uht is not None else outputs
        f_mc = recipe_model(recipe, values, unc.names, mc_outputs)
        mc = monte_carlo(f_mc, unc, mc_outputs, n=samples, seed=seed, confidence=confidence, design="lhs")
        out["monte_carlo"] = {**mc.to_dict(), "samples": samples, "seed": seed, "design": "lhs"}
        if "phase_margin_zn_frac" in outputs:
            out["monte_carlo"]["p_single_phase_alpha"] = mc.probability("phase_margin_zn_frac", hi=0.0)
            out["monte_carlo"]["p_beta_retained"] = mc.probability(RETAINED_BETA, lo=RETAINED_BETA_MIN_FRAC)
    return out


def print_recipe_uncertainty(uq: dict[str, Any]) -> None:
    typer.echo(f"uncertainty ({uq['confidence']:.0%} intervals) from "
               + ", ".join(f"{p['name']} {p['value']:.4g} ± {p['standard_error']:.2g} ({p['source']})"
                           for p in uq["parameters"]))
    for key, label in (("linearised", "linearised (Jacobian)"), ("monte_carlo", "Monte Carlo")):
        if key not in uq:
            continue
        d = uq[key]
        extra = f", {d['samples']} LHS draws, seed {d['seed']}" if key == "monte_carlo" else ""
        fails = f", {d['failed']} refused by the models" if d["failed"] else ""
        typer.echo(f"  {label}: {d['runs']} model runs{extra}{fails}")
        for name, o in d["outputs"].items():
            lo, hi = o["interval"]
            if None in (lo, hi, o["sd"]):
                typer.echo(f"    {name:<24} n/a")
                continue
            typer.echo(f"    {name:<24} {o['nominal']:>10.4g}  sd {o['sd']:<9.3g} [{lo:.4g}, {hi:.4g}]")
        if "p_single_phase_alpha" in d:
            typer.echo(f"    P(single-phase α) {d['p_single_phase_alpha']:.3f} (phase margin at the solvus)")
        if "p_beta_retained" in d:
            typer.echo(f"    P(β′ retained as quenched) {d['p_beta_retained']:.3f} (the quench decision)")


# ------------------------------------------------------------------------------------ simulate --uncertainty
TWIN_KPI_ROWS = (("skin thickness, mean", "nm", "skin_thickness_nm"), ("yield", "fraction", "yield_fraction"),
                 ("cost per good m²", "{currency}/m²", "cost_per_m2"))


def simulate_uncertainty(scenario: Any, draws: int, seed: int, confidence: float, at_risk: float,
                         json_out: str | None, progress: Any) -> dict[str, Any]:
    """``simulate --uncertainty mc``: the plant's KPIs over parameter draws (common random numbers), printed as a
    table and/or written as JSON."""
    from foiltwin.options import write_json
    from optimizer.uq.twin_kpis import twin_kpi_intervals

    res = twin_kpi_intervals(scenario, draws=draws, seed=seed, confidence=confidence, at_risk=at_risk,
                             progress=progress)
    d = {"scenario": scenario.name, "hours": scenario.hours, "currency": scenario.currency, **res.to_dict()}
    write_json(d, json_out)
    if json_out != "-":
        print_twin_intervals(d)
    return d


def print_twin_intervals(d: dict[str, Any]) -> None:
    from foiltwin.tables import Column, num, print_table

    qlo, qhi = d["interval_quantiles"]
    rows = []
    for label, unit, key in TWIN_KPI_ROWS:
        k = d["kpis"][key]
        lo, hi = k["interval"]
        rows.append([label, unit.format(currency=d["currency"]), num(k["nominal"]), num(k["mean"]), num(k["sd"], ".3g"),
                     num(lo), num(hi)])
    yar = d["yield_at_risk"]
    rows.append([f"yield at risk ({yar['probability']:.0%})", "fraction", "", "", "", num(yar["yield_fraction"]), ""])
    fails = f"; {d['failed']} draws refused by the models" if d["failed"] else ""
    print_table([Column("KPI", numeric=False), Column("unit", numeric=False), Column("nominal"), Column("mean"),
                 Column("sd"), Column(f"{qlo:.0%}"), Column(f"{qhi:.0%}")], rows,
                title=f"{d['scenario']}: {d['hours']:g} h, {d['draws']} parameter draws (LHS, seed {d['seed']}){fails}",
                caption=f"every draw runs with the plant seed {d['plant_seed']} (common random numbers): the spread is "
                "the parameters' uncertainty, not the plant's randomness; yield at risk = the yield exceeded with "
                f"{yar['probability']:.0%} probability")
    typer.echo("uncertain: " + ", ".join(f"{p['name']} {p['value']:.4g} ± {p['standard_error']:.2g} ({p['source']})"
                                         for p in d["uncertainty"]))


def print_batch_sobol(d: dict[str, Any]) -> None:
    """``batch summary --sobol``: per named scenario a table of S1 and ST (± bootstrap half-width) per factor and
    KPI."""
    from foiltwin.tables import Column, print_table
    from twin.kpi_labels import kpi_label

    for name, res in d["scenarios"].items():
        kpis = list(res["outputs"])
        rows = []
        for f in d["factors"]:
            row = [f]
            for k in kpis:
                ix = res["outputs"][k]["indices"][f]
                row.append("n/a" if ix["S1"] is None else f"{ix['S1']:.2f}±{ix['S1_conf']:.2f} / "
                           f"{ix['ST']:.2f}±{ix['ST_conf']:.2f}")
            rows.append(row)
        cols = [Column("factor", numeric=False), *(Column(f"{kpi_label(k)[0]}\nS1 / ST") for k in kpis)]
        left = f"; left out (missing at some points): {', '.join(res['kpis_left_out'])}" if res["kpis_left_out"] else ""
        print_table(cols, rows, title=f"Sobol indices of {d['batch']!r}, {name} ({d['base_samples']} base samples, "
                    f"{d['points']} points × {d['replications']} replication(s))",
                    caption="S1: share of the KPI's variance a factor explains alone; ST: alone and through "
                    f"interactions (± bootstrap 95 % half-width); factors uniform over their ranges{left}")


# ------------------------------------------------------------------------------------------------ sensitivity
from pathlib import Path  # noqa: E402
from typing import Annotated  # noqa: E402

NamesOption = Annotated[str | None, typer.Option(
    "--uncertain", help="Comma-separated parameters to analyse; default: every parameter with a standard error "
    "(the --params set's and the registry's).")]


def _names(text: str | None, option: str) -> list[str] | None:
    from foiltwin.plant_commands import _names as names

    return names(text, option)


def _spreads(items: list[str] | None) -> dict[str, float]:
    from foiltwin.cli import parse_overrides

    return parse_overrides(items, "--spread")


def _uht_recipe(stage2_temperature_K: float, stage2_time_s: float, stage3_peak_K: float | None,
                stage3_time_ms: float | None, foil_thickness_um: float, values: Any) -> Any:
    """The collector recipe of the options, checked before any model run as the ``recipe`` command checks them:
    the µm and ms options in their own units, the rest by the UHT model (exit 2 naming the field)."""
    from foiltwin.cli import check_uht_option_units
    from foiltwin.units import to_unit
    from process_models.collector.recipe import CollectorRecipe
    from process_models.uht.recipe import UHTRecipe

    check_uht_option_units(foil_thickness_um, stage3_time_ms)
    uht = UHTRecipe(
        foil_thickness_m=to_unit(foil_thickness_um, "um", "m"), stage2_temperature_K=stage2_temperature_K,
        stage2_time_s=stage2_time_s, stage3_peak_K=stage3_peak_K,
        stage3_time_s=None if stage3_time_ms is None else to_unit(stage3_time_ms, "ms", "s"))
    uht.validated(values)  # refuses a temperature, time or peak out of the model's range
    return CollectorRecipe(uht=uht)


S2T = Annotated[float, typer.Option("--stage2-temperature-K", help="Stage-II foil temperature [K].")]
S2t = Annotated[float, typer.Option("--stage2-time-s", help="Stage-II time [s].")]
S3T = Annotated[float | None, typer.Option("--stage3-peak-K", help="Stage-III peak [K]; default: calibrated.")]
S3t = Annotated[float | None, typer.Option("--stage3-time-ms", help="Stage-III pulse [ms]; 0 skips stage III.")]
Foil = Annotated[float, typer.Option("--foil-thickness-um", help="Cu foil thickness [µm].")]
Params = Annotated[Path | None, typer.Option("--params", help="A fitted parameter set (JSON): its values and "
                                             "covariance.")]
Param = Annotated[list[str] | None, typer.Option("--param", help="Override a registry value, NAME=VALUE.")]
Json = Annotated[str | None, typer.Option("--json", help="Write the JSON report to FILE, or '-' for stdout.")]


def sensitivity(
    uncertain: NamesOption = None,
    spread: Annotated[list[str] | None, typer.Option(
        "--spread", help="An assumed relative standard deviation for a parameter without a standard error, "
        "NAME=FRACTION (repeatable; marked 'assumed' in the report).")] = None,
    outputs: Annotated[str | None, typer.Option("--outputs", help="Comma-separated outputs; default: skin "
                                                "thickness, surface Zn, phase margin, Zn loading, cost.")] = None,
    samples: Annotated[int, typer.Option("--samples", help="Base draws N (a power of 2); N·(d + 2) model runs.")]
    = 16,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the scrambled Sobol' sequence.")] = 0,
    stage2_temperature_K: S2T = 750.0, stage2_time_s: S2t = 120.0, stage3_peak_K: S3T = None,
    stage3_time_ms: S3t = None, foil_thickness_um: Foil = 10.0,
    params_file: Params = None, param: Param = None, json_out: Json = None,
) -> None:
    """Sobol sensitivity of a UHT recipe's outputs to the uncertain parameters: which parameter's uncertainty
    moves which output (first-order S1 and total ST indices, SALib; independent marginals)."""
    from foiltwin.cli import parameters_and_set
    from foiltwin.options import check_json_target, write_json
    from optimizer.uq import recipe_model, uncertainty_of
    from optimizer.uq.sensitivity import sobol_indices, with_assumed_spread

    check_json_target(json_out)
    values, pset = parameters_and_set(param, params_file)
    spreads = _spreads(spread)
    names = _names(uncertain, "--uncertain")
    if names is None:
        names = list(dict.fromkeys([*uncertainty_of(values, pset).names, *spreads]))
    unc = with_assumed_spread(values, pset, names, spreads)
    outs = _names(outputs, "--outputs") or list(UQ_OUTPUTS)
    recipe = _uht_recipe(stage2_temperature_K, stage2_time_s, stage3_peak_K, stage3_time_ms, foil_thickness_um,
                         values)
    res = sobol_indices(recipe_model(recipe, values, unc.names, outs), unc, outs, samples, seed)
    d = {**res.to_dict(), "uncertainty": unc.summary(), "seed": seed}
    write_json(d, json_out)
    if json_out == "-":
        return
    _print_sobol(d)


def _print_sobol(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Sobol indices ({d['base_samples']} base draws, {d['runs']} model runs, seed {d['seed']}; "
                  "S1 first order, ST total)")
    table.add_column("parameter")
    table.add_column("± sd (source)")
    for o in d["outputs"]:
        table.add_column(f"{o}\nS1 / ST", justify="right")
    for p in d["uncertainty"]:
        row = [p["name"], f"{p['standard_error']:.3g} ({p['source']})"]
        for v in d["outputs"].values():
            ix = v["indices"][p["name"]]
            cell = "n/a" if ix["ST"] is None else f"{ix['S1']:.2f} / {ix['ST']:.2f}"
            row.append(f"[bold]{cell}[/bold]" if v["dominant"] == p["name"] else cell)
        table.add_row(*row)
    table.add_row("output sd", "", *[f"{v['sd']:.3g}" if v["sd"] is not None else "n/a"
                                      for v in d["outputs"].values()])
    Console(width=200).print(table)
    typer.echo("bold: the dominant parameter (largest ST) of each output; the indices assume independent "
               "parameters (a set's correlations are kept by --uncertainty, not here)")


# -------------------------------------------------------------------------------------------- next experiment
def next_experiment(
    candidates: Annotated[Path, typer.Argument(metavar="CANDIDATES", help="Plant data file (.csv/.parquet) whose "
                                               "rows are the trial settings to choose from (outcomes ignored).")],
    measure: Annotated[str, typer.Option("--measure", help="Comma-separated outcomes a trial would read.")]
    = "zn_loading_mg_per_cm2,skin_thickness_nm,surface_zn_at_frac",
    predict: Annotated[str, typer.Option("--predict", help="The prediction to make surest (at the recipe given by "
                                         "the --stage* options).")] = "skin_thickness_nm",
    criterion: Annotated[str, typer.Option("--criterion", help="prediction (least posterior variance of "
                                           "--predict) | D (largest information gain)")] = "prediction",
    uncertain: NamesOption = None,
    stage2_temperature_K: S2T = 750.0, stage2_time_s: S2t = 120.0, stage3_peak_K: S3T = None,
    stage3_time_ms: S3t = None, foil_thickness_um: Foil = 10.0,
    params_file: Params = None, param: Param = None, json_out: Json = None,
) -> None:
    """Which trial next: rank candidate settings by how much one trial there would reduce the uncertainty of a
    prediction (or of the parameters: D-optimal), from the current parameter covariance."""
    from foiltwin.cli import parameters_and_set
    from foiltwin.options import check_json_target, write_json
    from optimizer.uq import jacobian, recipe_model, uncertainty_of
    from optimizer.uq.design import plant_candidates, rank_candidates
    from twin.plant_data import read_plant_data

    check_json_target(json_out)
    values, pset = parameters_and_set(param, params_file)
    unc = uncertainty_of(values, pset, _names(uncertain, "--uncertain"))
    data = read_plant_data(candidates, "CANDIDATES")
    outcomes = _names(measure, "--measure") or []
    recipe = _uht_recipe(stage2_temperature_K, stage2_time_s, stage3_peak_K, stage3_time_ms, foil_thickness_um,
                         values)
    _, g = jacobian(recipe_model(recipe, values, unc.names, [predict]), unc, 1)
    ranked = rank_candidates(unc.cov, plant_candidates(data, values, unc, outcomes), g[0], criterion)
    d = {"criterion": criterion, "predict": predict, "measure": outcomes, "candidates_file": data.source,
         "uncertainty": unc.summary(), "ranking": ranked}
    write_json(d, json_out)
    if json_out == "-":
        return
    _print_ranking(d)


def _print_ranking(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    r0 = d["ranking"][0]
    table = Table(title=f"next trial for {d['predict']} (sd now {r0['prediction_sd_before']:.3g}), reading "
                  f"{', '.join(d['measure'])}; criterion {d['criterion']}")
    for col in ("rank", "candidate", f"{d['predict']} sd after", "variance reduction", "information gain [nats]"):
        table.add_column(col, justify="right" if col != "candidate" else "left")
    for k, r in enumerate(d["ranking"][:15], start=1):
        table.add_row(str(k), f"{r['label']} (row {r['row']})", f"{r['prediction_sd_after']:.3g}",
                      f"{r['prediction_variance_reduction']:.1%}", f"{r['information_gain']:.3g}")
    Console(width=160).print(table)
    typer.echo(f"run {r0['label']} (row {r0['row']}) next; first-order (Jacobian) design on the current covariance")
