"""foiltwin what-if dashboard (``streamlit run ui/app.py``; see docs/ui.md).

A thin page: widgets → ``ui.whatif`` (scenario and overrides) → ``twin.simulate.run_single`` /
``optimizer.optimize`` / ``process_models.collector.recipe.evaluate_collector`` → ``ui.tables`` and ``twin.plots``;
the Calibrate and Drift tabs through ``ui.plant_tabs`` → ``ui.plant_view``.
No physics and no KPI is computed here.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import tempfile
import threading
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any, get_args

import streamlit as st

from optimizer import OptimiserCache, OptimizerError, Targets, optimize, pareto
from optimizer.pareto_figure import pareto_figure
from optimizer.targets import OBJECTIVES, default_skin_thickness_nm
from process_models.collector.recipe import Substrate, evaluate_collector
from process_models.errors import FoiltwinInputError
from process_models.plating.baths import BATH_NAMES
from process_models.uht.recipe import Cooling
from twin.parameter_set import ParameterSet, warnings_of
from twin.progress import Progress
from twin.replications import MAX_REPLICATIONS, PairedReplications, replicate, run_paired
from twin.scenario import WEB_TENSION_FIELDS, Scenario, with_parameter_set
from twin.simulate import build_parameters, run_single
from ui import batch_view, data_folder, param_sets, plant_tabs, uncertainty_view, web_tension
from ui import kpi_tables as tables
from ui.figures import run_figures
from ui.kpi_tables import cost_comparison_line, optimiser_cost
from ui.lab import LabInputs, lab_recipe
from ui.whatif import (
    JS_MAX_SAFE_INT,
    KNOB,
    OUT_OF_SPEC_FOIL,
    STEPS,
    WhatIfInputs,
    baseline_scenario,
    build_whatif,
    describe_error,
    describe_failure,
    inputs_from_scenario,
    parse_overrides,
    plant_targets,
    rounded_settings,
    scenario_from_json,
    scenario_from_toml_bytes,
    scenario_json,
    settings_to_inputs,
)

DEFAULT_REPLICATIONS = 3
_OPT_DEFAULTS = {k: p.default for k, p in inspect.signature(optimize).parameters.items()}
_TARGET_DEFAULTS = {f.name: f.default for f in fields(Targets)}


# ------------------------------------------------------------------------------------------------- cached runs
@st.cache_data(max_entries=32, show_spinner=False)
def simulate(scenario_text: str, with_figures: bool) -> dict[str, Any]:
    """Run a scenario (keyed on its JSON); with figures, from the Parquet logs of the run."""
    sc = scenario_from_json(scenario_text)
    if not with_figures:
        return {"report": run_single(sc), "figures": []}
    with tempfile.TemporaryDirectory(prefix="foiltwin-ui-") as tmp:
        report = run_single(sc, out_dir=Path(tmp))
        figures = run_figures(report, Path(tmp))
    return {"report": report, "figures": figures}


def session_optimiser_cache() -> tuple[OptimiserCache, threading.Lock]:
    """This browser session's :class:`OptimiserCache` and the lock its runs hold: the session's optimisations reuse
    each other's coarse tables, recipes and twin histories (another target or twin horizon on the same plant runs
    warm), and never share them with another session's thread (the cache is not thread-safe)."""
    if "opt.cache" not in st.session_state:
        st.session_state["opt.cache"] = (OptimiserCache(), threading.Lock())
    return st.session_state["opt.cache"]


@st.cache_data(max_entries=16, show_spinner=False)
def run_optimiser(scenario_text: str, targets_text: str, verify_twin: bool, twin_hours: float,
                  _progress: Any = None, _cache: tuple[OptimiserCache, threading.Lock] | None = None
                  ) -> dict[str, Any]:
    """``optimize`` on the scenario's plant; infeasible targets come back as a result, not an exception.
    ``_progress`` (not part of the cache key) hears each stage's name; ``_cache`` (nor that): the session's
    optimiser cache and its lock (:func:`session_optimiser_cache`)."""
    kw = json.loads(targets_text)
    targets = Targets(**kw)
    cache, lock = _cache if _cache is not None else (None, threading.Lock())
    with lock:
        result = optimize(targets, scenario_from_json(scenario_text), verify_twin=verify_twin,
                          twin_hours=twin_hours, raise_infeasible=False, progress=_progress, cache=cache)
    return result.to_dict()


@st.cache_data(max_entries=8, show_spinner=False)
def run_pareto_front(scenario_text: str, targets_text: str, axes: tuple[str, str], points: int,
                     _progress: Any = None) -> dict[str, Any]:
    """``optimizer.pareto`` on the scenario's plant (no twin check: the front's points are checked in the process
    models); the front, its currency and message."""
    targets = Targets(**json.loads(targets_text))
    result = pareto(targets, scenario_from_json(scenario_text), axes=axes, points=points, verify_twin=False,
                    raise_infeasible=False, progress=_progress)
    return {"front": result.pareto or [], "currency": result.currency, "message": result.message}


@st.cache_data(max_entries=32, show_spinner=False)
def run_lab(scenario_text: str, inputs_text: str) -> dict[str, Any]:
    """One collector recipe with the scenario's registry overrides."""
    params = build_parameters(scenario_from_json(scenario_text))
    result = evaluate_collector(lab_recipe(LabInputs(**json.loads(inputs_text))), params)
    return json.loads(json.dumps(result.to_dict(), default=float))


# ------------------------------------------------------------------------------------------------- state
def _key(attr: str) -> str:
    return f"wi.{attr}"


def _write_inputs(inputs: WhatIfInputs, only_missing: bool = False) -> None:
    """Widget values into the session (floats as floats: a number widget keeps the type it was given)."""
    for attr, v in inputs.to_dict().items():
        if v is None or (only_missing and _key(attr) in st.session_state):
            continue
        knob = KNOB.get(attr)
        if knob is not None and not knob.integer and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        st.session_state[_key(attr)] = v


def _read_inputs(base: Scenario) -> WhatIfInputs:
    """The widget values (equipment the plant lacks stays None)."""
    now = inputs_from_scenario(base)
    kw = {attr: st.session_state.get(_key(attr), v) if v is not None else None for attr, v in now.to_dict().items()}
    return WhatIfInputs(**kw)


def _sync_base(base: Scenario) -> None:
    """Reset the what-if widgets to a newly loaded base scenario."""
    fp = hashlib.sha256(scenario_json(base).encode()).hexdigest()
    if st.session_state.get("base_fp") != fp:
        for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(("wi.", "opt.", "lab."))]:
            del st.session_state[k]
        st.session_state["base_fp"] = fp
    _write_inputs(inputs_from_scenario(base), only_missing=True)


def _use_settings(settings: dict[str, Any], base_text: str, result: dict[str, Any]) -> None:
    """Button callback: the optimiser's settings (rounded to the widget steps) become the what-if inputs; what the
    optimiser said they cost is kept to set beside the what-if's cost."""
    base = scenario_from_json(base_text)
    try:
        inputs = settings_to_inputs(settings, base, _read_inputs(base))
        _write_inputs(inputs)
        web_tension.use_settings(st.session_state, settings)
        tensions = web_tension.tension_overrides(base, {k: float(v) for k, v in (settings.get("uht") or {}).items()
                                                        if k in WEB_TENSION_FIELDS})
        st.session_state["wi.note"] = "What-if inputs set from the optimiser's recommendation: press Run."
        st.session_state["opt.applied"] = {"inputs": inputs.to_dict(), "rounded": rounded_settings(settings, base,
                                                                                                   inputs),
                                           "cost": optimiser_cost(result), "currency": result.get("currency", "USD"),
                                           "tensions": tensions}
    except FoiltwinInputError as err:
        st.session_state["wi.note_error"] = describe_error(err)


def _explain_cost_vs_optimiser(base: Scenario, last: dict[str, Any], rows: list[tables.KpiRow]) -> None:
    """One line when the what-if shown runs the settings the optimiser recommended: both costs and why they
    differ."""
    applied = st.session_state.get("opt.applied")
    if not applied:
        return
    wi = scenario_from_json(last["whatif"])
    try:
        same = build_whatif(base, replace(WhatIfInputs(**applied["inputs"]), hours=wi.hours, seed=wi.seed),
                            applied.get("tensions", [])).scenario
    except FoiltwinInputError:
        return
    cost = next((r for r in rows if r.scope == "plant" and r.kpi == "cost"), None)
    if scenario_json(same) != last["whatif"] or cost is None:
        return
    st.caption(cost_comparison_line(applied, cost.whatif, wi.hours, int(last["replications"]),
                                    bool(last["plating_dropped"])))


# ------------------------------------------------------------------------------------------------- sidebar
def _number(attr: str, label: str | None = None, disabled: bool = False) -> None:
    knob = KNOB[attr]
    b = knob.bounds
    text = f"{label or knob.label}" + (f" [{knob.unit}]" if knob.unit else "")
    help_ = f"allowed {b.text(knob.unit)} (`{knob.model.__name__}.{knob.field}`)"
    if knob.integer:
        lo = None if b.widget_min is None else int(b.widget_min)
        hi = None if b.widget_max is None else min(int(b.widget_max), JS_MAX_SAFE_INT)
        st.number_input(text, min_value=lo, max_value=hi, step=1, key=_key(attr), help=help_, disabled=disabled)
    else:
        lo = None if b.widget_min is None else float(b.widget_min)
        hi = None if b.widget_max is None else float(b.widget_max)
        st.number_input(text, min_value=lo, max_value=hi, step=STEPS.get(attr), format="%g",
                        key=_key(attr), help=help_, disabled=disabled)


def _base_scenario() -> tuple[Scenario, str]:
    st.sidebar.header("Scenario")
    upload = st.sidebar.file_uploader("scenario TOML (default: the built-in plant)", type=["toml"])
    if upload is None:
        return Scenario(), "built-in default plant"
    try:
        return scenario_from_toml_bytes(upload.name, upload.getvalue()), upload.name
    except FoiltwinInputError as err:
        st.sidebar.error(describe_error(err))
        return Scenario(), "built-in default plant (the upload was refused)"


def _parameter_set() -> ParameterSet | None:
    """Sidebar: a fitted parameter set from the data folder or an upload (docs/calibration.md); None: the
    registry as it is."""
    sb = st.sidebar
    sb.header("Parameter set")
    folder = data_folder.data_dir()
    names = param_sets.list_parameter_sets(folder)
    choice = sb.selectbox(f"fitted set from `{folder}`", ["(none: the registry)", *names], key="ps.file",
                          help=f"the *.json parameter sets of `foiltwin calibrate` in {folder} "
                               f"(${data_folder.DATA_DIR_ENV})")
    upload = sb.file_uploader("or upload a parameter set (JSON)", type=["json"], key="ps.upload")
    try:
        if upload is not None:
            pset = param_sets.load_upload(upload.name, upload.getvalue())
        elif choice in names:
            pset = param_sets.load_from_folder(folder, choice)
        else:
            return None
    except FoiltwinInputError as err:
        sb.error(describe_error(err))
        return None
    sb.caption(f"{pset.provenance()}; sha256 {pset.set_id}")
    sb.dataframe(param_sets.set_rows(pset), hide_index=True, key="ps.table")
    for w in warnings_of(pset):
        sb.warning(w)
    return pset


def _sidebar(base: Scenario) -> None:
    t = plant_targets(base)
    sb = st.sidebar
    with sb:
        if t.uht_index is not None:
            st.subheader(f"UHT line `{t.uht_name}`")
            for attr in ("uht_web_speed_m_per_min", "uht_stage2_temperature_K", "uht_stage2_zone_length_m",
                         "uht_stage2_modules_on", "uht_stage3_peak_K"):
                _number(attr)
            web_tension.tension_widget(st, base)
        if t.furnace_names:
            st.subheader(f"Coil furnace `{', '.join(t.furnace_names)}`")
            st.checkbox("furnace on", key=_key("furnace_enabled"))
            off = not st.session_state[_key("furnace_enabled")]
            _number("furnace_soak_temperature_K", disabled=off)
            _number("furnace_soak_h", disabled=off)
        if t.plating_index is not None:
            st.subheader(f"Plating line `{t.plating_name}`")
            unused = False
            if t.uht_index is not None:
                st.checkbox("plating line in use", key=_key("plating_in_use"),
                            help="off: the plating line is left out and the UHT line runs bought commercial foil")
                unused = not st.session_state[_key("plating_in_use")]
            _number("plating_web_speed_m_per_min", disabled=unused)
            _number("plating_current_density_A_per_m2", disabled=unused)
            st.selectbox("bath", BATH_NAMES, key=_key("plating_bath"), disabled=unused)
            _number("plating_tank_count", "active tanks", disabled=unused)
            st.selectbox("out-of-spec foil", OUT_OF_SPEC_FOIL, key=_key("plating_out_of_spec_foil"), disabled=unused,
                         format_func=OUT_OF_SPEC_FOIL.__getitem__,
                         help="foil the gauge finds outside the thickness window: run through the UHT line and "
                              "rejected there, or cut out at this line's rewinder (docs/twin.md, Limits)")
        st.subheader("Run (baseline and what-if)")
        _number("hours")
        _number("seed")
        st.number_input("replications (pairs of runs)", min_value=1, max_value=MAX_REPLICATIONS, step=1,
                        value=DEFAULT_REPLICATIONS, key="wi.replications",
                        help="replication r runs the baseline and the what-if with seed + r (common random numbers); "
                             "≥ 2 gives each Δ a 95 % interval")
        st.text_area("more overrides (what-if only), one `dotted.key=value` a line", key=_key("extra"),
                     placeholder="plant.lines.1.control.enabled=false\nparameters.foil_emissivity_frac=0.1",
                     help="TOML values; list items by index (`foiltwin schema` shows the fields)")
        st.button("Run baseline and what-if", key="run", type="primary")


# ------------------------------------------------------------------------------------------------- tabs
def _progress_bar(bar: Any) -> Any:
    """A ``twin.progress`` callback that moves ``bar`` (an ``st.progress``) and says where the job stands."""

    def show(p: Progress) -> None:
        bar.progress(p.fraction or 0.0, text=p.text())

    return show


def _paired(last: dict[str, Any], progress: Any = None) -> PairedReplications:
    """The run's replications through the page's cache (the what-if's first run with its figures)."""
    wi_text = last["whatif"]

    def run(sc: Scenario) -> dict[str, Any]:
        text = scenario_json(sc)
        return simulate(text, text == wi_text)["report"]

    return run_paired(scenario_from_json(last["baseline"]), scenario_from_json(wi_text), int(last["replications"]),
                      progress, run)


def _run_whatif(base: Scenario) -> bool:
    """Run button: the replications with a progress bar; False (and one error line) when refused or failed."""
    try:
        inputs = _read_inputs(base)
        extra = [*web_tension.state_overrides(st.session_state), *parse_overrides(st.session_state.get(_key("extra"),
                                                                                                              ""))]
        baseline = baseline_scenario(base, inputs)
        wi = build_whatif(base, inputs, extra)
        last = {"baseline": scenario_json(baseline), "whatif": scenario_json(wi.scenario),
                "overrides": list(wi.overrides), "plating_dropped": wi.plating_dropped,
                "replications": int(st.session_state.get("wi.replications", DEFAULT_REPLICATIONS))}
        bar = st.progress(0.0, text="Simulating baseline and what-if…")
        _paired(last, _progress_bar(bar))
        bar.empty()
        st.session_state["wi.last"] = last
        return True
    except FoiltwinInputError as err:
        st.error(describe_error(err))
    except Exception as err:  # a failure inside the twin: one line, not a traceback
        st.error(describe_failure("The simulation", err))
    st.session_state.pop("wi.last", None)
    return False


def _line_warnings(baseline: dict[str, Any], whatif: dict[str, Any], n: int) -> None:
    """The lines' warnings of each run (plating outside its bath's windows, zones too hot for the web): a warning
    box with their count and a table, per run that has any; nothing when none does."""
    for label, report in (("What-if", whatif), ("Baseline", baseline)):
        rows = tables.line_warnings(report)
        if not rows:
            continue
        lines = sorted({r["line"] for r in rows})
        st.warning(f"{label}{' (replication 1)' if n > 1 else ''}: {len(rows)} line warning"
                   f"{'s' if len(rows) > 1 else ''} on {', '.join(lines)} — {rows[0]['warning']}"
                   + (" (all in the table below)" if len(rows) > 1 else ""))
        st.dataframe(rows, hide_index=True, key=f"wi.warnings.{label.lower()}")


def _whatif_tab(base: Scenario) -> None:
    if st.session_state.get("run") and not _run_whatif(base):
        return
    last = st.session_state.get("wi.last")
    if last is None:
        st.info("Set the what-if in the sidebar and press **Run baseline and what-if**.")
        return
    paired = _paired(last)
    b = simulate(last["whatif"], True)
    report = b["report"]
    n = paired.n
    seeds = f"seed {paired.seeds[0]}" if n == 1 else f"seeds {paired.seeds[0]}–{paired.seeds[-1]}"
    st.subheader(f"Baseline vs what-if ({report['hours_simulated']:g} h, {n} replication{'s' if n > 1 else ''}, "
                 f"{seeds})")
    st.caption("Each replication runs the baseline and the what-if with the same seed (common random numbers); Δ is "
               "the mean of the paired differences, with its 95 % t-interval"
               + (" — significant when the interval excludes 0." if n > 1 else
                  ". One replication gives no interval: set replications ≥ 2."))
    with st.expander(f"what-if = baseline + {len(last['overrides'])} override(s)"
                     + (", plating line left out" if last["plating_dropped"] else "")):
        st.code("\n".join(last["overrides"]) or "(no change: the what-if is the baseline)", language="toml")
    if last["plating_dropped"]:
        st.caption("With the plating line left out the UHT line runs bought commercial foil, which the twin's cost "
                   "per m² does not price (`substrate` 0 in the breakdown); the optimiser's cost includes it.")
    try:  # say so when the sidebar no longer matches the run shown
        now = build_whatif(base, _read_inputs(base), [*web_tension.state_overrides(st.session_state),
                                                      *parse_overrides(st.session_state.get(_key("extra"), ""))])
        if scenario_json(now.scenario) != last["whatif"] or st.session_state.get(
                "wi.replications", DEFAULT_REPLICATIONS) != last["replications"]:
            st.warning("The inputs changed since this run: press **Run baseline and what-if** to update.")
    except FoiltwinInputError:
        pass
    rows = tables.compare_reports(paired.baseline[0], paired.whatif[0], paired, base.currency)
    cards = tables.headline(rows, base.currency)
    for col, card in zip(st.columns(len(cards)), cards, strict=True):
        col.metric(card["label"], card["value"], card["delta"],
                   delta_color="inverse" if card["label"].startswith("cost") else "normal")
    _explain_cost_vs_optimiser(base, last, rows)
    _line_warnings(paired.baseline[0], paired.whatif[0], n)
    if st.checkbox("only KPIs that changed", key="wi.only_changed"):
        rows = [r for r in rows if r.changed]
    st.dataframe(tables.comparison_table(rows), hide_index=True, key="kpi_table")
    uncertainty_view.whatif_intervals(last["whatif"], base.currency)
    st.subheader("What-if run" + (f" (replication 1, seed {paired.seeds[0]})" if n > 1 else ""))
    for i, (title, fig) in enumerate(b["figures"]):
        st.plotly_chart(fig, key=f"fig{i}")
        st.caption(title)


def _optimise_tab(base: Scenario, base_text: str) -> None:
    params = build_parameters(base)
    hours_b = KNOB["hours"].bounds
    with st.form("opt_form"):
        c1, c2, c3 = st.columns(3)
        skin = c1.number_input("skin thickness target [nm]", value=float(default_skin_thickness_nm(params)),
                               step=10.0, key="opt.skin")
        tol = c1.number_input("± tolerance [nm]", value=float(_TARGET_DEFAULTS["tolerance_nm"]), step=5.0,
                              key="opt.tol")
        tex = c2.number_input("min (100) texture [fraction]", value=None, step=0.05, key="opt.tex",
                              placeholder="no target")
        thr = c2.number_input("min throughput [m²/h]", value=None, step=5.0, key="opt.thr", placeholder="no target")
        cost = c2.number_input("max cost [USD/m²]", value=None, step=0.5, key="opt.cost", placeholder="no target")
        objective = c3.selectbox("objective", OBJECTIVES, key="opt.objective")
        weight = c3.number_input("cost weight (objective weighted)", value=float(_TARGET_DEFAULTS["cost_weight"]),
                                 step=0.1, key="opt.weight")
        twin = c3.checkbox("check in the twin", value=bool(_OPT_DEFAULTS["verify_twin"]), key="opt.twin")
        hours = c3.number_input("twin hours", value=float(_OPT_DEFAULTS["twin_hours"]), step=1.0,
                                min_value=None if hours_b.widget_min is None else float(hours_b.widget_min),
                                max_value=None if hours_b.widget_max is None else float(hours_b.widget_max),
                                key="opt.hours")
        submitted = st.form_submit_button("Optimise", type="primary")
    if submitted:
        kw = {"skin_thickness_nm": skin, "tolerance_nm": tol, "min_texture_100": tex, "min_throughput_m2_per_h": thr,
              "max_cost_per_m2": cost, "objective": objective, "cost_weight": weight}
        try:
            Targets(**kw)  # refuse bad targets before the solver starts
            bar = st.progress(0.0, text="Optimising (surrogates, MILP, process-model check"
                              + (", twin" if twin else "") + ")…")
            st.session_state["opt.result"] = run_optimiser(base_text, json.dumps(kw), bool(twin), float(hours),
                                                           _progress_bar(bar), session_optimiser_cache())
            bar.empty()
        except FoiltwinInputError as err:
            st.error(describe_error(err))
            st.session_state.pop("opt.result", None)
        except OptimizerError as err:
            st.error(f"The optimiser failed: {err}")
            st.session_state.pop("opt.result", None)
        except Exception as err:
            st.error(describe_failure("The optimisation", err))
            st.session_state.pop("opt.result", None)
    _pareto_expander(base_text, params)
    result = st.session_state.get("opt.result")
    if result is None:
        return
    status, message = result["status"], result.get("message", "")
    if status == "optimal":
        st.success(f"**{status}** — {message}")
    elif status == "feasible":
        st.warning(f"**{status}** — {message}")
    else:
        st.error(f"**{status}** — {message}")
    inf = result.get("infeasibility")
    if inf:
        st.markdown("**Conflicting targets**: " + (", ".join(inf.get("conflicting_targets") or []) or "none named"))
        st.dataframe(tables.infeasibility_table(result), hide_index=True, key="opt_infeasible")
        if inf.get("conflicts_with"):
            st.markdown("held there by: " + "; ".join(inf["conflicts_with"]))
    settings = result.get("settings")
    if settings:
        st.markdown("**Recommended settings**" if status != "infeasible" else "**Nearest achievable point**")
        st.dataframe(tables.settings_table(settings), hide_index=True, key="opt_settings")
        st.markdown("**KPIs** — prediction (surrogate) · process models · twin")
        st.dataframe(tables.optimisation_kpi_table(result, result.get("currency", "USD")), hide_index=True,
                     key="opt_kpis")
        if result.get("binding_constraints"):
            st.markdown("**Binding**: " + "; ".join(result["binding_constraints"]))
        st.button("Use as what-if" if status != "infeasible" else "Use the nearest point as what-if",
                  key="opt.use", on_click=_use_settings, args=(settings, base_text, result))
    gap = result.get("mip_gap")
    st.caption(f"MIP gap {'n/a' if gap is None else f'{gap:.2e}'}, solve {result.get('solve_seconds', 0):.2f} s, "
               f"total {result.get('total_seconds', 0):.2f} s, twin iterations {result.get('twin_iterations', 0)}")


def _pareto_expander(base_text: str, params: dict[str, Any]) -> None:
    """Pareto front (``optimizer.pareto``) of the targets above: cost against throughput or tolerance, plotted."""
    with st.expander("Pareto front", expanded="opt.pareto" in st.session_state):
        c1, c2 = st.columns(2)
        axes = c1.selectbox("trade cost against", ["throughput", "tolerance"], key="opt.pareto_axes")
        points = c2.number_input("points of the sweep", min_value=2, max_value=12, value=4, step=1,
                                 key="opt.pareto_points")
        st.caption("Uses the targets of the form above (as last submitted); each point is checked in the process "
                   "models, not the twin.")
        if st.button("Compute the front", key="opt.pareto_run"):
            ss = st.session_state
            kw = {"skin_thickness_nm": ss.get("opt.skin", default_skin_thickness_nm(params)),
                  "tolerance_nm": ss.get("opt.tol", _TARGET_DEFAULTS["tolerance_nm"]),
                  "min_texture_100": ss.get("opt.tex"), "min_throughput_m2_per_h": ss.get("opt.thr"),
                  "max_cost_per_m2": ss.get("opt.cost")}
            try:
                Targets(**kw)
                bar = st.progress(0.0, text="Sweeping the front…")
                ss["opt.pareto"] = run_pareto_front(base_text, json.dumps(kw), ("cost", axes), int(points),
                                                    _progress_bar(bar))
                bar.empty()
            except FoiltwinInputError as err:
                st.error(describe_error(err))
                ss.pop("opt.pareto", None)
            except OptimizerError as err:
                st.error(f"The optimiser failed: {err}")
                ss.pop("opt.pareto", None)
            except Exception as err:
                st.error(describe_failure("The Pareto front", err))
                ss.pop("opt.pareto", None)
        res = st.session_state.get("opt.pareto")
        if res is None:
            return
        if not res["front"]:
            st.warning(f"No feasible point on the front — {res.get('message', '')}")
            return
        st.plotly_chart(pareto_figure(res["front"], currency=res.get("currency", "USD")), key="opt.pareto_fig")
        st.caption(res.get("message", ""))


def _lab_tab(base: Scenario, base_text: str) -> None:
    st.caption("One m² of collector through the process models, line dynamics aside (`foiltwin recipe`).")
    d = LabInputs()
    peak_default = float(build_parameters(base)["stage3_default_peak_temperature_K"])
    with st.form("lab_form"):
        c1, c2, c3 = st.columns(3)
        foil = c1.number_input("foil thickness [µm]", value=float(d.foil_thickness_um), step=1.0, key="lab.foil")
        substrate = c1.selectbox("substrate", get_args(Substrate), key="lab.substrate")
        t2 = c1.number_input("stage-II temperature [K]", value=float(d.stage2_temperature_K), step=5.0, key="lab.t2")
        s2 = c1.number_input("stage-II time [s]", value=float(d.stage2_time_s), step=5.0, key="lab.s2")
        calibrated = c2.checkbox("calibrated stage-III peak", value=True, key="lab.calibrated")
        t3 = c2.number_input("stage-III peak [K]", value=peak_default, step=5.0, key="lab.t3")
        s3 = c2.number_input("stage-III time [ms]", value=float(d.stage3_time_ms), step=1.0, key="lab.s3")
        cooling = c2.selectbox("cooling", get_args(Cooling), key="lab.cooling")
        anneal = c3.checkbox("coil anneal", value=d.coil_anneal, key="lab.anneal")
        soak_t = c3.number_input("soak temperature [K]", value=float(d.anneal_soak_temperature_K), step=5.0,
                                 key="lab.soak_t")
        soak_h = c3.number_input("soak time [h]", value=float(d.anneal_soak_h), step=0.25, key="lab.soak_h")
        ag = c3.number_input("Ag immersion [s]", value=float(d.ag_immersion_time_s), step=10.0, key="lab.ag")
        submitted = st.form_submit_button("Evaluate recipe")
    if submitted:
        x = replace(d, foil_thickness_um=foil, substrate=substrate, stage2_temperature_K=t2, stage2_time_s=s2,
                    stage3_peak_K=None if calibrated else t3, stage3_time_ms=s3, cooling=cooling, coil_anneal=anneal,
                    anneal_soak_temperature_K=soak_t, anneal_soak_h=soak_h, ag_immersion_time_s=ag)
        try:
            st.session_state["lab.result"] = run_lab(base_text, json.dumps(asdict(x)))
        except FoiltwinInputError as err:
            st.error(describe_error(err))
            st.session_state.pop("lab.result", None)
        except Exception as err:
            st.error(describe_failure("The recipe", err))
            st.session_state.pop("lab.result", None)
    res = st.session_state.get("lab.result")
    if res is None:
        return
    st.dataframe(tables.collector_table(res), hide_index=True, key="lab_kpis")
    if res.get("layers"):
        st.markdown("**Skin layers**")
        st.dataframe([{"phase": la["phase"], "thickness [nm]": tables.fmt(la["thickness_nm"])}
                      for la in res["layers"]], hide_index=True, key="lab_layers")
    for w in res.get("warnings", []):
        st.warning(w)


def _batches_tab() -> None:
    """Results of headless batches (`foiltwin batch run`) from the data folder: status, aliases, failures,
    per-scenario summary, a KPI chart. Databases are opened read-only."""
    folder = data_folder.data_dir()
    st.caption(f"Results of `foiltwin batch run SPEC --db FILE` (docs/batches.md), from the data folder `{folder}` "
               f"(`${data_folder.DATA_DIR_ENV}` or `foiltwin ui --data-dir`).")
    names = batch_view.list_databases(folder)
    if not names:
        st.info(f"no results databases (*.duckdb) in the data folder `{folder}` yet")
        return
    name = st.selectbox("results database", names, key="bt.db")
    line = st.text_input("line ('plant' or a line or furnace name)", value="plant", key="bt.line")
    try:
        path = batch_view.database_path(folder, name)
        first = batch_view.batch_overview(path, None, line)
        labels = {b["batch_id"]: f"{b['name']} — {b['created'][:19]} ({b['batch_id']})" for b in first["batches"]}
        ids = list(labels)
        chosen = st.selectbox("batch", ids, index=len(ids) - 1, format_func=labels.__getitem__, key="bt.batch")
        view = first if chosen == first["status"]["batch_id"] else batch_view.batch_overview(path, chosen, line)
    except FoiltwinInputError as err:
        st.error(describe_error(err))
        return
    status = view["status"]
    counts = status["counts"]
    cols = st.columns(4)
    for col, key in zip(cols, ("ok", "failed", "pending"), strict=False):
        col.metric(key, counts.get(key, 0))
    cols[3].metric("entries per job", f"{status['entries']} / {status['jobs']}")
    if status["aliases"]:
        st.caption("aliases (identical content, simulated once): "
                   + "; ".join(" = ".join(a["entries"][:5]) + (" = …" if len(a["entries"]) > 5 else "")
                               for a in status["aliases"][:10])
                   + (f"; and {len(status['aliases']) - 10} more groups" if len(status["aliases"]) > 10 else ""))
    if status["failures"]:
        st.subheader("failed jobs")
        st.dataframe(batch_view.failure_rows(status), hide_index=True)
    if view["summary"]:
        _batch_results(view)


def _column_config(columns: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {k: st.column_config.NumberColumn(c["label"], format=c["format"]) for k, c in columns.items()}


def _batch_results(view: dict[str, Any]) -> None:
    """Per-scenario table of numbers, main effects of the factors, replications, and a compare of 2–5 scenarios."""
    summary, runs, factors = view["summary"], view["runs"], view["factors"]
    labels = batch_view.scenario_labels(summary, factors)
    st.subheader("per scenario")
    st.caption("mean over the replications and the half-width of its 95 % t-interval; fractions in %; click a "
               "heading to sort")
    rows, columns = batch_view.summary_table(summary, labels, factors)
    st.dataframe(rows, hide_index=True, column_config=_column_config(columns), key="bt.summary")
    for note in batch_view.undefined_notes(summary, labels):  # the table's empty cells, and why
        st.caption(note)
    kpis = sorted({k for s in summary for k, v in s.items() if isinstance(v, dict) and "mean" in v})
    kpi = st.selectbox("KPI", kpis, index=kpis.index("cost_per_m2") if "cost_per_m2" in kpis else 0,
                       format_func=batch_view.kpi_heading, key="bt.kpi")
    effects = batch_view.main_effects_figure(runs, factors, kpi)
    if effects is not None:
        st.plotly_chart(effects, key="bt.effects")
    st.plotly_chart(batch_view.replications_figure(runs, labels, kpi), key="bt.replications")
    st.subheader("compare scenarios")
    names = [s["scenario"] for s in summary]
    chosen = st.multiselect(f"pick 2–{batch_view.MAX_COMPARE} scenarios", names, default=names[:2],
                            max_selections=batch_view.MAX_COMPARE, format_func=labels.__getitem__, key="bt.compare")
    if len(chosen) < 2:
        st.info("Pick at least two scenarios to compare.")
        return
    rows, columns = batch_view.compare_table(summary, chosen, labels)
    st.dataframe(rows, hide_index=True, column_config=_column_config(columns), key="bt.compare_table")
    st.plotly_chart(batch_view.compare_figure(summary, chosen, labels), key="bt.compare_fig")
    st.plotly_chart(batch_view.replications_figure(runs, labels, kpi, chosen), key="bt.compare_reps")


def _compare_candidates(base: Scenario) -> dict[str, Scenario]:
    """The scenarios the Compare tab can pick: the base, the sidebar's what-if, and uploaded scenario files."""
    out: dict[str, Scenario] = {"baseline (sidebar base)": base}
    try:
        out["what-if (sidebar)"] = build_whatif(base, _read_inputs(base),
                                                parse_overrides(st.session_state.get(_key("extra"), ""))).scenario
    except FoiltwinInputError as err:
        st.caption(f"the sidebar's what-if is not offered: {describe_error(err)}")
    for up in st.file_uploader("scenario files to compare (TOML)", type=["toml"], accept_multiple_files=True,
                               key="cmp.files") or []:
        try:
            out[f"{up.name}"] = scenario_from_toml_bytes(up.name, up.getvalue())
        except FoiltwinInputError as err:
            st.error(describe_error(err))
    return out


def _compare_tab(base: Scenario) -> None:
    """2–5 scenarios, each N replications with the same seeds (sidebar horizon and seed): KPIs side by side with
    95 % intervals and overlaid (``twin.replications.replicate``)."""
    st.caption("Each scenario runs the sidebar's horizon, replication r with the sidebar's seed + r for all of them "
               "(common random numbers). Scenarios from batch results are compared in the Batches tab.")
    cands = _compare_candidates(base)
    names = list(cands)
    chosen = st.multiselect(f"pick 2–{batch_view.MAX_COMPARE} scenarios", names, default=names[:2],
                            max_selections=batch_view.MAX_COMPARE, key="cmp.chosen")
    reps = st.number_input("replications", min_value=1, max_value=MAX_REPLICATIONS, value=DEFAULT_REPLICATIONS,
                           step=1, key="cmp.reps")
    if st.button("Compare", key="cmp.run", type="primary"):
        try:
            batch_view.check_compare(chosen, names)
            inputs = _read_inputs(base)
            scs = [cands[n].model_copy(update={"hours": float(inputs.hours), "name": n}) for n in chosen]
            bar = st.progress(0.0, text="Simulating…")
            rows = replicate(scs, int(reps), int(inputs.seed), _progress_bar(bar),
                             lambda sc: simulate(scenario_json(sc), False)["report"])
            bar.empty()
            st.session_state["cmp.result"] = {"rows": rows, "chosen": chosen, "hours": float(inputs.hours),
                                              "seed": int(inputs.seed), "reps": int(reps)}
        except FoiltwinInputError as err:
            st.error(describe_error(err))
            st.session_state.pop("cmp.result", None)
        except Exception as err:
            st.error(describe_failure("The simulation", err))
            st.session_state.pop("cmp.result", None)
    res = st.session_state.get("cmp.result")
    if res is None:
        return
    st.subheader(f"{len(res['chosen'])} scenarios, {res['hours']:g} h, {res['reps']} replication(s) from seed "
                 f"{res['seed']}")
    labels = {n: n for n in res["chosen"]}
    rows, columns = batch_view.compare_table(res["rows"], res["chosen"], labels)
    st.dataframe(rows, hide_index=True, column_config=_column_config(columns), key="cmp.table")
    st.plotly_chart(batch_view.compare_figure(res["rows"], res["chosen"], labels), key="cmp.fig")


def main() -> None:
    st.set_page_config(page_title="foiltwin what-if", layout="wide")
    st.title("foiltwin — what-if")
    base, source = _base_scenario()
    pset = _parameter_set()
    base = with_parameter_set(base, pset)
    st.sidebar.caption(f"base: {source} — {base.name}" + (f", parameter set {pset.name!r}" if pset else ""))
    _sync_base(base)
    _sidebar(base)
    base_text = scenario_json(base)
    if st.session_state.get("wi.note"):
        st.info(st.session_state.pop("wi.note"))
    if st.session_state.get("wi.note_error"):
        st.error(st.session_state.pop("wi.note_error"))
    whatif, opt, lab, batches, compare, cal, drift = st.tabs(["Plant what-if", "Optimise", "Recipe (lab)", "Batches",
                                                              "Compare", "Calibrate", "Drift"])
    with whatif:
        _whatif_tab(base)
    with opt:
        _optimise_tab(base, base_text)
    with lab:
        _lab_tab(base, base_text)
    with batches:
        _batches_tab()
    with compare:
        _compare_tab(base)
    with cal:
        plant_tabs.calibrate_tab()
        uncertainty_view.tornado_expander()
    with drift:
        plant_tabs.drift_tab(pset)


if __name__ == "__main__":
    main()
