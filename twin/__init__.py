"""foiltwin twin layer (see ../shared/architecture.md)."""
