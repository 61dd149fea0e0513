"""Parts of the MILP as Pyomo blocks (one module per unit)."""
