"""Clear every cache of the project, so that a benchmark's "cold" run is cold (issue 15).

Caches are found, not listed, in every loaded module of the project's packages:

* functools caches (``lru_cache``, ``cache``): anything with ``cache_clear``, among a module's globals and the
  attributes of the classes it defines (cached methods);
* module-level containers whose name says so (``_CACHE``, ``_STAGE2_CACHE``, ...: a name with ``CACHE`` in capitals
  and a ``clear`` method);
* whatever :data:`EXTRA_CLEARERS` lists — the place for a cache named otherwise.

Per-run caches (the twin's ``SegmentPhysics`` results, a diffusivity's last temperatures) live on objects the caller
makes for each run and need no clearing. Caches are becoming explicit objects owned by their callers; until then
this one helper is what every benchmark calls for a cold start.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from types import ModuleType

PACKAGES = ("process_models", "twin", "optimizer", "ui", "foiltwin")
CACHE_NAME = re.compile(r"^_*[A-Z0-9_]*CACHE[A-Z0-9_]*$")
EXTRA_CLEARERS: list[tuple[str, Callable[[], int]]] = []  # (name, clear → entries dropped) of caches named otherwise


def _ours(module: ModuleType) -> bool:
    return module.__name__.split(".")[0] in PACKAGES


def _functools_caches(module: ModuleType) -> list[tuple[str, object]]:
    found = []
    for name, obj in list(vars(module).items()):
        if hasattr(obj, "cache_clear") and getattr(obj, "__module__", module.__name__) == module.__name__:
            found.append((f"{module.__name__}.{name}", obj))
        elif isinstance(obj, type) and obj.__module__ == module.__name__:
            for attr, member in list(vars(obj).items()):  # a deferred pydantic model may build on access
                fn = getattr(member, "__func__", member)  # staticmethod/classmethod around an lru_cache
                if hasattr(fn, "cache_clear"):
                    found.append((f"{module.__name__}.{name}.{attr}", fn))
    return found


def clear_all_caches() -> dict[str, int]:
    """Clear every cache found; returns {cache: entries dropped} (0 for one already empty)."""
    dropped: dict[str, int] = {}
    for module in [m for m in list(sys.modules.values()) if isinstance(m, ModuleType) and _ours(m)]:
        for name, fn in _functools_caches(module):
            info = fn.cache_info() if hasattr(fn, "cache_info") else None
            fn.cache_clear()
            dropped[name] = info.currsize if info is not None else 0
        for name, obj in list(vars(module).items()):
            if CACHE_NAME.match(name) and callable(getattr(obj, "clear", None)) and not isinstance(obj, type):
                dropped[f"{module.__name__}.{name}"] = len(obj) if hasattr(obj, "__len__") else 0
                obj.clear()
    for name, clear in EXTRA_CLEARERS:
        dropped[name] = clear()
    return dropped
