"""Compare two JSON-like trees: strings, bools and shapes exactly, numbers to a relative tolerance.

The physics solves whole batches with vectorised numpy; a foil's numbers can then differ in the last bits with
the batch it is solved in (reductions over a (K, 1) array take numpy's pairwise path, over (K, B) the row-wise
one). Everything that can change a decision (grids, step placement, Newton iterations) depends on the foil's own
settings only; what is left is round-off, far below any tolerance of the model, and these comparisons allow it.
"""

from __future__ import annotations

import math
from typing import Any


def assert_tree_close(a: Any, b: Any, rel: float = 1e-9, abs_: float = 1e-12, path: str = "") -> None:
    """Raise AssertionError naming the first path where ``a`` and ``b`` differ beyond round-off."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a.keys() ^ b.keys())}"
        for k in a:
            assert_tree_close(a[k], b[k], rel, abs_, f"{path}.{k}")
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b), f"{path}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_tree_close(x, y, rel, abs_, f"{path}[{i}]")
    elif isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool | str):
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), f"{path}: {a} != {b}"
        else:
            assert math.isclose(a, b, rel_tol=rel, abs_tol=abs_), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
