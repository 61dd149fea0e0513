"""Runtime of a roll-to-roll electrodeposition line: tanks in series on one web, one bath.

The bath concentration is a signal on the production clock, advanced every dosing interval by the exact
bath balance of :func:`process_models.plating.electrodeposition.advance_bath` (its per-step form
:class:`~process_models.plating.electrodeposition.BathBalance`: plating, anode dissolution, drag-out,
make-up and dosing). Each finished segment gets its immersed time and the mean concentration it saw; the
plating kinetics then give its efficiency and thickness in bulk. A Cu bath electroforms the foil (thickness
and texture travel with the coil); a Zn bath plates the Zn precursor of the plated route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from process_models.parameters.registry import ParameterValues
from process_models.plating.baths import get_bath
from process_models.plating.electrodeposition import (
    BathBalance,
    BathEmptiedError,
    cell_voltage,
    diffusion_layer_m,
    operating_flags,
    partial_currents,
    plated_mass_kg_per_m2,
    plating_energy_kWh_per_m2,
)
from process_models.texture.texture_model import electroformed_texture_array
from twin.interp import interp_scalar
from twin.motion import PiecewiseSignal
from twin.rng import Streams
from twin.scenario import PlatingLine, SpecLimits
from twin.web_line import Coil, Segments, WebLineRuntime

if TYPE_CHECKING:
    from process_models.costing.flows import Flows
    from twin.simulate import PlantContext

PATH_TO_TANKS_M = 1.0
EFFICIENCY_GRID_POINTS = 400
EFFICIENCY_GRID_SPAN = 1.5  # concentrations up to 1.5x the bath's make-up value
PATH_TANKS_TO_REWIND_M = 1.5


@dataclass
class PlatingTotals:
    """Running sums over the finished segments of a plating line."""

    metres: float = 0.0
    metres_in_spec: float = 0.0
    area_m2: float = 0.0
    energy_kwh: float = 0.0
    metal_kg: float = 0.0
    thickness_sum_um_m: float = 0.0
    segments: int = 0
    flagged_m: dict[str, float] = field(default_factory=dict)  # metres plated outside the bath's windows, by flag
    cut_out_m: float = 0.0  # out-of-spec foil cut out at the rewinder (out_of_spec_foil = "cut_out")
    coils_cut_out: int = 0  # coils cut out whole (no segment in spec)


class PlatingLineRuntime(WebLineRuntime):
    """The runtime of one :class:`twin.scenario.PlatingLine`."""

    @classmethod
    def build(cls, spec: PlatingLine, ctx: PlantContext) -> PlatingLineRuntime:
        """The line in the plant (the factory's one signature): raw stock in, plated coils to the coil store."""
        return cls(ctx.env, spec, ctx.raw, ctx.coils, ctx.streams, ctx.params, ctx.scenario.spec,
                   ctx.recorder.plating_segments if ctx.recorder.active else None, ctx.scenario.segment_length_m)

    def kpis(self, ctx: PlantContext) -> dict[str, Any]:
        from twin.kpis import plating_line_kpis

        return plating_line_kpis(self, ctx.scenario.hours)

    def flows_per_m2(self, kpi: dict[str, Any]) -> Flows:
        """What one processed m² took from the line in the run (energy, metal, running time), as the plating
        station's flow definitions price it; the bath make-up is the drag-out film replaced per m² of web
        (``process_models.plating.flows.dragout_makeup_L_per_m2``), as the recipe and the optimiser price it."""
        from process_models.plating.flows import plating_flows_per_m2

        time = 1.0 / max(kpi["processed_m2_per_running_h"], 1e-9)
        return plating_flows_per_m2(self.spec.settings.bath, kpi["energy_kwh_per_processed_m2"],
                                    kpi["metal_kg_per_processed_m2"], self.params, line_time_h_per_m2=time)

    def __init__(self, env: simpy.Environment, spec: PlatingLine, inbox: simpy.Store, outbox: simpy.Store | None,
                 streams: Streams, params: ParameterValues, limits: SpecLimits,
                 write: Callable[[dict[str, np.ndarray]], None] | None, segment_length_m: float,
                 batch_segments: int = 2000) -> None:
        self.limits, self.write = limits, write
        self.totals = PlatingTotals()
        self.concentration = PiecewiseSignal()
        self.rows: list[tuple] = []
        self._gauge = streams.get(spec.name, "gauge")
        self._bath_volume_m3 = spec.bath_volume_m3
        self._use(spec.settings, params)
        self.c_now = self.c_target = self.bath.metal_concentration_mol_per_m3
        self._since_bath = 0.0
        super().__init__(env, spec, inbox, outbox, streams, params, segment_length_m, batch_segments)

    def _use(self, settings, params: ParameterValues) -> None:
        self.bath = get_bath(settings.bath, params)
        self.metal = self.bath.metal.symbol
        self.T_bath = self.bath.temperature_K if settings.bath_temperature_K is None else settings.bath_temperature_K
        self.balance = BathBalance(self.bath, self._bath_volume_m3, anode=settings.anode, params=params)
        self._efficiency_grid = None  # ε(c) at these set points, tabulated on first use
        self._efficiency_lists: tuple[list[float], list[float]] | None = None

    def efficiency(self, concentration_mol_per_m3: np.ndarray | float) -> np.ndarray:
        """Cathode efficiency at the set current density and bath temperature as a function of the bath
        concentration: the kinetics are solved once per set point on a grid of concentrations (linear
        interpolation; ε is smooth in c) so the bath loop stays light."""
        if self._efficiency_grid is None:
            c_max = EFFICIENCY_GRID_SPAN * self.bath.metal_concentration_mol_per_m3
            grid = np.linspace(c_max / EFFICIENCY_GRID_POINTS, c_max, EFFICIENCY_GRID_POINTS)
            j = np.full(grid.size, self.settings.current_density_A_per_m2)
            point = partial_currents(self.bath, j, concentration_mol_per_m3=grid, temperature_K=self.T_bath,
                                     diffusion_layer_m=self._diffusion_layer(), params=self.params)
            eff = point.current_efficiency_frac
            self._efficiency_grid = (np.concatenate([[0.0], grid]), np.concatenate([[0.0], np.clip(eff, 0.0, None)]))
        c, e = self._efficiency_grid
        return np.interp(concentration_mol_per_m3, c, e)

    def _efficiency_at(self, concentration_mol_per_m3: float) -> float:
        """:meth:`efficiency` of one concentration, in plain floats (the dosing loop's per-step call)."""
        if self._efficiency_lists is None:
            self.efficiency(concentration_mol_per_m3)  # tabulate
            c, e = self._efficiency_grid  # type: ignore[misc]
            self._efficiency_lists = (c.tolist(), e.tolist())
        return interp_scalar(concentration_mol_per_m3, *self._efficiency_lists)

    @property
    def rewind_m(self) -> float:
        s = self.settings
        return PATH_TO_TANKS_M + s.tank_count * s.tank_length_m + PATH_TANKS_TO_REWIND_M

    @property
    def faces(self) -> float:
        """Plated faces: electroforming builds the foil on a drum (one face); Zn plating coats both faces."""
        return 1.0 if self.metal == "Cu" else self.params["plating_web_faces_count"]

    def start_signals(self, tau: float) -> None:
        self.concentration.set(tau, self.c_now)

    def control_interval_s(self) -> float:
        return self.spec.dosing.interval_s

    def _diffusion_layer(self) -> float:
        s = self.settings
        return float(diffusion_layer_m(self.bath, self.speed_m_per_s, s.tank_length_m, self.T_bath,
                                       params=self.params))

    def control_step(self) -> None:
        """Advance the bath over the production time since the last step, then dose back to the target."""
        s = self.settings
        dt = self.control_interval_s()
        j = s.current_density_A_per_m2
        eff = self._efficiency_at(self.c_now)
        width = self.coils[-1][1].width_m if self.coils else 0.5
        current = j * width * s.tank_count * s.tank_length_m * self.faces
        area_rate = self.speed_m_per_s * width
        eff_c = max(eff, 0.0)
        try:
            c_end = self.balance.step(self.c_now, dt, current, eff_c, area_rate,
                                      makeup_concentration_mol_per_m3=self.c_target)
        except BathEmptiedError as err:  # the bath's step is the dosing interval: name the scenario's field
            raise BathEmptiedError(
                f"{self.name}.dosing.interval_s", dt,
                f"≤ {err.time_to_empty_s:.4g} s: at {j:g} A/m² over {s.tank_count} tanks of {s.tank_length_m:g} m "
                f"({current:.4g} A) the bath runs out of metal within one dosing interval; dose more often, or "
                "plate less", time_to_empty_s=err.time_to_empty_s) from None
        dosing = 0.0
        if self.spec.dosing.enabled and c_end < self.c_target:
            dosing = (self.c_target - c_end) * self.balance.volume_m3 / dt
            c_end = self.balance.step(self.c_now, dt, current, eff_c, area_rate, dosing_mol_per_s=dosing,
                                      makeup_concentration_mol_per_m3=self.c_target)
        self.c_now = c_end
        self.concentration.set(self.tau, self.c_now)
        self.rows.append((self.env.now / 3600.0, self.c_now, eff, dosing))

    def on_settings(self) -> None:
        self._use(self.settings, self.params)

    def flush_logs(self) -> None:
        super().flush_logs()
        if self.recorder is not None:
            self.recorder.bath(self.name, self.rows)
        self.rows.clear()

    def prune_signals(self, tau: float) -> None:
        super().prune_signals(tau)
        self.concentration.prune_before(tau)

    def _count_flagged(self, j: np.ndarray, c: np.ndarray, length_m: np.ndarray) -> None:
        """Add the metres plated outside the bath's windows (current density, metal ion, temperature) or near its
        limiting current (:func:`process_models.plating.electrodeposition.operating_flags`) to the totals."""
        flags = operating_flags(self.bath, j, concentration_mol_per_m3=c, temperature_K=self.T_bath,
                                diffusion_layer_m=self._diffusion_layer(), params=self.params)
        for name, text in flags.texts.items():
            mask = getattr(flags, name)
            if mask.any():
                self.totals.flagged_m[text] = self.totals.flagged_m.get(text, 0.0) + float(length_m[mask].sum())

    def rewound(self, coil: Coil, attributes: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]] | None:
        """With ``out_of_spec_foil = "cut_out"``, the segments the gauge found out of spec are cut out here and the
        rest spliced: the coil ships shorter, with its in-spec segments' attributes only (None: nothing left)."""
        in_spec = attributes.get("upstream_in_spec")
        if self.spec.out_of_spec_foil != "cut_out" or in_spec is None or bool(np.all(in_spec > 0.5)):
            return coil.length_m, attributes
        keep = in_spec > 0.5
        lengths = self.segment_lengths_m(coil)
        if lengths.size != keep.size:
            raise RuntimeError(f"coil {coil.coil_id}: {keep.size} segment results for {lengths.size} segments")
        self.totals.cut_out_m += float(lengths[~keep].sum())
        if not keep.any():
            self.totals.coils_cut_out += 1
            return None
        return float(lengths[keep].sum()), {k: v[keep] for k, v in attributes.items()}

    def consume(self, segments: Segments) -> dict[str, np.ndarray]:
        s = self.settings
        mid = segments.mid_m
        tau_in = self.motion.tau_at_X(mid + PATH_TO_TANKS_M)
        tau_out = self.motion.tau_at_X(mid + PATH_TO_TANKS_M + s.tank_count * s.tank_length_m)
        t = tau_out - tau_in
        c = self.concentration.mean(tau_in, tau_out)
        j = np.full(t.size, s.current_density_A_per_m2)
        eff = self.efficiency(c)
        per_face = plated_mass_kg_per_m2(self.metal, j, t, np.maximum(eff, 1e-12), self.params) * (eff > 0)
        thickness_m = per_face / self.bath.metal.density_kg_per_m3
        volts = cell_voltage(self.bath, j, concentration_mol_per_m3=c, temperature_K=self.T_bath,
                             anode=s.anode, params=self.params).total_V
        energy = plating_energy_kWh_per_m2(volts, j, t, faces_count=self.faces, params=self.params)
        area = segments.length_m * segments.width_m
        out: dict[str, np.ndarray] = {}
        if self.metal == "Cu":
            foil_um = thickness_m * 1e6
            gauge = foil_um + self.spec.gauge.noise_nm * 1e-3 * self._gauge.standard_normal(t.size)
            ok = (gauge >= self.limits.foil_thickness_um_min) & (gauge <= self.limits.foil_thickness_um_max)
            tex = electroformed_texture_array(j, self.T_bath, "fsi" if self.bath.name.endswith("fsi") else "none",
                                              self.params)
            out = {"foil_thickness_um": foil_um, "texture_111_frac": tex[:, 0], "texture_100_frac": tex[:, 1],
                   "texture_110_frac": tex[:, 2], "upstream_in_spec": ok.astype(float)}
            measured = foil_um
        else:
            gauge = per_face * 1e2 + 0.0 * t  # mg/cm2; the Zn loading is judged downstream, in the skin
            ok = np.ones(t.size, dtype=bool)
            out = {"plated_zn_kg_per_m2": per_face, "upstream_in_spec": ok.astype(float)}
            measured = thickness_m * 1e6
        tot = self.totals
        tot.segments += t.size
        tot.metres += float(segments.length_m.sum())
        tot.metres_in_spec += float(segments.length_m[ok].sum())
        tot.area_m2 += float(area.sum())
        tot.energy_kwh += float(np.sum(energy * area))
        tot.metal_kg += float(np.sum(per_face * self.faces * area))
        tot.thickness_sum_um_m += float(np.sum(measured * segments.length_m))
        self._count_flagged(j, c, segments.length_m)
        if self.write is not None:
            self.write({
                "line": np.full(t.size, self.name, dtype=object), "coil_id": segments.coil_id,
                "index_in_coil": segments.index_in_coil, "finished_h": segments.finished_h,
                "length_m": segments.length_m, "width_m": segments.width_m, "plating_time_s": t,
                "bath_concentration_mol_per_m3": c, "current_density_A_per_m2": j, "current_efficiency": eff,
                "deposit_thickness_um": thickness_m * 1e6, "gauge_reading": gauge, "energy_kwh_per_m2": energy,
                "in_spec": ok,
            })
        return out
