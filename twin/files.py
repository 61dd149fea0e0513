"""Writing output files so that a reader never sees half of one, and I/O failures are user errors.

Every output (JSON reports, Parquet logs, HTML reports, exports) is written to a temporary file in the target's
own folder and renamed into place (``os.replace`` is atomic on POSIX within one file system). A kill or a full disk
leaves the previous file, or none, never a truncated one. Operating-system errors that a user causes (a missing
folder, no permission, a directory where a file should go, a full disk) become :class:`FoiltwinInputError`
naming the option and the path, so the CLI prints one line and exits 2.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from process_models.errors import FoiltwinInputError, FoiltwinPathError

_REASONS = {
    errno.ENOENT: "its folder does not exist",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ENAMETOOLONG: "the name is too long",
}
_FOLDER_REFUSED = (errno.ENOENT, errno.EACCES, errno.EPERM, errno.EROFS)  # creating a file in the folder failed


def _reason(path: Path, exc: OSError) -> str:
    """What is wrong with writing ``path``: its folder missing, there but not writable (``/proc`` answers a new
    file with ENOENT, a folder without permission with EACCES), the path a directory, a full disk, ..."""
    reason = _REASONS.get(exc.errno or -1, exc.strerror or type(exc).__name__)
    if exc.errno in _FOLDER_REFUSED:
        parent = path.parent
        folder = "the current folder" if str(parent) == "." else f"its folder {parent}"
        with contextlib.suppress(OSError, ValueError):
            if not parent.exists():
                return f"{folder} does not exist"
            if parent.is_dir():  # there, so the OS refused the new file
                return f"{folder} is not writable" + ("" if exc.errno == errno.ENOENT else f": {reason}")
    return reason


def output_error(field: str, path: str | os.PathLike, exc: OSError, kind: str = "file") -> FoiltwinInputError:
    """The user-facing error for an OSError met while writing ``path`` (option ``field``; ``kind``: "file" or
    "folder", what the option names). The path is shown as given (a str, never a Path's repr)."""
    return FoiltwinPathError(field, str(path), f"a writable {kind} path ({_reason(Path(path), exc)})")


def check_output_path(field: str, target: str | os.PathLike, probe: bool = True) -> Path:
    """``target`` as a Path if a file can be written there: not a directory, in an existing folder that takes new
    files (``probe``: tried by :func:`_probe_folder`), a name the OS takes (no NUL byte); else a
    :class:`FoiltwinInputError` naming ``field`` (the option) and the path as given, with what is wrong."""
    try:
        path = Path(target)
        if str(target) == "" or path.is_dir():
            raise FoiltwinPathError(field, str(target), "a file path, not a directory")
        parent = path.parent
        if not parent.is_dir():
            why = "is not a folder" if parent.exists() else "does not exist"
            raise FoiltwinPathError(field, str(target), f"a path in an existing folder ({parent} {why})")
        if probe:
            _probe_folder(field, target, path)
    except (ValueError, OSError) as exc:  # an embedded NUL byte, a name too long for the OS
        if isinstance(exc, FoiltwinInputError):
            raise
        raise FoiltwinPathError(field, str(target), f"a valid file path ({exc})") from None
    return path


def _probe_folder(field: str, target: str | os.PathLike, path: Path) -> None:
    """Create and remove a temporary file where :func:`atomic_path` will put its own: the one test of "writable"
    that holds for root as well (``os.access`` says yes to root, and ``/proc`` still refuses new files)."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise output_error(field, target, exc) from None
    os.close(fd)
    os.unlink(tmp_name)


def _check_target(field: str, target: Path) -> None:
    check_output_path(field, target, probe=False)  # the temporary file made next is the probe


@functools.cache
def _file_mode() -> int:
    """The mode a plain ``open(..., "w")`` would give a new file: 0o666 less the process's umask (``mkstemp``
    makes 0o600 files, which would hide outputs from the user's group)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, field: str = "output", suffix: str = "",
                mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is fsynced, given ``mode`` (default: what a plain
    ``open`` would give, :func:`_file_mode`) and renamed onto ``target``.

    On any exception the temporary file is removed and ``target`` is left as it was. OSErrors become
    :class:`FoiltwinInputError` naming ``field`` and the path.
    """
    target = Path(target)
    _check_target(field, target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".part", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(field, target, exc) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, _file_mode() if mode is None else mode)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(field, target, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened for fsync
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomic(target: str | os.PathLike, text: str, field: str = "output") -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target, field) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: str | os.PathLike, data: bytes, field: str = "output") -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target, field) as tmp:
        tmp.write_bytes(data)


def write_with_atomic(target: str | os.PathLike, writer: Callable[[Path], None], field: str = "output") -> None:
    """Call ``writer(tmp_path)`` (e.g. a Parquet or HTML writer that takes a path) and move the result onto
    ``target`` atomically."""
    with atomic_path(target, field, suffix=Path(target).suffix) as tmp:
        writer(tmp)

