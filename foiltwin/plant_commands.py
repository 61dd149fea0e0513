"""`foiltwin calibrate`, `foiltwin data check` and `foiltwin data drift`: plant data in, parameter sets out
(docs/calibration.md). Registered on the main app by :mod:`foiltwin.cli`.

Exit codes: 0 done; 2 a bad input (one line naming the field); 3 ``calibrate`` found parameters the data cannot
pin down (the report names them; no set is written); 1 the fit did not converge.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from process_models.errors import FoiltwinInputError

data_app = typer.Typer(no_args_is_help=True, help="Plant data: validate a measurement file, monitor drift.")

JsonOut = Annotated[str | None, typer.Option("--json", help="Write the JSON report to FILE, or '-' for stdout.")]
DataArgument = Annotated[Path, typer.Argument(metavar="DATA", help="Plant data file (.csv or .parquet).")]
ReportOption = Annotated[Path | None, typer.Option("--report", help="Write the figures to this HTML file.")]
OutcomesOption = Annotated[str | None, typer.Option(
    "--outcomes", help="Comma-separated outcomes to use; default: every numeric outcome the data measured.")]


def emit_json(data: dict[str, Any], target: str | None, field: str = "--json") -> None:
    """JSON to ``target`` ('-': stdout; a path: written atomically; None: nothing)."""
    if target is None:
        return
    text = json.dumps(data, indent=2, default=float, allow_nan=False)
    if target == "-":
        typer.echo(text)
    else:
        from twin.files import write_text_atomic

        write_text_atomic(target, text + "\n", field)


def _names(text: str | None, option: str) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise FoiltwinInputError(option, text, "comma-separated names")
    return names


def _fmt(v: float | None, spec: str = ".4g") -> str:
    return "n/a" if v is None else format(v, spec)


@data_app.command("check")
def data_check(data: DataArgument, json_out: JsonOut = None) -> None:
    """Validate a plant data file and summarise it: rows, columns present, readings per outcome."""
    from twin.plant_data import read_plant_data

    summary = read_plant_data(data).summary()
    emit_json(summary, json_out)
    if json_out == "-":
        return
    typer.echo(f"{summary['file']}: {summary['rows']} rows, {len(summary['columns'])} columns, valid "
               f"(sha256 {summary['sha256'][:12]})")
    if summary["time_start"]:
        typer.echo(f"  time {summary['time_start']} … {summary['time_end']}")
    if summary["lines"]:
        typer.echo(f"  lines: {', '.join(summary['lines'])}")
    typer.echo(f"  settings: {', '.join(summary['settings_present']) or 'none'}")
    if summary["settings_defaulted"]:
        typer.echo(f"  not recorded (recipe defaults used): {', '.join(summary['settings_defaulted'])}")
    typer.echo("  readings: " + (", ".join(f"{k} {v}" for k, v in summary["outcomes"].items()) or "none"))
    if summary["sd_columns"]:
        typer.echo(f"  standard deviations given: {', '.join(summary['sd_columns'])} (others: instrument defaults)")


def _print_calibration(d: dict[str, Any]) -> None:
    from optimizer.calibration.plant import interval_text

    f, ident = d["fit"], d["identifiability"]
    typer.echo(f"calibrated {len(d['parameters'])} parameter(s) to {f['n_observations']} readings of "
               f"{d['data']['file']} ({d['data']['rows']} rows) in {f['seconds']:.1f} s, {f['nfev']} model runs")
    width = max(len(p["name"]) for p in d["parameters"])
    typer.echo(f"  {'parameter':<{width}}  {'value':>11}  {'± std. error':>12}  {'95 % interval':>25}  {'start':>10}")
    for p in d["parameters"]:
        interval = interval_text(p["interval_95"])
        unit = "" if p["unit"] == "1" else p["unit"]
        typer.echo(f"  {p['name']:<{width}}  {p['value']:>11.4g}  {_fmt(p['standard_error'], '>12.2g'):>12}  "
                   f"{interval:>25}  {p['start']:>10.4g} {unit}" + ("  (at a bound)" if p["at_bound"] else ""))
    typer.echo(f"fit: χ² {f['chi2']:.4g} on {f['dof']} degrees of freedom (reduced {_fmt(f['reduced_chi2'], '.3g')}, "
               f"p {_fmt(f['chi2_p_value'], '.3g')}); covariance {f['covariance_mode']}, scale "
               f"{f['covariance_scale']:.3g}" + ("" if f["converged"] else f"; NOT CONVERGED: {f['message']}"))
    names = d["correlation"]["names"]
    if len(names) > 1:
        typer.echo("correlation:")
        for i, row in enumerate(d["correlation"]["matrix"]):
            typer.echo(f"  {i + 1}: " + " ".join(_fmt(v, '+.2f').rjust(6) for v in row) + f"  {names[i]}")
    typer.echo(f"identifiability: condition number {_fmt(ident['condition_number'], '.3g')}, singular values "
               + ", ".join(f"{s:.3g}" for s in ident["singular_values"]))
    for u in ident["unidentifiable"]:
        typer.echo(f"  NOT IDENTIFIABLE ({u['kind']}): {u['text']}")
    if ident["screened_out"]:
        typer.echo(f"  not fitted (the data do not depend on them): {', '.join(ident['screened_out'])}")
    typer.echo("outcomes:      n      bias       rms   rms/σ  leave-one-row-out rms")
    for name, o in d["outcomes"].items():
        typer.echo(f"  {name:<28} {o['n']:>4} {o['bias']:>9.3g} {o['rms']:>9.3g} {o['rms_standardised']:>7.2f}  "
                   f"{_fmt(o['loo_rms'], '.3g')} {'' if o['unit'] == '1' else o['unit']}")
    ph = d["phase"]
    if ph["compared"]:
        typer.echo(f"XRD phase: {ph['agree']} of {ph['compared']} rows agree with the model"
                   + "".join(f"; row {b['row']} measured {b['measured']}, model {b['model']}"
                             for b in ph["disagree"][:5]))


def calibrate(
    data: DataArgument,
    params: Annotated[str | None, typer.Option(
        "--params", help="Comma-separated registry parameters to fit; default: the registry's fitted parameters "
        "that the data depend on.")] = None,
    outcomes: OutcomesOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the parameter set (JSON) here.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name of the parameter set; default: the data "
                                             "file's stem.")] = None,
    report: ReportOption = None,
    covariance: Annotated[str, typer.Option("--covariance", help="sigma | residual | auto (max of both)")] = "auto",
    rank_tolerance: Annotated[float, typer.Option("--rank-tolerance", help="Relative singular value below which "
                                                  "a direction is not identifiable.")] = 1e-6,
    max_direction_se: Annotated[float, typer.Option("--max-direction-se", help="Largest standard error (relative, "
                                                    "ln units) of an identifiable direction.")] = 1.0,
    param: Annotated[list[str] | None, typer.Option("--param", help="Start from / hold another registry value, "
                                                    "NAME=VALUE (repeatable).")] = None,
    json_out: JsonOut = None,
) -> None:
    """Fit registry parameters to plant data by weighted least squares; report estimates, standard errors,
    correlations, identifiability and leave-one-row-out errors; write a versioned parameter set."""
    from foiltwin.cli import parameters_with
    from optimizer.calibration import FitOptions
    from optimizer.calibration import calibrate as run_calibration
    from twin.parameter_set import write_parameter_set
    from twin.plant_data import read_plant_data

    if name is not None and not (name.strip() and len(name) <= 128):  # refused before the fit; blank was replaced
        # by the data file's name without a word
        raise FoiltwinInputError("--name", name, "a name of 1 to 128 characters, not blank (omit it for the data "
                                 "file's name)")
    options = FitOptions(covariance=covariance, rank_tolerance=rank_tolerance,  # type: ignore[arg-type]
                         max_direction_se=max_direction_se)
    plant = read_plant_data(data)
    from twin.files import check_output_path

    for option, target in (("--out", out), ("--report", report), ("--json", json_out)):
        if target is not None and target != "-":  # refused before a minute of fitting, not after
            check_output_path(option, target)
    result = run_calibration(plant, _names(params, "--params"), parameters_with(param),
                             _names(outcomes, "--outcomes"), options)
    d = result.to_dict()
    d["parameter_set"] = None
    if out is not None and result.writable:
        pset = result.parameter_set(name or Path(data).stem)
        write_parameter_set(pset, out)
        d["parameter_set"] = {"file": str(out), "sha256": pset.sha256, "name": pset.name}
    if report is not None:
        from twin.plant_plots import parity_figure, residual_time_figure, write_figures_html

        write_figures_html([parity_figure(d["observations"]), residual_time_figure(d["observations"])], report,
                           f"foiltwin calibration: {plant.source}")
    emit_json(d, json_out)
    if json_out != "-":
        _print_calibration(d)
        if d["parameter_set"]:
            typer.echo(f"wrote parameter set {d['parameter_set']['name']!r} ({d['parameter_set']['sha256'][:12]}) "
                       f"to {out}")
        if report is not None:
            typer.echo(f"figures in {report}")
    if not result.fit.converged:
        typer.echo("error: the fit did not converge; no parameter set written", err=True)
        sys.exit(1)
    if not result.stats.identifiable:
        typer.echo("error: the data cannot pin down every fitted parameter (see NOT IDENTIFIABLE); drop one with "
                   "--params or add data that vary it; no parameter set written", err=True)
        sys.exit(3)


@data_app.command("drift")
def data_drift(
    data: DataArgument,
    params: Annotated[Path, typer.Option("--params", help="The calibrated parameter set (JSON) to compare with.")],
    outcomes: OutcomesOption = None,
    k: Annotated[float, typer.Option("--k", help="CUSUM reference value [σ] (half the shift to detect).")] = 0.5,
    h: Annotated[float, typer.Option("--h", help="CUSUM decision interval [σ].")] = 5.0,
    lam: Annotated[float, typer.Option("--lambda", help="EWMA weight of the newest reading.")] = 0.2,
    limit: Annotated[float, typer.Option("--L", help="EWMA limit width [σ of the EWMA].")] = 3.0,
    report: ReportOption = None,
    json_out: JsonOut = None,
) -> None:
    """Has the plant drifted from the twin? CUSUM and EWMA on the standardised residuals of new data against a
    calibrated parameter set; says which outcome, when the alarm came and when the drift started."""
    from twin.drift import MonitorSettings, drift_report
    from twin.files import check_output_path
    from twin.parameter_set import load_parameter_set, warnings_of
    from twin.plant_data import read_plant_data

    settings = MonitorSettings(k=k, h=h, lam=lam, L=limit)
    for option, target in (("--report", report), ("--json", json_out)):
        if target is not None and target != "-":
            check_output_path(option, target)
    pset = load_parameter_set(params)
    for w in warnings_of(pset):
        typer.echo(f"warning: {w}", err=True)
    d = drift_report(read_plant_data(data), pset, _names(outcomes, "--outcomes"), settings)
    if report is not None:
        from twin.plant_plots import drift_figure, write_figures_html

        write_figures_html([drift_figure(d)], report, f"foiltwin drift: {d['file']}")
    emit_json(d, json_out)
    if json_out == "-":
        return
    st = d["settings"]
    typer.echo(f"{d['file']} against {d['parameter_set']['name']!r} ({d['parameter_set']['sha256'][:12]}): CUSUM "
               f"k {st['k']:g}, h {st['h']:g} (false alarm ≈ every {st['in_control_arl']:.0f} readings per outcome, "
               f"a 1σ shift found after ≈ {st['arl_1_sigma']:.1f}); EWMA λ {st['lambda']:g}, L {st['L']:g}")
    for name, o in d["outcomes"].items():
        if not o["alarm"]:
            ew = "" if o["ewma_alarm"] is None else f" (EWMA alarm at row {o['ewma_alarm']['row']})"
            typer.echo(f"  {name:<28} {o['n']:>4} readings: no drift{ew}")
            continue
        a, s = o["cusum_alarm"], o["start"]
        when = (lambda x: x["time"] or f"{x['time_h']:g} h")  # noqa: E731
        typer.echo(f"  {name:<28} {o['n']:>4} readings: DRIFT {o['direction']} by ≈{abs(o['shift_sigma']):.2g}σ, "
                   f"alarm at row {a['row']} ({when(a)}), started ≈ row {s['row']} ({when(s)})")
    typer.echo("drift detected" if d["drift"] else "no drift detected")
    if report is not None:
        typer.echo(f"figures in {report}")
