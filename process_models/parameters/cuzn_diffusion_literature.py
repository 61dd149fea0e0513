"""Cu-Zn interdiffusion parameters (literature tracer data and thermodynamic factors)."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
