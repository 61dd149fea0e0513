"""Costing package: prices the flows that stations report per m², plus the fixed costs of each line."""
