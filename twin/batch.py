"""Headless scenario batches: a spec expands into jobs (scenarios × sweep points × replications) that run in
parallel, locally or on a Dask cluster, with every result committed to an embedded DuckDB database as it arrives.

- **Spec** (TOML, :class:`BatchSpec`): a base scenario (file or the built-in plant), named scenarios given as
  ``dotted.key=value`` overrides, a full-factorial ``sweep`` over scenario fields, and replications (seeds
  ``seed + i``, from each scenario's seed: the same seeds for every scenario that keeps the base's seed, common
  random numbers).
- **Entries and jobs.** An entry is a named scenario (with its sweep values) and a replication; a job is what is
  simulated: its canonical content (``twin.job_identity``) with the code and parameter fingerprints. Entries with
  the same job are aliases: the job runs once and every alias is reported. Names must be unique, and a sweep
  over a field that changes no job is refused before anything runs.
- **Resume**: a job with a result in the database made by the same code and parameters is skipped.
- **Failures** stay local: a scenario that does not validate or raises while running is stored as ``failed`` with
  the field, value and allowed range of the error; the other jobs go on.
- **Processes**: local workers die with the batch (:mod:`twin.worker_guard`). Workers, local or Dask, import once
  and run many jobs; they load only what a simulation needs (:mod:`twin.batch_worker`), not the store.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from process_models.errors import FoiltwinInputError
from twin import fingerprint
from twin.batch_worker import Job, init_worker, run_job, warm_up
from twin.batch_worker import error_record as _error
from twin.input_files import read_toml_file
from twin.job_identity import canonical_content, job_id
from twin.parameter_set import load_parameter_set
from twin.progress import Progress, ProgressCallback, eta_s
from twin.results_db import ResultsDB, batch_id_of
from twin.scenario import (
    Scenario,
    apply_overrides,
    error_from_pydantic,
    field_bounds,
    load_scenario,
    toml_value,
    with_parameter_set,
)

MAX_ENTRIES = 100_000  # scenarios × sweep points × replications of one spec
SCHEDULER_CONNECT_TIMEOUT_S = 10.0
COMMIT_EVERY_S = 1.0  # results wait at most about this long for their commit (≈50 ms of the batch process each)
Name = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]
SweepKey = Annotated[str, StringConstraints(strict=True, max_length=256, pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")]
Override = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=100_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NamedScenario(_Model):
    """One scenario of the batch: a name and its overrides of the base (``dotted.key=value``)."""

    name: Name
    set: tuple[Override, ...] = Field(default=(), max_length=1000)


def _toml(v: Any) -> str:
    """A sweep value as the right-hand side of an override (:func:`twin.scenario.toml_value`)."""
    try:
        return toml_value(v)
    except ValueError:
        raise ValueError(f"a sweep value must be a number, string, boolean, array or table, not {type(v).__name__}"
                         ) from None


DesignKind = Literal["latin_hypercube", "sobol", "parameter_mc"]
ParameterName = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_]+$")]


def _sig6(x: float) -> float:
    return float(f"{x:.6g}")


class Design(_Model):
    """A sampling design instead of a full-factorial sweep (values rounded to 6 significant digits; the design's
    ``seed`` makes it deterministic, so a spec always expands into the same jobs):

    - ``latin_hypercube``: ``points`` points over ``ranges`` (each factor's [low, high] cut into ``points`` strata,
      one point per stratum and factor, the strata paired at random);
    - ``sobol``: Saltelli's design for Sobol indices (SALib, the ``uq`` extra) over ``ranges``, ``base_samples``
      N (a power of 2), N·(d + 2) points for d factors (first-order and total indices; ``foiltwin batch summary
      --sobol`` computes them from the results);
    - ``parameter_mc``: ``points`` draws (Latin hypercube in the standard normals) of the uncertain registry
      parameters from their covariance — the base's parameter set (spec key ``params``) with its correlations, and
      the registry's standard errors (:mod:`twin.parameter_uncertainty`) — each as ``parameters.NAME``;
      ``parameters`` restricts the names (default: every parameter with a standard error)."""

    kind: DesignKind = "latin_hypercube"
    points: Annotated[int, Field(strict=True, ge=2, le=10_000)] | None = None
    base_samples: Annotated[int, Field(strict=True, ge=2, le=8192)] | None = None
    seed: Annotated[int, Field(strict=True, ge=0, le=2**32 - 1)] = 0
    ranges: dict[SweepKey, tuple[float, float]] = Field(default_factory=dict, max_length=64)
    parameters: tuple[ParameterName, ...] | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, v: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for key, (lo, hi) in v.items():
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"design.ranges.{key} = [{lo:g}, {hi:g}]: finite [low, high] with low < high")
        return v

    @model_validator(mode="after")
    def _fields_of_the_kind(self) -> Design:
        needs = {"latin_hypercube": ("points", "ranges"), "sobol": ("base_samples", "ranges"),
                 "parameter_mc": ("points",)}[self.kind]
        for name in ("points", "base_samples", "ranges", "parameters"):
            given = bool(getattr(self, name)) if name == "ranges" else getattr(self, name) is not None
            if name in needs and not given:
                raise ValueError(f"design.{name} is required with kind = {self.kind!r}")
            if given and name not in needs and not (name == "parameters" and self.kind == "parameter_mc"):
                raise ValueError(f"design.{name} is not used with kind = {self.kind!r} (it needs {', '.join(needs)})")
        n = self.base_samples
        if n is not None and n & (n - 1):
            raise ValueError(f"design.base_samples = {n}: a power of 2 (the Sobol' sequence's balance)")
        if self.kind == "sobol" and n is not None and n * (len(self.ranges) + 2) > MAX_ENTRIES:
            raise ValueError(f"design: {n} × ({len(self.ranges)} + 2) points, at most {MAX_ENTRIES}")
        return self

    def point_count(self) -> int:
        """How many points the design has."""
        if self.kind == "sobol":
            return int(self.base_samples) * (len(self.ranges) + 2)  # type: ignore[arg-type]
        return int(self.points)  # type: ignore[arg-type]

    def factor_keys(self, base: Scenario | None = None) -> list[str]:
        """The dotted fields the design sets (``parameters.NAME`` for parameter draws: needs the ``base``)."""
        if self.kind != "parameter_mc":
            return list(self.ranges)
        return [f"parameters.{n}" for n in self.uncertainty(base).names]

    def uncertainty(self, base: Scenario | None) -> Any:
        """The parameter uncertainty a ``parameter_mc`` design draws from: the ``base`` scenario's."""
        from twin.parameter_uncertainty import uncertainty_of
        from twin.simulate import build_parameters

        base = base if base is not None else load_scenario(None)
        try:
            return uncertainty_of(build_parameters(base), base.parameter_set, self.parameters)
        except FoiltwinInputError as err:
            raise FoiltwinInputError("design.parameters", err.value, err.allowed) from None

    def values(self, base: Scenario | None = None) -> list[dict[str, float]]:
        """The design's points, in order: one dict of factor values each."""
        import numpy as np

        if self.kind == "parameter_mc":
            unc = self.uncertainty(base)
            x, _ = unc.sample(int(self.points), self.seed, "lhs")  # type: ignore[arg-type]
            keys = self.factor_keys(base)
            return [{k: _sig6(float(v)) for k, v in zip(keys, row, strict=True)} for row in x]
        if self.kind == "sobol":
            lo, hi = np.array(list(self.ranges.values())).T
            X = lo + self.unit_sample() * (hi - lo)
            return [{k: _sig6(float(v)) for k, v in zip(self.ranges, row, strict=True)} for row in X]
        rng = np.random.default_rng(self.seed)
        n = int(self.points)  # type: ignore[arg-type]
        cols = {}
        for key, (lo, hi) in self.ranges.items():
            u = (rng.permutation(n) + rng.random(n)) / n
            cols[key] = [_sig6(lo + x * (hi - lo)) for x in u]
        return [{k: cols[k][i] for k in self.ranges} for i in range(n)]

    def unit_sample(self) -> Any:
        """Saltelli's design on [0, 1]ᵈ (SALib, first and total order: N·(d + 2) rows), with the design's seed."""
        try:
            from SALib.sample import sobol as saltelli
        except ImportError:  # pragma: no cover - the extra is part of dev
            raise FoiltwinInputError("design.kind", "sobol", "SALib installed: pip install 'foiltwin[uq]'") from None
        problem = {"num_vars": len(self.ranges), "names": list(self.ranges), "bounds": [[0.0, 1.0]] * len(self.ranges)}
        return saltelli.sample(problem, int(self.base_samples), calc_second_order=False,  # type: ignore[arg-type]
                               seed=self.seed)


class BatchSpec(_Model):
    """What to run. ``sweep`` maps scenario fields to lists of distinct values (full factorial, crossed with every
    named scenario, or with the base alone when there are none); ``design`` instead gives a space-filling design.
    Either is crossed with every named scenario and the replications."""

    name: Name = "batch"
    base: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=4096)] | None = None
    params: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=4096)] | None = None  # fitted
    # parameter set (JSON, `foiltwin calibrate`), relative to the spec file
    hours: Annotated[float, Field(strict=True, gt=0.0, le=24.0 * 366)] | None = None
    replications: Annotated[int, Field(strict=True, ge=1, le=1000)] = 1
    scenarios: tuple[NamedScenario, ...] = Field(default=(), max_length=10_000)
    sweep: dict[SweepKey, list[Any]] = Field(default_factory=dict, max_length=64)
    design: Design | None = None

    @field_validator("sweep")
    @classmethod
    def _distinct_values(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in v.items():
            if not values:
                raise ValueError(f"sweep.{key} has no values")
            counts = Counter(_toml(x) for x in values)  # also refuses values that are no TOML value
            dupes = sorted(t for t, n in counts.items() if n > 1)
            if dupes:
                raise ValueError(f"sweep.{key} repeats {', '.join(dupes)[:80]}: each value once")
        return v

    @field_validator("scenarios")
    @classmethod
    def _unique_names(cls, v: tuple[NamedScenario, ...]) -> tuple[NamedScenario, ...]:
        dupes = sorted(name for name, n in Counter(s.name for s in v).items() if n > 1)
        if dupes:
            raise ValueError(f"unique names (each is one row of the results); repeated: {', '.join(dupes)[:80]}")
        return v

    @model_validator(mode="after")
    def _bounded(self) -> BatchSpec:
        if self.design is not None and self.sweep:
            raise ValueError("a sweep or a design, not both (put fixed values in the base or a named scenario)")
        points = self.design.point_count() if self.design is not None else math.prod(len(v) for v in
                                                                                      self.sweep.values())
        n = max(len(self.scenarios), 1) * points * self.replications
        if n > MAX_ENTRIES:
            raise ValueError(f"{n} entries (scenarios × sweep points × replications): at most {MAX_ENTRIES}")
        return self


def spec_from_dict(data: Any, field: str = "batch") -> BatchSpec:
    """Validate parsed TOML (or any dict) into a :class:`BatchSpec`; errors name the field."""
    if not isinstance(data, dict):
        raise FoiltwinInputError(field, type(data).__name__, "a table of batch settings")
    try:
        return BatchSpec.model_validate(data)
    except ValidationError as err:
        raise error_from_pydantic(err, field) from None
    except RecursionError:
        raise FoiltwinInputError(field, "…", "data nested less deeply") from None


def load_spec(path: str | Path) -> tuple[BatchSpec, Path]:
    """Read a batch spec (TOML); returns it and the folder that relative paths start from."""
    p = Path(path)
    return spec_from_dict(read_toml_file(p, "batch spec")), p.parent


def _resolves(data: Any, key: str) -> bool:
    """Whether the dotted ``key`` names a field of the dumped scenario ``data`` (any ``parameters.NAME``)."""
    parts = key.split(".")
    if parts[0] == "parameters" and len(parts) == 2:
        return True
    node = data
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _set_path(node: Any, parts: list[str], value: Any, key: str) -> Any:
    """A copy of ``node`` with ``value`` at the dotted path ``parts`` (containers copied along the path only);
    KeyError when the path does not resolve (``parameters.NAME`` may be new)."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict) and (head in node or (key.startswith("parameters.") and not rest)):
        out = dict(node)
        out[head] = _set_path(node.get(head), rest, value, key)
        return out
    if isinstance(node, list | tuple) and head.isdigit() and int(head) < len(node):
        items = list(node)
        items[int(head)] = _set_path(node[int(head)], rest, value, key)
        return items
    raise KeyError(key)


class _Point:
    """Applies sweep values to one named scenario: directly into its dumped data with one validation (the fast
    path, for ``n × 10⁴`` points), or through ``apply_overrides`` one key at a time where the fast path cannot
    tell the same story (a key inside another key's value, a path that does not resolve, a value that does not
    validate: ``apply_overrides`` then names the field exactly as ``simulate --set`` does)."""

    def __init__(self, base: Scenario, keys: list[str]) -> None:
        self.base = base
        self.data = base.model_dump(mode="python")
        self.fast = not any(a != b and b.startswith(a + ".") for a in keys for b in keys)

    def apply(self, items: list[tuple[str, Any, str]]) -> Scenario:
        if self.fast:
            data = self.data
            try:
                for key, value, _ in items:
                    data = _set_path(data, key.split("."), value, key)
                return Scenario.model_validate(data)
            except (KeyError, ValidationError):
                pass
        return apply_overrides(self.base, [f"{key}={text}" for key, _, text in items])


def _seed_limit() -> int:
    hi = field_bounds(Scenario, "seed").high
    return int(hi) if hi is not None else 2**63 - 1


def expand(spec: BatchSpec, root: Path | None = None) -> list[Job]:
    """The entries of ``spec``: named scenarios (or the base) × sweep points × replications, in a stable order.

    Refused (FoiltwinInputError, nothing runs): a sweep key that is a field of no scenario, a sweep key whose every
    value gives the same job wherever it is swept, and two entries with the same name."""
    base = load_scenario(None if spec.base is None else (root or Path(".")) / spec.base)
    if spec.params is not None:
        base = with_parameter_set(base, load_parameter_set((root or Path(".")) / spec.params, "params"))
    if spec.hours is not None:
        base = base.model_copy(update={"hours": spec.hours})
    named = list(spec.scenarios) or [NamedScenario(name="base")]
    points = _points(spec, base)
    keys = spec.design.factor_keys(base) if spec.design is not None else list(spec.sweep)
    fp = fingerprint.fingerprints()
    fail_base = json.dumps(canonical_content(base), sort_keys=True)
    seed_limit = _seed_limit()
    bases: list[Scenario | FoiltwinInputError] = []
    for sc in named:
        try:
            bases.append(apply_overrides(base, list(sc.set)))
        except FoiltwinInputError as err:
            bases.append(err)
    _check_keys_exist(keys, [b.model_dump(mode="python") for b in bases if isinstance(b, Scenario)])
    jobs: list[Job] = []
    contents: dict[tuple[int, tuple[int, ...]], str] = {}

    def failed(name: str, r: int, seed: int, overrides: tuple[str, ...], err: FoiltwinInputError,
               factors: tuple[tuple[str, Any], ...]) -> None:
        key = json.dumps({"base": fail_base, "set": overrides, "replication": r, "seed": seed}, sort_keys=True)
        jobs.append(Job(job_id(key), name, r, seed, overrides, None, _error(err), fp["code"], fp["parameters"],
                        factors))

    for i, (sc, sc_base) in enumerate(zip(named, bases, strict=True)):
        applier = _Point(sc_base, keys) if isinstance(sc_base, Scenario) else None
        for point, items in points:
            factors = tuple((k, v) for k, v, _ in items)
            sweep_set = [f"{k}={text}" for k, _, text in items]
            name = sc.name + "".join(f" | {s}" for s in sweep_set)
            overrides = (*sc.set, *sweep_set)
            try:
                if applier is None:
                    raise sc_base  # type: ignore[misc]  # the named scenario's own overrides failed
                scenario = applier.apply(items)
            except FoiltwinInputError as err:
                for r in range(spec.replications):
                    failed(name, r, base.seed + r, overrides, err, factors)
                continue
            content = canonical_content(scenario)
            text = json.dumps(content, sort_keys=True, separators=(",", ":"))
            contents[(i, point)] = text
            for r in range(spec.replications):
                seed = scenario.seed + r
                if seed > seed_limit:
                    failed(name, r, seed, overrides, FoiltwinInputError(
                        "seed", seed, f"at most {seed_limit} (the scenario's seed + the replication)"), factors)
                    continue
                run = scenario if r == 0 else scenario.model_copy(update={"seed": seed})
                if r:
                    content["seed"] = seed
                    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
                jobs.append(Job(job_id(text), name, r, seed, overrides, run.model_dump_json(), None, fp["code"],
                                fp["parameters"], factors))
    if spec.design is None:
        _check_sweep_changes_jobs(spec, contents)
    _check_unique_names(jobs)
    return jobs


def _points(spec: BatchSpec, base: Scenario | None = None) -> list[tuple[tuple[int, ...], list[tuple[str, Any, str]]]]:
    """The sweep's (full factorial) or the design's points: each an index tuple and its (field, value, TOML text)
    items."""
    if spec.design is not None:
        return [((n,), [(k, v, _toml(v)) for k, v in values.items()])
                for n, values in enumerate(spec.design.values(base))]
    keys = list(spec.sweep)
    texts = {k: [_toml(v) for v in spec.sweep[k]] for k in keys}
    return [(point, [(k, spec.sweep[k][j], texts[k][j]) for k, j in zip(keys, point, strict=True)])
            for point in itertools.product(*(range(len(texts[k])) for k in keys))]


def _check_registry_keys(spec: BatchSpec) -> None:
    """Refuse a sweep or design key ``parameters.NAME`` that is no registry parameter before a batch runs: every
    job would fail on it (the batch ended "0 ok", exit 0). The refusal names the nearest names. (:func:`expand`
    itself takes any name: tests store made-up factors without running the twin.)"""
    from process_models.parameters import default_parameters

    keys = [(f"sweep.{k}", k) for k in spec.sweep]
    if spec.design is not None and spec.design.kind != "parameter_mc":  # parameter_mc draws registry names
        keys += [(f"design.ranges.{k}", k) for k in spec.design.ranges]
    registry = default_parameters()
    for field, k in keys:
        parts = k.split(".")
        if parts[0] == "parameters" and len(parts) == 2:
            try:
                registry.record(parts[1])
            except FoiltwinInputError as err:  # its message names the nearest parameters
                raise FoiltwinInputError(field, parts[1], err.allowed) from None


def _check_keys_exist(keys: list[str], dumps: list[dict[str, Any]]) -> None:
    for k in keys:
        if dumps and not any(_resolves(d, k) for d in dumps):
            raise FoiltwinInputError(f"sweep.{k}", k, "a field of the base or of a named scenario "
                                     "(`foiltwin schema` lists them; list items by index)")


def _check_sweep_changes_jobs(spec: BatchSpec, contents: dict[tuple[int, tuple[int, ...]], str]) -> None:
    """Refuse a sweep key whose values give one job wherever the other coordinates are held (valid scenarios only):
    sweeping it would run the same simulation once per value."""
    for n, k in enumerate(spec.sweep):
        if len(spec.sweep[k]) < 2:
            continue
        groups: dict[tuple[Any, ...], set[str]] = defaultdict(set)
        sizes: dict[tuple[Any, ...], int] = defaultdict(int)
        for (i, point), text in contents.items():
            g = (i, point[:n] + point[n + 1:])
            groups[g].add(text)
            sizes[g] += 1
        compared = [g for g in groups if sizes[g] > 1]
        if compared and all(len(groups[g]) == 1 for g in compared):
            raise FoiltwinInputError(f"sweep.{k}", spec.sweep[k][:3], "a field that changes the simulation: every "
                                     "value gives the same job (the field is unused in this plant, or its values "
                                     "are equal once validated)")


def _check_unique_names(jobs: list[Job]) -> None:
    seen: set[tuple[str, int]] = set()
    for j in jobs:
        if (j.scenario_name, j.replication) in seen:
            raise FoiltwinInputError("scenarios.name", j.scenario_name, "unique names of scenarios and sweep points "
                                     "(a named scenario's name repeats a generated 'name | key=value' one)")
        seen.add((j.scenario_name, j.replication))


def distinct_jobs(entries: list[Job]) -> tuple[list[Job], dict[str, list[Job]]]:
    """The jobs to simulate (the first entry of each job id, in order) and each job's aliases (its other entries)."""
    first: dict[str, Job] = {}
    aliases: dict[str, list[Job]] = defaultdict(list)
    for e in entries:
        if e.job_id in first:
            aliases[e.job_id].append(e)
        else:
            first[e.job_id] = e
    return list(first.values()), dict(aliases)


def _local(jobs: list[Job], workers: int) -> Iterator[list[dict[str, Any]]]:
    """Results in groups (those that finished together): serially, or from worker processes that die with this
    one (spawned, so nothing of this process — threads, open files — is copied into them)."""
    if workers <= 1:
        for job in jobs:
            yield [run_job(job)]
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker, initargs=(os.getpid(),))
    try:
        pending: set[Future] = {pool.submit(run_job, job) for job in jobs}
        while pending:  # an empty group when none finished for a while: the caller commits what it holds
            done, pending = wait(pending, timeout=COMMIT_EVERY_S, return_when=FIRST_COMPLETED)
            yield [f.result() for f in done]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def check_scheduler_address(address: str) -> str:
    """A Dask scheduler address: ``tcp://host:port`` (also tls, ws, wss, ucx; bare ``host:port`` means tcp) or
    ``inproc://...``; anything else is refused before connecting."""
    allowed = "a Dask scheduler address such as tcp://host:8786 (scheme, host and port)"
    text = address.strip()
    if not text or len(text) > 1000 or any(c.isspace() for c in text):
        raise FoiltwinInputError("scheduler", address, allowed)
    if text.startswith("inproc://") and len(text) > len("inproc://"):
        return text
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls", "ws", "wss", "ucx") or not parts.hostname or port is None or port == 0 \
            or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise FoiltwinInputError("scheduler", address, allowed)
    return text


def _dask(jobs: list[Job], scheduler: str) -> Iterator[list[dict[str, Any]]]:
    try:
        from distributed import Client
        from distributed import wait as dask_wait
    except ImportError:
        raise FoiltwinInputError("scheduler", scheduler, "a Dask scheduler, with the 'dask' extra installed "
                                 "(pip install 'foiltwin[dask]')") from None
    try:
        client = Client(scheduler, timeout=SCHEDULER_CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as err:
        raise FoiltwinInputError("scheduler", scheduler, f"a reachable Dask scheduler ({err})") from None
    try:
        client.run(warm_up)  # every worker imports and fingerprints once, in parallel, before its first job
        pending = set(client.map(run_job, jobs, pure=False))
        while pending:  # as locally: an empty group when none finished for a while, so held results get committed
            done = _dask_first_done(pending, dask_wait)
            pending -= done
            yield [f.result() for f in done]  # a done future is dropped here, so the cluster releases its result
    finally:
        client.close()


def _dask_first_done(pending: set[Any], dask_wait: Callable[..., Any]) -> set[Any]:
    """The futures of ``pending`` that have finished, waiting at most :data:`COMMIT_EVERY_S` for a first one."""
    with contextlib.suppress(TimeoutError):
        dask_wait(pending, timeout=COMMIT_EVERY_S, return_when="FIRST_COMPLETED")
    return {f for f in pending if f.done()}  # finished, failed or cancelled (a lost result is recomputed first)


@dataclass(frozen=True)
class BatchOutcome:
    """What a call of :func:`run_batch` did. ``jobs``: distinct simulations; ``entries``: named scenarios × sweep
    points × replications; ``aliases``: entries that share another entry's job."""

    batch_id: str
    jobs: int
    skipped: int
    ok: int
    failed: int
    seconds: float
    entries: int = 0
    aliases: int = 0


def run_batch(spec: BatchSpec, db_path: str | Path, root: Path | None = None, workers: int = 1,
              scheduler: str | None = None, retry_failed: bool = False,
              progress: Callable[[dict[str, Any]], None] | None = None,
              on_progress: ProgressCallback | None = None) -> BatchOutcome:
    """Run the jobs of ``spec`` that have no stored result of this code and these parameters yet (and, with
    ``retry_failed``, the failed ones), committing results to the DuckDB file ``db_path`` as they arrive. The file
    is open only while a commit lasts, so ``batch status`` and the dashboard can read it meanwhile.

    ``progress`` gets each job's result once, with ``aliases``: its other entries; ``on_progress`` gets a
    :class:`twin.progress.Progress` after each result (k of N jobs to run, failures so far, ETA), locally and under
    Dask alike."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise FoiltwinInputError("workers", workers, "an integer ≥ 1")
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    t0 = time.perf_counter()
    _check_registry_keys(spec)
    entries = expand(spec, root)
    jobs, aliases = distinct_jobs(entries)
    batch_id = batch_id_of(spec.name, entries)
    with ResultsDB(db_path) as db:
        db.add_batch(batch_id, spec.name, spec.model_dump_json(), entries)
        done = db.finished_jobs(include_failed=not retry_failed)
    todo = [j for j in jobs if j.job_id not in done]
    counts = {"ok": 0, "failed": 0}
    t_run = time.perf_counter()

    def commit(results: list[dict[str, Any]]) -> None:
        with ResultsDB(db_path) as db:
            db.store(results)
        for res in results:
            counts[res["status"]] += 1
            if progress is not None:
                progress({**res, "aliases": aliases.get(res["job"].job_id, [])})
            if on_progress is not None:
                k, elapsed = counts["ok"] + counts["failed"], time.perf_counter() - t_run
                on_progress(Progress("batch", res["job"].scenario_name, k, len(todo), "jobs", elapsed,
                                     counts["failed"], eta_s(k, len(todo), elapsed)))

    invalid = [j for j in todo if j.scenario_json is None]
    if invalid:
        commit([run_job(j) for j in invalid])
    runnable = [j for j in todo if j.scenario_json is not None]
    results: Iterable[list[dict[str, Any]]] = (_dask(runnable, scheduler) if scheduler is not None
                                               else _local(runnable, workers))
    # parallel results (local workers or Dask) are committed at most every COMMIT_EVERY_S (each commit opens, writes
    # and closes the file; the workers report every COMMIT_EVERY_S, so none waits much longer); serial ones at once
    every_s = COMMIT_EVERY_S if scheduler is not None or workers > 1 else 0.0
    held: list[dict[str, Any]] = []
    last_commit = -math.inf
    for group in results:
        held += group
        if held and time.perf_counter() - last_commit >= every_s:
            commit(held)
            held, last_commit = [], time.perf_counter()
    if held:
        commit(held)
    return BatchOutcome(batch_id, len(jobs), len(jobs) - len(todo), counts["ok"], counts["failed"],
                        time.perf_counter() - t0, len(entries), len(entries) - len(jobs))
