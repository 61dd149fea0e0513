"""Skin metals other than Zn on the UHT line (issue 14): phase data, supply, interdiffusion."""
