"""The developer scripts that rewrite tracked files (the fitted parameters, the example plant data, the golden
files) answer --help with their description and refuse unknown options, instead of running: before 2026-12-04
they took no arguments, so `--help` refitted and overwrote those files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["calibrate_uht", "make_example_plant_data", "metastable_alpha_gamma", "regenerate_golden",
           "regenerate_recipe_reference"]
WRITTEN = [ROOT / "process_models" / "parameters", ROOT / "examples", ROOT / "tests" / "golden"]


def _digest() -> str:
    h = hashlib.sha256()
    for folder in WRITTEN:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return h.hexdigest()


@pytest.mark.integration
@pytest.mark.parametrize("script", SCRIPTS)
def test_help_describes_the_script_and_writes_nothing(script: str) -> None:
    before = _digest()
    run = lambda *a: subprocess.run([sys.executable, str(ROOT / "scripts" / f"{script}.py"), *a],  # noqa: E731
                                    capture_output=True, text=True, cwd=ROOT, timeout=120)
    helped = run("--help")
    assert helped.returncode == 0 and helped.stdout.startswith("usage:"), helped.stderr
    refused = run("--no-such-option")
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
    assert _digest() == before
