"""Electrodeposition: electrochemical constants, bath windows and kinetics (handbook/literature)."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
