"""Seed validation cases."""
