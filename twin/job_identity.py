"""What a batch job is: the content a simulation runs, and the id that names it.

A job is what is simulated: the validated scenario (plant, spec, horizon, seed, segment length, registry
overrides) with the code and the parameter registry that simulate it (:mod:`twin.fingerprint`). Two scenarios
with the same *canonical content* give the same report, so they are one job; their names are aliases.

Canonical content is the scenario as validated JSON with what cannot change a run left out (:data:`INERT_RULES`).
Each rule holds because of how the twin reads the scenario, and each has a test that changes the field it drops
and gets a byte-identical report (tests/test_batch_identity.py) — a rule that stopped holding would fail there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twin import fingerprint
from twin.scenario import Scenario

JOB_ID_SCHEME = "foiltwin job v2"


@dataclass(frozen=True)
class InertRule:
    """A part of a scenario that the twin does not read in some configuration, and why."""

    name: str
    why: str
    drop: Callable[[dict[str, Any]], None]  # removes the inert part from the scenario's JSON dump, in place


def _drop_name(d: dict[str, Any]) -> None:
    d.pop("name", None)


def _drop_disabled_furnaces(d: dict[str, Any]) -> None:
    plant = d["plant"]
    plant["furnaces"] = [f for f in plant["furnaces"] if f["settings"]["enabled"]]
    if not plant["furnaces"]:
        plant.pop("annealed_store", None)


def _drop_repair_without_failure(d: dict[str, Any]) -> None:
    for unit in (*d["plant"]["lines"], *d["plant"]["furnaces"]):
        for e in unit.get("equipment", ()):
            if e.get("time_to_failure") is None:
                e.pop("time_to_repair", None)


def _drop_gain_without_control(d: dict[str, Any]) -> None:
    for line in d["plant"]["lines"]:
        control = line.get("control")
        if control is not None and not control["enabled"]:
            control.pop("gain_frac", None)


INERT_RULES: tuple[InertRule, ...] = (
    InertRule("scenario name", "a label: the twin never reads it (the report echoes it as `scenario`)", _drop_name),
    InertRule("disabled coil furnaces and the annealed store",
              "a furnace with settings.enabled = false is not built (twin.simulate._build), and without an enabled "
              "furnace the UHT lines draw from the coil store: the annealed store is not built either",
              _drop_disabled_furnaces),
    InertRule("time to repair of equipment that never fails",
              "a repair time is drawn only after a failure (twin.time_models.FailureClock)",
              _drop_repair_without_failure),
    InertRule("controller gain of a UHT line with control off",
              "gain_frac is read only when control.enabled (twin.heaters); the interval still paces the sensors",
              _drop_gain_without_control),
)


def canonical_content(scenario: Scenario) -> dict[str, Any]:
    """The scenario's validated JSON without the parts :data:`INERT_RULES` drop."""
    d = scenario.model_dump(mode="json")
    for rule in INERT_RULES:
        rule.drop(d)
    return d


def content_text(scenario: Scenario) -> str:
    """Canonical content as compact JSON with sorted keys (the text a job id hashes)."""
    return json.dumps(canonical_content(scenario), sort_keys=True, separators=(",", ":"))


def job_id(content: str) -> str:
    """The id of the job that simulates ``content`` with this process's code and parameter registry."""
    key = f"{JOB_ID_SCHEME}\n{fingerprint.code_fingerprint()}\n{fingerprint.parameters_fingerprint()}\n{content}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]
