"""Thermophysical and molar properties of Cu, Zn and Cu-Zn phases (literature)."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
