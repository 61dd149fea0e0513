"""Li-plating indicators of the skin metals as seed 002 §4 reports them: orderings, not numbers.

Seed 002 §2.5 and Fig. 6i–k compare Li‖Cu cells on Sn, Ag, Al, Mg and Zn skins and state only the best metal
of each measure (seed note 002 §4):

- the lowest Li **plating** overpotential: Ag;
- the longest **cycle life**: Mg;
- the lowest **nucleation** overpotential: Zn.

The values behind Fig. 6i–k are in the chart only and have not been extracted. With no numbers, nothing can
be fitted. This module therefore holds the reported orderings as measured data (kind "measured", ordinal).
It does not rank the other four metals: they are tied as "not ranked by the seed". A fitted indicator per
metal needs the chart values, for example by digitising Fig. 6; see docs/skin_metals.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from process_models.citations import register
from process_models.errors import FoiltwinInputError
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
