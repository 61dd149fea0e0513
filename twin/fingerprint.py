"""What made a result: fingerprints of the simulation code and of the parameter registry.

A stored batch result is reused only when it was made by the same code and the same parameters (docs/batches.md).
The package version does not change with every commit, so it cannot say that; these fingerprints can:

- :func:`code_fingerprint`: a hash of every source and data file of the packages a simulation runs
  (``process_models`` and ``twin``: ``*.py``, ``*.json``, ``*.csv``, paths included), and of the versions of
  Python and of the numerical libraries that compute with them (numpy, scipy, simpy, pydantic), and which code
  runs the interdiffusion's Newton step (numba's compiled kernel and its version, or numpy). The optimiser,
  the dashboard and the CLI do not take part in a twin run and are left out, so editing them reruns nothing.
- :func:`parameters_fingerprint`: a hash of the default parameter registry (name, value, unit, bounds, kind,
  source of every record). A scenario's own overrides are part of its content, hence of the job id.

Both are computed once per process and cached (hashing ≈ 200 files takes tens of milliseconds); the code's, once
per Newton-step code (the ``FOILTWIN_COMPILED_KERNELS`` switch can change between calls).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from process_models.uht.newton_kernel import kernel_tag

SIMULATION_PACKAGES = ("process_models", "twin")
SOURCE_SUFFIXES = (".py", ".json", ".csv")
LIBRARIES = ("numpy", "scipy", "simpy", "pydantic")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name} not found")
    return Path(next(iter(spec.submodule_search_locations)))


def _library_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def source_files(packages: tuple[str, ...] = SIMULATION_PACKAGES) -> list[tuple[str, Path]]:
    """``(package/relative/path, file)`` of every source and data file of ``packages``, sorted."""
    out = []
    for name in packages:
        root = _package_dir(name)
        for p in root.rglob("*"):
            if p.suffix in SOURCE_SUFFIXES and p.is_file() and "__pycache__" not in p.parts:
                out.append((f"{name}/{p.relative_to(root).as_posix()}", p))
    return sorted(out)


def hash_sources(h: Any, packages: tuple[str, ...] = SIMULATION_PACKAGES) -> None:
    """Feed every source and data file of ``packages`` (its path, then its SHA-256) into the hash ``h``."""
    for rel, p in source_files(packages):
        h.update(rel.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())


def code_fingerprint(load_kernels: bool = True) -> str:
    """Hash of the simulation's source files and of the Python and library versions (16 hex digits).

    ``load_kernels=False``: without loading the compiled kernels when this process has not yet
    (:func:`~process_models.uht.newton_kernel.kernel_tag`); exact once they ran."""
    return _code_fingerprint(kernel_tag(load=load_kernels))


@functools.cache
def _code_fingerprint(newton_step: str) -> str:
    h = hashlib.sha256()
    hash_sources(h)
    h.update(f"python {sys.version_info.major}.{sys.version_info.minor}".encode())
    for lib in LIBRARIES:
        h.update(f"\0{lib} {_library_version(lib)}".encode())
    h.update(f"\0newton step {newton_step}".encode())  # compiled (numba) or numpy: other code, other bits
    return h.hexdigest()[:16]


@functools.cache
def parameters_fingerprint() -> str:
    """Hash of the default parameter registry: every record's name, value, unit, bounds, kind and source."""
    from process_models.parameters import default_parameters

    rows = [[r.name, repr(float(r.value)), r.unit, [repr(float(b)) for b in r.bounds], r.kind, r.source]
            for r in default_parameters().records()]
    return hashlib.sha256(json.dumps(sorted(rows)).encode()).hexdigest()[:16]


def values_fingerprint(params: Any) -> str:
    """Hash (16 hex digits) of the parameter values a result was computed with (``ParameterValues``: the
    registry with a scenario's overrides and a fitted set applied), name and value of each."""
    values = json.dumps(sorted((k, repr(float(v))) for k, v in params.items()))
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def made_by(params: Any) -> dict[str, str]:
    """What made a standalone report (``recipe``/``simulate --json``): the simulation's code and the parameter
    values it ran with."""
    return {"code": code_fingerprint(), "parameters": values_fingerprint(params)}


def fingerprints() -> dict[str, str]:
    """Both fingerprints, as stored beside every result."""
    return {"code": code_fingerprint(), "parameters": parameters_fingerprint()}
