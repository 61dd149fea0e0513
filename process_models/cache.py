"""A bounded cache of computed values, owned by whoever calls the computation (no module-level caches).

:class:`EvaluationCache` maps keys to values with least-recently-used eviction. :meth:`EvaluationCache.get_many`
answers one call's keys: the missing ones are computed together (once each), and every value of the call is
collected before anything is evicted, so a call never loses its own keys however many distinct keys it has
(the stage-II cache used to raise KeyError when eviction removed a key of the current call). The citations
registered while a value was computed are kept with it and registered again on every hit, so a run report lists
its sources whether its values were computed or served from the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from process_models.citations import recording, register_all
from process_models.errors import FoiltwinInputError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class EvaluationCache(Generic[K, V]):
    """At most ``max_size`` values, least recently used evicted first; ``hits`` and ``misses`` count keys."""

    def __init__(self, max_size: int) -> None:
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise FoiltwinInputError("max_size", max_size, "an integer >= 1")
        self.max_size = max_size
        self._store: OrderedDict[K, tuple[V, frozenset[tuple[str, str]]]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, key: object) -> bool:
        return key in self._store

    def clear(self) -> None:
        self._store.clear()

    def get_many(self, keys: Sequence[K], compute: Callable[[list[K]], Sequence[V]]) -> list[V]:
        """The values of ``keys`` in order; ``compute(missing)`` gets the distinct missing keys (in first-seen
        order) and returns their values in that order. If it raises, nothing is stored."""
        missing = list(dict.fromkeys(k for k in keys if k not in self._store))
        fresh: dict[K, V] = {}
        if missing:
            with recording() as rec:
                values = list(compute(missing))
            if len(values) != len(missing):
                raise ValueError(f"compute returned {len(values)} values for {len(missing)} keys")
            cited = frozenset(rec)
            fresh = dict(zip(missing, values, strict=True))
            for k, v in fresh.items():
                self._store[k] = (v, cited)
        out: list[V] = []
        replay: set[tuple[str, str]] = set()
        seen: set[K] = set()
        for k in keys:
            if k in fresh:
                out.append(fresh[k])
            else:
                v, cited = self._store[k]
                out.append(v)
                if k not in seen:
                    replay |= cited
                    self.hits += 1
            seen.add(k)
            self._store.move_to_end(k)
        self.misses += len(missing)
        register_all(replay)
        while len(self._store) > self.max_size:  # only after the call's values are collected
            self._store.popitem(last=False)
        return out
