"""Process assumptions of the UHT line where the seed is silent."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
