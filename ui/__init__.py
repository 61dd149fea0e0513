"""foiltwin ui layer (see ../shared/architecture.md)."""
