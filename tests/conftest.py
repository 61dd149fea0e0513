"""Test-suite rules: every test carries exactly one of the markers unit, component or integration."""

from __future__ import annotations

import pytest

from process_models import citations

_LEVELS = ("unit", "component", "integration")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        levels = [m.name for m in item.iter_markers() if m.name in _LEVELS]
        if len(levels) != 1:
            raise pytest.UsageError(
                f"{item.nodeid} must carry exactly one of the markers {_LEVELS}, found {levels or 'none'}"
            )


@pytest.fixture(autouse=True)
def _fresh_citations():
    """Each test starts with an empty citation record."""
    citations.reset()
    yield
    citations.reset()


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the `foiltwin` console entry point in this process (no interpreter start-up per call): returns
    (exit code, stdout, stderr) as a user sees them."""
    import sys

    from foiltwin.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["foiltwin", *args])
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
