"""Reproducible randomness: one named stream per source, spawned from the run's seed.

A stream is keyed by names (line, source), not by position, so adding a machine or a sensor shifts no other
stream and two scenarios with the same seed share random numbers source by source (common random numbers).
No global RNG state is touched.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """Factory of ``numpy.random.Generator`` objects, one per (line, source) name pair."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._made: dict[tuple[str, str], np.random.Generator] = {}

    def get(self, line: str, source: str) -> np.random.Generator:
        """The generator of ``source`` on ``line`` (created once, then reused)."""
        key = (line, source)
        if key not in self._made:
            spawn_key = (zlib.crc32(line.encode()), zlib.crc32(source.encode()))
            self._made[key] = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=spawn_key))
        return self._made[key]
