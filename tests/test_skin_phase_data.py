"""Phase data of the skin-metal systems: CALPHAD tables (Cu-Mg, Cu-Al) against assessed invariants and live
pycalphad; assessed key points of Cu-Sn and Cu-Ag (process_models.skins.phase_data)."""

from __future__ import annotations

import re
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.skins.phase_data import SKIN_METALS, phase_fields, skin_system


def _header(csv: str) -> str:
    text = (resources.files("process_models") / "data" / csv).read_text(encoding="utf-8")
    return "\n".join(ln for ln in text.splitlines()[:8] if ln.startswith("#"))


@pytest.mark.unit
@pytest.mark.parametrize(("metal", "tdb"), [("Mg", "cumg.tdb"), ("Al", "COST507.tdb")])
def test_calphad_tables_carry_provenance(metal, tdb):
    head = _header(skin_system(metal).fields_csv)
    assert tdb in head
    assert re.search(r"pycalphad \d+\.\d+", head)
    assert re.search(r"on \d{4}-\d{2}-\d{2}", head)  # tabulation date
    assert f"scripts/tabulate_skin_phase_diagrams.py --systems Cu{metal}" in head


@pytest.mark.unit
@pytest.mark.parametrize("metal", ["Zn", "Mg", "Al"])
def test_fields_are_ordered_and_cover_zero_to_one(metal):
    pf = phase_fields(metal)
    lo, hi = pf.temperature_range_K
    for T in np.linspace(lo, hi, 37):
        f = pf.single_phase_fields(float(T))
        assert f[0][1] == 0.0 and f[-1][2] == 1.0
        edges = np.array([(a, b) for _, a, b in f]).ravel()
        assert np.all(np.diff(edges) >= -1e-9), (metal, T, f)


@pytest.mark.unit
def test_cumg_table_reproduces_the_assessed_invariants():
    """Nayeb-Hashemi & Clark 1984: eutectics 758, 825, 998 K; congruent Cu2Mg 1070 K and CuMg2 841 K (within 8 K)."""
    pf = phase_fields("Mg")
    sys_ = skin_system("Mg")
    for inv in sys_.invariants:
        if inv.kind not in ("eutectic", "congruent"):
            continue
        x = inv.x_frac[0]
        # 8 K: the Coughanowr/Liang description vs the Nayeb-Hashemi assessment (the (Cu)+Cu2Mg eutectic: 992 vs 998 K)
        assert pf.liquid_appears_K(x) == pytest.approx(inv.temperature_K, abs=8.0), inv.reaction
    # the intermetallics are the fields between the terminal solutions below the lowest eutectic
    names = [p for p, _, _ in pf.single_phase_fields(700.0)]
    assert names == ["alpha", "cu2mg", "cumg2", "mg_hcp"]
    assert "Liang1998" in citations.used()


@pytest.mark.unit
def test_cual_table_reproduces_the_al_rich_eutectic_and_theta():
    """Murray 1985: L = (Al) + theta-CuAl2 at 821.4 K (17.3 at% Cu); (Cu) dissolves up to 19.7 at% Al."""
    pf = phase_fields("Al")
    eut = skin_system("Al").invariant("eutectic", "L = (Al)")
    assert pf.liquid_appears_K(eut.x_frac[0]) == pytest.approx(eut.temperature_K, abs=5.0)
    below = pf.phases_at(eut.x_frac[0], eut.temperature_K - 6.0)
    assert set(below) == {"theta", "al_fcc"}  # (Al): the database's fcc at the Al-rich end
    assert "liquid" in pf.phases_at(eut.x_frac[0], eut.temperature_K + 6.0)
    fields = dict((p, (a, b)) for p, a, b in pf.single_phase_fields(830.0) if p == "alpha" and a == 0.0)
    assert fields["alpha"][1] == pytest.approx(0.197, abs=0.02)
    al_melt = skin_system("Al").invariant("melting").temperature_K
    assert pf.liquid_appears_K(0.9999) == pytest.approx(al_melt, abs=6.0)


@pytest.mark.unit
def test_assessed_cusn_and_cuag_points_are_consistent():
    sn = skin_system("Sn")
    assert sn.invariant("peritectic", "L + epsilon").x_frac[2] == pytest.approx(5 / 11, abs=0.005)  # Cu6Sn5
    assert sn.invariant("peritectic", "L + gamma").x_frac[2] == pytest.approx(1 / 4, abs=0.005)  # Cu3Sn
    assert sn.invariant("eutectic").temperature_K < sn.invariant("melting").temperature_K
    ag = skin_system("Ag")
    assert ag.intermetallics == ()
    e = ag.invariant("eutectic")
    assert e.temperature_K == pytest.approx(1052.0, abs=1.0)
    # terminal solid solutions on either side of the eutectic liquid, below both melting points
    assert e.x_frac[1] < e.x_frac[0] < e.x_frac[2]
    assert e.temperature_K < ag.invariant("melting").temperature_K < 1357.77
    for metal in SKIN_METALS:
        assert skin_system(metal).lowest_liquid_temperature_K() < 1357.77


@pytest.mark.unit
def test_bad_metal_and_temperature_are_input_errors():
    with pytest.raises(FoiltwinInputError) as e:
        skin_system("Pb")
    assert e.value.field == "skin_metal" and "Zn, Mg, Ag, Sn, Al" in e.value.allowed
    with pytest.raises(FoiltwinInputError) as e:
        phase_fields("Ag")
    assert e.value.field == "skin_metal"
    with pytest.raises(FoiltwinInputError) as e:
        phase_fields("Mg").single_phase_fields(400.0)
    assert e.value.field == "temperature_K"


# ------------------------------------------------------------------------------------ live pycalphad
def _filtered_tdb(path: Path, elements: set[str], phases: list[str]) -> str:
    """The commands of a TDB that a Cu-X calculation needs: elements, type definitions, the given phases, their
    parameters with constituents in ``elements`` only, and the functions those reference (transitively).
    Loading the 9000-line COST507 file whole takes tens of seconds; this keeps the live check fast."""
    cmds = [c.strip() for c in re.sub(r"^\s*\$.*$", "", path.read_text(errors="ignore"), flags=re.M).split("!")]
    keep: list[str] = []
    funcs: dict[str, str] = {}
    needed: list[str] = []
    allowed = elements | {"VA", "/-"}
    for c in cmds:
        words = c.split()
        if not words:
            continue
        head = words[0].upper()
        if head.startswith("ELEM") and words[1].upper() in allowed:
            keep.append(c)
        elif head.startswith("TYPE_DEF"):
            up = [w.upper().rstrip(",") for w in words]
            if "AMEND_PHASE_DESCRIPTION" not in up or all(
                    up[k + 1] in phases for k, w in enumerate(up[:-1]) if w in ("AMEND_PHASE_DESCRIPTION", "DIS_PART")):
                keep.append(c)
        elif head.startswith("FUNC"):
            funcs[words[1].upper()] = c
        elif head.startswith("PHASE") and words[1].split(":")[0].upper() in phases:
            keep.append(c)
        elif head.startswith("CONST") and words[1].split(":")[0].upper() in phases:
            parts = c.split(words[1], 1)[1].strip().strip(":").split(":")
            subs = [",".join(s.strip() for s in part.split(",") if s.strip().rstrip("%").upper() in allowed)
                    for part in parts]
            keep.append(f"CONSTITUENT {words[1]} :{':'.join(subs)}:")
        elif head.startswith("PARA"):
            m = re.match(r"\S+\s+\w+\(([^,]+),([^;)]+)", c)
            if m and m.group(1).upper() in phases:
                consts = set(re.findall(r"[A-Z][A-Z0-9]*", m.group(2).upper()))
                if consts <= allowed:
                    keep.append(c)
                    needed.append(c)
    seen: set[str] = set()
    while needed:
        text = needed.pop()
        for name in re.findall(r"\b([A-Z][A-Z0-9_]*)#?", text.split(" ", 2)[-1].upper()):
            if name in funcs and name not in seen:
                seen.add(name)
                needed.append(funcs[name])
    keep += [funcs[n] for n in sorted(seen)]
    return "!\n".join(keep) + "!\n"


@pytest.mark.component
def test_tables_match_live_pycalphad_at_sample_points():
    """Phase assemblages and tie-line ends of both tables against pycalphad on the shipped TDBs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pycalphad = pytest.importorskip("pycalphad")
        from pycalphad import Database, equilibrium
        from pycalphad import variables as v
    import importlib
    import sys

    scripts = str(Path(__file__).resolve().parents[1] / "scripts")
    sys.path.insert(0, scripts)
    try:
        mod = importlib.import_module("tabulate_skin_phase_diagrams")
    finally:
        sys.path.remove(scripts)
    db_dir = Path(pycalphad.__file__).resolve().parent / "tests" / "databases"
    cases = {"Mg": [(0.30, 800.0), (0.50, 760.0), (0.05, 900.0)], "Al": [(0.75, 800.0), (0.30, 1000.0),
                                                                          (0.10, 700.0)]}
    for metal, points in cases.items():
        system = mod.SYSTEMS[f"Cu{metal}"]
        phases = [p for p in system.phase_map]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dbf = Database.from_string(_filtered_tdb(db_dir / system.tdb, {"CU", system.element}, phases),
                                       fmt="tdb")
            phases = [p for p in phases if p in dbf.phases]
        pf = phase_fields(metal)
        for x, T in points:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                eq = equilibrium(dbf, ["CU", system.element, "VA"], phases,
                                 {v.X(system.element): x, v.T: T, v.P: 101325, v.N: 1})
            names = eq.Phase.values.squeeze().astype(str)
            comp = eq.X.sel(component=system.element).values.squeeze()
            amount = eq.NP.values.squeeze()
            live = {}
            for n, c, f in zip(names, comp, amount, strict=True):
                if n and f > 1e-7:
                    ours = system.phase_map[n]
                    live[system.fcc_rich_name if ours == "alpha" and c > 0.5 else ours] = float(c)
            table = pf.phases_at(x, T)
            assert set(table) == set(live), (metal, x, T, table, live)
            fields = {p: (a, b) for p, a, b in pf.single_phase_fields(T)}
            if len(table) == 2:  # tie-line ends: the facing limits of the two fields
                left, right = table
                assert fields[left][1] == pytest.approx(live[left], abs=2e-3), (metal, x, T)
                assert fields[right][0] == pytest.approx(live[right], abs=2e-3), (metal, x, T)
