"""One optimiser cache per test process, shared by the optimiser test modules.

Its entries are pure evaluations keyed by everything they depend on (plant, parameters, skin window, skin metals;
stage-II settings; whole recipes), so sharing changes no result beyond the last bits (an outcome solved in another
batch), only how often the same tables and recipes are computed: the default plant's tables were built again by
each of ≈6 modules. Under ``pytest -n 2 --dist loadfile`` each worker process
has its own. Size 32: the modules ask for ≈15 distinct table sets (COARSE_CACHE_SIZE is 8 for one user's session).
"""

from __future__ import annotations

from optimizer import OptimiserCache
from process_models.cache import EvaluationCache

OPTIMISER_CACHE = OptimiserCache(coarse=EvaluationCache(32))
