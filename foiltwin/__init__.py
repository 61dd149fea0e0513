"""foiltwin command-line edge: the Typer app and the calibration entry points."""
