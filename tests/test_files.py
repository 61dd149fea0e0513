"""Atomic outputs (twin.files): a reader sees the old file or the new one, never a part; I/O errors are user errors."""

from __future__ import annotations

import os

import pytest

from process_models.errors import FoiltwinInputError
from twin.files import write_text_atomic, write_with_atomic

pytestmark = pytest.mark.unit


def test_a_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["r.json"]


def test_a_failing_writer_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "r.parquet"
    target.write_text("old run")

    def writer(path):
        path.write_text("half")
        raise KeyboardInterrupt  # a kill between the first and the last byte

    with pytest.raises(KeyboardInterrupt):
        write_with_atomic(target, writer)
    assert target.read_text() == "old run"
    assert os.listdir(tmp_path) == ["r.parquet"]


@pytest.mark.parametrize("case", ["missing folder", "directory", "read-only folder"])
def test_io_errors_are_user_errors_naming_the_field_and_path(tmp_path, case):
    if case == "missing folder":
        target = tmp_path / "nope" / "r.json"
    elif case == "directory":
        target = tmp_path
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "r.json"
    with pytest.raises(FoiltwinInputError) as err:
        write_text_atomic(target, "x", field="--json")
    assert err.value.field == "--json" and str(target) in str(err.value)


def test_the_reason_says_what_is_wrong_with_the_path(tmp_path):
    """A folder that is missing, one that exists but takes no new files (``/proc``: ENOENT for a new file; a
    folder without permission: EACCES) and a directory each get their own reason; the up-front check tries the
    folder (as root ``os.access`` says yes to everything) and leaves no file behind."""
    import errno

    from twin.files import check_output_path, output_error

    missing = output_error("--json", tmp_path / "nope" / "r.json", OSError(errno.ENOENT, "x"))
    assert f"its folder {tmp_path / 'nope'} does not exist" in str(missing)
    denied = output_error("--json", tmp_path / "r.json", OSError(errno.EACCES, "x"))
    assert f"its folder {tmp_path} is not writable: permission denied" in str(denied)
    assert "the current folder is not writable" in str(output_error("--json", "r.json", OSError(errno.EACCES, "x")))
    assert "PosixPath" not in str(denied)
    with pytest.raises(FoiltwinInputError, match="a file path, not a directory"):
        check_output_path("--json", tmp_path)
    assert check_output_path("--json", tmp_path / "r.json") == tmp_path / "r.json"
    assert os.listdir(tmp_path) == []  # the probe is gone
    if not os.path.isdir("/proc"):
        pytest.skip("no /proc: no folder that refuses root")
    with pytest.raises(FoiltwinInputError) as err:
        check_output_path("--json", "/proc/foiltwin.json")
    assert "its folder /proc is not writable" in str(err.value) and "does not exist" not in str(err.value)
    with pytest.raises(FoiltwinInputError) as err:
        write_text_atomic("/proc/foiltwin.json", "x", field="--json")
    assert "its folder /proc is not writable" in str(err.value)


# ------------------------------------------------------------------------------------------- input files
def _refusal(tmp_path, data: bytes):
    from twin.input_files import read_toml_file

    path = tmp_path / "in.toml"
    path.write_bytes(data)
    with pytest.raises(FoiltwinInputError) as err:
        read_toml_file(path, "scenario")
    assert err.value.field == "scenario"
    return str(err.value)


def test_input_files_refuse_deep_nesting_without_a_recursion_error(tmp_path):
    assert "nested" in _refusal(tmp_path, b"a = " + b"[" * 5000 + b"]" * 5000)
    assert "nested" in _refusal(tmp_path, b"a = " + b"[" * 20 + b"1" + b"]" * 20)


def test_input_files_refuse_non_utf8_oversize_and_bad_toml(tmp_path):
    assert "UTF-8" in _refusal(tmp_path, b"name = '\xff\xfe'")
    assert "at most 1 MB" in _refusal(tmp_path, b"# " + b"x" * 2_000_000)
    assert "valid TOML" in _refusal(tmp_path, b"a = = 1")


def test_a_scenario_and_a_batch_spec_go_through_the_same_reader(tmp_path):
    from twin.batch import load_spec
    from twin.scenario import load_scenario

    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff")
    for loader, field in ((load_scenario, "scenario"), (load_spec, "batch spec")):
        with pytest.raises(FoiltwinInputError) as err:
            loader(bad)
        assert err.value.field == field and "UTF-8" in str(err.value)


def test_an_atomic_output_gets_the_mode_a_plain_write_would(tmp_path):
    """mkstemp's 0o600 is not left on the output: the file has 0o666 less the umask, as ``open(..., "w")`` gives."""
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic = tmp_path / "atomic.txt"
    write_text_atomic(atomic, "x")
    assert (atomic.stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777)


def test_a_long_path_is_shown_whole_while_other_long_values_are_cut(tmp_path):
    deep = tmp_path.joinpath(*["a_rather_long_folder_name"] * 6) / "r.json"
    with pytest.raises(FoiltwinInputError) as err:
        write_text_atomic(deep, "x", field="--json")
    assert str(deep) in str(err.value) and "characters)" not in str(err.value).split(" is not allowed")[0]
    cut = FoiltwinInputError("--skin-thickness-nm", "9" * 200, "a number")
    assert "… (202 characters)" in str(cut)
