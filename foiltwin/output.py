"""What the commands print for people: rich tables with units (foiltwin.tables), built from the same dicts that
``--json`` writes. Nothing here computes: every number comes from a report."""

from __future__ import annotations

from typing import Any

import typer

from foiltwin.tables import Column, num, print_table


def print_params(records: list[Any]) -> None:
    """The parameter registry: one row per parameter."""
    rows = [[r.name, r.value, r.unit, r.kind, r.source, r.where,
             "" if r.standard_error is None else num(r.standard_error, ".3g"), r.fit_error or ""] for r in records]
    print_table([Column("name", numeric=False, no_wrap=True), Column("value"), Column("unit", numeric=False),
                 Column("kind", numeric=False), Column("source", numeric=False, no_wrap=True),
                 Column("where", numeric=False),
                 Column("standard error"), Column("fit error", numeric=False)], rows,
                caption=f"{len(records)} parameters; `foiltwin params --json -` gives them as numbers")


def print_validation(rows: list[Any]) -> None:
    """Validation cases: paper against model, error, pass or FAIL."""
    cols = [Column("case", numeric=False), Column("source", numeric=False), Column("paper", numeric=False),
            Column("model", numeric=False), Column("error", numeric=False), Column("result", numeric=False)]
    print_table(cols, [[r.case, r.source, r.paper, r.model, r.error, "pass" if r.passed else "FAIL"] for r in rows])
    typer.echo(f"{sum(r.passed for r in rows)} passed, {sum(not r.passed for r in rows)} failed")


def print_leave_one_out(loo: Any) -> None:
    """Leave-one-out predictions per fitted parameter, their RMSE, and the fits where it is not possible."""
    cols = [Column("left out", numeric=False), Column("refit", numeric=False), Column("predicted", numeric=False),
            Column("observed", numeric=False), Column("error", numeric=False), Column("result", numeric=False)]
    for g in loo.groups:
        typer.echo(f"{g.parameter} ({g.data}; pass: {g.criterion})")
        print_table(cols, [[r.case, r.refit, r.predicted, r.observed, r.error_text, "pass" if r.passed else "FAIL"]
                           for r in g.rows])
        typer.echo(f"{sum(r.passed for r in g.rows)} passed, {sum(not r.passed for r in g.rows)} failed; "
                   f"leave-one-out RMSE {g.rmse:.3g} {g.error_unit}")
    if loo.not_possible:
        typer.echo("not possible (nothing left to fit with): " + "; ".join(
            f"{n}: {why}" for n, why in loo.not_possible.items()))


def _kv_table(items: list[tuple[str, Any, str]], title: str, spec: str = ".4g") -> None:
    print_table([Column("quantity", numeric=False), Column("value"), Column("unit", numeric=False)],
                [[k, v if isinstance(v, str) else num(v, spec), u] for k, v, u in items], title=title)


def print_recipe(result: Any) -> None:
    """One collector recipe: the skin and its layers, stage III, texture routes, texture, energy and cost."""
    from foiltwin.units import to_unit  # pint, imported here: printing converts SI to the units shown

    u = result.uht
    items: list[tuple[str, Any, str]] = []
    if u is not None:
        items += [("skin thickness", round(u.skin_thickness_nm), "nm"), ("skin phase", u.skin_phase, ""),
                  ("surface Zn", u.surface_zn_at_frac, "at frac"), ("skin mean Zn", u.skin_mean_zn_at_frac, "at frac"),
                  ("Zn loading", u.zn_loading_mg_per_cm2, "mg/cm²"), ("Zn lost", f"{u.zn_lost_fraction:.1%}", ""),
                  ("peak temperature", round(u.peak_temperature_K), "K")]
        h = u.stage3_heater
        if h.get("mode") == "web":
            items += [("stage III line speed", h["line_speed_m_per_min"], "m/min"),
                      ("stage III heater length", h["heater_length_mm"], "mm"), ("Péclet number", h["peclet"], ""),
                      ("stage III heater power", h["power_W_per_m"], "W/m"),
                      ("stage III power density", to_unit(h["power_W_per_m2"], "W/m**2", "W/cm**2"),
                       "W/cm² of heated foil")]
    an = result.coil_anneal
    if an is not None:
        items += [("coil anneal soak", round(an["soak_temperature_K"]), "K"),
                  ("coil anneal soak time", to_unit(an["soak_time_s"], "s", "h"), "h"),
                  ("coil anneal cycle", to_unit(an["cycle_time_s"], "s", "h"), "h"),
                  ("recrystallised", f"{an['recrystallised_frac']:.1%}", ""),
                  ("coil anneal energy", an["energy_kwh_per_m2"], "kWh/m²"),
                  ("sticking indicator", an["sticking_frac"], "" if not an["wraps_stick"] else "(wraps stick)")]
    hz = result.hot_zone_anneal
    if hz is not None:
        items += [("hot zone temperature", round(hz["temperature_K"]), "K"),
                  ("hot zone pull speed", hz["pull_speed_mm_per_min"], "mm/min"),
                  ("time at temperature", to_unit(hz["residence_time_s"], "s", "min"), "min"),
                  ("recrystallised", f"{hz['recrystallised_frac']:.1%}", ""),
                  ("hot zone throughput", hz["throughput_m2_per_h"], "m²/h"),
                  ("hot zone energy", hz["energy_kwh_per_m2"], "kWh/m²"),
                  ("protective gas", hz["protective_gas_Nm3_per_m2"], "Nm³/m²")]
    tex = result.texture_fractions
    items += [("texture (111)", tex["111"], "fraction"), ("texture (100)", tex["100"], "fraction"),
              ("texture (110)", tex["110"], "fraction"),
              ("Li nucleation overpotential (indicator)", result.nucleation_overpotential_mV, "mV"),
              ("energy", result.energy_kwh_per_m2, "kWh/m²")]
    if u is not None:
        items.append(("energy, UHT lower bound", u.energy_lower_bound_kwh_per_m2, "kWh/m²"))
    items.append(("cost", round(result.cost_per_m2, 2), f"{result.currency}/m²"))
    _kv_table(items, "collector recipe")
    if u is not None and u.layers:
        print_table([Column("layer", numeric=False), Column("thickness", "nm"), Column("path", numeric=False)],
                    [[x["phase"], f"{x['thickness_nm']:.1f}", x.get("path_text", "")] for x in u.layers],
                    title="skin layers")
    for w in result.warnings:
        typer.echo(f"warning: {w}")


def print_simulation(report: dict[str, Any], currency: str = "USD") -> None:
    """A simulated run: the plant's KPIs, then one row per line (costs in the scenario's ``currency``)."""
    sk = report["skin_thickness_nm"] or {"mean": None, "p05": None, "p95": None}
    typer.echo(f"{report['scenario']}: {report['hours_simulated']:g} h simulated, seed {report['seed']}")
    _kv_table([
        ("metres produced", round(report["metres_produced"]), "m"), ("yield", report["yield_fraction"], "fraction"),
        ("OEE", report["oee"], "fraction"), ("availability", report["availability"], "fraction"),
        ("performance", report["performance"], "fraction"), ("quality", report["quality"], "fraction"),
        ("throughput", report["throughput_m2_per_h"], "m²/h"),
        ("skin thickness, mean", sk["mean"], "nm"), ("skin thickness, 5th percentile", sk["p05"], "nm"),
        ("skin thickness, 95th percentile", sk["p95"], "nm"), ("skin phase", report["skin_phase"] or "n/a", ""),
        ("(100) texture", report["texture_fraction_100"], "fraction"),
        ("energy", report["energy_kwh_per_m2"], "kWh/m²"),
        ("cost per good m²", report["cost_per_m2"], f"{currency}/m²"),
    ], "plant")
    from twin.kpi_catalogue import line_view

    rows = []
    # the UHT lines' skin-metal KPIs (issue 14), labels and units from the KPI catalogue: the metal at the start,
    # changeovers and their downtime, and per metal used the metres made and metal deposited
    uht = [ln for ln in report["lines"].values() if ln["type"] == "uht"]
    skin = [k for k in line_view("uht", *uht) if k.name.startswith("skin_") and k.name != "skin_phase"
            and not k.name.startswith("skin_thickness")]
    for name, line in report["lines"].items():
        furnace = line["type"] == "coil_anneal"
        rows.append([name, line["type"], round(line["metres_produced"]),
                     line["batches"] if furnace else "", num(None if furnace else line["yield_fraction"], ".3f"),
                     num(line["utilisation"] if furnace else line["oee"], ".3f"),
                     num(line["cost_per_m2"], ".2f"),
                     *(k.text(k.value(line)) if line["type"] == "uht" else "" for k in skin)])
    print_table([Column("line", numeric=False), Column("type", numeric=False), Column("produced", "m"),
                 Column("batches"), Column("yield", "fraction"), Column("OEE (furnace: hot share)", "fraction"),
                 Column("cost", f"{currency}/m²"),
                 *(Column(k.label, k.unit, numeric=k.format != "text") for k in skin)], rows, title="lines")
    for name, line in report["lines"].items():  # plating outside its bath's windows, zones too hot for the tension
        for w in [*line.get("operating_warnings", ()), *line.get("web_warnings", ())]:
            typer.echo(f"warning: {name}: {w}")
        if line.get("metres_cut_out"):  # a plating line with out_of_spec_foil = "cut_out"
            whole = line.get("coils_cut_out") or 0
            typer.echo(f"{name}: {line['metres_cut_out']:.4g} m of foil out of its thickness window cut out at the "
                       f"rewinder" + (f" ({whole} coil{'s' if whole > 1 else ''} whole)" if whole else ""))


OPT_ROWS = (("skin thickness", "nm", "skin_thickness_nm"), ("surface Zn", "at frac", "surface_zn_at_frac"),
            ("skin phase", "", "skin_phase"), ("texture (100)", "fraction", "texture_fraction_100"),
            ("overpotential", "mV", "nucleation_overpotential_mV"), ("yield", "fraction", "yield_fraction"),
            ("throughput", "m²/h", "throughput_m2_per_h"), ("cost", "per m²", "cost_per_m2"))


def print_optimization(result: Any) -> None:
    """The optimiser's answer: its text lines, the KPIs as predicted, checked in the models and in the twin (a
    table), and the Pareto front (a table)."""
    text = result.table().splitlines()
    kpi_header = next((i for i, x in enumerate(text) if x.startswith("KPI ")), None)
    if kpi_header is None or not result.predicted:
        typer.echo("\n".join(text))
    else:
        typer.echo("\n".join(text[:kpi_header]))
        rows = []
        for label, unit, key in OPT_ROWS:
            cells = []
            for src in (result.predicted, result.checked or {}, result.verified or {}):
                v = src.get(key)
                if key == "skin_phase" and src is result.predicted and "single_phase_alpha" in src:  # (Zn skins)
                    v = "alpha" if src["single_phase_alpha"] else "not alpha"
                cells.append("-" if v is None else v if isinstance(v, str) else num(v))
            rows.append([label, result.currency + "/m²" if key == "cost_per_m2" else unit, *cells])
        print_table([Column("KPI", numeric=False), Column("unit", numeric=False), Column("predicted"),
                     Column("process models"), Column("twin")], rows)
        rest = text[kpi_header + 1 + len(OPT_ROWS):]
        front = next((i for i, x in enumerate(rest) if x.startswith("Pareto front")), None)
        typer.echo("\n".join(rest if front is None else rest[:front]))
        if front is not None and result.pareto:
            keys = list(result.pareto[0].get("axes", {}))
            print_table([Column(k) for k in keys], [[pt["axes"][k] for k in keys] for pt in result.pareto],
                        title=f"Pareto front ({len(result.pareto)} points)")
            typer.echo("\n".join(rest[front + 2 + len(result.pareto):]))
