"""The options of ``foiltwin recipe``, by group (the types its signature uses; defaults stay in the signature).

Each alias is an ``Annotated`` type carrying the Typer option (its flag and help). Groups: UHT stage II and III,
foil and Zn supply, substrate, texture (coil anneal or hot zone), Ag and cost, web handling, other skin metals,
scenario, uncertainty. Cheap to import (Typer option objects only), so ``foiltwin --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

# --- UHT: stage II and stage III
Stage2TemperatureK = Annotated[float, typer.Option("--stage2-temperature-K", help="Stage-II foil temperature [K].")]
Stage2TimeS = Annotated[float, typer.Option("--stage2-time-s", help="Stage-II time in the Zn zone [s].")]
Stage3PeakK = Annotated[
    float | None, typer.Option("--stage3-peak-K", help="Stage-III peak [K]; default: the calibrated value.")]
Stage3TimeMs = Annotated[
    float | None, typer.Option("--stage3-time-ms", help="Stage-III pulse (time in the heated zone) [ms]; 0 skips "
                               "stage III; default 30, or heater length / line speed when both are given.")]
Stage3HeatingRate = Annotated[float | None, typer.Option(
    "--stage3-heating-rate-K-per-s", help="Ramp of the batch form (--stage3-mode batch), or the programmed "
    "ramp of another skin metal's stage III (the heater's fastest on the foil when slower); default: "
    "stage3_heating_rate_K_per_s.")]
Stage3Mode = Annotated[Literal["web", "batch"], typer.Option(
    "--stage3-mode", help="web: the moving web through the heated zone (default); batch: lumped ramp-hold pulse.")]
LineSpeed = Annotated[float | None, typer.Option(
    "--line-speed-m-per-min", help="Web speed through stage III [m/min]; default: the registry's (5 m/min).")]
HeaterLengthMm = Annotated[float | None, typer.Option(
    "--stage3-heater-length-mm", help="Length of the stage-III heated zone [mm]; default: speed × pulse time.")]
Stage3Power = Annotated[float | None, typer.Option(
    "--stage3-power-W-per-m", help="Stage-III heater power per metre of web width [W/m], instead of a peak.")]
Cooling = Annotated[Literal["contact", "free"], typer.Option("--cooling", help="After stage III: contact (chill "
                                                             "roll) or free.")]

# --- foil and Zn supply
FoilThicknessUm = Annotated[float, typer.Option("--foil-thickness-um", help="Cu foil thickness [µm].")]
NoUHT = Annotated[bool, typer.Option("--no-uht", help="Skip the UHT line (bare or Ag-treated Cu).")]
ZnRoute = Annotated[Literal["vapour", "plated"], typer.Option("--zn-route", help="Where the Zn comes from.")]
PlatedZn = Annotated[float, typer.Option("--plated-zn-mg-per-cm2", help="Plated Zn given directly [mg/cm2].")]
ZnBath = Annotated[str | None, typer.Option("--zn-bath", help="Plate the Zn: zn_acid_sulfate, ...")]
ZnCurrentDensity = Annotated[float, typer.Option("--zn-current-density-A-per-m2")]
ZnPlatingTime = Annotated[float, typer.Option("--zn-plating-time-s")]
ZnBathConcentration = Annotated[
    float | None, typer.Option("--zn-bath-concentration-mol-per-m3", help="Zn2+ in the bath; default: make-up.")]
ZnSourceTemperature = Annotated[float | None, typer.Option("--zn-source-temperature-K")]

# --- substrate
Substrate = Annotated[Literal["commercial", "electroformed"], typer.Option("--substrate")]
ElectroformBath = Annotated[str, typer.Option("--electroform-bath", help="cu_acid_sulfate | cu_acid_sulfate_fsi")]
ElectroformCurrentDensity = Annotated[float, typer.Option("--electroform-current-density-A-per-m2")]
ElectroformTemperature = Annotated[float | None, typer.Option("--electroform-temperature-K")]

# --- texture: coil anneal (furnace) or moving hot zone
AnnealSoakTemperature = Annotated[
    float | None, typer.Option("--anneal-soak-temperature-K", help="Coil anneal soak [K]; unset: none.")]
AnnealSoakH = Annotated[float, typer.Option("--anneal-soak-h", help="Coil anneal soak time [h].")]
AnnealTarget100 = Annotated[float | None, typer.Option(
    "--anneal-target-100", help="Instead of --anneal-soak-h (or --hot-zone-speed-mm-per-min): the least soak "
    "(fastest pull) reaching this (100) fraction.")]
TextureRoute = Annotated[Literal["furnace", "hot-zone"], typer.Option(
    "--texture-route", help="furnace (batch coil anneal, --anneal-* options) | hot-zone (continuous moving hot "
    "zone on the unwound web, --hot-zone-* options)")]
HotZoneTemperature = Annotated[float | None, typer.Option(
    "--hot-zone-temperature-K", help="Hot-zone temperature [K]; default: hot_zone_reference_temperature_K.")]
HotZoneSpeed = Annotated[float | None, typer.Option(
    "--hot-zone-speed-mm-per-min", help="Pull speed of the web through the hot zone [mm/min].")]

# --- Ag, cost, web handling
AgImmersionTime = Annotated[float, typer.Option("--ag-immersion-time-s", help="AgF immersion [s]; 0: none "
                                                                             "(negative is refused).")]
AgfWtPct = Annotated[float, typer.Option("--agf-wt-pct", help="AgF bath strength [wt %]; with "
                                                              "--ag-immersion-time-s.")]
Currency = Annotated[str, typer.Option("--currency", help="USD | CNY")]
WebTension = Annotated[float | None, typer.Option(
    "--web-tension-N-per-m", help="Web tension per width in the heated zones [N/m]: shows each zone's stress "
    "margin, the break probability per metre and the slack limit (docs/web_handling.md).")]

# --- other skin metals (foiltwin.skin_commands)
SkinMetal = Annotated[Literal["Zn", "Mg", "Ag", "Sn", "Al"], typer.Option(
    "--skin-metal", help="Skin metal of the UHT line. Zn (default): the full collector recipe; Mg, Ag, Sn, Al: "
    "the skin alone (docs/skin_metals.md).")]
SkinRoute = Annotated[Literal["vapour", "contact"], typer.Option(
    "--skin-route", help="With --skin-metal other than Zn: vapour source near the melting point, or contact.")]
SkinLoading = Annotated[float, typer.Option(
    "--skin-loading-mg-per-cm2", help="With --skin-route contact: metal laid down [mg/cm2].")]
SkinSourceTemperature = Annotated[float | None, typer.Option(
    "--skin-source-temperature-K", help="With --skin-route vapour: source temperature [K]; default: melting "
    "point + skin_source_superheat_K.")]

# --- output, scenario, uncertainty
Profile = Annotated[bool, typer.Option("--profile", help="Include the composition-depth profile.")]
ScenarioFile = Annotated[Path | None, typer.Option(
    "--scenario", help="Take the set points from this scenario's plant settings (its UHT line at steady speed, "
    "its plating line, its enabled coil furnace, its parameters) instead of the set-point options.")]
ScenarioLine = Annotated[str | None, typer.Option("--line", help="With --scenario: the UHT line; default: the first.")]
Uncertainty = Annotated[Literal["linear", "mc", "both"] | None, typer.Option(
    "--uncertainty", help="Prediction intervals from the parameter uncertainty (the --params set's covariance "
    "and the registry's standard errors): linear (Jacobian, 2d+1 runs), mc (Monte Carlo, --samples runs) or "
    "both.")]
Samples = Annotated[int, typer.Option("--samples", min=2, max=100000, help="Monte Carlo draws (Latin "
                                      "hypercube) of --uncertainty mc|both.")]
UQSeed = Annotated[int, typer.Option("--uq-seed", min=0, help="Seed of the Monte Carlo draws.")]
Confidence = Annotated[float, typer.Option("--confidence", help="Coverage of the intervals.")]
