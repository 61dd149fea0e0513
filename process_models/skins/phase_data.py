"""Phase data of the Cu-X systems of the skin metals (Zn, Mg, Ag, Sn, Al): fields and invariants.

Two kinds of data, each with its source (see ``docs/skin_metals.md``):

* **CALPHAD tables** (Cu-Zn, Cu-Mg, Cu-Al): single-phase fields ``temperature_K,phase,x_min,x_max`` tabulated
  offline with pycalphad (Cu-Zn: ``scripts/tabulate_cuzn_phase_diagram.py``, Liang 2015; Cu-Mg and Cu-Al:
  ``scripts/tabulate_skin_phase_diagrams.py`` from ``cumg.tdb`` (Liang 1998 / Coughanowr 1991) and
  ``COST507.tdb``, both shipped with pycalphad). :class:`BinaryPhaseFields` reads any of them.
* **Assessed key points** (all five systems): invariant reactions and solubility limits from the cited
  assessments, as :class:`Invariant` records. For Cu-Sn and Cu-Ag these are the only phase data (no TDB ships
  with pycalphad); for Cu-Mg and Cu-Al they are the independent check of the CALPHAD tables.

x is the mole fraction of the skin metal, T in K, P = 1 atm.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.parameters.materials_literature import ZN_MELTING_TEMPERATURE_K
from process_models.uht.phase_diagram import read_table

SKIN_METALS: tuple[str, ...] = ("Zn", "Mg", "Ag", "Sn", "Al")
_X_TOL = 5e-6  # half the last printed digit of the field tables


@dataclass(frozen=True)
class Invariant:
    """One invariant reaction (or a congruent melting / solubility limit) of a Cu-X system.

    ``x_frac`` are the mole fractions of X of the phases in ``reaction`` order, as the source gives them
    (NaN where it gives none). ``source`` is a citation key; ``where`` locates the value.
    """

    kind: str  # eutectic, peritectic, congruent, melting, solubility
    reaction: str
    temperature_K: float
    x_frac: tuple[float, ...]
    source: str
    where: str


@dataclass(frozen=True)
class SkinSystem:
    """The phase data of one Cu-X system."""

    metal: str
    intermetallics: tuple[str, ...]  # compounds a Cu-X skin can form (our names)
    invariants: tuple[Invariant, ...]
    fields_csv: str | None  # CALPHAD table in process_models/data, None if only assessed points exist
    fields_source: str | None  # citation key of the table

    def invariant(self, kind: str, reaction_start: str = "") -> Invariant:
        """The first invariant of ``kind`` whose reaction starts with ``reaction_start``."""
        for inv in self.invariants:
            if inv.kind == kind and inv.reaction.startswith(reaction_start):
                citations.register(inv.source, f"skins.phase_data.{self.metal}")
                return inv
        raise KeyError(f"Cu-{self.metal}: no {kind} {reaction_start!r}")

    def lowest_liquid_temperature_K(self) -> float:
        """Lowest temperature at which a liquid exists anywhere in Cu-X (lowest eutectic or X melting), K."""
        kinds = ("eutectic", "melting", "peritectic")
        return min(i.temperature_K for i in self.invariants if i.kind in kinds and "L" in i.reaction)


_N = float("nan")
_I = Invariant
# Cu-Zn: Liang 2015 (the tabulated assessment, docs/phase_diagram.md) and the seed note 002 §5c list
_LIANG = "tabulated invariant, docs/phase_diagram.md"
_ZN = (
    _I("melting", "L = (Zn)", ZN_MELTING_TEMPERATURE_K, (1.0,), "CRC", "Zn melting point"),
    _I("peritectic", "L + alpha = beta", 1175.0, (_N, _N, _N), "Liang2015", _LIANG),
    _I("peritectic", "L + beta = gamma", 1105.5, (_N, _N, _N), "Liang2015", _LIANG),
    _I("solubility", "alpha max Zn", 730.0, (0.385,), "SeedNote002", "§5c (≈38-39 at% near 730 K)"),
)
# Cu-Mg: Nayeb-Hashemi & Clark 1984, invariant reactions
_NC = "NayebHashemi1984"
_MG = (
    _I("eutectic", "L = (Cu) + Cu2Mg", 998.0, (0.219, 0.069, 0.333), _NC, "invariant reactions, 725 °C"),
    _I("congruent", "L = Cu2Mg", 1070.0, (1 / 3,), _NC, "invariant reactions, 797 °C"),
    _I("eutectic", "L = Cu2Mg + CuMg2", 825.0, (0.58, 0.355, 0.667), _NC, "invariant reactions, 552 °C"),
    _I("congruent", "L = CuMg2", 841.0, (2 / 3,), _NC, "invariant reactions, 568 °C"),
    _I("eutectic", "L = CuMg2 + (Mg)", 758.0, (0.855, 0.667, 0.993), _NC, "invariant reactions, 485 °C"),
    _I("melting", "L = (Mg)", 923.0, (1.0,), _NC, "invariant reactions, 650 °C"),
)
# Cu-Al: Murray 1985 (Al-rich eutectic and theta = CuAl2; Cu-rich solubility)
_AL = (
    _I("eutectic", "L = (Al) + theta", 821.4, (0.827, 0.975, 0.68), "Murray1985", "invariant reactions, 548.2 °C"),
    _I("peritectic", "L + eta = theta", 864.0, (_N, _N, 0.675), "Murray1985", "invariant reactions, 591 °C"),
    _I("melting", "L = (Al)", 933.47, (1.0,), "Murray1985", "invariant reactions, 660.452 °C"),
    _I("solubility", "alpha max Al", 840.0, (0.197,), "Murray1985", "assessed diagram, 19.7 at% Al at 567 °C"),
)
# Cu-Ag: Subramanian & Perepezko 1993 (simple eutectic, no intermetallics)
_AG = (
    _I("eutectic", "L = (Cu) + (Ag)", 1052.3, (0.601, 0.049, 0.859), "Subramanian1993",
       "invariant reactions, 779.1 °C, 39.9 at% Cu; terminal solubilities 4.9 at% Ag in (Cu), 14.1 at% Cu in (Ag)"),
    _I("melting", "L = (Ag)", 1234.93, (1.0,), "Subramanian1993", "invariant reactions, 961.78 °C"),
)
# Cu-Sn: Saunders & Miodownik 1990 (epsilon = Cu3Sn, eta = Cu6Sn5)
_SM = "Saunders1990"
_SN = (
    _I("peritectic", "L + gamma = epsilon", 949.0, (_N, _N, 0.25), _SM, "invariant reactions, 676 °C (Cu3Sn)"),
    _I("peritectic", "L + epsilon = eta", 688.0, (_N, 0.25, 0.455), _SM, "invariant reactions, 415 °C (Cu6Sn5)"),
    _I("eutectic", "L = eta + (Sn)", 500.1, (0.987, 0.455, 1.0), _SM, "invariant reactions, 227 °C"),
    _I("melting", "L = (Sn)", 505.08, (1.0,), _SM, "invariant reactions, 231.97 °C"),
    _I("solubility", "alpha max Sn", 793.0, (0.091,), _SM, "assessed diagram, 9.1 at% Sn at 520 °C"),
)

SYSTEMS: dict[str, SkinSystem] = {
    "Zn": SkinSystem("Zn", ("gamma_Cu5Zn8", "alpha_Cu0.64Zn0.36"), _ZN, "cuzn_phase_fields_liang2015.csv",
                     "Liang2015"),
    "Mg": SkinSystem("Mg", ("Cu2Mg", "CuMg2"), _MG, "cumg_phase_fields_liang1998.csv", "Liang1998"),
    "Al": SkinSystem("Al", ("theta_CuAl2", "eta_CuAl", "gamma_Cu9Al4"), _AL, "cual_phase_fields_cost507.csv",
                     "COST507"),
    "Ag": SkinSystem("Ag", (), _AG, None, None),
    "Sn": SkinSystem("Sn", ("eta_Cu6Sn5", "epsilon_Cu3Sn"), _SN, None, None),
}


def skin_system(metal: str) -> SkinSystem:
    """Phase data of Cu-``metal``; ``metal`` one of :data:`SKIN_METALS`."""
    if metal not in SYSTEMS:
        raise FoiltwinInputError(field="skin_metal", value=metal, allowed=f"one of {', '.join(SKIN_METALS)}")
    return SYSTEMS[metal]


class BinaryPhaseFields:
    """Single-phase fields of a Cu-X system from a pycalphad table (any of the ``*_phase_fields_*.csv``)."""

    def __init__(self, rows: list[tuple[float, str, float, float]], name: str, source: str) -> None:
        by_T: dict[float, list[tuple[str, float, float]]] = {}
        for T, phase, lo, hi in rows:
            by_T.setdefault(T, []).append((phase, lo, hi))
        self.name = name
        self.source = source
        self._T = np.array(sorted(by_T))
        self._fields = [sorted(by_T[float(T)], key=lambda f: (f[1], f[2])) for T in self._T]
        for T, fields in zip(self._T, self._fields, strict=True):
            edges = [e for _, lo, hi in fields for e in (lo, hi)]
            if fields[0][1] != 0.0 or fields[-1][2] != 1.0 or np.any(np.diff(edges) < -1e-9):
                raise ValueError(f"{name}: fields at {T} K do not cover [0, 1] in order")

    @property
    def temperature_range_K(self) -> tuple[float, float]:
        return float(self._T[0]), float(self._T[-1])

    def _index(self, T_K: float) -> int:
        lo, hi = self.temperature_range_K
        if not (lo <= T_K <= hi):
            raise FoiltwinInputError(field="temperature_K", value=T_K,
                                     allowed=f"must lie in [{lo:g}, {hi:g}] K ({self.name} phase table range)")
        return int(np.argmin(np.abs(self._T - T_K)))

    def single_phase_fields(self, T_K: float) -> list[tuple[str, float, float]]:
        """``(phase, x_min, x_max)`` at the nearest table temperature (invariants are bracketed in the table)."""
        citations.register(self.source, f"skins.phase_data.{self.name}")
        return list(self._fields[self._index(float(T_K))])

    def phases_at(self, x_frac: float, T_K: float) -> tuple[str, ...]:
        """The phase (single-phase field) or the two phases (gap between fields) at composition ``x_frac``."""
        if not (0.0 <= x_frac <= 1.0):
            raise FoiltwinInputError(field="x_frac", value=x_frac, allowed="a mole fraction in [0, 1]")
        fields = self.single_phase_fields(T_K)
        for p, lo, hi in fields:
            if lo - _X_TOL <= x_frac <= hi + _X_TOL:  # line compounds are printed to 5 decimals
                return (p,)
        for (p, _, hi), (q, lo, _) in itertools.pairwise(fields):
            if hi < x_frac < lo:
                return (p, q)
        raise AssertionError("fields cover [0, 1]")  # pragma: no cover

    def invariant_brackets_K(self) -> list[tuple[float, float, tuple[str, ...], tuple[str, ...]]]:
        """(T below, T above, fields below, fields above) for each change of the field sequence in the table."""
        out = []
        for i in range(len(self._T) - 1):
            a = tuple(p for p, _, _ in self._fields[i])
            b = tuple(p for p, _, _ in self._fields[i + 1])
            if a != b:
                out.append((float(self._T[i]), float(self._T[i + 1]), a, b))
        return out

    def liquid_appears_K(self, x_frac: float) -> float:
        """Lowest table temperature at which liquid is present at composition ``x_frac`` (solidus), K."""
        for T in self._T:
            if "liquid" in self.phases_at(x_frac, float(T)):
                return float(T)
        return float("inf")

    def lowest_solidus_K(self, x_lo: float, x_hi: float) -> float:
        """Lowest table temperature at which liquid is present at some composition in [``x_lo``, ``x_hi``] (the
        lowest solidus over a composition profile spanning that range), K; inf if none. Liquid is present inside
        the liquid field and in the two-phase gaps beside it (:meth:`phases_at`)."""
        if not (0.0 <= x_lo <= x_hi <= 1.0):
            raise FoiltwinInputError(field="x_frac", value=(x_lo, x_hi), allowed="mole fractions 0 <= lo <= hi <= 1")
        citations.register(self.source, f"skins.phase_data.{self.name}")
        for T, fields in zip(self._T, self._fields, strict=True):
            for i, (p, lo, hi) in enumerate(fields):
                if p != "liquid":
                    continue
                a = fields[i - 1][2] if i > 0 else lo  # liquid from the end of the field before (its gap)
                b = fields[i + 1][1] if i + 1 < len(fields) else hi
                if (x_hi > a or (i == 0 and x_hi >= a)) and (x_lo < b or (i + 1 == len(fields) and x_lo <= b)):
                    return float(T)
        return float("inf")


@lru_cache(maxsize=8)
def phase_fields(metal: str) -> BinaryPhaseFields:
    """The CALPHAD field table of Cu-``metal`` (Zn, Mg, Al); Ag and Sn have none (assessed points only)."""
    system = skin_system(metal)
    if system.fields_csv is None:
        raise FoiltwinInputError(field="skin_metal", value=metal,
                                 allowed="Zn, Mg or Al (Cu-Ag and Cu-Sn have assessed invariants only)")
    _, rows = read_table(system.fields_csv)
    parsed = [(float(T), p, float(lo), float(hi)) for T, p, lo, hi in rows]
    return BinaryPhaseFields(parsed, f"Cu-{metal}", system.fields_source or "")
