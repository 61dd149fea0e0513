"""`foiltwin data check`: plant data in (docs/calibration.md). Registered on the main app by :mod:`foiltwin.cli`.

Exit codes: 0 done; 2 a bad input (one line naming the field).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

data_app = typer.Typer(no_args_is_help=True, help="Plant data: validate a measurement file.")

JsonOut = Annotated[str | None, typer.Option("--json", help="Write the JSON report to FILE, or '-' for stdout.")]
DataArgument = Annotated[Path, typer.Argument(metavar="DATA", help="Plant data file (.csv or .parquet).")]


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
