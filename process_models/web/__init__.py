"""Web handling: hot strength of the Cu foil, stress margins along the heated path, breaks and the slack limit."""
