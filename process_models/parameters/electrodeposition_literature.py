"""Electrodeposition: plating baths, electrode kinetics, mass transport and line constants.

One block of parameters per bath, named ``<bath prefix>_<quantity>`` (prefixes in :data:`BATH_PREFIXES`), plus
line-wide constants named ``plating_*``. Seed 002 §5g gives the Zn bath windows and Faraday numbers; seed 000
(Feng2026, Table 2 and §1.2) the Cu electroforming window and the FSI⁻ texture additive; everything else is
handbook data or an assumption, marked as such with its reason.

Kinetic constants of plating baths are notoriously bath- and additive-specific: the exchange current densities
and transfer coefficients below are orders of magnitude meant to be overridden with a plant's Tafel data. The
one fitted set is the hydrogen side reaction of the three Zn baths: its exchange current density is chosen so
that the model's cathode efficiency at the bath's typical point (typical current density, default composition
and temperature, diffusion layer = agitation floor, no web motion) equals the middle of the handbook range;
see :func:`process_models.plating.electrodeposition.calibrate_her_exchange_current_density_A_per_m2`.

Bath conductivities and metal-ion diffusivities are quoted at ``plating_reference_temperature_K`` and scaled
with temperature through the water viscosity (Stokes-Einstein for D, Walden's rule for κ).
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"
_S2 = "SeedNote002"
_S0 = "SeedNote000"
_F = "Feng2026"
_CRC = "CRC"
_INC = "Incropera2007"
_BF = "Bard2001"
_SP = "Schlesinger2010"
_REN = "Ren2013"
_W = "Winand1994"
_TSOU = "Tsou1967"

# Bath name (as used by process_models.plating.baths.get_bath) → parameter-name prefix.
BATH_PREFIXES: dict[str, str] = {
    "zn_acid_sulfate": "zn_sulfate_bath",
    "zn_acid_chloride": "zn_chloride_bath",
    "zn_alkaline_zincate": "zn_zincate_bath",
    "cu_acid_sulfate": "cu_sulfate_bath",
    "cu_acid_sulfate_fsi": "cu_fsi_bath",
    "ag_thiosulfate": "ag_thiosulfate_bath",
    "sn_acid_sulfate": "sn_sulfate_bath",
}

# Physically meaningful bounds per bath quantity (overrides must stay inside).
_BOUNDS: dict[str, tuple[float, float]] = {
    "metal_concentration_mol_per_m3": (1.0, 5000.0),
    "metal_concentration_min_mol_per_m3": (1.0, 5000.0),
    "metal_concentration_max_mol_per_m3": (1.0, 5000.0),
    "temperature_K": (273.15, 373.15),
    "temperature_min_K": (273.15, 373.15),
    "temperature_max_K": (273.15, 373.15),
    "current_density_min_A_per_m2": (0.1, 1e5),
    "current_density_max_A_per_m2": (0.1, 1e5),
    "typical_current_density_A_per_m2": (0.1, 1e5),
    "ph_frac": (-1.0, 15.5),
    "conductivity_S_per_m": (0.1, 150.0),
    "metal_diffusivity_m2_per_s": (1e-11, 5e-9),
    "exchange_current_density_A_per_m2": (1e-6, 1e4),
    "cathodic_transfer_coefficient_frac": (0.05, 4.0),
    "anodic_transfer_coefficient_frac": (0.05, 4.0),
    "formal_potential_V": (-3.0, 3.0),
    "her_exchange_current_density_A_per_m2": (1e-14, 1e2),
    "her_transfer_coefficient_frac": (0.05, 2.0),
    "cathode_efficiency_min_frac": (0.0, 1.0),
    "cathode_efficiency_max_frac": (0.0, 1.0),
    "anode_efficiency_frac": (0.0, 2.0),
    "additive_concentration_mol_per_m3": (0.0, 1000.0),
}

# Unit of each quantity (the registry test checks it against the name's suffix).
_UNITS: dict[str, str] = {
    "_mol_per_m3": "mol/m3", "_K": "K", "_A_per_m2": "A/m2", "_frac": "1", "_S_per_m": "S/m",
    "_m2_per_s": "m2/s", "_V": "V",
}


def _unit(quantity: str) -> str:
    for suffix, unit in _UNITS.items():
        if quantity.endswith(suffix):
            return unit
    raise ValueError(f"no unit for {quantity}")


Row = tuple[str, float, str, str, str]  # quantity, value, source, kind, where
Fit = tuple[str, float, str, str, str, str, float]  # quantity, value, source, kind, where, fit_error, standard error
_HER_SE_METHOD = ("stated range through the one-point solve: the bath's cathode-efficiency range (seed note 002 §5g) "
                  "read as uniform, carried through dε/d ln i0,H; process_models.fits.plating")


def _bath(prefix: str, rows: list[Row], fitted: list[Fit] = ()) -> list[Parameter]:
    out = [Parameter(f"{prefix}_{q}", v, _unit(q), src, where, kind, _BOUNDS[q]) for q, v, src, kind, where in rows]
    value = {q: v for q, v, *_ in rows}
    window = f"{value.get('cathode_efficiency_min_frac', 0):.0%}-{value.get('cathode_efficiency_max_frac', 0):.0%}"
    out += [Parameter(f"{prefix}_{q}", v, _unit(q), src, where, kind, _BOUNDS[q], fit_error=err,
                      data_used=(f"seed note 002 §5g cathode efficiency {window} ({prefix} bath, middle)",),
                      standard_error=se, standard_error_method=_HER_SE_METHOD)
            for q, v, src, kind, where, err, se in fitted]
    return out


def _common_transfer(n_electrons: int, alpha_c: float, why: str) -> list[Row]:
    """Apparent cathodic/anodic transfer coefficients with α_a + α_c = n (one rate-determining sequence)."""
    return [
        ("cathodic_transfer_coefficient_frac", alpha_c, _A, "assumed",
         f"apparent cathodic transfer coefficient; {why}"),
        ("anodic_transfer_coefficient_frac", n_electrons - alpha_c, _BF, "assumed",
         f"α_a = n - α_c (n = {n_electrons}) so that Butler-Volmer obeys the Nernst equation (Bard2001 §3.5)"),
    ]


_HER_ALPHA_WHERE = ("symmetry factor 0.5 of the Volmer step, Tafel slope ≈118 mV/dec at 25 °C (Bard2001 §3.4); "
                    "fits of this model's ε use it")
_FIT_WHERE = ("fitted: ε(typical j, default c and T, δ = agitation floor, web at rest) = middle of the handbook "
              "cathode-efficiency range; refit with calibrate_her_exchange_current_density_A_per_m2 after "
              "changing this bath's kinetics or transport")


def _zn_sulfate() -> list[Parameter]:
    m_salt = "ZnSO4·7H2O, 287.56 g/mol (CRC)"
    rows: list[Row] = [
        ("metal_concentration_mol_per_m3", 956.3, _S2, "derived",
         f"§5g ZnSO4·7H2O 200-350 g/L; 275 g/L (middle) ÷ {m_salt}"),
        ("metal_concentration_min_mol_per_m3", 695.5, _S2, "derived", f"§5g: 200 g/L ÷ {m_salt}"),
        ("metal_concentration_max_mol_per_m3", 1217.1, _S2, "derived", f"§5g: 350 g/L ÷ {m_salt}"),
        ("temperature_K", 313.15, _A, "assumed",
         "seed 002 gives no temperature; acid-sulfate Zn is run warm (40 °C) for conductivity and limiting current"),
        ("temperature_min_K", 298.15, _A, "assumed", "room temperature"),
        ("temperature_max_K", 333.15, _A, "assumed", "60 °C, warmest usual acid Zn bath (more H2 above)"),
        ("current_density_min_A_per_m2", 100.0, _S2, "literature", "§5g: 1-30 A/dm2, lower end"),
        ("current_density_max_A_per_m2", 3000.0, _S2, "literature",
         "§5g: 1-30 A/dm2, upper end (needs strong agitation)"),
        ("typical_current_density_A_per_m2", 500.0, _S2, "derived",
         "5 A/dm2, ≈ log-middle of the §5g window 1-30 A/dm2; the CE calibration point"),
        ("ph_frac", 4.0, _S2, "assumed", "§5g: pH 3-4.5; 4.0 taken"),
        ("conductivity_S_per_m", 5.0, _A, "assumed",
         "≈1 M ZnSO4 conducts ≈4-5 S/m at 25 °C (aqueous conductivity tables); no conducting salt assumed"),
        ("metal_diffusivity_m2_per_s", 7.03e-10, _CRC, "literature",
         "Zn2+ limiting diffusion coefficient at 25 °C (infinite dilution; concentrated baths are lower)"),
        ("exchange_current_density_A_per_m2", 20.0, _A, "assumed",
         "Zn2+/Zn at 1 M, additive-free sulfate: order 1e-3 A/cm2 (fast 'intermediate' metal; Winand, "
         "Schlesinger2010 ch. 10); additives lower it"),
        *_common_transfer(2, 0.5, "Tafel slope ≈120 mV/dec at 25 °C, usual for additive-free acid Zn"),
        ("formal_potential_V", -0.7618, _CRC, "literature",
         "Zn2+ + 2e- = Zn, standard potential vs SHE (electrochemical series); activity coefficients taken as 1"),
        ("her_transfer_coefficient_frac", 0.5, _BF, "assumed", _HER_ALPHA_WHERE),
        ("cathode_efficiency_min_frac", 0.95, _S2, "literature", "§5g: acid sulfate CE 95-99 %"),
        ("cathode_efficiency_max_frac", 0.99, _S2, "literature", "§5g: acid sulfate CE 95-99 %"),
        ("anode_efficiency_frac", 1.02, _A, "assumed",
         "Zn anodes also dissolve chemically in acid (with H2), so Zn builds up slowly: 2 % over Faraday"),
    ]
    fitted: list[Fit] = [
        ("her_exchange_current_density_A_per_m2", 4.033e-05, _A, "fitted", _FIT_WHERE,
         "one point, one parameter: ε = 0.97000 vs target 0.970 (mid of 95-99 %) at 500 A/m2, 956.3 mol/m3, "
         "313.15 K, δ = 30 µm (|Δε| < 1e-5 from rounding); the whole 95-99 % range maps to i0,H × 0.33-1.70; "
         "not identifiable apart from α_H and the Zn kinetics", 1.604e-05),
    ]
    return _bath(BATH_PREFIXES["zn_acid_sulfate"], rows, fitted)


def _zn_chloride() -> list[Parameter]:
    m_salt = "ZnCl2, 136.29 g/mol (CRC)"
    rows: list[Row] = [
        ("metal_concentration_mol_per_m3", 587.0, _S2, "derived",
         f"§5g ZnCl2 60-100 g/L (+ KCl 200-230 g/L, H3BO3 25-35 g/L); 80 g/L ÷ {m_salt}"),
        ("metal_concentration_min_mol_per_m3", 440.2, _S2, "derived", f"§5g: 60 g/L ÷ {m_salt}"),
        ("metal_concentration_max_mol_per_m3", 733.7, _S2, "derived", f"§5g: 100 g/L ÷ {m_salt}"),
        ("temperature_K", 298.15, _A, "assumed", "chloride Zn runs near room temperature (brightener cloud point)"),
        ("temperature_min_K", 293.15, _A, "assumed", "20 °C"),
        ("temperature_max_K", 318.15, _A, "assumed", "45 °C"),
        ("current_density_min_A_per_m2", 100.0, _S2, "literature", "§5g: 1-5 A/dm2, lower end"),
        ("current_density_max_A_per_m2", 500.0, _S2, "literature", "§5g: 1-5 A/dm2, upper end"),
        ("typical_current_density_A_per_m2", 200.0, _S2, "derived",
         "2 A/dm2, ≈ log-middle of the §5g window 1-5 A/dm2; the CE calibration point"),
        ("ph_frac", 5.2, _S2, "assumed", "§5g: pH 4.5-6; 5.2 taken"),
        ("conductivity_S_per_m", 20.0, _A, "assumed",
         "≈3 M KCl conducting salt (§5g) conducts ≈25-30 S/m at 25 °C; lowered by Zn chloro-complexes"),
        ("metal_diffusivity_m2_per_s", 7.03e-10, _CRC, "literature",
         "Zn2+ limiting diffusion coefficient at 25 °C (chloro-complexes diffuse a little slower)"),
        ("exchange_current_density_A_per_m2", 30.0, _A, "assumed",
         "chloride activates Zn deposition relative to sulfate (Winand, Schlesinger2010 ch. 10); order 3e-3 A/cm2"),
        *_common_transfer(2, 0.5, "Tafel slope ≈120 mV/dec at 25 °C"),
        ("formal_potential_V", -0.7618, _CRC, "literature",
         "Zn2+ + 2e- = Zn, standard potential vs SHE; chloro-complexation and activity coefficients neglected"),
        ("her_transfer_coefficient_frac", 0.5, _BF, "assumed", _HER_ALPHA_WHERE),
        ("cathode_efficiency_min_frac", 0.93, _S2, "derived", "§5g gives '≈95 %'; read as 95 ± 2 %"),
        ("cathode_efficiency_max_frac", 0.97, _S2, "derived", "§5g gives '≈95 %'; read as 95 ± 2 %"),
        ("anode_efficiency_frac", 1.02, _A, "assumed",
         "Zn anodes also dissolve chemically in the acid chloride bath: 2 % over Faraday"),
    ]
    fitted: list[Fit] = [
        ("her_exchange_current_density_A_per_m2", 1.248e-04, _A, "fitted", _FIT_WHERE,
         "one point, one parameter: ε = 0.95000 vs target 0.950 at 200 A/m2, 587.0 mol/m3, 298.15 K, δ = 30 µm "
         "(|Δε| < 1e-5 from rounding); the range 93-97 % maps to i0,H × 0.59-1.43", 3.044e-05),
    ]
    return _bath(BATH_PREFIXES["zn_acid_chloride"], rows, fitted)


def _zn_zincate() -> list[Parameter]:
    rows: list[Row] = [
        ("metal_concentration_mol_per_m3", 153.0, _S2, "derived",
         "§5g: Zn 6-15 g/L + NaOH 100-150 g/L; 10 g/L Zn ÷ 65.38 g/mol"),
        ("metal_concentration_min_mol_per_m3", 91.8, _S2, "derived", "§5g: 6 g/L Zn ÷ 65.38 g/mol"),
        ("metal_concentration_max_mol_per_m3", 229.4, _S2, "derived", "§5g: 15 g/L Zn ÷ 65.38 g/mol"),
        ("temperature_K", 298.15, _A, "assumed", "alkaline non-cyanide Zn runs at room temperature"),
        ("temperature_min_K", 293.15, _A, "assumed", "20 °C"),
        ("temperature_max_K", 308.15, _A, "assumed", "35 °C; warmer baths lose efficiency and brightness"),
        ("current_density_min_A_per_m2", 50.0, _A, "assumed", "seed silent; 0.5 A/dm2, usual lower end (rack)"),
        ("current_density_max_A_per_m2", 400.0, _A, "assumed", "seed silent; 4 A/dm2, usual upper end (rack)"),
        ("typical_current_density_A_per_m2", 150.0, _A, "assumed",
         "1.5 A/dm2, ≈ log-middle of 0.5-4 A/dm2; the CE calibration point"),
        ("ph_frac", 14.5, _S2, "derived", "§5g: NaOH 125 g/L (middle) = 3.1 M; pH ≈ 14 + log10(3.1), ideal"),
        ("conductivity_S_per_m", 35.0, _A, "assumed", "≈3 M NaOH conducts ≈35-40 S/m at 25 °C"),
        ("metal_diffusivity_m2_per_s", 6.0e-10, _A, "assumed",
         "Zn(OH)4 2- in ≈3 M NaOH; reported values 5e-10-1e-9 m2/s"),
        ("exchange_current_density_A_per_m2", 20.0, _A, "assumed",
         "zincate kinetics are fast without additives; brighteners (always present) lower i0"),
        *_common_transfer(2, 0.5, "Tafel slope ≈120 mV/dec at 25 °C"),
        ("formal_potential_V", -1.273, _CRC, "derived",
         "ZnO2 2- + 2H2O + 2e- = Zn + 4OH-, E° = -1.215 V vs SHE (electrochemical series), at 3.1 M OH-: "
         "E°' = E° - 2(RT/F) ln 3.1 = -1.273 V"),
        ("her_transfer_coefficient_frac", 0.5, _BF, "assumed", _HER_ALPHA_WHERE),
        ("cathode_efficiency_min_frac", 0.50, _S2, "literature", "§5g: alkaline zincate CE 50-85 %"),
        ("cathode_efficiency_max_frac", 0.85, _S2, "literature", "§5g: alkaline zincate CE 50-85 %"),
        ("anode_efficiency_frac", 1.10, _A, "assumed",
         "if Zn anodes are used they also dissolve chemically in caustic (≈10 % over Faraday), hence the "
         "insoluble (steel/Ni) anodes usual in zincate lines (default anode 'insoluble')"),
    ]
    fitted: list[Fit] = [
        ("her_exchange_current_density_A_per_m2", 3.780e-04, _A, "fitted", _FIT_WHERE,
         "one point, one parameter: ε = 0.67502 vs target 0.675 (mid of 50-85 %) at 150 A/m2, 153.0 mol/m3, "
         "298.15 K, δ = 30 µm (|Δε| < 1e-4 from rounding); the range 50-85 % maps to i0,H × 0.35-2.19",
         1.858e-04),
    ]
    return _bath(BATH_PREFIXES["zn_alkaline_zincate"], rows, fitted)


def _cu_sulfate() -> list[Parameter]:
    m_salt = "CuSO4·5H2O, 249.69 g/mol (CRC)"
    rows: list[Row] = [
        ("metal_concentration_mol_per_m3", 901.1, _A, "assumed",
         f"general-purpose acid Cu electroforming bath, 225 g/L {m_salt} with ≈60 g/L H2SO4 (seed 000 "
         "gives no recipe, §1.1)"),
        ("metal_concentration_min_mol_per_m3", 600.7, _A, "assumed", f"150 g/L {m_salt}"),
        ("metal_concentration_max_mol_per_m3", 1121.4, _A, "assumed",
         f"280 g/L {m_salt}; CuSO4 solubility falls with acid content"),
        ("temperature_K", 313.15, _A, "assumed", "40 °C: µm/min electroforming runs warm"),
        ("temperature_min_K", 293.15, _S0, "literature", "seed 000 Table 2 (Feng2026): RT to 80 °C"),
        ("temperature_max_K", 353.15, _S0, "literature", "seed 000 Table 2 (Feng2026): RT to 80 °C"),
        ("current_density_min_A_per_m2", 100.0, _A, "assumed", "1 A/dm2"),
        ("current_density_max_A_per_m2", 1500.0, _A, "assumed", "15 A/dm2 with strong agitation"),
        ("typical_current_density_A_per_m2", 500.0, _S0, "derived",
         "seed 000 §6(a): Table 2's 'µm/min' means ≥ 45.3 mA/cm2 of Cu current; 5 A/dm2 ≈ 1.1 µm/min"),
        ("ph_frac", 0.3, _A, "assumed", "≈0.6 M H2SO4 with HSO4- partly dissociated"),
        ("conductivity_S_per_m", 25.0, _A, "assumed",
         "acid Cu with ≈60 g/L H2SO4 conducts ≈20-30 S/m at 25 °C (high-acid baths ≈50 S/m)"),
        ("metal_diffusivity_m2_per_s", 7.14e-10, _CRC, "literature",
         "Cu2+ limiting diffusion coefficient at 25 °C (infinite dilution; concentrated baths are lower)"),
        ("exchange_current_density_A_per_m2", 10.0, _A, "assumed",
         "Cu2+/Cu in acid sulfate without suppressor: order 1e-3 A/cm2; PEG/Cl- suppressors lower it"),
        *_common_transfer(2, 0.5, "Tafel slope ≈120 mV/dec at 25 °C"),
        ("formal_potential_V", 0.3419, _CRC, "literature",
         "Cu2+ + 2e- = Cu, standard potential vs SHE (electrochemical series); activity coefficients taken as 1"),
        ("her_exchange_current_density_A_per_m2", 1.0e-3, _A, "assumed",
         "H2 evolution on Cu in acid: order 1e-7 A/cm2 (HER volcano compilations); not fitted, because H2 is "
         "thermodynamically out of reach below j_L and ε ≈ 1 at the typical point as handbooks state"),
        ("her_transfer_coefficient_frac", 0.5, _BF, "assumed", _HER_ALPHA_WHERE),
        ("cathode_efficiency_min_frac", 0.95, _A, "assumed", "acid Cu plates at 95-100 % cathode efficiency"),
        ("cathode_efficiency_max_frac", 1.0, _A, "assumed", "acid Cu plates at 95-100 % cathode efficiency"),
        ("anode_efficiency_frac", 1.0, _A, "assumed", "phosphorised Cu anodes dissolve at ≈100 % efficiency"),
    ]
    return _bath(BATH_PREFIXES["cu_acid_sulfate"], rows)


def _cu_fsi() -> list[Parameter]:
    """Only what differs from the acid-sulfate Cu bath; the rest is read from the cu_sulfate_bath_* entries."""
    rows: list[Row] = [
        ("additive_concentration_mol_per_m3", 10.0, _A, "assumed",
         "seed 000 §1.2 (Feng2026, citing Zhen et al.): FSI- in the electrolyte steers Cu growth to (110); no "
         "composition given. 10 mM (≈1.9 g/L LiFSI) assumed; FSI- stability at pH < 1 not known"),
        ("exchange_current_density_A_per_m2", 3.0, _A, "assumed",
         "an adsorbing texture-directing anion inhibits Cu deposition: 0.3 × the additive-free value assumed; "
         "no data"),
    ]
    return _bath(BATH_PREFIXES["cu_acid_sulfate_fsi"], rows)


def _ag_thiosulfate() -> list[Parameter]:
    rows: list[Row] = [
        ("metal_concentration_mol_per_m3", 235.5, _REN, "derived",
         "optimised thiosulfate bath: AgNO3 40 g/L ÷ 169.87 g/mol (CRC), Ag(I) as Ag(S2O3)2 3-"),
        ("metal_concentration_min_mol_per_m3", 117.7, _A, "assumed", "AgNO3 20 g/L"),
        ("metal_concentration_max_mol_per_m3", 294.3, _A, "assumed", "AgNO3 50 g/L"),
        ("temperature_K", 298.15, _A, "assumed", "room temperature"),
        ("temperature_min_K", 293.15, _A, "assumed", "20 °C"),
        ("temperature_max_K", 308.15, _A, "assumed", "35 °C; thiosulfate decomposes faster when warm"),
        ("current_density_min_A_per_m2", 10.0, _A, "assumed", "0.1 A/dm2"),
        ("current_density_max_A_per_m2", 50.0, _A, "assumed", "0.5 A/dm2; Ren2013 report burning above the optimum"),
        ("typical_current_density_A_per_m2", 25.0, _REN, "literature", "optimum 0.25 A/dm2 with AgNO3 40 g/L"),
        ("ph_frac", 5.0, _A, "assumed", "thiosulfate Ag baths run mildly acid (pH ≈ 5) with metabisulfite"),
        ("conductivity_S_per_m", 8.0, _A, "assumed", "≈1-1.5 M Na2S2O3 conducts ≈8-10 S/m at 25 °C"),
        ("metal_diffusivity_m2_per_s", 6.0e-10, _A, "assumed",
         "Ag(S2O3)2 3- is a large complex anion; Ag+ itself is 1.65e-9 m2/s (CRC)"),
        ("exchange_current_density_A_per_m2", 5.0, _A, "assumed", "order 0.5 mA/cm2 for the complexed Ag(I)"),
        *_common_transfer(1, 0.5, "one-electron transfer, symmetry factor 0.5"),
        ("formal_potential_V", 0.01, _CRC, "literature",
         "Ag(S2O3)2 3- + e- = Ag + 2 S2O3 2-, E° ≈ +0.01 V vs SHE; free thiosulfate taken as 1 M"),
        ("her_exchange_current_density_A_per_m2", 1.0e-3, _A, "assumed",
         "H2 evolution on Ag: order 1e-7 A/cm2; not fitted (ε ≈ 1 at the typical point; the real side "
         "reactions are thiosulfate reduction/sulfide, not modelled)"),
        ("her_transfer_coefficient_frac", 0.5, _BF, "assumed", _HER_ALPHA_WHERE),
        ("cathode_efficiency_min_frac", 0.95, _A, "assumed", "Ag plates at ≈100 % cathode efficiency"),
        ("cathode_efficiency_max_frac", 1.0, _A, "assumed", "Ag plates at ≈100 % cathode efficiency"),
        ("anode_efficiency_frac", 1.0, _A, "assumed", "fine-silver anodes; can film with Ag2S, watch"),
    ]
    return _bath(BATH_PREFIXES["ag_thiosulfate"], rows)


def _sn_sulfate() -> list[Parameter]:
    rows: list[Row] = [
        ("metal_concentration_mol_per_m3", 168.5, _A, "assumed",
         "stannous sulfate bath, Sn2+ 20 g/L (≈36 g/L SnSO4) with ≈100 g/L H2SO4 ÷ 118.71 g/mol"),
        ("metal_concentration_min_mol_per_m3", 84.2, _A, "assumed", "Sn2+ 10 g/L"),
        ("metal_concentration_max_mol_per_m3", 337.0, _A, "assumed", "Sn2+ 40 g/L"),
        ("temperature_K", 293.15, _A, "assumed", "kept cool to slow Sn2+ oxidation by air"),
        ("temperature_min_K", 283.15, _A, "assumed", "10 °C"),
        ("temperature_max_K", 303.15, _A, "assumed", "30 °C"),
        ("current_density_min_A_per_m2", 50.0, _A, "assumed", "0.5 A/dm2"),
        ("current_density_max_A_per_m2", 400.0, _A, "assumed", "4 A/dm2 with agitation"),
        ("typical_current_density_A_per_m2", 150.0, _A, "assumed", "1.5 A/dm2, ≈ log-middle of 0.5-4 A/dm2"),
        ("ph_frac", 0.0, _A, "assumed", "≈1 M H2SO4"),
        ("conductivity_S_per_m", 35.0, _A, "assumed", "≈1 M H2SO4 conducts ≈35-40 S/m at 25 °C"),
        ("metal_diffusivity_m2_per_s", 6.0e-10, _A, "assumed", "Sn2+ in acid sulfate; no tabulated value"),
        ("exchange_current_density_A_per_m2", 10.0, _A, "assumed",
         "Sn2+/Sn is fast without additives; grain refiners lower i0"),
        *_common_transfer(2, 0.5, "Tafel slope ≈120 mV/dec at 25 °C"),
        ("formal_potential_V", -0.1375, _CRC, "literature",
         "Sn2+ + 2e- = Sn, standard potential vs SHE (electrochemical series); activity coefficients taken as 1"),
        ("her_exchange_current_density_A_per_m2", 1.0e-4, _A, "assumed",
         "H2 evolution on Sn (high-overvoltage metal): order 1e-8 A/cm2; not fitted (ε ≈ 1 at the typical "
         "point; Sn2+ → Sn4+ air oxidation is a bath loss, not a cathodic one)"),
        ("her_transfer_coefficient_frac", 0.5, _BF, "assumed", _HER_ALPHA_WHERE),
        ("cathode_efficiency_min_frac", 0.95, _A, "assumed", "acid Sn plates at 95-100 % cathode efficiency"),
        ("cathode_efficiency_max_frac", 1.0, _A, "assumed", "acid Sn plates at 95-100 % cathode efficiency"),
        ("anode_efficiency_frac", 1.0, _A, "assumed", "pure Sn anodes dissolve as Sn2+ at ≈100 %"),
    ]
    return _bath(BATH_PREFIXES["sn_acid_sulfate"], rows)


def _line_constants() -> list[Parameter]:
    return [
        # --- deposit metals not in materials_literature ---
        Parameter("plating_ag_molar_mass_kg_per_mol", 107.8682e-3, "kg/mol", _CRC,
                  "standard atomic weight of Ag, 107.8682(2) g/mol", "constant", (107.8680e-3, 107.8684e-3)),
        Parameter("plating_ag_density_kg_per_m3", 10490.0, "kg/m3", _CRC,
                  "density of Ag at 20 °C (10.49 g/cm3; seed 000 §6(a) uses the same)", "literature",
                  (10000.0, 10500.0)),
        Parameter("plating_sn_molar_mass_kg_per_mol", 118.710e-3, "kg/mol", _CRC,
                  "standard atomic weight of Sn, 118.710(7) g/mol", "constant", (118.703e-3, 118.717e-3)),
        Parameter("plating_sn_density_kg_per_m3", 7265.0, "kg/m3", _CRC,
                  "density of white (β) Sn at 25 °C (7.265 g/cm3; seed 000 §6(a))", "literature", (7000.0, 7300.0)),
        # --- property reference state ---
        Parameter("plating_reference_temperature_K", 298.15, "K", _CRC,
                  "25 °C: temperature at which bath conductivities and diffusivities are quoted", "constant",
                  (298.15, 298.15)),
        Parameter("plating_standard_concentration_mol_per_m3", 1000.0, "mol/m3", _BF,
                  "1 mol/L standard state of solutes for Nernst terms and exchange current densities", "constant",
                  (1000.0, 1000.0)),
        Parameter("plating_viscosity_activation_energy_J_per_mol", 14917.0, "J/mol", _CRC,
                  "Andrade fit μ ∝ exp(E/RT) to the CRC water viscosity table, 20-80 °C, referenced to 25 °C; "
                  "scales D (Stokes-Einstein, D ∝ T/μ), κ (Walden, κ ∝ 1/μ) and ν", "fitted", (5000.0, 30000.0),
                  data_used=("CRC water viscosity table, 293-353 K (8 points)",), standard_error=240.1,
                  standard_error_method="Jacobian: least squares in ln μ, cov = s²(JᵀJ)⁻¹, s² = RSS/(n − 2); "
                  "process_models.fits.plating",
                  fit_error="max |Δμ/μ| = 2.2 % over 293-353 K (8 table points, least squares in ln μ)"),
        Parameter("plating_kinematic_viscosity_m2_per_s", 1.0e-6, "m2/s", _A,
                  "bath kinematic viscosity at 25 °C: water 0.89e-6 m2/s (CRC) raised ≈10 % by 1 M salts",
                  "assumed", (5e-7, 5e-6)),
        Parameter("plating_metal_kinetics_activation_energy_J_per_mol", 40000.0, "J/mol", _A,
                  "Arrhenius temperature dependence of metal exchange current densities; aqueous metal "
                  "deposition typically 20-60 kJ/mol, no bath-specific data", "assumed", (0.0, 150000.0)),
        Parameter("plating_her_activation_energy_J_per_mol", 40000.0, "J/mol", _A,
                  "Arrhenius temperature dependence of the H2-evolution exchange current density on the deposit; "
                  "equal to the metal value so that temperature acts on ε only through transport and F/RT",
                  "assumed", (0.0, 150000.0)),
        # --- mass transport (Incropera2007 §7.2 and §9.9 by the heat/mass-transfer analogy) ---
        Parameter("plating_agitation_diffusion_layer_m", 30e-6, "m", _A,
                  "Nernst diffusion layer set by tank agitation alone (air sparging, eductors, pumped flow); "
                  "vigorously agitated plating tanks 10-100 µm, still baths ≈0.3-0.5 mm", "assumed",
                  (1e-6, 1e-3)),
        Parameter("plating_laminar_plate_sherwood_coefficient_frac", 0.664, "1", _INC,
                  "§7.2: average laminar flat-plate coefficient, Sh = 0.664 Re^1/2 Sc^1/3 (Blasius, Pohlhausen)",
                  "constant", (0.664, 0.664)),
        Parameter("plating_turbulent_plate_sherwood_coefficient_frac", 0.037, "1", _INC,
                  "§7.2 mixed boundary layer: Sh = (0.037 Re^4/5 - A) Sc^1/3, A from continuity at Re_c",
                  "constant", (0.037, 0.037)),
        Parameter("plating_transition_reynolds_frac", 5.0e5, "1", _INC,
                  "§7.2: critical Reynolds number of the flat-plate boundary layer", "literature", (1e5, 3e6)),
        Parameter("plating_convection_blend_exponent_frac", 3.0, "1", _INC,
                  "§9.9: combined forced + other convection, Sh^n = Sh_1^n + Sh_2^n with n = 3 (here web-driven "
                  "+ agitation)", "literature", (1.0, 10.0)),
        Parameter("plating_moving_web_sherwood_coefficient_frac", 1.128, "1", _TSOU,
                  "continuous moving surface in a quiescent bath (Sakiadis flow): for Sc ≫ 1 the diffusion layer "
                  "sits in fluid moving with the web, Sh_x → (Re_x Sc/π)^1/2, averaged over L: 2/√π = 1.128",
                  "derived", (0.5, 2.0)),
        # --- anodes (insoluble: O2 evolution on a mixed-metal-oxide/DSA anode) ---
        Parameter("plating_oer_standard_potential_V", 1.229, "V", _CRC,
                  "O2 + 4H+ + 4e- = 2H2O, standard potential vs SHE; shifted by -(RT ln10/F)·pH", "constant",
                  (1.229, 1.229)),
        Parameter("plating_oer_exchange_current_density_A_per_m2", 1.0e-3, "A/m2", _A,
                  "O2 evolution on an IrO2-type insoluble anode: gives ≈0.35 V overpotential at 1 kA/m2 with "
                  "α = 1, as usual for such anodes", "assumed", (1e-9, 10.0)),
        Parameter("plating_oer_transfer_coefficient_frac", 1.0, "1", _A,
                  "Tafel slope ≈60 mV/dec at 25 °C on IrO2-type anodes", "assumed", (0.1, 2.0)),
        Parameter("plating_anode_to_cathode_area_ratio_frac", 1.0, "1", _A,
                  "anode plates as wide and long as the immersed web", "assumed", (0.05, 20.0)),
        # --- cell and rectifier ---
        Parameter("plating_anode_cathode_gap_m", 0.03, "m", _A,
                  "web-to-anode distance of a strip plating tank (10-50 mm usual)", "assumed", (1e-3, 0.5)),
        Parameter("plating_contact_drop_at_max_current_V", 0.3, "V", _A,
                  "conductor-roll contact + busbar drop at the bath's maximum current density, scaled ∝ j "
                  "(ohmic); 0.2-0.5 V usual", "assumed", (0.0, 5.0)),
        Parameter("plating_rectifier_efficiency_frac", 0.90, "1", _A,
                  "AC→DC efficiency of a plating rectifier at load (thyristor 85-92 %, switch-mode 90-95 %)",
                  "assumed", (0.5, 1.0)),
        # --- line and bath housekeeping ---
        Parameter("plating_web_faces_count", 2.0, "1", _A,
                  "current collectors are coated on both faces, so both faces are plated", "assumed",
                  (1.0, 2.0)),
        Parameter("plating_dragout_film_m", 5e-5, "m", _A,
                  "bath carried out per web area (both faces): 0.05 L/m2 = 5e-5 m3/m2 for a flat web through "
                  "wiper rolls (0.02-0.2 L/m2 usual)", "assumed", (0.0, 1e-3)),
        Parameter("plating_dragout_recovery_frac", 0.0, "1", _A,
                  "share of the drag-out returned to the bath by a static recovery rinse; 0 = none fitted "
                  "(a recovery rinse typically returns 80-95 %)", "assumed", (0.0, 1.0)),
        Parameter("plating_max_limiting_share_frac", 0.5, "1", _W,
                  "above ≈half the limiting current deposits turn rough, then dendritic/powdery ('burnt') as "
                  "j/j_L → 1 (Winand's structure map); 0.5 is the alarm threshold", "assumed", (0.05, 1.0)),
        # --- cross-web current distribution (finite-volume numerics) ---
        Parameter("uniformity_width_cells_count", 60.0, "1", _A,
                  "cells across the half-web (graded toward the edge); CoV within 1 % of 240 cells", "assumed",
                  (10.0, 1000.0)),
        Parameter("uniformity_gap_cells_count", 30.0, "1", _A,
                  "cells from web to anode (graded toward the web)", "assumed", (5.0, 500.0)),
        Parameter("uniformity_overhang_cells_count", 30.0, "1", _A,
                  "cells between the web edge and the far-field boundary", "assumed", (5.0, 500.0)),
        Parameter("uniformity_far_field_gaps_frac", 6.0, "1", _A,
                  "distance of the far-field (symmetry) boundary beyond the web edge, in gaps; the edge "
                  "disturbance decays as exp(-πx/gap)", "assumed", (2.0, 50.0)),
        Parameter("uniformity_edge_cell_frac", 2e-3, "1", _A,
                  "size of the cells next to the web edge, as a fraction of the gap", "assumed", (1e-5, 0.1)),
    ]


def get_parameter_values() -> dict:
    parameters = [
        *_zn_sulfate(),
        *_zn_chloride(),
        *_zn_zincate(),
        *_cu_sulfate(),
        *_cu_fsi(),
        *_ag_thiosulfate(),
        *_sn_sulfate(),
        *_line_constants(),
    ]
    citations = sorted({p.source for p in parameters})
    return {"parameters": parameters, "citations": citations}
