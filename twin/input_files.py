"""Reading the files users hand in (scenarios, batch specs, uploads): size, encoding, nesting and syntax.

One reader for every TOML input, so the limits are the same at every door: at most :data:`MAX_FILE_BYTES`,
UTF-8, tables nested at most :data:`MAX_NESTING` deep, valid TOML. Each refusal is a
:class:`FoiltwinInputError` naming the file (as ``field``), so the CLI prints one line and exits 2.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from process_models.errors import FoiltwinInputError, FoiltwinPathError

MAX_FILE_BYTES = 1_000_000  # a scenario of a 50-line plant with every field spelt out is ≈ 60 kB
MAX_NESTING = 12  # scenario → plant → lines → [i] → equipment → [j] → time_to_failure → … is 7 deep


def _depth(value: Any, limit: int, level: int = 0) -> int:
    """Nesting depth of parsed TOML data, stopping early once ``limit`` is passed."""
    if level > limit:
        return level
    if isinstance(value, dict):
        return max((_depth(v, limit, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, limit, level + 1) for v in value), default=level + 1)
    return level


def decode_utf8(data: bytes, field: str, name: str, what: str = "UTF-8 text", max_bytes: int = MAX_FILE_BYTES) -> str:
    """``data`` (a file's or an upload's content, named ``name``) as text: at most ``max_bytes``, UTF-8."""
    if len(data) > max_bytes:
        raise FoiltwinInputError(field, name, f"a file of at most {max_bytes / 1e6:g} MB "
                                 f"(this one has {len(data) / 1e6:.1f} MB)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FoiltwinInputError(field, name, f"{what} (byte {err.start} is not UTF-8)") from None


def parse_toml_bytes(data: bytes, field: str, name: str) -> dict[str, Any]:
    """Parse ``data`` as a TOML document; ``field`` and ``name`` (the file or upload) name it in errors."""
    text = decode_utf8(data, field, name)
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise FoiltwinInputError(field, name, f"valid TOML ({err})") from None
    except RecursionError:
        raise FoiltwinInputError(field, name, f"TOML nested at most {MAX_NESTING} levels deep") from None
    if _depth(parsed, MAX_NESTING) > MAX_NESTING:
        raise FoiltwinInputError(field, name, f"TOML nested at most {MAX_NESTING} levels deep")
    return parsed


def read_toml_file(path: str | os.PathLike, field: str) -> dict[str, Any]:
    """Read and parse a TOML file given on the command line (``field`` names the option or argument)."""
    return parse_toml_bytes(read_input_bytes(path, field, "TOML file"), field, str(path))


def read_input_bytes(path: str | os.PathLike, field: str, what: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an input file given on the command line (``field`` names the option or argument, ``what``
    the kind of file): it must exist, be readable and hold at most ``max_bytes``."""
    p = Path(path)
    if not p.is_file():
        raise FoiltwinPathError(field, str(path), f"an existing {what}")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise FoiltwinPathError(field, str(path), f"a file of at most {max_bytes / 1e6:g} MB "
                                     f"(this one has {size / 1e6:.1f} MB)")
        data = p.read_bytes()
    except OSError as err:
        raise FoiltwinPathError(field, str(path), f"a readable file ({err.strerror})") from None
    if len(data) > max_bytes:  # grew between the check and the read
        raise FoiltwinPathError(field, str(path), f"a file of at most {max_bytes / 1e6:g} MB")
    return data
