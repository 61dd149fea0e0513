"""Physical constants and unit factors the models use, as ``scipy.constants`` defines them (same values, same
expressions, so every derived number is unchanged; tests/test_parameters.py compares each with scipy's).

They were imported from ``scipy.constants``, whose import parses the whole CODATA table (≈10-20 ms of every CLI
call and twin run, issue 15). All are exact: the 2019 SI fixes N_A, k, e, h and c, and R = N_A·k and
σ = 2π⁵k⁴/(15h³c²) follow; the rest are conventional definitions (standard atmosphere and gravity,
thermochemical calorie, avoirdupois and troy weights).
"""

from __future__ import annotations

import math

pi = math.pi

# SI prefixes and time
kilo = 1e3
centi = 1e-2
micro = 1e-6
hour = 3600.0  # [s]

# 2019 SI defining constants, and constants exact from them (CODATA 2022 lists R and σ to these digits)
N_A = 6.02214076e23  # Avogadro constant [1/mol]
e = 1.602176634e-19  # elementary charge [C]
R = 8.31446261815324  # molar gas constant [J/(mol K)] = N_A·k
sigma = 5.6703744191844314e-08  # Stefan-Boltzmann constant [W/(m2 K4)]

# conventional values
g = 9.80665  # standard acceleration of gravity [m/s2]
atm = 101325.0  # standard atmosphere [Pa]
zero_Celsius = 273.15  # [K]
calorie = 4.184  # thermochemical calorie [J]
grain = 64.79891e-6  # [kg]
pound = 7000 * grain  # avoirdupois pound [kg]
troy_ounce = 480 * grain  # [kg]
