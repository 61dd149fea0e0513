"""Quality indicators: Li nucleation overpotential and CE indicators (fitted to the seeds)."""
