"""The uncertainty parts of the command line (docs/calibration.md §6-9): ``recipe --uncertainty``,
``foiltwin sensitivity`` and ``foiltwin next-experiment``. Registered on the main app by :mod:`foiltwin.cli`;
heavy imports stay inside the functions (``foiltwin --help`` must stay fast)."""

from __future__ import annotations

from typing import Any

import typer

UQ_OUTPUTS = ("skin_thickness_nm", "surface_zn_at_frac", "phase_margin_zn_frac", "zn_loading_mg_per_cm2",
              "cost_per_m2")


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
        mc = monte_carlo(f, unc, outputs, n=samples, seed=seed, confidence=confidence, design="lhs")
        out["monte_carlo"] = {**mc.to_dict(), "samples": samples, "seed": seed, "design": "lhs"}
        if "phase_margin_zn_frac" in outputs:
            out["monte_carlo"]["p_single_phase_alpha"] = mc.probability("phase_margin_zn_frac", hi=0.0)
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
            typer.echo(f"    P(single-phase α) {d['p_single_phase_alpha']:.3f}")
