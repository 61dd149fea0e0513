"""Row-wise reductions whose result for a row does not depend on the other rows of the batch.

A batch of foils is one 2-D array, one row per foil. ``x @ w`` for ``x`` of shape (B, N) goes to BLAS (``dgemv``),
whose summation order depends on B and on the row's position: the same foil gets a result that differs in the last
bits when it is solved with other foils. The twin's physics memo and its batch workers rely on a history's result
not depending on which histories share its solve (:mod:`twin.physics_memo`), so batched physics sums rows with
:func:`row_dot`: numpy's pairwise summation along a contiguous last axis, the same for every row whatever B is
(tests/test_rowwise.py checks this against each row alone).
"""

from __future__ import annotations

import numpy as np


def row_dot(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σ_j a[..., j]·w[j] over the last axis, each row summed on its own (no BLAS): shape ``a.shape[:-1]``."""
    return np.sum(np.asarray(a, dtype=float) * w, axis=-1)
