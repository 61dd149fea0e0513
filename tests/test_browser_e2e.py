"""The dashboard in a real browser: ``foiltwin ui`` on a free localhost port, driven by playwright through the
system's Chromium (``/usr/bin/chromium``, Debian's package; ``.ci/run`` installs it — no browser download).

One walk a new process engineer would take: a what-if, an optimisation followed by "Use as what-if", and a batch
results database. Screenshots of each step go to ``test-artifacts/browser-e2e/`` (``$FOILTWIN_TEST_ARTIFACTS``
overrides the folder). Without Chromium or playwright the test is skipped locally, and fails under ``CI=1``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FOILTWIN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_MS = 90_000  # one simulation or optimisation on a loaded 2-core machine


def _require_browser():
    """playwright's sync API, or a skip naming what is missing (a failure under CI=1: CI must run this test)."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("the playwright package (pip install -e '.[dev]')")
    if not CHROMIUM.is_file():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if missing:
        why = "browser end-to-end test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(why + " — CI must run it (.ci/run installs Chromium)")
        pytest.skip(why)
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _artifacts() -> Path:
    d = Path(os.environ.get("FOILTWIN_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "browser-e2e"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A data folder with one tiny batch's results database (two UHT-only plants, 1 h each)."""
    from twin.batch import BatchSpec, NamedScenario, run_batch

    folder = tmp_path_factory.mktemp("e2e-data")
    spec = BatchSpec(name="e2e", hours=1.0, scenarios=(
        NamedScenario(name="narrow", set=("plant.lines=[{type = 'uht'}]",)),
        NamedScenario(name="wide", set=("plant.lines=[{type = 'uht'}]", "plant.incoming_coils.width_m=1.0")),
    ))
    run_batch(spec, folder / "e2e.duckdb")
    return folder


@pytest.fixture(scope="module")
def server(data_dir, tmp_path_factory):
    """``foiltwin ui`` on a free port of 127.0.0.1; its URL once the health check answers."""
    port = _free_port()
    cwd = tmp_path_factory.mktemp("e2e-cwd")
    log = (cwd / "ui.log").open("wb")
    cmd = [sys.executable, "-c", "from foiltwin.cli import main; main()", "ui", "--port", str(port),
           "--data-dir", str(data_dir)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > end:
                log.flush()
                pytest.fail(f"foiltwin ui did not start: {(cwd / 'ui.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the CLI and the Streamlit server it started (its own group)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


_STATE = "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"


def _idle(page) -> None:
    """Wait until the app's script run is over (Streamlit's ``data-test-script-state``)."""
    page.wait_for_function(f"() => {_STATE} === 'notRunning'", timeout=STEP_TIMEOUT_MS)


def _act(page, action) -> None:
    """Do ``action`` (a click, an Enter) and wait for the script run it starts to finish."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    action()
    with contextlib.suppress(PlaywrightTimeout):  # the run starts a few ms after the event reaches the server;
        page.wait_for_function(f"() => {_STATE} !== 'notRunning'", timeout=3_000, polling=20)  # or is over
    _idle(page)


def _metric(page, label: str) -> str:
    """The value text of the metric labelled ``label`` (the first one that is visible)."""
    m = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=re.compile(f"^{re.escape(label)}$")))
    m.first.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    return m.first.locator("[data-testid='stMetricValue']").inner_text()


def _set_number(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True).first  # the UHT line's comes before the plating line's
    box.fill(value)
    _act(page, lambda: box.press("Enter"))


@pytest.mark.integration
def test_whatif_optimise_use_as_whatif_and_a_batch_database_in_chromium(server, tmp_path):
    sync_playwright = _require_browser()
    shots = _artifacts()
    t0 = time.monotonic()

    def shot(name: str) -> None:  # a screenshot, and the time since the start beside it (timings.txt)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        with (shots / "timings.txt").open("a") as f:
            f.write(f"{name}\t{time.monotonic() - t0:.1f} s\n")

    (shots / "timings.txt").unlink(missing_ok=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(server, timeout=STEP_TIMEOUT_MS)
            page.get_by_text("foiltwin — what-if").wait_for(timeout=STEP_TIMEOUT_MS)
            _idle(page)
            shot("0-start")
            run = page.get_by_role("button", name="Run baseline and what-if")

            # a what-if: 1 h at 1.2 m/min against the baseline's 1 m/min, two pairs of runs
            _set_number(page, "horizon [h]", "1")
            _set_number(page, "replications (pairs of runs)", "2")
            _set_number(page, "web speed [m/min]", "1.2")
            _act(page, run.click)
            produced = _metric(page, "metres produced [m]")
            shot("1-whatif")
            assert float(produced.replace(",", "")) > 0.0
            assert page.get_by_text("Baseline vs what-if (1 h, 2 replications, seeds 1–2)").count() == 1
            assert not page.locator("[data-testid='stException']").count()

            # an optimisation without the twin check, then its settings as the what-if
            page.get_by_role("tab", name="Optimise").click()  # tabs switch in the browser: no rerun
            page.get_by_text("check in the twin").click()  # inside a form: no rerun
            _act(page, page.get_by_role("button", name="Optimise").click)
            assert page.get_by_text(re.compile(r"^optimal")).count() == 1
            shot("2-optimise")
            _act(page, page.get_by_role("button", name="Use as what-if").click)
            assert page.get_by_text("set from the optimiser's recommendation").count() == 1
            page.get_by_role("tab", name="Plant what-if").click()
            _act(page, run.click)
            cost = _metric(page, "cost [USD/m²]")
            shot("3-optimum-as-whatif")
            assert re.fullmatch(r"[0-9.,]+", cost), cost
            assert page.get_by_text(re.compile(r"Cost of the optimiser's settings: optimiser [0-9.]+ USD/m²")).count()
            assert not page.locator("[data-testid='stException']").count()

            # the batch results database of the data folder
            page.get_by_role("tab", name="Batches").click()
            assert _metric(page, "ok") == "2"
            assert _metric(page, "failed") == "0"
            assert page.get_by_text("compare scenarios", exact=True).count() == 1
            shot("4-batches")
            assert not page.locator("[data-testid='stException']").count()
        finally:
            context.close()
