"""Stage II straight from the alloying module: 10 µm vapour-route foils (the island tests) and one foil of any
thickness, route and Zn source (the stage-II solver tests)."""

from __future__ import annotations

import numpy as np

from process_models.parameters.registry import ParameterValues
from process_models.uht.alloying import Stage2Result, ZnSupply, stage2_zn_film
from process_models.uht.interdiffusion import DepthGrid, make_depth_grid
from process_models.uht.thermal import setpoint_history


def stage2_film(params: ParameterValues, times_s=(120.0,), setpoint_K: float = 750.0
                ) -> tuple[Stage2Result, DepthGrid]:
    """:func:`stage2_zn_film` for foils held at ``setpoint_K`` for each of ``times_s`` (free cooling), and the grid."""
    t2 = np.array(times_s, dtype=float)
    h = setpoint_history(start_temperature_K=params["ambient_temperature_K"], setpoint_K=np.full(t2.size, setpoint_K),
                         heating_rate_K_per_s=params["stage2_heating_rate_K_per_s"], heater_on_s=t2,
                         thickness_m=10e-6, params=params, cooling="free")
    on = h.segment("heating")
    grid = make_depth_grid(10e-6, first_cell_m=params["diffusion_first_cell_m"],
                           growth=params["diffusion_cell_growth_frac"])
    supply = ZnSupply(route_plated=np.zeros(t2.size, dtype=bool), source_temperature_K=np.full(t2.size, np.nan),
                      plated_mol_per_m2=np.zeros(t2.size), heater_on_s=t2)
    return stage2_zn_film(grid, h.time_s[:, on], h.temperature_K[:, on], supply, params), grid


def stage2_one_foil(params: ParameterValues, thickness_m: float, setpoint_K: float, time_s: float,
                    source_K: float = np.nan, plated_mol: float = 0.0) -> tuple[Stage2Result, DepthGrid]:
    """Stage II of one foil (``thickness_m`` [m], set point [K], heater-on time [s], Zn source [K] or NaN for the
    default, plated Zn [mol/m²] or 0 for the vapour route) as the recipe solves it, and its grid."""
    h = setpoint_history(start_temperature_K=params["ambient_temperature_K"], setpoint_K=np.array([setpoint_K]),
                         heating_rate_K_per_s=params["stage2_heating_rate_K_per_s"], heater_on_s=np.array([time_s]),
                         thickness_m=thickness_m, params=params, cooling="free")
    on = h.segment("heating")
    grid = make_depth_grid(thickness_m, first_cell_m=params["diffusion_first_cell_m"],
                           growth=params["diffusion_cell_growth_frac"])
    supply = ZnSupply(route_plated=np.array([plated_mol > 0.0]), source_temperature_K=np.array([source_K]),
                      plated_mol_per_m2=np.array([plated_mol]), heater_on_s=np.array([time_s]))
    return stage2_zn_film(grid, h.time_s[:, on], h.temperature_K[:, on], supply, params), grid
