"""The dashboard's Calibrate and Drift tabs (docs/calibration.md §10): widgets only; the work is in
:mod:`ui.plant_view` and the layers below it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from process_models.errors import FoiltwinInputError
from twin.parameter_set import ParameterSet
from ui import data_folder, plant_view
from ui.whatif import describe_error


@st.cache_data(max_entries=8, show_spinner=False)
def _fit(folder: str, name: str | None, upload: tuple[str, bytes] | None, names: str, outcomes: str,
         set_name: str) -> dict[str, Any]:
    from pathlib import Path

    data = plant_view.load_plant_data(Path(folder), name, upload)
    return plant_view.fit(data, plant_view.parse_names(names), plant_view.parse_names(outcomes), set_name)


def _data_choice(prefix: str) -> tuple[str | None, tuple[str, bytes] | None]:
    folder = data_folder.data_dir()
    names = plant_view.list_plant_data(folder)
    name = st.selectbox(f"plant data from `{folder}`", ["(choose)", *names], key=f"{prefix}.file",
                        help="*.csv / *.parquet files in the data folder (docs/calibration.md §1 gives the format)")
    up = st.file_uploader("or upload plant data", type=["csv", "parquet"], key=f"{prefix}.upload")
    return (name if name in names else None), (None if up is None else (up.name, up.getvalue()))


def calibrate_tab() -> None:
    """Plant data → fit (weighted least squares) → estimates, parity plot → the parameter set to download."""
    st.caption("Fit registry parameters to the line's measurements (`foiltwin calibrate`, docs/calibration.md). "
               "A fit of four parameters to forty coils takes 15-30 s.")
    name, upload = _data_choice("cal")
    with st.form("cal_form"):
        names = st.text_area("parameters to fit (comma-separated; empty: the registry's fitted parameters the data "
                             "depend on)", key="cal.params")
        outcomes = st.text_input("outcomes (empty: every one measured)", key="cal.outcomes")
        set_name = st.text_input("name of the parameter set", value="plant calibration", key="cal.name")
        go = st.form_submit_button("Fit", type="primary")
    if not go and "cal.result" not in st.session_state:
        return
    if go:
        if name is None and upload is None:
            st.info("choose or upload a plant data file first")
            return
        try:
            with st.spinner("fitting ..."):
                st.session_state["cal.result"] = _fit(str(data_folder.data_dir()), name, upload, names, outcomes,
                                                      set_name.strip() or "plant calibration")
        except FoiltwinInputError as err:
            st.session_state.pop("cal.result", None)
            st.error(describe_error(err))
            return
    res = st.session_state["cal.result"]
    d = res["report"]
    f = d["fit"]
    st.write(f"{len(d['parameters'])} parameter(s) fitted to {f['n_observations']} readings of "
             f"{d['data']['file']} ({d['data']['rows']} rows): χ² {f['chi2']:.4g} on {f['dof']} degrees of freedom, "
             f"covariance {f['covariance_mode']} (scale {f['covariance_scale']:.3g})")
    st.dataframe(plant_view.estimate_rows(d), hide_index=True, key="cal.estimates")
    for u in d["identifiability"]["unidentifiable"]:
        st.warning(f"not identifiable ({u['kind']}): {u['text']}")
    if not res["converged"]:
        st.error(f"the fit did not converge: {f['message']}")
    for title, fig in res["figures"]:
        st.subheader(title)
        st.plotly_chart(fig)
    if res["set_json"] is not None:
        st.download_button("Download the parameter set (JSON)", res["set_json"], file_name="parameter_set.json",
                           mime="application/json", key="cal.download")
        st.caption("use it: put it in the data folder (sidebar 'Parameter set') or `--params FILE` on the CLI")
    else:
        st.error("no parameter set: the data cannot pin down every parameter, or the fit did not converge")


def drift_tab(pset: ParameterSet | None) -> None:
    """New plant data against the sidebar's parameter set: CUSUM per outcome with the alarm and the start."""
    st.caption("Has the plant drifted from its twin? (`foiltwin data drift`, docs/calibration.md §4)")
    if pset is None:
        st.info("choose a fitted parameter set in the sidebar ('Parameter set') to compare new data with")
        return
    name, upload = _data_choice("dr")
    c1, c2 = st.columns(2)
    k = c1.number_input("CUSUM k [σ]", 0.05, 10.0, 0.5, 0.05, key="dr.k")
    h = c2.number_input("CUSUM h [σ]", 0.5, 100.0, 5.0, 0.5, key="dr.h")
    if name is None and upload is None:
        return
    try:
        data = plant_view.load_plant_data(data_folder.data_dir(), name, upload)
        out = plant_view.drift(data, pset, float(k), float(h))
    except FoiltwinInputError as err:
        st.error(describe_error(err))
        return
    d = out["report"]
    first = d["first"]
    if first:
        st.error(f"drift: {first['outcome']} {first['direction']} by ≈{abs(first['shift_sigma']):.2g}σ, alarm at "
                 f"row {first['alarm']['row']}, started ≈ row {first['start']['row']}")
    else:
        st.success("no drift detected")
    st.dataframe(plant_view.drift_rows(d), hide_index=True, key="dr.table")
    st.plotly_chart(out["figure"])
