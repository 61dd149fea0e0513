"""The exact fast reader of the packaged numeric tables (process_models.uht.plain_csv) and its use by
read_numeric_table and the phase diagram's field table (issue 15: cold-recipe speed, the same numbers)."""

from __future__ import annotations

import io
import random
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from process_models.uht import phase_diagram
from process_models.uht.fcc_bcc import FCC_BCC_CSV
from process_models.uht.phase_diagram import ACTIVITY_CSV, read_numeric_table
from process_models.uht.plain_csv import parse_plain_rows

_TABLES = {
    ACTIVITY_CSV: ["temperature_K", "x_zn", "a_zn"],
    FCC_BCC_CSV: ["temperature_K", "x_zn", "dg_fcc_bcc_J_per_mol", "dg_fcc_bcc_disordered_J_per_mol",
                  "b2_order_frac"],
}


def _loadtxt_reference(name: str) -> np.ndarray:
    text = (resources.files("process_models") / "data" / name).read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#"))
    return np.loadtxt(io.StringIO(text), delimiter=",", comments="#", skiprows=at + 1, ndmin=2)


def _tokens(seed: int, n: int) -> list[str]:
    """Decimals in every form the fast path accepts: signs, points at any place, exponents of 1-3 digits."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 15)))
        cut = rng.randint(0, len(digits))
        text = rng.choice([digits, digits[:cut] + "." + digits[cut:]])
        text = rng.choice(["", "-", "+"]) + text
        if rng.random() < 0.5:
            text += rng.choice("eE") + rng.choice(["", "-", "+"]) + str(rng.randint(0, 7)).zfill(rng.randint(1, 2))
        out.append(text)
    return out


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(_TABLES))
def test_packaged_tables_are_read_bit_identically_without_loadtxt(name: str, monkeypatch) -> None:
    reference = _loadtxt_reference(name)

    def refuse(*args, **kwargs):
        raise AssertionError("numpy.loadtxt called for a plain packaged table")

    monkeypatch.setattr(np, "loadtxt", refuse)
    rows = read_numeric_table(name, _TABLES[name], use_copy=False)  # the parser (the binary copy: test_binary_tables)
    assert rows.shape == reference.shape
    assert rows.tobytes() == reference.tobytes()


@pytest.mark.unit
def test_plain_rows_are_the_doubles_strtod_gives() -> None:
    tokens = [*_tokens(15, 6000), "0", "-0", "+0.0", ".5", "5.", "-.25e+2", "999999999999999", "1e22", "1e-22",
              "0.1", "0.3", "2.22507385850720e-8", "900719925474099e-5", "1.79769313486231"]
    tokens += ["0"] * (-len(tokens) % 3)
    body = "\n".join(",".join(tokens[i:i + 3]) for i in range(0, len(tokens), 3)) + "\n"
    rows = parse_plain_rows(body.encode(), 3)
    assert rows is not None and rows.shape == (len(tokens) // 3, 3)
    assert rows.ravel().tobytes() == np.array([float(t) for t in tokens]).tobytes()  # -0.0 stays -0.0


@pytest.mark.unit
@pytest.mark.parametrize("body", [
    b"", b"1", b"\n", b"1,2\n3\n", b"1,2,3\n", b"1\n\n2\n", b"1 \n", b"nan\n", b"-\n", b".\n", b"1..2\n", b"1e\n",
    b"e5\n", b"1-2\n", b"--1\n", b"1e5.0\n", b"1e2e3\n", b"1e+-1\n", b"1e1234\n", b"1e-23\n", b"1234567890123456\n",
    b"# c\n1\n", b"0x10\n",
])
def test_anything_not_plain_is_left_to_the_usual_parser(body: bytes) -> None:
    n_columns = 2 if body.startswith(b"1,2") else 1
    assert parse_plain_rows(body, n_columns) is None


def _with_table(monkeypatch, tmp_path: Path, text: str) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text(text, encoding="utf-8")

    class _Files:
        @staticmethod
        def files(package: str) -> Path:
            return tmp_path

    monkeypatch.setattr(phase_diagram, "resources", _Files)


@pytest.mark.unit
def test_a_malformed_table_is_refused_with_a_message(monkeypatch, tmp_path: Path) -> None:
    _with_table(monkeypatch, tmp_path, "a,b\n1,2,3\n4,5,6\n")  # rows wider than the header: refused (new)
    with pytest.raises(ValueError, match=r"t\.csv: rows of 3 values under a header of 2 columns"):
        read_numeric_table("t.csv", ["a", "b"])
    (tmp_path / "data" / "t.csv").write_text("# c\na,b\n1,2\n3,abc\n", encoding="utf-8")
    with pytest.raises(ValueError, match="could not convert string 'abc'"):  # numpy's message, as before
        read_numeric_table("t.csv", ["a", "b"])


@pytest.mark.unit
def test_windows_line_ends_take_the_fast_path_and_comments_the_usual_one(monkeypatch, tmp_path: Path) -> None:
    calls = []
    loadtxt = np.loadtxt
    monkeypatch.setattr(np, "loadtxt", lambda *a, **k: calls.append(1) or loadtxt(*a, **k))
    _with_table(monkeypatch, tmp_path, "# c\r\na,b\r\n1.5,-2e-3\r\n3,4\r\n")
    assert read_numeric_table("t.csv", ["a", "b"]).tolist() == [[1.5, -2e-3], [3.0, 4.0]]
    assert calls == []
    (tmp_path / "data" / "t.csv").write_text("# c\na,b\n1.5,-2e-3\n# mid\n3,4\n", encoding="utf-8")
    assert read_numeric_table("t.csv", ["a", "b"]).tolist() == [[1.5, -2e-3], [3.0, 4.0]]
    assert calls == [1]


@pytest.mark.unit
def test_the_field_table_orders_pads_and_checks_the_rows() -> None:
    rows = [(510.0, "beta", 0.45, 1.0), (500.0, "beta", 0.4, 1.0), (510.0, "alpha", 0.0, 0.35),
            (500.0, "alpha", 0.0, 0.3), (500.0, "gamma", 0.3, 0.3)]
    T, edges, ids, n = phase_diagram._field_table(rows)
    assert T.tolist() == [500.0, 510.0] and n.tolist() == [3, 2]
    assert edges.tolist() == [[0.0, 0.3, 0.3, 0.3, 0.4, 1.0], [0.0, 0.35, 0.45, 1.0, 2.0, 2.0]]
    assert ids.tolist() == [[0, 2, 1], [0, 1, 0]]
    bad = {
        "unknown phase 'zeta'": [*rows, (500.0, "zeta", 0.0, 1.0)],
        "fields at 510.0 K must start with alpha": [r for r in rows if r[:2] != (510.0, "alpha")],
        "fields at 500.0 K overlap": [(500.0, "alpha", 0.0, 0.5), (500.0, "beta", 0.4, 1.0)],
        "fields at 500.0 K must start with alpha at x=0 and end at x=1": [(500.0, "alpha", 0.0, 0.9)],
    }
    for message, table in bad.items():
        with pytest.raises(ValueError, match=message):
            phase_diagram._field_table(table)
