"""Exact binary copies of the packaged numeric tables (process_models.uht.binary_tables) and the one-pass grid
layout of the (T, x) tables (issue 15: a cold recipe without parsing the CSVs; the same numbers)."""

from __future__ import annotations

import shutil
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from process_models.uht import binary_tables
from process_models.uht import phase_diagram as pd_module
from process_models.uht.binary_tables import BINARY_DIR, TABLES, csv_sha256, write_binary_copies
from process_models.uht.phase_diagram import grid_layout, grid_values, read_numeric_table, table_columns

_DATA = Path(str(resources.files("process_models") / "data"))


def _columns(name: str) -> list[str]:
    return table_columns((_DATA / name).read_text(encoding="utf-8"))


@pytest.mark.unit
@pytest.mark.parametrize("name", TABLES)
def test_each_packaged_copy_is_its_csv_bit_for_bit_and_current(name: str) -> None:
    """Fails when a CSV is retabulated without refreshing its copy (`python -m process_models.uht.binary_tables`)."""
    manifest = binary_tables._manifest(resources.files("process_models") / "data")
    assert manifest[name]["csv_sha256"] == csv_sha256((_DATA / name).read_text(encoding="utf-8"))
    parsed = read_numeric_table(name, _columns(name), use_copy=False)
    copy = np.load(_DATA / BINARY_DIR / f"{name}.npy", allow_pickle=False)
    assert copy.dtype == np.float64 and copy.shape == parsed.shape
    assert copy.tobytes() == parsed.tobytes()  # nan and -0.0 included


@pytest.mark.unit
@pytest.mark.parametrize("name", TABLES)
def test_packaged_tables_are_read_from_their_copies_without_parsing(name: str, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a packaged table with a current binary copy was parsed")

    monkeypatch.setattr(pd_module, "parse_plain_rows", refuse)
    monkeypatch.setattr(np, "loadtxt", refuse)
    rows = read_numeric_table(name, _columns(name))
    assert rows.shape == tuple(binary_tables._manifest(resources.files("process_models") / "data")[name]["shape"])


def _scratch_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(_DATA / TABLES[0], data / TABLES[0])
    write_binary_copies(data, (TABLES[0],))
    return data


@pytest.mark.unit
def test_a_copy_of_another_csv_version_is_not_used(tmp_path: Path) -> None:
    data = _scratch_data(tmp_path)
    name, columns = TABLES[0], _columns(TABLES[0])
    text = (data / name).read_text(encoding="utf-8")
    lines = text.splitlines()
    last = lines[-1].split(",")
    lines[-1] = ",".join([*last[:-1], "0.123"])  # retabulated: one value changed, the copy not refreshed
    (data / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="binary copy was made from another version of the CSV"):
        rows = read_numeric_table(name, columns, data_dir=data)
    assert rows[-1, -1] == 0.123
    assert rows.tobytes() == read_numeric_table(name, columns, data_dir=data, use_copy=False).tobytes()
    write_binary_copies(data, (name,))  # refreshed: used again, silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_numeric_table(name, columns, data_dir=data)[-1, -1] == 0.123


@pytest.mark.unit
def test_windows_line_ends_keep_the_copy(tmp_path: Path, monkeypatch) -> None:
    data = _scratch_data(tmp_path)
    name = TABLES[0]
    (data / name).write_bytes((data / name).read_bytes().replace(b"\n", b"\r\n"))
    monkeypatch.setattr(pd_module, "parse_plain_rows", lambda *a, **k: pytest.fail("parsed"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = read_numeric_table(name, _columns(name), data_dir=data)
    assert rows.tobytes() == np.load(data / BINARY_DIR / f"{name}.npy").tobytes()


@pytest.mark.unit
def test_a_copy_of_the_wrong_shape_is_not_used(tmp_path: Path) -> None:
    data = _scratch_data(tmp_path)
    name = TABLES[0]
    np.save(data / BINARY_DIR / f"{name}.npy", np.zeros((3, 3)))
    with pytest.warns(UserWarning, match="not the listed"):
        rows = read_numeric_table(name, _columns(name), data_dir=data)
    assert rows.tobytes() == read_numeric_table(name, _columns(name), data_dir=data, use_copy=False).tobytes()


def _reference_layout(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    T, x = np.unique(data[:, 0]), np.unique(data[:, 1])
    return T, x, data[np.lexsort((data[:, 1], data[:, 0])), 2].reshape(len(T), len(x))


@pytest.mark.unit
@pytest.mark.parametrize("shuffle", [False, True])
def test_the_grid_layout_is_what_unique_and_lexsort_give(shuffle: bool) -> None:
    data = read_numeric_table(TABLES[0], _columns(TABLES[0]))
    if shuffle:
        data = data[np.random.default_rng(3).permutation(len(data))]
    T, x, order = grid_layout(data, "t")
    assert (order is None) is (not shuffle)  # the tables as written take the one-pass branch
    T_ref, x_ref, values_ref = _reference_layout(data)
    values = grid_values(data, 2, (len(T), len(x)), order)
    assert T.tobytes() == T_ref.tobytes() and x.tobytes() == x_ref.tobytes()
    assert values.tobytes() == values_ref.tobytes() and values.flags.c_contiguous


@pytest.mark.unit
@pytest.mark.parametrize("rows", [
    [[500, 0.1, 1], [500, 0.2, 2], [510, 0.1, 3]],  # a missing point
    [[500, 0.1, 1], [500, 0.2, 2], [510, 0.1, 3], [510, 0.3, 4]],  # another x at the second T
    [[500, 0.1, 1], [500, 0.1, 2], [510, 0.1, 3], [510, 0.1, 4]],  # a duplicated point
])
def test_a_table_that_is_not_a_full_grid_is_refused(rows: list[list[float]]) -> None:
    with pytest.raises(ValueError, match="t: not a full T x x grid"):
        grid_layout(np.array(rows, dtype=float), "t")


@pytest.mark.unit
def test_a_sorted_but_uneven_table_takes_the_sorting_branch() -> None:
    data = np.array([[500, 0.1, 1], [500, 0.2, 2], [510, 0.2, 3], [510, 0.1, 4]], dtype=float)
    T, x, order = grid_layout(data, "t")
    assert order is not None and T.tolist() == [500, 510] and x.tolist() == [0.1, 0.2]
    assert grid_values(data, 2, (2, 2), order).tolist() == [[1, 2], [4, 3]]


@pytest.mark.unit
@pytest.mark.parametrize("damage", ["truncated copy", "copy not an npy", "copy missing", "manifest not json"])
def test_a_damaged_copy_or_manifest_falls_back_to_the_csv(tmp_path: Path, damage: str) -> None:
    """A half-written or damaged install never stops a run: the CSV, the cited source, is parsed instead."""
    data = _scratch_data(tmp_path)
    name = TABLES[0]
    copy = data / BINARY_DIR / f"{name}.npy"
    if damage == "truncated copy":
        copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])
    elif damage == "copy not an npy":
        copy.write_bytes(b"not an array")
    elif damage == "copy missing":
        copy.unlink()
    else:
        (data / BINARY_DIR / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.warns(UserWarning, match="cannot be read|unreadable"):
        rows = read_numeric_table(name, _columns(name), data_dir=data)
    assert rows.tobytes() == read_numeric_table(name, _columns(name), data_dir=data, use_copy=False).tobytes()
