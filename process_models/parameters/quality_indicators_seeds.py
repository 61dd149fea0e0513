"""Li nucleation and cycling indicators fitted to the seeds (not a cell model)."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
