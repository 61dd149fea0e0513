"""Default limits of a skin of Mg, Al, Ag or Sn (issue 14): which phases the skin may have.

ASSUMPTION (a product definition, not a measured value): the seed made these skins as lithiophilic Cu–X **alloy
layers** (seed 002 §2.5, Fig. 6 caption; seed note 002 §4), as the Zn skin is α-brass, not Zn. So, unless the
scenario says otherwise (``spec.skin_metals.<X>.allowed_skin_phases``: a list of phase names, or ``"any"``),
a skin passes when its surface is one of the Cu–X alloy phases: the (Cu) solid solution ``alpha``, an
intermetallic, or two such phases side by side. A surface of the pure metal X (``mg_hcp``, ``al_fcc``, ``ag``,
``sn``), alone or beside an alloy phase, is not a Cu–X skin and fails.

Phase names are those of :mod:`process_models.skins.phase_data`: the single-phase fields of the CALPHAD table at
its lowest temperature (Cu–Mg, Cu–Al), or the assessed ladder of Cu–Ag and Cu–Sn, in order of x; a two-phase
surface is named ``"a+b"`` (the phase of lower x first), as :class:`~process_models.skins.skin.SkinResult`
reports it joined.
"""

from __future__ import annotations

import itertools
from functools import cache

from process_models.errors import FoiltwinInputError
from process_models.skins.phase_data import phase_fields, skin_system
from process_models.uht.phase_diagram import PHASES as ZN_PHASES

ANY = "any"  # the setting that lifts the restriction (None internally)
# the ladders of the systems without a CALPHAD table (the names skins.skin reports for them)
_ASSESSED = {"Ag": ("alpha", "ag"), "Sn": ("alpha", "epsilon_Cu3Sn", "eta_Cu6Sn5", "sn")}


@cache
def single_phases(metal: str) -> tuple[str, ...]:
    """The solid phases a Cu-``metal`` skin surface can show, in order of x (the last is the pure metal)."""
    system = skin_system(metal)
    if system.fields_csv is None:
        return _ASSESSED[metal]
    pf = phase_fields(metal)
    return tuple(p for p, _, _ in pf.single_phase_fields(pf.temperature_range_K[0]))


@cache
def known_skin_phases(metal: str) -> tuple[str, ...]:
    """Every phase name a Cu-``metal`` skin can be reported with: each single phase and each neighbouring pair."""
    one = single_phases(metal)
    return one + tuple(f"{a}+{b}" for a, b in itertools.pairwise(one))


@cache
def default_allowed_skin_phases(metal: str) -> tuple[str, ...]:
    """The phases a skin of ``metal`` may have by default (the ASSUMPTION above): every known name that holds no
    pure-metal phase."""
    pure = single_phases(metal)[-1]
    return tuple(n for n in known_skin_phases(metal) if pure not in n.split("+"))


def checked_allowed_phases(metal: str, value: str | tuple[str, ...] | list[str] | None,
                           field: str = "allowed_skin_phases") -> tuple[str, ...] | None:
    """The setting ``value`` as the spec holds it: ``"any"`` (or None) → None (no restriction); a list of names,
    each one known for ``metal`` (else refused, naming the known ones: exit 2)."""
    if value is None or value == ANY:
        return None
    if isinstance(value, str):
        value = (value,)
    known = known_skin_phases(metal)
    for name in value:
        if name not in known:
            raise FoiltwinInputError(field, name, f"\"{ANY}\" or a list of the Cu-{metal} phases "
                                                  f"{', '.join(known)}")
    return tuple(value)


ZN_NO_SKIN = "none"  # the Zn skin metrics' label of a foil with no skin


def zn_phase_set(label: str) -> frozenset[str]:
    """The phases of a Zn skin label (``"beta+alpha"`` and ``"alpha+beta"`` hold the same ones)."""
    return frozenset(label.split("+"))


def checked_zn_allowed_phases(value: tuple[str, ...] | list[str],
                              field: str = "") -> tuple[str, ...]:
    """The Zn product's allowed skin phases, each one a label the Zn skin metrics can report: ``"none"`` or a
    ``"+"``-join of distinct Cu-Zn phases (:data:`~process_models.uht.phase_diagram.PHASES`; the metrics order
    them by share, and :func:`zn_phase_allowed` ignores the order). An unknown name is refused (exit 2), naming
    its item ``<field>.<i>`` (the bare index when ``field`` is empty: a validator's error gets the field's path);
    an empty list is refused too (nothing would pass)."""
    if not value:  # nothing would pass: every metre a reject, which is no product spec
        raise FoiltwinInputError(field, "[]", f'at least one name: "{ZN_NO_SKIN}", or '
                                 f"Cu-Zn phases joined by \"+\" of {', '.join(ZN_PHASES)}")
    for i, name in enumerate(value):
        parts = name.split("+")  # names are strings here (the scenario's field is tuple[str, ...])
        if name != ZN_NO_SKIN and (len(set(parts)) != len(parts) or not set(parts) <= set(ZN_PHASES)):
            raise FoiltwinInputError(f"{field}.{i}" if field else str(i), name,
                                     f'"{ZN_NO_SKIN}", or one Cu-Zn phase or several joined by "+" '
                                     f"(each once) of {', '.join(ZN_PHASES)}")
    return tuple(value)


def zn_phase_allowed(label: str, allowed: tuple[str, ...]) -> bool:
    """Whether a Zn skin of phase ``label`` passes: it holds the same phases as one allowed name, in any order."""
    return zn_phase_set(label) in {zn_phase_set(a) for a in allowed}
