"""Regenerate the twin's golden report (tests/golden/default_plant_6h.json) after an intended model change.

Run: ``python scripts/regenerate_golden.py`` and commit the new file with a message saying why it changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from twin.scenario import Scenario, apply_overrides
from twin.simulate import run_single

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "default_plant_6h.json"
OVERRIDES = ["hours=6", "seed=7", "plant.coil_store.initial_coils=0", "plant.incoming_coils.length_m=100"]


def main() -> None:
    report = run_single(apply_overrides(Scenario(), OVERRIDES))
    report.pop("citations")
    GOLDEN.write_text(json.dumps({"overrides": OVERRIDES, "report": report}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    import argparse

    # no options: --help (or anything else) must not run the script, which rewrites tracked files
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
