"""The optimiser's caches kept on disk between runs (``foiltwin optimize --cache-dir DIR``).

A fresh process is cold: it samples the coarse tables, solves every stage II and runs the twin's physics again,
≈ 4–9 s before the first MILP. The :class:`~optimizer.surrogates.OptimiserCache` that an in-process caller (the
dashboard) keeps warm can instead be saved after a run and loaded by the next one.

What a loaded cache may serve, and why it is safe:

- Every entry's key already holds what the value depends on besides the code: the parameter values, the decision
  space (the scenario enters through it) and the skin window (``optimizer.api._key``, the recipe and stage-II keys).
  A cache is shared in-process across scenarios and targets in the same way (``pareto``, the dashboard).
- The code is in the file's name: :func:`cache_fingerprint` hashes the source and data files of ``process_models``,
  ``twin`` and ``optimizer``, and the versions of Python and the numerical libraries
  (:func:`twin.fingerprint.code_fingerprint`). A cache made by other code is never read. When this code saves its
  own, the :data:`KEEP_OTHER_CACHES` most recently written caches of other code stay (the other Newton-step path's,
  ``FOILTWIN_COMPILED_KERNELS``, or a branch switched back to: each keeps its warm start) and older ones are
  deleted, so the folder holds at most ``KEEP_OTHER_CACHES + 1`` files.
- The file is a pickle, so it is read only from a file this user owns that nobody else can write, in the folder the
  user named. A file that cannot be read (truncated, another format) is ignored with a note, and the run starts
  cold. Saving is atomic (:func:`twin.files.atomic_path`): a killed run leaves the old file or none, never half a
  file.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from optimizer.surrogates import OptimiserCache
from process_models.errors import FoiltwinPathError
from process_models.parameters.registry import ParameterValues
from twin.files import atomic_path
from twin.fingerprint import code_fingerprint, hash_sources, values_fingerprint

CACHE_FORMAT = 1  # bump when OptimiserCache's layout changes in a way the code fingerprint would not show
FILE_PREFIX = "optimiser-cache-"
FILE_SUFFIX = ".pkl"
KEEP_OTHER_CACHES = 2  # caches of other code left in the folder at a save (the most recently written)


def cache_fingerprint() -> str:
    """Hash (16 hex digits) of the code that fills an :class:`OptimiserCache`: the simulation's fingerprint, the
    optimiser's own source files, the pickle protocol and :data:`CACHE_FORMAT`.

    The simulation's part is taken without loading the compiled kernels while none ran in this process
    (``code_fingerprint(load_kernels=False)``): a warm run that the cache serves whole never needs them, and
    importing numba would cost it ≈ 0.3 s (issue 15). Where they then fail to load (no writable cache directory for
    numba: the numpy path runs), the fingerprint taken at save differs from the one the cache was read under, and
    the cache is not saved (:func:`save_cache`)."""
    return _cache_fingerprint(code_fingerprint(load_kernels=False))


@functools.cache
def _cache_fingerprint(code: str) -> str:
    h = hashlib.sha256(f"{code}\0format {CACHE_FORMAT}\0pickle {pickle.HIGHEST_PROTOCOL}".encode())
    hash_sources(h, ("optimizer",))
    return h.hexdigest()[:16]


def made_by(params: ParameterValues) -> dict[str, str]:
    """What made an optimisation result: the code (:func:`cache_fingerprint`: the models, the twin and the optimiser)
    and the parameter values it ran with (the scenario's overrides and a fitted set included), 16 hex digits each."""
    return {"code": cache_fingerprint(), "parameters": values_fingerprint(params)}


def cache_file(cache_dir: Path) -> Path:
    """The file this code reads and writes in ``cache_dir``."""
    return cache_dir / f"{FILE_PREFIX}{cache_fingerprint()}{FILE_SUFFIX}"


@dataclass(frozen=True)
class Loaded:
    """A cache to optimise with, and what became of the file (one line for the user)."""

    cache: OptimiserCache
    note: str
    warm: bool
    read_as: str | None = None  # the code fingerprint of the file read (None: nothing read, a cold run)


def check_cache_dir(cache_dir: Path, field: str = "--cache-dir") -> Path:
    """``cache_dir`` made if missing (its parent must exist); refused (exit 2) when it is not a folder."""
    if cache_dir.exists() and not cache_dir.is_dir():
        raise FoiltwinPathError(field, str(cache_dir), "a folder (it is a file)")
    if not cache_dir.exists():
        if not cache_dir.parent.is_dir():
            raise FoiltwinPathError(field, str(cache_dir), f"a folder inside an existing folder "
                                                           f"({cache_dir.parent} does not exist)")
        try:
            cache_dir.mkdir(mode=0o700)
        except OSError as exc:
            raise FoiltwinPathError(field, str(cache_dir), f"a folder this user can create ({exc.strerror})") from None
    return cache_dir


def _trusted(path: Path) -> str | None:
    """Why ``path`` must not be unpickled (None: this user owns it and nobody else can write it or its folder)."""
    for p in (path, path.parent):
        st = p.stat()
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return f"{p} belongs to another user"
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{p} can be written by others"
    return None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused within the block (as it was after it).

    Unpickling a cache allocates about a million objects (≈ 2000 recipe outcomes with their depth profiles), and
    the collector runs again and again over the growing heap while they are made, though none of them can be
    garbage yet: loading took ≈ 0.17 s with it, ≈ 0.07 s without (issue 15). Reference counting still frees
    what it frees; only the cycle search waits."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_cache(cache_dir: Path) -> Loaded:
    """The cache saved in ``cache_dir`` by this code, else an empty one (and why)."""
    path = cache_file(cache_dir)
    if not path.is_file():
        return Loaded(OptimiserCache(), f"cache: none yet for this code in {cache_dir} (a cold run)", False)
    why = _trusted(path)
    if why is not None:
        return Loaded(OptimiserCache(), f"cache: not read, {why} (a cold run)", False)
    try:
        with path.open("rb") as f, cyclic_gc_paused():
            cache = pickle.load(f)
    except Exception as exc:
        return Loaded(OptimiserCache(), f"cache: {path.name} ignored, unreadable ({type(exc).__name__}) "
                                        "(a cold run)", False)
    if not isinstance(cache, OptimiserCache):
        return Loaded(OptimiserCache(), f"cache: {path.name} ignored, not an optimiser cache (a cold run)", False)
    return Loaded(cache, f"cache: loaded {path}", True, path.name[len(FILE_PREFIX):-len(FILE_SUFFIX)])


def save_cache(cache: OptimiserCache, cache_dir: Path, read_as: str | None = None) -> Path | None:
    """Write ``cache`` for the next run (atomically, readable by this user only) and delete the caches of other
    code in ``cache_dir`` but the :data:`KEEP_OTHER_CACHES` most recently written. Returns the file; None, writing
    nothing, when the cache was read under another code fingerprint (``read_as``, :attr:`Loaded.read_as`) than this
    process has now: its compiled kernels failed to load after the read (:func:`cache_fingerprint`), and the cache
    would mix values of two codes."""
    if read_as is not None and read_as != cache_fingerprint():
        return None
    path = cache_file(cache_dir)
    with atomic_path(path, field="--cache-dir", mode=0o600) as tmp, tmp.open("wb") as f:
        pickle.dump(cache, f, protocol=pickle.HIGHEST_PROTOCOL)
    others = []
    for other in cache_dir.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}"):
        try:
            others.append((other.stat().st_mtime_ns, other.name, other))
        except FileNotFoundError:  # removed meanwhile by another run
            continue
    for _, _, old in sorted((o for o in others if o[2] != path), reverse=True)[KEEP_OTHER_CACHES:]:
        old.unlink(missing_ok=True)
    return path
