"""Ag galvanic displacement on Cu in AgF (seed 004) and the constants it needs."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
