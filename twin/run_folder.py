"""A run folder (``foiltwin simulate --out DIR``): written as a whole, so a reader never sees two runs mixed.

Layout of DIR: ``report.json``, ``report.html``, the Parquet logs of the run (``segments``, ``plating_segments``,
``states``, ``sensors``, ``bath`` — those the plant produced) and ``manifest.json``, written last, listing every
other file with its size and SHA-256.

How it is written: the run goes into a fresh hidden folder beside DIR (``.DIR.part-<pid>-<random>``, same file
system); when every file is complete and fsynced, the manifest is written and the folder takes DIR's place —
by one atomic exchange of the two directories where the OS offers it (Linux ``renameat2(RENAME_EXCHANGE)``), else
by two renames (DIR aside, the new folder in; a kill between them leaves no DIR and both runs in hidden folders,
never a mix). The previous run is then deleted. A kill at any moment leaves DIR as the previous run, or the new
one, or (only in the two-rename fallback) absent; the partial folder left behind is removed by the next run into
DIR. DIR may be new, empty, or an earlier run's folder; a folder holding anything else is refused (a run never
deletes files it did not write). :func:`verify_run_folder` checks a folder against its manifest.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from process_models.errors import FoiltwinInputError, FoiltwinPathError
from twin.files import output_error

MANIFEST = "manifest.json"
LOG_FILES = ("segments.parquet", "plating_segments.parquet", "states.parquet", "sensors.parquet", "bath.parquet")
RUN_FILES = frozenset({"report.json", "report.html", *LOG_FILES, MANIFEST})
_PART, _OLD = "part", "old"


def _partials(target: Path) -> list[tuple[Path, int]]:
    """Hidden folders of earlier, unfinished writes into ``target`` and the process id that made each."""
    out = []
    with contextlib.suppress(OSError):
        for p in target.parent.iterdir():
            for kind in (_PART, _OLD):
                head = f".{target.name}.{kind}-"
                if p.name.startswith(head):
                    pid = p.name[len(head):].split("-", 1)[0]
                    if pid.isdigit():
                        out.append((p, int(pid)))
    return out


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours
        return True
    return True


def check_run_folder(field: str, target: str | os.PathLike) -> Path:
    """``target`` as a Path if a run can be written there: its parent folder exists, and it is new, an empty
    folder or an earlier run's folder (only run files in it). Else :class:`FoiltwinInputError` naming ``field``."""
    try:
        path = Path(target)
        if str(target) == "":
            raise FoiltwinPathError(field, str(target), "a folder path")
        parent = path.absolute().parent
        if not parent.is_dir():
            why = "is not a folder" if parent.exists() else "does not exist"
            raise FoiltwinPathError(field, str(target), f"a folder inside an existing folder ({parent} {why})")
        if path.exists() and not path.is_dir():
            raise FoiltwinPathError(field, str(target), "a folder (this is a file)")
        if path.is_dir():
            others = sorted(p.name for p in path.iterdir() if p.name not in RUN_FILES)
            if others:
                shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
                raise FoiltwinPathError(field, str(target), "a new folder, an empty one or an earlier run's "
                                         f"(a run replaces it whole; this one holds other files: {shown})")
    except FoiltwinInputError:
        raise
    except (ValueError, OSError) as exc:  # NUL byte, name too long, no permission to list
        raise FoiltwinPathError(field, str(target), f"a usable folder path ({exc})") from None
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync(path: Path, directory: bool = False) -> None:
    """Flush a file (or a folder's entries) to the disk; folders that cannot be opened are skipped."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if directory:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def write_manifest(folder: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fsync every file of ``folder`` and write ``manifest.json`` (last) listing them with size and SHA-256."""
    files = {}
    for p in sorted(folder.iterdir()):
        if p.name == MANIFEST or not p.is_file():
            continue
        _fsync(p)
        files[p.name] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
    manifest = {"format": "foiltwin run folder 1", **(extra or {}), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _fsync(folder / MANIFEST)
    _fsync(folder, directory=True)
    return manifest


def verify_run_folder(folder: str | os.PathLike) -> list[str]:
    """What is wrong with a run folder (empty list: whole): no manifest, a listed file missing or changed, a
    file not listed."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"no readable manifest ({type(exc).__name__})"]
    problems = []
    for name, meta in sorted(listed.items()):
        p = folder / name
        if not p.is_file():
            problems.append(f"{name}: listed, missing")
        elif p.stat().st_size != meta["bytes"] or _sha256(p) != meta["sha256"]:
            problems.append(f"{name}: differs from the manifest")
    for p in sorted(folder.iterdir()):
        if p.name != MANIFEST and p.name not in listed:
            problems.append(f"{p.name}: not in the manifest")
    return problems


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where not offered."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fresh_folder(target: Path, kind: str) -> Path:
    """A new hidden folder beside ``target`` (same file system), with the permissions a plain mkdir gives."""
    for _ in range(100):
        p = target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            p.mkdir()
        except FileExistsError:
            continue
        return p
    raise FileExistsError(errno.EEXIST, "no free name for a temporary folder", str(target))


def _put_in_place(new: Path, target: Path) -> None:
    """Move the finished folder ``new`` onto ``target`` (see the module docstring) and delete the previous run."""
    if not target.exists():
        os.rename(new, target)
        _fsync(target.parent, directory=True)
        return
    if _exchange(new, target):  # ``new`` now holds the previous run
        _fsync(target.parent, directory=True)
        shutil.rmtree(new, ignore_errors=True)
        return
    old = _fresh_folder(target, _OLD)
    os.rename(target, old / "run")
    os.rename(new, target)
    _fsync(target.parent, directory=True)
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class Stage:
    """The folder a run is written into (``path``) and what its manifest says besides the files."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def staged_run_folder(target: str | os.PathLike, field: str = "--out") -> Iterator[Stage]:
    """Yield a fresh folder to write a run into; on success its manifest is written and it replaces ``target``
    as a whole. On any error the partial folder is removed and ``target`` is left as it was; OS errors (a full
    disk, no permission) become :class:`FoiltwinInputError` naming ``field``."""
    typed = str(target)  # errors show the path as the user gave it
    target = check_run_folder(field, target).absolute()
    for p, pid in _partials(target):  # left by a run that was killed
        if not _alive(pid):
            shutil.rmtree(p, ignore_errors=True)
    try:
        tmp = _fresh_folder(target, _PART)
    except OSError as exc:
        raise output_error(field, typed, exc, "folder") from None
    stage = Stage(tmp)
    try:
        yield stage
        write_manifest(tmp, stage.manifest)
        check_run_folder(field, target)  # still new, empty or a run (nothing else was put there meanwhile)
        _put_in_place(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise output_error(field, typed, exc, "folder") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_run(scenario: Any, target: str | os.PathLike, field: str = "--out", progress: Any = None
              ) -> dict[str, Any]:
    """Simulate ``scenario`` and write its run folder at ``target`` as a whole; return the report. ``progress``: a
    :class:`twin.progress.ProgressCallback` for the simulated hours."""
    from twin.fingerprint import fingerprints
    from twin.plots import write_html_report
    from twin.simulate import run_single

    with staged_run_folder(target, field) as stage:
        report = run_single(scenario, out_dir=stage.path, progress=progress)
        (stage.path / "report.json").write_text(json.dumps(report, indent=2, default=float) + "\n",
                                                encoding="utf-8")
        write_html_report(report, stage.path, currency=scenario.currency)
        stage.manifest.update(scenario=report["scenario"], seed=report["seed"],
                              hours_simulated=report["hours_simulated"], made_by=fingerprints())
    return report
