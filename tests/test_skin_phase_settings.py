"""``spec.skin_metals.<X>.allowed_skin_phases`` (process_models.skins.spec_defaults): ``"any"`` means no restriction
(None), a list is kept, a name that is not a phase of that Cu-X system is refused naming the known ones (exit 2)."""

from __future__ import annotations

import pytest

from process_models.errors import FoiltwinInputError
from process_models.skins.skin import _phase_of
from process_models.skins.spec_defaults import checked_allowed_phases, known_skin_phases
from twin.scenario import Scenario, SpecLimits, apply_overrides


@pytest.mark.unit
@pytest.mark.parametrize("metal", ["Mg", "Al", "Sn", "Ag"])
def test_every_phase_the_skin_model_reports_is_a_known_name(metal):
    for i in range(81):
        assert "+".join(_phase_of(metal, i / 80)) in known_skin_phases(metal)


@pytest.mark.unit
def test_any_means_no_restriction_and_an_explicit_list_is_kept():
    s = SpecLimits.model_validate({"skin_metals": {"Mg": {"allowed_skin_phases": "any"},
                                                   "Al": {"allowed_skin_phases": ["theta", "eta+theta"]}}})
    assert s.skin_metals["Mg"].allowed_skin_phases is None and s.for_metal("Mg").allowed_skin_phases is None
    assert s.for_metal("Al").allowed_skin_phases == ("theta", "eta+theta")
    assert SpecLimits.model_validate(s.model_dump()) == s  # a dumped spec reads back the same
    assert checked_allowed_phases("Mg", "any") is None and checked_allowed_phases("Sn", ["sn"]) == ("sn",)


@pytest.mark.unit
@pytest.mark.parametrize(("override", "words"), [
    ('spec.skin_metals={Mg={allowed_skin_phases=["cu3mg"]}}',
     ("spec.skin_metals.Mg.allowed_skin_phases='cu3mg' is not allowed", "Cu-Mg", "alpha, cu2mg, cumg2, mg_hcp",
      '"any"')),
    ('spec.skin_metals={Sn={allowed_skin_phases=["alpha", "Cu6Sn5"]}}',
     ("spec.skin_metals.Sn.allowed_skin_phases='Cu6Sn5'", "eta_Cu6Sn5")),
    ('spec.skin_metals={Al={allowed_skin_phases="all"}}', ("allowed_skin_phases", "'all'", '"any"')),
])
def test_unknown_phase_names_are_refused_naming_the_known_ones(override, words):
    """The message names the metal's own field and the refused name (not the whole table as ``{...}``)."""
    with pytest.raises(FoiltwinInputError) as e:
        apply_overrides(Scenario(), [override])
    for w in words:
        assert w in str(e.value)
    assert "{...}" not in str(e.value)


@pytest.mark.integration
def test_the_cli_refuses_an_unknown_phase_with_exit_2(cli):
    code, out, err = cli("simulate", "--hours", "0.1", "--set", 'spec.skin_metals={Mg={allowed_skin_phases=["x"]}}')
    assert code == 2 and out == "" and "Traceback" not in err
    assert "spec.skin_metals.Mg.allowed_skin_phases='x'" in err and "cu2mg+cumg2" in err
    assert len(err.strip().splitlines()) == 1
