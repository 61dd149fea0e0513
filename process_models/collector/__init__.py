"""A whole current-collector recipe through every station."""
