"""The UHT Joule-heating line: foil thermal model, Zn vapour supply, Cu–Zn interdiffusion,
phases, skin metrics, energy.
"""
