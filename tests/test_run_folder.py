"""Atomic outputs (issue 11): ``simulate --out DIR`` writes a run as a whole, ``--json`` never leaves a part,
a full disk leaves no partial file, and a kill at any moment leaves DIR as one whole run."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from process_models.errors import FoiltwinInputError
from twin import run_folder
from twin.fingerprint import fingerprints
from twin.run_folder import MANIFEST, verify_run_folder, write_run
from twin.scenario import Scenario, apply_overrides


def _refused(args: tuple[str, ...], needle: str) -> None:
    """``foiltwin ARGS`` in-process (the console entry point) exits 2 with one line holding ``needle``."""
    import contextlib
    import io

    from foiltwin.cli import main

    err, argv = io.StringIO(), sys.argv
    sys.argv = ["foiltwin", *args]
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), \
                pytest.raises(SystemExit) as done:
            main()
    finally:
        sys.argv = argv
    text = err.getvalue()
    assert done.value.code == 2 and len(text.strip().splitlines()) == 1 and needle in text, text


def _scenario(hours: float, seed: int) -> Scenario:
    return apply_overrides(Scenario(), [f"hours={hours}", f"seed={seed}"])


def _one_whole_run(folder: Path) -> dict:
    """Every file of ``folder`` is readable, listed in the manifest with its hash, and of the same run."""
    assert verify_run_folder(folder) == [], verify_run_folder(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    report = json.loads((folder / "report.json").read_text())
    assert (manifest["seed"], manifest["scenario"]) == (report["seed"], report["scenario"])
    assert manifest["made_by"] == fingerprints()  # the code and parameters that made the run
    for name in manifest["files"]:
        if name.endswith(".parquet"):
            pq.read_table(folder / name)
    assert "<html>" in (folder / "report.html").read_text()[:200]
    return report


@pytest.mark.component
def test_a_run_folder_replaces_the_previous_run_as_a_whole(tmp_path):
    out = tmp_path / "run"
    first = write_run(_scenario(0.2, 1), out)
    assert _one_whole_run(out)["seed"] == 1
    (out / "bath.parquet").unlink()  # an older run's file the new run may not write must not survive it
    second = write_run(_scenario(0.3, 2), out)
    assert _one_whole_run(out)["seed"] == 2 and second != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no partial or old folder left


@pytest.mark.component
def test_without_the_atomic_exchange_the_two_rename_fallback_is_whole_too(tmp_path, monkeypatch):
    monkeypatch.setattr(run_folder, "_exchange", lambda a, b: False)
    out = tmp_path / "run"
    write_run(_scenario(0.2, 1), out)
    write_run(_scenario(0.2, 3), out)
    assert _one_whole_run(out)["seed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.component
def test_a_full_disk_during_a_run_leaves_the_previous_run_and_no_partial_folder(tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_run(_scenario(0.2, 1), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("twin.plots.write_html_report", full)
    with pytest.raises(FoiltwinInputError) as err:
        write_run(_scenario(0.2, 2), out)
    assert err.value.field == "--out" and "no space left" in str(err.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.unit
def test_a_full_disk_during_json_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    from foiltwin.options import write_json

    target = tmp_path / "r.json"
    target.write_text('{"old": true}\n')
    real = Path.write_text

    def half_then_full(self, text, *a, **k):
        real(self, text[: len(text) // 2], *a, **k)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_full)
    with pytest.raises(FoiltwinInputError) as err:
        write_json({"new": list(range(1000))}, str(target))
    monkeypatch.undo()
    assert err.value.field == "--json" and "no space left" in str(err.value)
    assert json.loads(target.read_text()) == {"old": True}
    assert os.listdir(tmp_path) == ["r.json"]


@pytest.mark.component
def test_run_single_refuses_to_mix_logs_into_a_used_folder(tmp_path):
    from twin.simulate import run_single

    (tmp_path / "segments.parquet").write_text("an older run")
    with pytest.raises(FoiltwinInputError, match="empty folder"):
        run_single(_scenario(0.05, 1), out_dir=tmp_path)


@pytest.mark.integration
def test_out_to_a_file_or_a_foreign_folder_is_exit_2(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    for target in (tmp_path / "file", tmp_path / "file" / "run", tmp_path / "nope" / "run", tmp_path / "mine"):
        _refused(("simulate", "--hours", "0.05", "--out", str(target)), "--out")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


@pytest.mark.integration
def test_json_at_in_or_unwritable_beside_the_out_folder_is_refused_before_the_run(tmp_path):
    """``--json`` is checked before the run: at the ``--out`` folder or inside it (a foreign file there made the
    next ``--out`` into it refuse the folder), or in a folder that exists but takes no new files (``/proc``), it
    exits 2 naming both paths and the run folder is neither made nor changed (it was written whole first)."""
    new, empty = tmp_path / "new", tmp_path / "empty"
    empty.mkdir()
    for out, target, needle in [(new, new, f"--out run folder {new}"),
                                (empty, empty / "extra.json", f"--out run folder {empty}"),
                                (empty, empty / ".." / "empty" / "r.json", f"--out run folder {empty}")]:
        _refused(("simulate", "--hours", "0.05", "--out", str(out), "--json", str(target)), needle)
    if Path("/proc").is_dir():
        _refused(("simulate", "--hours", "0.05", "--out", str(new), "--json", "/proc/foiltwin.json"),
                 "/proc is not writable")
    assert not new.exists() and list(empty.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


@pytest.mark.integration
def test_kill_at_a_random_moment_leaves_one_whole_run(tmp_path):
    """SIGKILL ``simulate --out`` a few times at random moments (import, simulation, HTML, manifest, swap): the
    folder is always the first whole run or a later whole run, never a mix; the next run cleans the partials."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-c", "from foiltwin.cli import main; main()", "simulate", "--out", str(out)]
    done = subprocess.run([*cmd, "--hours", "1", "--seed", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    t0 = time.perf_counter()
    done = subprocess.run([*cmd, "--hours", "24", "--seed", "2"], capture_output=True, text=True, timeout=300)
    full_s = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr
    rng = random.Random(11)
    seeds = {1, 2}
    for k in range(3):
        seed = 10 + k
        proc = subprocess.Popen([*cmd, "--hours", "24", "--seed", str(seed)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * full_s)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if proc.returncode == 0:  # it finished first
            seeds.add(seed)
        assert _one_whole_run(out)["seed"] in seeds | {seed}
        seeds.add(_one_whole_run(out)["seed"])
    write_run(_scenario(0.1, 99), out)
    assert _one_whole_run(out)["seed"] == 99
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # the killed runs' partial folders are gone
