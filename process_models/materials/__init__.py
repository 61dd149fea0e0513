"""Material properties of Cu and Zn with their validity ranges."""
