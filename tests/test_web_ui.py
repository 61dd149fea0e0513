"""The what-if's web-tension widget (issue 14 item 2): overrides of the zone tensions and the margins caption."""

from __future__ import annotations

from pathlib import Path

import pytest

from process_models.parameters import default_parameters
from process_models.web.handling import WebBreakModel, web_margins
from twin.scenario import Scenario, apply_overrides
from ui.web_tension import KEY, tension_overrides, tension_summary, use_settings

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
UHT = "plant.lines.1.settings"


@pytest.mark.unit
def test_tension_overrides_are_only_the_changed_fields():
    base = Scenario()
    assert tension_overrides(base, {"stage2_web_tension_N_per_m": 60.0, "stage3_web_tension_N_per_m": 60.0}) == []
    assert tension_overrides(base, {"stage2_web_tension_N_per_m": 60.0, "stage3_web_tension_N_per_m": 120.0}) == [
        f"{UHT}.stage3_web_tension_N_per_m=120.0"]
    no_uht = apply_overrides(base, ["plant.lines=[{type = 'electrodeposition'}]"])
    assert tension_overrides(no_uht, {"stage3_web_tension_N_per_m": 120.0}) == [] and tension_summary(no_uht) is None


@pytest.mark.unit
def test_tension_summary_is_the_models_at_the_set_points():
    sc = apply_overrides(Scenario(), [f"{UHT}.stage3_web_tension_N_per_m=200", f"{UHT}.stage3_peak_K=1050.0"])
    row = tension_summary(sc)
    ref = web_margins(WebBreakModel.from_values(default_parameters()), {"stage2": 60.0, "stage3": 200.0},
                      {"stage2": 750.0, "stage3": 1050.0}, 10e-6)
    assert row["breaks_per_m"] == pytest.approx(float(ref.breaks_per_m[0]), rel=1e-12)
    assert row["zones"]["stage3"]["peak_K"] == 1050.0


@pytest.mark.integration
def test_tension_widget_bounds_are_the_line_limits_and_it_feeds_the_whatif():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    w = at.number_input(key="wi.web_tension.stage3_web_tension_N_per_m")
    assert (w.value, w.min, w.max) == (60.0, 20.0, 300.0)
    w.set_value(250.0).run()
    assert not at.exception
    assert any("stage3 too hot for its tension" in x.value for x in at.warning)
    assert at.session_state["wi.web_tension.overrides"] == [f"{UHT}.stage3_web_tension_N_per_m=250.0"]


@pytest.mark.unit
def test_optimiser_tensions_go_into_the_widgets():
    state: dict = {}
    use_settings(state, {"uht": {"stage3_web_tension_N_per_m": 140.0, "web_speed_m_per_min": 2.0}})
    assert state == {KEY + "stage3_web_tension_N_per_m": 140.0}
    use_settings(state, {"uht": None})
    assert len(state) == 1
