"""Cu crystal texture: as-electroformed map and recrystallisation (JMAK) kinetics."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
