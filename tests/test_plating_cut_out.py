"""What happens to electroformed foil the plating line's gauge finds out of spec (PlatingLine.out_of_spec_foil):
shipped on and rejected by the UHT line ("process", the default), or cut out at the plating line's rewinder
("cut_out"). An assumption of plant practice that decides the UHT line's cost per good m²: its effect is tested."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow.parquet as pq
import pytest

from process_models.errors import FoiltwinInputError
from twin.plating_line import PlatingLineRuntime, PlatingTotals
from twin.scenario import Scenario, apply_overrides
from twin.simulate import run_single
from twin.web_line import Coil, WebLineRuntime

UPSTREAM = "foil out of spec at the plating line"


def _line(mode: str, segment_length_m: float = 1.0) -> SimpleNamespace:
    fake = SimpleNamespace(spec=SimpleNamespace(out_of_spec_foil=mode), totals=PlatingTotals(),
                           segment_length_m=segment_length_m)
    fake.segment_edges_m = lambda coil: WebLineRuntime.segment_edges_m(fake, coil)
    fake.segment_lengths_m = lambda coil: WebLineRuntime.segment_lengths_m(fake, coil)
    return fake


def _coil(length_m: float, in_spec: list[bool]) -> tuple[Coil, dict[str, np.ndarray]]:
    ok = np.array(in_spec, dtype=float)
    return Coil("c1", length_m, 0.5, 10.0), {"upstream_in_spec": ok, "foil_thickness_um": 9.0 + np.arange(ok.size)}


@pytest.mark.unit
def test_cut_out_ships_the_in_spec_segments_spliced_and_counts_the_cut() -> None:
    line = _line("cut_out")
    coil, attributes = _coil(4.5, [True, False, True, False, True])  # segments 1, 1, 1, 1, 0.5 m
    length_m, kept = PlatingLineRuntime.rewound(line, coil, attributes)
    assert length_m == pytest.approx(2.5)
    assert kept["foil_thickness_um"].tolist() == [9.0, 11.0, 13.0]  # the kept segments, in order
    assert kept["upstream_in_spec"].tolist() == [1.0, 1.0, 1.0]
    assert line.totals.cut_out_m == pytest.approx(2.0) and line.totals.coils_cut_out == 0
    # the shipped coil's segments are as many as the attributes kept: the downstream line reads them by index
    assert WebLineRuntime.segment_lengths_m(line, Coil("c1", length_m, 0.5, 10.0)).size == 3


@pytest.mark.unit
def test_a_coil_with_nothing_in_spec_is_cut_out_whole_and_not_shipped() -> None:
    line = _line("cut_out")
    coil, attributes = _coil(2.0, [False, False])
    assert PlatingLineRuntime.rewound(line, coil, attributes) is None
    assert line.totals.cut_out_m == pytest.approx(2.0) and line.totals.coils_cut_out == 1


@pytest.mark.unit
@pytest.mark.parametrize("mode, in_spec", [("process", [True, False]), ("cut_out", [True, True])])
def test_otherwise_the_coil_ships_whole(mode: str, in_spec: list[bool]) -> None:
    line = _line(mode)
    coil, attributes = _coil(2.0, in_spec)
    length_m, kept = PlatingLineRuntime.rewound(line, coil, attributes)
    assert length_m == 2.0 and kept is attributes and line.totals.cut_out_m == 0.0


@pytest.mark.unit
def test_segment_results_that_do_not_match_the_coil_are_an_error() -> None:
    coil, attributes = _coil(3.0, [True, False])  # 3 segments made, 2 results
    with pytest.raises(RuntimeError, match="2 segment results for 3 segments"):
        PlatingLineRuntime.rewound(_line("cut_out"), coil, attributes)


def _plant(mode: str) -> Scenario:
    """The default plant (plating line → store → UHT line), its foil window narrowed so the gauge rejects some."""
    return apply_overrides(Scenario(), ["hours=12", "spec.foil_thickness_um_min=10.0",
                                         f"plant.lines.0.out_of_spec_foil='{mode}'", "plant.coil_store.initial_coils=0",
                                         "plant.incoming_coils.length_m=120.0"])


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    out = {}
    for mode in ("process", "cut_out"):
        folder = tmp_path_factory.mktemp(mode)
        report = run_single(_plant(mode), out_dir=folder)
        out[mode] = report, pq.read_table(folder / "segments.parquet").to_pydict()
    return out


@pytest.mark.component
def test_processed_foil_reaches_the_uht_line_and_is_rejected_there(both) -> None:
    report, seg = both["process"]
    ed = report["lines"]["ed-1"]
    assert ed["metres_scrap"] > 5.0 and ed["metres_cut_out"] == 0.0
    upstream = [length for length, why in zip(seg["length_m"], seg["reject_reason"], strict=True) if UPSTREAM in why]
    assert sum(upstream) > 5.0


@pytest.mark.component
def test_cut_out_foil_never_reaches_the_uht_line_and_lowers_its_cost(both) -> None:
    (kept, seg), (processed, _) = both["cut_out"], both["process"]
    ed, uht, uht_processed = kept["lines"]["ed-1"], kept["lines"]["uht-1"], processed["lines"]["uht-1"]
    assert not any(UPSTREAM in why for why in seg["reject_reason"])
    assert 5.0 < ed["metres_cut_out"] <= ed["metres_scrap"] + 1e-9  # coils shipped before the end are cut
    assert {k: ed[k] for k in ("metres_in", "metres_produced", "metres_in_spec")} == {
        k: processed["lines"]["ed-1"][k] for k in ("metres_in", "metres_produced", "metres_in_spec")}  # same line
    assert uht["metres_scrap"] < uht_processed["metres_scrap"]
    assert uht["cost_per_m2"] < uht_processed["cost_per_m2"]
    assert kept["cost_per_m2"] < processed["cost_per_m2"]


@pytest.mark.unit
def test_an_unknown_practice_is_refused_with_the_field_named() -> None:
    with pytest.raises(FoiltwinInputError, match=r"plant\.lines\.0\.out_of_spec_foil"):
        apply_overrides(Scenario(), ["plant.lines.0.out_of_spec_foil='burn'"])


@pytest.mark.component
def test_the_lines_table_shows_the_metres_cut_out(both, cli) -> None:
    from twin.kpi_catalogue import check_kpis, line_view

    view = line_view("electrodeposition")
    assert "metres_cut_out" in [k.name for k in view]
    report, _ = both["cut_out"]
    assert check_kpis(report["lines"]["ed-1"], view) == []
    sets = ["spec.foil_thickness_um_min=10.0", "plant.lines.0.out_of_spec_foil='cut_out'",
            "plant.coil_store.initial_coils=0", "plant.incoming_coils.length_m=120.0"]
    code, out, err = cli("simulate", "--hours", "12", *(a for s in sets for a in ("--set", s)))
    assert code == 0, err
    metres = report["lines"]["ed-1"]["metres_cut_out"]
    assert f"ed-1: {metres:.4g} m of foil out of its thickness window cut out at the rewinder" in out
