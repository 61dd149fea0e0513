"""The dashboard's parameter-uncertainty pieces (docs/calibration.md §6b, §7): intervals on the what-if's KPIs and
the tornado chart of sensitivity indices. Widgets only: the draws, runs and statistics are
:mod:`optimizer.uq.twin_kpis`'s, the chart :mod:`optimizer.uq.tornado`'s, the table :mod:`ui.kpi_tables`'s."""

from __future__ import annotations

from typing import Any

import streamlit as st

from process_models.errors import FoiltwinInputError
from twin.progress import Progress
from ui import kpi_tables as tables
from ui.whatif import describe_error, describe_failure, scenario_from_json

DEFAULT_DRAWS = 8
MAX_DRAWS = 64


@st.cache_data(max_entries=8, show_spinner=False)
def _intervals(scenario_text: str, draws: int, seed: int, _progress: Any = None) -> dict[str, Any]:
    from optimizer.uq.twin_kpis import twin_kpi_intervals

    return twin_kpi_intervals(scenario_from_json(scenario_text), draws=draws, seed=seed,
                              progress=_progress).to_dict()


def whatif_intervals(whatif_text: str, currency: str) -> None:
    """An expander: the what-if plant over parameter draws (each with the what-if's seed) → its KPIs' intervals and
    yield at risk."""
    key = "wi.uq.result"
    held = st.session_state.get(key)
    with st.expander("Parameter uncertainty of the what-if KPIs", expanded=held is not None):
        st.caption("The what-if plant run once per draw of the uncertain parameters (the sidebar's parameter set's "
                   "covariance and the registry's standard errors), every run with the what-if's seed (common random "
                   "numbers): the interval is what the *parameter* uncertainty does to the KPIs, not the plant's "
                   "randomness (that is the replications' Δ interval above). One plant run per draw.")
        c1, c2 = st.columns(2)
        draws = c1.number_input("parameter draws", min_value=2, max_value=MAX_DRAWS, value=DEFAULT_DRAWS, step=1,
                                key="wi.uq.draws")
        seed = c2.number_input("seed of the draws", min_value=0, value=0, step=1, key="wi.uq.seed")
        if st.button("Compute KPI intervals", key="wi.uq.run"):
            bar = st.progress(0.0, text="Running the what-if over parameter draws…")

            def show(p: Progress) -> None:
                bar.progress(p.fraction or 0.0, text=p.text())

            try:
                d = _intervals(whatif_text, int(draws), int(seed), show)
                held = {"scenario": whatif_text, "result": d}
                st.session_state[key] = held
            except FoiltwinInputError as err:
                st.error(describe_error(err))
                held = None
            except Exception as err:  # a failure inside the twin: one line, not a traceback
                st.error(describe_failure("The uncertainty runs", err))
                held = None
            bar.empty()
        if held is None:
            return
        if held["scenario"] != whatif_text:
            st.warning("The what-if changed since these intervals: press **Compute KPI intervals** to update.")
        d = held["result"]
        st.dataframe(tables.parameter_interval_table(d, currency), hide_index=True, key="wi.uq.table")
        fails = f"; {d['failed']} draw(s) refused by the models" if d["failed"] else ""
        st.caption(f"{d['draws']} parameter draws (Latin hypercube, seed {d['seed']}), plant seed {d['plant_seed']}"
                   f"{fails}; uncertain: " + ", ".join(f"{p['name']} ± {p['standard_error']:.2g} ({p['source']})"
                                                      for p in d["uncertainty"]))


def tornado_expander() -> None:
    """An expander: a sensitivity result (the JSON of `foiltwin sensitivity` or `batch summary --sobol`, uploaded)
    → a tornado chart of one output's Sobol indices (``optimizer.uq.tornado``)."""
    import json

    from optimizer.uq.tornado import sobol_outputs, tornado_figure

    held = st.session_state.get("sens.result")
    with st.expander("Sensitivity: tornado chart of Sobol indices", expanded=held is not None):
        st.caption("Upload the JSON of `foiltwin sensitivity --json FILE` or `foiltwin batch summary DB --sobol "
                   "--json FILE`: first-order (S1) and total (ST) indices per parameter, largest total on top.")
        up = st.file_uploader("sensitivity result (JSON)", type=["json"], key="sens.upload")
        if up is not None:
            try:
                data = json.loads(up.getvalue().decode("utf-8"))
                sobol_outputs(data if isinstance(data, dict) else {})
                held = st.session_state["sens.result"] = data
            except (ValueError, UnicodeDecodeError) as err:
                st.error(f"The file is not JSON: {err}")
                return
            except FoiltwinInputError as err:
                st.error(describe_error(err))
                return
        if held is None:
            return
        outs = list(sobol_outputs(held))
        output = st.selectbox("output", outs, key="sens.output")
        st.plotly_chart(tornado_figure(held, output), key="sens.tornado")
