"""Write the shipped example plant data: examples/plant_data_uht.csv (its truth in .truth.json) and the next month,
examples/plant_data_uht_april.csv, in which the plant drifts.

Forty coils of one UHT line over twenty days, made by the model itself from KNOWN parameters plus measurement
noise, so that `foiltwin calibrate` can be seen to recover them (docs/calibration.md walks through it):
- the truth is the registry with four parameters scaled by the factors in :data:`TRUTH_FACTORS` (relative to the
  registry at the time the script runs, so it follows the physics as it changes);
- the settings vary as on a line: three stage-II set points and three web speeds in rotation, the stage-II and
  stage-III temperatures as read by the pyrometers (set point + noise), 10 µm foil with a few 8 µm coils;
- the outcomes: XRF Zn loading (with its own _sd column) and the UHT energy meter on every coil, a cross-section
  (skin thickness) and surface composition on every second coil, XRD phase and a cell test (Li nucleation
  overpotential) on every fourth; noise = each instrument's σ (registry defaults of
  process_models/parameters/measurement_assumptions.py).

The April file: thirty more coils (XRF and energy meter only, as a line reads them every day); from coil
:data:`DRIFT_START` on, the Zn source fouls and delivers :data:`DRIFT_FACTOR` of its former flux (η × 0.9), the
drift ``foiltwin data drift`` should find.

Run: ``python scripts/make_example_plant_data.py`` (a few seconds).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from process_models.parameters import default_parameters
from twin.files import write_text_atomic
from twin.plant_data import PlantRecord, plant_csv_text
from twin.plant_model import simulate_measurements

OUT = Path(__file__).resolve().parents[1] / "examples" / "plant_data_uht.csv"
APRIL = OUT.with_name("plant_data_uht_april.csv")
TRUTH_FACTORS = {  # truth = registry value × factor
    "zn_vapour_transfer_efficiency_frac": 1.15,
    "alpha_interdiffusion_log10_rise_frac": 0.9,
    "gas_convection_multiplier_frac": 1.5,
    "nucleation_factor_alpha_frac": 1.1,
}
SEED = 2026
ROWS = 40
APRIL_ROWS = 30
DRIFT_START = 16  # first fouled coil of the April file (1-based row)
DRIFT_FACTOR = 0.9
EVERY = {"zn_loading_mg_per_cm2": 1, "energy_kwh_per_m2": 1, "skin_thickness_nm": 2, "surface_zn_at_frac": 2,
         "skin_phase": 4, "nucleation_overpotential_mV": 4}


def settings(rng: np.random.Generator, rows_count: int = ROWS, start: dt.datetime = dt.datetime(2026, 3, 2, 6, 0),
             first_coil: int = 1) -> list[PlantRecord]:
    """The settings of the coils, one every 12 h (pyrometer readings include their noise)."""
    rows = []
    for n in range(rows_count):
        rows.append(PlantRecord(
            time=start + dt.timedelta(hours=12 * n), line="uht-1", coil_id=f"C{first_coil + n:04d}",
            foil_thickness_um=8.0 if n % 7 == 3 else 10.0, zn_route="vapour",
            web_speed_m_per_min=(0.9, 1.0, 1.1)[n % 3], stage2_heated_length_m=2.0,
            stage2_temperature_K=round((735.0, 750.0, 765.0)[(n // 3) % 3] + rng.normal(0.0, 2.0), 1),
            stage3_peak_K=round((985.0, 1000.0, 1015.0)[(n // 2) % 3] + rng.normal(0.0, 3.0), 1),
            stage3_heater_length_mm=0.5, cooling="contact", zn_loading_mg_per_cm2_sd=0.005,
        ))
    return rows


def main() -> None:
    rng = np.random.default_rng(SEED)
    base = default_parameters()
    truth = {name: base[name] * f for name, f in TRUTH_FACTORS.items()}
    records = simulate_measurements(settings(rng), base.with_overrides(truth), list(EVERY), rng, EVERY)
    write_text_atomic(OUT, plant_csv_text(records, digits=5))
    write_text_atomic(OUT.with_suffix(".truth.json"), json.dumps(
        {"note": "the parameters examples/plant_data_uht.csv was made with (scripts/make_example_plant_data.py)",
         "seed": SEED, "factors": TRUTH_FACTORS, "truth": truth,
         "april": {"file": APRIL.name, "drift_start_row": DRIFT_START, "eta_factor_from_then": DRIFT_FACTOR},
         "registry_at_generation": {name: base[name] for name in truth}}, indent=2) + "\n")
    print(f"wrote {OUT} ({len(records)} rows); truth: " + ", ".join(f"{k} = {v:.4g}" for k, v in truth.items()))
    april = settings(rng, APRIL_ROWS, dt.datetime(2026, 4, 1, 6, 0), ROWS + 1)
    daily = ["zn_loading_mg_per_cm2", "energy_kwh_per_m2"]
    fouled = base.with_overrides({**truth, "zn_vapour_transfer_efficiency_frac":
                                  truth["zn_vapour_transfer_efficiency_frac"] * DRIFT_FACTOR})
    rows = (simulate_measurements(april[:DRIFT_START - 1], base.with_overrides(truth), daily, rng)
            + simulate_measurements(april[DRIFT_START - 1:], fouled, daily, rng))
    write_text_atomic(APRIL, plant_csv_text(rows, digits=5))
    print(f"wrote {APRIL} ({len(rows)} rows); the Zn source fouls from row {DRIFT_START} on (η × {DRIFT_FACTOR})")


if __name__ == "__main__":
    import argparse

    # no options: --help (or anything else) must not run the script, which rewrites tracked files
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
