"""Parameters fitted to the seed 002 validation cases by scripts/calibrate_uht.py."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
