"""Heat-transfer assumptions of the UHT line (convection, contact, heater efficiency)."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
