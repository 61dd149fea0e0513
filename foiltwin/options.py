"""Rules the command line applies to its options before any work starts.

- **Output**: ``--json FILE`` is written atomically through :mod:`twin.files` (a kill or a full disk leaves the
  old file or none; a missing folder, a directory or an unwritable path is a :class:`FoiltwinInputError`).
- **Options that act only together with another**: an option given on the command line whose effect depends
  on another option (``--anneal-soak-h`` without ``--anneal-soak-temperature-K``) is refused, naming both, instead
  of being silently ignored. :func:`given` tells an option typed by the user from one left at its default.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from process_models.errors import FoiltwinInputError, FoiltwinPathError


def given(ctx: typer.Context, name: str) -> bool:
    """Whether the parameter ``name`` (its Python name) was set on the command line or from the environment."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


def once_each(items: list[str] | None, option: str) -> list[str]:
    """``KEY=VALUE`` items of a repeatable option (``--set``, ``--param``), refused (exit 2) when one key is given
    twice: the last would win silently, and two values for one field are a typing slip, not a setting."""
    seen: dict[str, str] = {}
    for item in items or []:
        key = item.partition("=")[0].strip()
        if key in seen:
            raise FoiltwinInputError(option, item, f"each key once; {key} is also given as {seen[key]!r}")
        seen[key] = item
    return list(items or [])


def flag(ctx: typer.Context, name: str) -> str:
    """The option's longest spelling as the user types it (``--anneal-soak-h``)."""
    for p in ctx.command.params:
        if p.name == name:
            return max(p.opts, key=len)
    return name


def refusal(ctx: typer.Context, name: str, allowed: str) -> FoiltwinInputError:
    """The error refusing option ``name`` with its value as the user typed it: a path as its text (whole, not a
    ``PosixPath(...)`` repr cut to a value's length)."""
    value = ctx.params.get(name)
    if isinstance(value, os.PathLike):
        return FoiltwinPathError(flag(ctx, name), os.fspath(value), allowed)
    return FoiltwinInputError(flag(ctx, name), value, allowed)


def only_with(ctx: typer.Context, name: str, needs: str, present: bool, what: str = "") -> None:
    """Refuse ``name`` when the user gave it but the condition it acts under (``present``) does not hold.

    ``needs`` says the other option and the value it must have (``--anneal-soak-temperature-K``); ``what`` says
    why, in a few words.
    """
    if given(ctx, name) and not present:
        raise refusal(ctx, name, f"given only together with {needs}" + (f" ({what})" if what else ""))


def not_with(ctx: typer.Context, name: str, other: str, clash: bool, what: str = "") -> None:
    """Refuse ``name`` when the user gave it together with ``other`` (``clash`` true), which overrides it."""
    if given(ctx, name) and clash:
        raise refusal(ctx, name, f"not together with {other}" + (f" ({what})" if what else ""))


def write_json(data: dict[str, Any], target: str | None, field: str = "--json") -> None:
    """Write ``data`` as JSON to ``target`` ('-' = stdout) atomically; nothing when target is None."""
    if target is None:
        return
    text = json.dumps(data, indent=2, default=float)
    if target == "-":
        typer.echo(text)
        return
    from twin.files import write_text_atomic

    write_text_atomic(target, text + "\n", field=field)


def check_json_target(target: str | None, field: str = "--json", run_folder: Path | None = None,
                      folder_field: str = "--out") -> None:
    """Refuse a ``--json`` path that cannot be written (a directory, a missing or unwritable folder) before a long
    run starts; and one in or at the run folder ``run_folder`` (option ``folder_field``), which the run replaces
    as a whole and which must hold only the run's files."""
    if target is None or target == "-":
        return
    from twin.files import check_output_path

    if target and run_folder is not None and str(run_folder) and _inside(Path(target), Path(run_folder)):
        raise FoiltwinPathError(field, target, f"a path outside the {folder_field} run folder {run_folder} (it "
                                "holds only the run's files, report.json among them)")
    check_output_path(field, target)


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies in it (after symlinks and ``..``); False for a path the OS cannot
    resolve (a NUL byte: the path checks say that)."""
    try:
        path, folder = path.resolve(), folder.resolve()
    except (OSError, ValueError):
        return False
    return path == folder or folder in path.parents


def progress_printer(enabled: bool | None):
    """A :class:`twin.progress.ProgressCallback` that writes each step to stderr (over one line on a terminal), or
    None. ``enabled`` None: on when stderr is a terminal (``--progress/--no-progress`` decide otherwise)."""
    import sys

    tty = sys.stderr.isatty()
    if enabled is False or (enabled is None and not tty):
        return None

    def show(p) -> None:
        text = p.text()
        if tty:
            end = "\n" if p.fraction == 1.0 and p.job != "optimize" else ""
            sys.stderr.write("\r\x1b[2K" + text + end)
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    return show


# model fields whose option has another unit or another name: (option, its ctx.params key)
_OPTION_OF_FIELD = {"foil_thickness_m": ("--foil-thickness-um", "foil_thickness_um"),
                    "agf_mass_frac": ("--agf-wt-pct", "agf_wt_pct"),
                    "stage3_heater_length_m": ("--stage3-heater-length-mm", "stage3_heater_length_mm"),
                    "electroform_current_density_A_per_m2": ("--electroform-current-density-A-per-m2",
                                                             "electroform_current_density_A_per_m2"),
                    "temperature_K": ("--electroform-temperature-K", "electroform_temperature_K"),
                    "soak_temperature_K": ("--anneal-soak-temperature-K", "anneal_soak_temperature_K"),
                    "target_100_frac": ("--anneal-target-100", "anneal_target_100")}
# the Zn plating step's fields, ``{bath}.<field>`` in the models (the bath is --zn-bath's)
_OPTION_OF_ZN_STEP_FIELD = {
    "time_s": ("--zn-plating-time-s", "zn_plating_time_s"),
    "current_density_A_per_m2": ("--zn-current-density-A-per-m2", "zn_current_density_A_per_m2"),
    "concentration_mol_per_m3": ("--zn-bath-concentration-mol-per-m3", "zn_bath_concentration_mol_per_m3")}


def _option_of(field: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """The option (its spelling, its ctx.params key) that sets the model's ``field``; a field named as its option
    (``stage2_temperature_K`` → ``--stage2-temperature-K``) is re-said by :func:`in_option_units`."""
    bath = params.get("zn_bath")
    if bath is not None and field.startswith(f"{bath}."):
        return _OPTION_OF_ZN_STEP_FIELD.get(field[len(bath) + 1:])
    return _OPTION_OF_FIELD.get(field)


def _same(typed: Any, value: Any) -> bool:
    """The model's value is the one typed (NaN, which equals nothing, included)."""
    return typed == value or (isinstance(typed, float) and isinstance(value, float) and typed != typed
                              and value != value)


def in_option_units(err: FoiltwinInputError, params: dict[str, Any], values: Any = None) -> FoiltwinInputError:
    """A model's refusal of a field the command line sets under another name or in another unit, re-said as the
    option with the value the user typed (``foil_thickness_m`` → ``--foil-thickness-um``, the Zn plating step's
    ``zn_acid_sulfate.time_s`` → ``--zn-plating-time-s``); any other refusal unchanged. The allowed range stays
    the model's text (its bounds say their unit), except for the plated Zn: its capacity is re-said in mg/cm²
    (:func:`_plated_zn_in_option_units`, which needs the registry ``values``)."""
    if err.field == "plated_zn_loading_kg_per_m2" and values is not None:
        return _plated_zn_in_option_units(err, params, values)
    option = _option_of(err.field, params)
    if option is None and params.get(err.field) is not None and _same(params[err.field], err.value):
        option = ("--" + err.field.replace("_", "-"), err.field)  # the field named as its option, value as typed
    if option is None or params.get(option[1]) is None:
        return err
    return FoiltwinInputError(option[0], params[option[1]], err.allowed, err.reason)


def _plated_zn_in_option_units(err: FoiltwinInputError, params: dict[str, Any], values: Any) -> FoiltwinInputError:
    """The UHT model's refusal of a plated Zn loading the foil cannot hold as γ brass (its field in kg/m²), re-said
    as ``--plated-zn-mg-per-cm2`` with the value typed and the capacity in mg/cm² (the model's own bound,
    :func:`process_models.uht.recipe.gamma_brass_capacity_kg_per_m2`, converted by pint)."""
    from foiltwin.units import to_unit
    from process_models.uht.recipe import gamma_brass_capacity_kg_per_m2

    typed = params.get("plated_zn_mg_per_cm2")
    if ("γ brass" not in err.allowed or params.get("zn_bath") is not None or typed is None
            or params.get("foil_thickness_um") is None):  # another refusal (ranges: checked in mg/cm² before)
        return err
    foil_um = params["foil_thickness_um"]
    cap = to_unit(gamma_brass_capacity_kg_per_m2(to_unit(foil_um, "um", "m"), values), "kg/m**2", "mg/cm**2")
    return FoiltwinInputError("--plated-zn-mg-per-cm2", typed, f"at most ≈{cap:.3g} mg/cm2: the Zn the {foil_um:g} "
                              "µm foil holds as γ brass (a loading above it converts the whole foil, and no skin "
                              "model applies)", err.reason)
