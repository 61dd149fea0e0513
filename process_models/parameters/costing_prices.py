"""Prices of flows (electricity, metals, chemicals, gas, labour) and capital, with sources and currency year."""

from __future__ import annotations


def get_parameter_values() -> dict:
    return {"parameters": [], "citations": []}
