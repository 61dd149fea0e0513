"""foiltwin optimizer layer (see ../shared/architecture.md)."""
