"""scripts/calibrate_uht.py gives the same numbers on a re-run: before 2026-12-04 it started its fit from the
registry, i.e. from the values the previous run had written to fitted_uht.json, so every re-run was a warm start
from the last and η moved in its 9th digit (I_ref in its 8th)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from process_models.parameters import default_parameters

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "calibrate_uht.py"


def load_script():
    spec = importlib.util.spec_from_file_location("calibrate_uht_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.integration
def test_a_rerun_from_its_own_output_writes_the_same_fit(tmp_path, monkeypatch, capsys):
    """Run the calibration (≈ 4 s) into a scratch file, then again with the registry holding what the first run
    wrote (as a re-run sees it): the second run writes the same file. The tracked fitted_uht.json is not touched."""
    script = load_script()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    monkeypatch.setattr(script, "OUT", first)
    script.main()
    written = {name: rec["value"] for name, rec in json.loads(first.read_text())["parameters"].items()}
    assert set(written) == set(script.FREE_PARAMETERS)
    stored = default_parameters().with_overrides(written, kind="fitted")
    monkeypatch.setattr(script, "default_parameters", lambda: stored)
    monkeypatch.setattr(script, "OUT", second)
    script.main()
    capsys.readouterr()
    assert second.read_text() == first.read_text()
