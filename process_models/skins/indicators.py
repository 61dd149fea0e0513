"""Li-plating indicators of the skin metals as seed 002 §4 reports them: orderings, not numbers.

Seed 002 §2.5 and Fig. 6i–k compare Li‖Cu cells on Sn, Ag, Al, Mg and Zn skins and state only the best metal
of each measure (seed note 002 §4):

- the lowest Li **plating** overpotential: Ag;
- the longest **cycle life**: Mg;
- the lowest **nucleation** overpotential: Zn.

The values behind Fig. 6i–k are in the chart only and have not been extracted (not in the seed notes). With no
numbers, nothing can be fitted. This module holds the reported orderings as measured data (ordinal,
:func:`seed_rank`) and, for use downstream, a value per metal (:func:`indicator_values`): a dimensionless merit
from the registry (``skin_{metal}_{indicator}_merit_frac``, kind "assumed", ``data_used`` = the seed figure) that
**reproduces only the ranking**: 1 for the seed's best, 0 (tied) for the metals the seed does not rank. A fitted
indicator per metal needs the chart values, for example by digitising Fig. 6; see docs/skin_metals.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from process_models.citations import register
from process_models.errors import FoiltwinInputError
from process_models.parameters import parameters_or_default
from process_models.skins.phase_data import SKIN_METALS


@dataclass(frozen=True)
class SeedOrdering:
    indicator: str
    best_metal: str
    sense: str  # "lowest" or "longest"
    where: str


SEED_ORDERINGS: dict[str, SeedOrdering] = {
    o.indicator: o for o in (
        SeedOrdering("plating_overpotential", "Ag", "lowest", "seed 002 §2.5, Fig. 6i-k; seed note 002 §4"),
        SeedOrdering("cycle_life", "Mg", "longest", "seed 002 §2.5, Fig. 6i-k; seed note 002 §4"),
        SeedOrdering("nucleation_overpotential", "Zn", "lowest", "seed 002 §2.5, Fig. 6i-k; seed note 002 §4"),
    )
}


def seed_rank(indicator: str, metals: tuple[str, ...] = SKIN_METALS) -> dict[str, int | None]:
    """Rank 1 for the metal the seed reports best on ``indicator``; None (not ranked by the seed) for the rest."""
    if indicator not in SEED_ORDERINGS:
        raise FoiltwinInputError("indicator", indicator, f"one of {', '.join(SEED_ORDERINGS)}")
    bad = [m for m in metals if m not in SKIN_METALS]
    if bad:
        raise FoiltwinInputError("skin_metal", bad[0], f"one of {', '.join(SKIN_METALS)}")
    register("Wang2025", "skins.indicators.seed_rank")
    best = SEED_ORDERINGS[indicator].best_metal
    return {m: (1 if m == best else None) for m in metals}


@dataclass(frozen=True)
class IndicatorValues:
    """A value per metal of one Li-plating indicator, with what it rests on.

    ``merit_frac``: higher is better (1 = the seed's best of the set, 0 = not ranked by the seed).
    ``kind`` is "assumed (rank-preserving)": the values reproduce the seed's ranking only, they are not fitted
    to chart values (none are extracted); ``data_used`` names the figure the ranking comes from."""

    indicator: str
    merit_frac: dict[str, float]
    kind: str
    data_used: tuple[str, ...]
    note: str

    def best(self) -> str:
        """The metal of highest merit (the seed's best)."""
        return max(self.merit_frac, key=self.merit_frac.__getitem__)


def indicator_values(indicator: str, params=None, metals: tuple[str, ...] = SKIN_METALS) -> IndicatorValues:
    """The registry's rank-preserving merit of each metal on ``indicator`` (see the module docstring)."""
    seed_rank(indicator, metals)  # validates the names
    p = parameters_or_default(params)
    names = {m: f"skin_{m.lower()}_{indicator}_merit_frac" for m in metals}
    data = tuple(dict.fromkeys(d for n in names.values() for d in p.record(n).data_used))
    return IndicatorValues(indicator, {m: float(p[n]) for m, n in names.items()}, "assumed (rank-preserving)", data,
                           "only the seed's ranking is reproduced: Fig. 6i-k values are not extracted, so no fit")
