"""Citation registry: the code path that uses a source registers its key.

Every run report lists :func:`used` so a number can be traced back to where it came from.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

CITATIONS: dict[str, str] = {
    "Wang2025": (
        "H. Wang, Y. Mao et al., Two-step ultrafast high-temperature Joule heating forms a Cu0.64Zn0.36 "
        "lithiophilic skin on Cu current collectors, Energy Environ. Sci. 18 (2025) 2622, "
        "doi:10.1039/d4ee05862c (seed 002)"
    ),
    "Liang2015": (
        "S.-M. Liang, H.-M. Hsiao, R. Schmid-Fetzer, Thermodynamic assessment of the Al-Cu-Zn system, "
        "part I: Cu-Zn binary, CALPHAD 51 (2015) 224-232"
    ),
    "COST507": (
        "I. Ansara, A.T. Dinsdale, M.H. Rand (eds.), COST 507 Thermochemical database for light metal "
        "alloys, vol. 2, European Commission (1998); TDB as shipped with pycalphad"
    ),
    "Matula1979": (
        "R.A. Matula, Electrical resistivity of copper, gold, palladium, and silver, "
        "J. Phys. Chem. Ref. Data 8 (1979) 1147"
    ),
    "Chase1998": (
        "M.W. Chase Jr., NIST-JANAF Thermochemical Tables, 4th ed., J. Phys. Chem. Ref. Data Monograph 9 (1998)"
    ),
    "Alcock1984": (
        "C.B. Alcock, V.P. Itkin, M.K. Horrigan, Vapour pressure equations for the metallic elements: "
        "298-2500 K, Canadian Metallurgical Quarterly 23 (1984) 309"
    ),
    "CRC": "W.M. Haynes (ed.), CRC Handbook of Chemistry and Physics, 97th ed., CRC Press (2016)",
    # --- skin metals other than Zn (issue 14): phase data ---
    "Liang1998": (
        "P. Liang et al., CALPHAD 22 (1998) 527-544, Cu-Mg parameters (those of C.A. Coughanowr et al., "
        "Z. Metallkd. 82 (1991) 574, set 3, with minor Cu2Mg adjustments), as cited in the header of the TDB "
        "cumg.tdb (NIMS, M. Palumbo, T. Abe, K. Hashimoto, 2008-10-21) shipped with pycalphad"
    ),
    "NayebHashemi1984": (
        "A.A. Nayeb-Hashemi, J.B. Clark, The Cu-Mg (copper-magnesium) system, Bull. Alloy Phase Diagrams 5 (1984) "
        "36-43"
    ),
    "Murray1985": "J.L. Murray, The aluminium-copper system, Int. Met. Rev. 30 (1985) 211-233",
    "Subramanian1993": (
        "P.R. Subramanian, J.H. Perepezko, The Ag-Cu (silver-copper) system, J. Phase Equilib. 14 (1993) 62-75"
    ),
    "Saunders1990": (
        "N. Saunders, A.P. Miodownik, The Cu-Sn (copper-tin) system, Bull. Alloy Phase Diagrams 11 (1990) 278-287"
    ),
    "Smithells2004": (
        "W.F. Gale, T.C. Totemeier (eds.), Smithells Metals Reference Book, 8th ed., Elsevier (2004), ch. 13 "
        "'Diffusion in metals', impurity diffusion in copper; Table 22.7: oxygen-free high-conductivity Cu strip, "
        "annealed (O): 0.2 % proof stress 48 MPa, UTS 216 MPa"
    ),
    "ASM1990": "ASM Handbook Vol. 2, Properties and Selection: Nonferrous Alloys, ASM International (1990)",
    "Kuper1956": (
        "A.B. Kuper, D. Lazarus, J.R. Manning, C.T. Tomizuka, Diffusion in ordered and disordered "
        "copper-zinc, Phys. Rev. 104 (1956) 1536"
    ),
    "Smigelskas1947": (
        "A.D. Smigelskas, E.O. Kirkendall, Zinc diffusion in alpha brass, Trans. AIME 171 (1947) 130 "
        "(Darken's analysis)"
    ),
    "Incropera2007": (
        "F.P. Incropera, D.P. DeWitt, T.L. Bergman, A.S. Lavine, Fundamentals of Heat and Mass Transfer, "
        "6th ed., Wiley (2007)"
    ),
    "FeasibilityStudy2026": (
        "foiltwin internal study, Cu-Zn kinetics feasibility (shared/notes/cuzn-kinetics-feasibility.md, "
        "2026-11)"
    ),
    "SeedNote002": "foiltwin seed note 002 (shared/seed-notes/002-uht-cuzn-skin.md); values marked [L] there",
    "Subramanian1988": (
        "P.R. Subramanian, T.B. Massalski, D.E. Laughlin, Thermodynamic aspects of massive transformations in "
        "the Cu-Ga and Cu-Zn systems, Acta Metall. 36 (1988) 937-943"
    ),
    "NPTELMassive": (
        "NPTEL course 113101003, Phase transformations, Part IV Module 4 'Massive transformations' §4.2 and "
        "Fig. 34, https://nptel.ac.in/courses/113101003/parts/partIV/module4/1.2.html"
    ),
    "UCMAtlas": (
        "Universidad Complutense de Madrid, Metallographic atlas, specimens X11 (Cu-42 wt% Zn, 800 °C, water "
        "quenched) and X12, https://www.ucm.es/metallographicatlas/x11"
    ),
    "RomeroAhlers1989": (
        "R. Romero, M. Ahlers, On the martensitic transformation temperature and its stress dependence in "
        "Cu-Zn and Cu-Zn-Al single crystals, J. Phys.: Condens. Matter 1 (1989) 3191"
    ),
    "Flewitt1966": (
        "P.E.J. Flewitt, The transformation characteristics of the beta phase in some copper-zinc alloys, "
        "PhD thesis, University of Surrey (1966)"
    ),
    "Hertz-Knudsen": "Hertz-Knudsen evaporation law, e.g. Incropera2007 / any kinetic-theory text",
    "Assumed": "foiltwin assumption: no source gives this value; the reason is stated beside it",
    "Calibrated": "foiltwin calibration against seed validation cases (scripts/calibrate_uht.py)",
    "PlantCalibration": (
        "foiltwin calibration to plant measurements (`foiltwin calibrate`, docs/calibration.md): a versioned "
        "parameter set whose file names the data (sha256), the date and the method beside each value"
    ),
    "EIA2025": "U.S. EIA, Electric Power Monthly (Feb. 2025), Table 5.3: average price to industrial customers",
    "USGS2025": "U.S. Geological Survey, Mineral Commodity Summaries 2025 (Cu, Zn, Ag chapters), doi:10.3133/mcs2025",
    "FRB2025": "Federal Reserve Board, G.5A Foreign Exchange Rates (Annual), Jan. 2025 release: 2024 averages",
    "BLS2025": "U.S. BLS, Employer Costs for Employee Compensation - December 2024, USDL-25-0335 (Mar. 2025)",
    "Turton2018": "R. Turton et al., Analysis, Synthesis and Design of Chemical Processes, 5th ed., Pearson (2018)",
    "SeedNote000": "foiltwin seed note 000 (shared/seed-notes/000-cross-scale-cu-review.md), Table 2 unit costs",
    "Feng2026": "J. Feng, T. Zhang et al., Cross-scale design of Cu collectors, EES Batteries 2 (2026) 425 (seed 000)",
    "Zhang2023": "D. Zhang, Z. Xia et al., Ag plumes grown on Cu, ACS Appl. Energy Mater. 6 (2023) 6338 (seed 004)",
    "WangTY2024": "T.-Y. Wang, D. Zhao, K. Liang, Y. Li, Li-current collector interface review (2024) (seed 001)",
    "Pei2017": "A. Pei, G. Zheng, F. Shi, Y. Li, Y. Cui, Nucleation and growth of Li metal, Nano Lett. 17 (2017) 1132",
    "Gu2002": "M. Gu, F.-Z. Yang et al., Cu electrodeposits with preferred orientation, Acta Phys.-Chim. Sin. (2002)",
    "Winand1994": "R. Winand, Electrodeposition of metals and alloys, Electrochim. Acta 39 (1994) 1091",
    "Vandermeer2004": "R.A. Vandermeer et al., Growth rates during recrystallization of Cu, MSF 467-470 (2004) 197",
    "Humphreys2004": "F.J. Humphreys, M. Hatherly, Recrystallization and Related Annealing Phenomena, 2nd ed. (2004)",
    "Bard2001": "A.J. Bard, L.R. Faulkner, Electrochemical Methods, 2nd ed., Wiley (2001)",
    "Schlesinger2010": "M. Schlesinger, M. Paunovic (eds.), Modern Electroplating, 5th ed., Wiley (2010)",
    "Newman2004": "J. Newman, K.E. Thomas-Alyea, Electrochemical Systems, 3rd ed., Wiley (2004)",
    "Ren2013": "F.-Z. Ren et al., Cyanide-free Ag plating in thiosulfate bath, Trans. NFMSC 23 (2013) 3822",
    "Tsou1967": "F.K. Tsou, E.M. Sparrow, R.J. Goldstein, BL on a continuous moving surface, IJHMT 10 (1967) 219",
    "Wagner1951": "C. Wagner, Current density distribution in electrolytic cells, J. Electrochem. Soc. 98 (1951) 116",
    "ChurchillChu1975": (
        "S.W. Churchill, H.H.S. Chu, Correlating equations for laminar and turbulent free convection from a vertical "
        "plate, Int. J. Heat Mass Transfer 18 (1975) 1323; as given in Incropera2007 eq. 9.27"
    ),
    "LloydMoran1974": (
        "J.R. Lloyd, W.R. Moran, Natural convection adjacent to horizontal surfaces of various planforms, "
        "J. Heat Transfer 96 (1974) 443; as given in Incropera2007 eqs. 9.30-9.32"
    ),
    "Shock1988": (
        "E.L. Shock, H.C. Helgeson, Calculation of the thermodynamic and transport properties of aqueous species "
        "at high pressures and temperatures, Geochim. Cosmochim. Acta 52 (1988) 2009; standard partial molal "
        "volumes at 25 °C, 1 bar as tabulated in the WORM/SUPCRT92 database (wrm_data_latest.csv, column V)"
    ),
    "Samouhos2019": (
        "M. Samouhos, A. Peppas, P. Angelopoulos, M. Taxiarchou, P. Tsakiridis, Optimization of copper "
        "thermocompression diffusion bonding under vacuum: microstructural and mechanical characteristics, Metals 9 "
        "(2019) 1044, doi:10.3390/met9101044 (abstract: optimum 1000 °C, 90 min, 10 MPa; bond strength > 100 MPa for "
        "T >= 850 °C and t >= 60 min)"
    ),
    "FrostAshby1982": (
        "H.J. Frost, M.F. Ashby, Deformation-Mechanism Maps: the plasticity and creep of metals and ceramics, "
        "Pergamon (1982), ch. 4 (f.c.c. metals), data for Cu"
    ),
    "JohnsonCook1983": (
        "G.R. Johnson, W.H. Cook, A constitutive model and data for metals subjected to large strains, high strain "
        "rates and high temperatures, Proc. 7th Int. Symp. on Ballistics, The Hague (1983) 541-547, Table 1 (OFHC "
        "copper: A = 90 MPa, B = 292 MPa, n = 0.31, C = 0.025, m = 1.09, T_melt = 1356 K)"
    ),
    "Simons2006": (
        "G. Simons, Ch. Weippert, J. Dual, J. Villain, Size effects in tensile testing of thin cold rolled and "
        "annealed Cu foils, Mater. Sci. Eng. A 416 (2006) 290-299 (flow stress and fracture strain of annealed foils "
        "fall as the thickness approaches the grain size)"
    ),
    "Jin2018": (
        "S. Jin, M. Huang, Y. Kwon, ..., R.S. Ruoff, Colossal grain growth yields single-crystal metal foils by "
        "contact-free annealing, Science 362 (2018) 1021, doi:10.1126/science.aao3373 (abstract: grains up to 32 cm2 "
        "by minimising contact stresses)"
    ),
    "Xu2017": (
        "X. Xu, Z. Zhang, J. Dong, ..., K. Liu, Ultrafast epitaxial growth of metre-sized single-crystal graphene on "
        "industrial Cu foil, Sci. Bull. 62 (2017) 1074, doi:10.1016/j.scib.2017.07.005 (abstract: single-crystal "
        "Cu(111) foil of (5 x 50) cm2 from industrial polycrystalline foil by a temperature-gradient-driven annealing "
        "technique)"
    ),
    "Wu2020": (
        "M. Wu, Z. Zhang, X. Xu, ..., K. Liu, Seeded growth of large single-crystal copper foils with high-index "
        "facets, Nature 581 (2020) 406, doi:10.1038/s41586-020-2298-5 (abstract: ~30 x 20 cm2 single-crystal foils, "
        "facet set by the largest grain or a seed, with the potential of growing to lengths of several metres)"
    ),
    "Guo2023": (
        "J. Guo, C.L. Zhang, X. Li, T.L. Huang, G.L. Wu, H.F. Shi, D. Juul Jensen, X.X. Huang, Abnormal grain growth "
        "in thin copper foils during high-temperature annealing, J. Phys.: Conf. Ser. (2023) 012035 (abstract: "
        "1000 °C, a critical temperature for abnormal grain growth in Cu foils)"
    ),
    "Chen2023": (
        "H. Chen, X. Liu, Y. Huang, ..., Z. Liu, Oxidization-temperature-triggered rapid preparation of large-area "
        "single-crystal Cu(111) foil, Adv. Mater. 35 (2023) 2209755, doi:10.1002/adma.202209755 (abstract: up to "
        "320 cm2 within 60 min)"
    ),
    "White2006": (
        "F.M. White, Viscous Fluid Flow, 3rd ed., McGraw-Hill (2006), Table 1-2 (Sutherland law for gases)"
    ),
    "BSL2002": (
        "R.B. Bird, W.E. Stewart, E.N. Lightfoot, Transport Phenomena, 2nd ed., Wiley (2002), §9.3 "
        "(Chapman-Enskog thermal conductivity of monatomic gases)"
    ),
    "Hollands1975": (
        "K.G.T. Hollands, G.D. Raithby, L. Konicek, Correlation equations for free convection heat transfer in "
        "horizontal layers of air and water, Int. J. Heat Mass Transfer 18 (1975) 879-884"
    ),
    "Kennard1938": (
        "E.H. Kennard, Kinetic Theory of Gases, McGraw-Hill (1938): temperature-jump distance at a gas-solid interface"
    ),
    "Venables1984": (
        "J.A. Venables, G.D.T. Spiller, M. Hanbücken, Nucleation and growth of thin films, Rep. Prog. Phys. "
        "47 (1984) 399 (mean-field rate equations: adatoms, capture by islands, critical nucleus i*)"
    ),
    "Avrami1939": (
        "M. Avrami, Kinetics of phase change I, J. Chem. Phys. 7 (1939) 1103; with A.N. Kolmogorov, Izv. Akad. "
        "Nauk SSSR 3 (1937) 355 and Johnson & Mehl (1939): coverage from the extended area, 1 - exp(-A_ext)"
    ),
    "Kidson1961": (
        "G.V. Kidson, Some aspects of the growth of diffusion layers in binary systems, J. Nucl. Mater. 3 "
        "(1961) 21 (layer growth from the flux jumps at the interfaces)"
    ),
    "GoseleTu1982": (
        "U. Gösele, K.N. Tu, Growth kinetics of planar binary diffusion couples: thin-film case versus bulk "
        "cases, J. Appl. Phys. 53 (1982) 3252 (phases missing because they grow too slowly)"
    ),
    "Shimozaki2016": (
        "T. Shimozaki, J.-H. Lee, C.-G. Lee, Movement of multiple markers in Cu/Zn multiple phase diffusion "
        "couples, J. Phase Equilib. Diffus. 37 (2016) 548, doi:10.1007/s11669-016-0479-6 (623 K: only γ and "
        "ε grow, no β′)"
    ),
    "Khoulif2022": (
        "Khoulif et al., Study of reactive diffusion in Cu/Zn diffusion couple, Indian J. Sci. Technol. 15 "
        "(2022) 2740 (250 °C: ε and γ layers only; γ parabolic, k = 1.9e-13 m²/s)"
    ),
    "BJDSTech": (
        "BJDS Tech (furnace vendor), Annealing process of an annealing furnace, "
        "https://bjds-tech.com/annealing-process-of-an-annealing-furnace (12 steps of a bell-furnace cycle with times)"
    ),
}

_used: dict[str, set[str]] = {}
_recorders: list[set[tuple[str, str]]] = []


def register(key: str, caller: str = "") -> None:
    """Record that ``key`` was used (by ``caller``); an unknown key is a programming error."""
    if key not in CITATIONS:
        raise KeyError(f"unknown citation key {key!r}; known: {sorted(CITATIONS)}")
    _used.setdefault(key, set()).add(caller)
    for rec in _recorders:
        rec.add((key, caller))


@contextlib.contextmanager
def recording() -> Iterator[set[tuple[str, str]]]:
    """Collect the (key, caller) pairs registered inside the block (they are registered as usual too): a cache
    keeps them with a computed value and registers them again on every hit (:mod:`process_models.cache`)."""
    rec: set[tuple[str, str]] = set()
    _recorders.append(rec)
    try:
        yield rec
    finally:
        _recorders.remove(rec)


def register_all(pairs: Iterable[tuple[str, str]]) -> None:
    """Register recorded (key, caller) pairs again."""
    for key, caller in pairs:
        register(key, caller)


def used() -> list[str]:
    """Citation keys registered since the last :func:`reset`, sorted."""
    return sorted(_used)


def reset() -> None:
    """Forget what was registered (tests, and the start of each run report)."""
    _used.clear()
