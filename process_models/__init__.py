"""Physics and costing of the foiltwin lines: pure functions and small classes in SI units.

Every constant comes from the parameter registry (:mod:`process_models.parameters`), which carries
its value, unit, source and kind (measured, literature, fitted, assumed, derived).
"""
