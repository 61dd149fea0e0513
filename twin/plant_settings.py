"""The plant's set points as one typed object: what the optimiser decides, the dashboard's what-if widgets change and
the recipe command takes from a scenario.

:class:`PlantSettings` is built from the scenario's own settings models (:class:`~twin.scenario.UHTSettings`,
:class:`~twin.scenario.PlatingSettings`, :class:`~twin.scenario.AnnealSettings`), one entry per line or furnace,
keyed by its name. ``PlantSettings.from_scenario(sc).apply_to(sc) == sc``: the settings carry everything a set
point is, and nothing of the equipment. ``apply_to`` rebuilds the scenario's models with the new settings (each
rebuilt model is validated again, so a set point that does not fit the equipment, such as more stage-II modules
heated than are installed, is a :class:`FoiltwinInputError` naming the dotted field). No TOML text and no dict of
the scenario is edited on the way.

A line or furnace the settings do not name is left out of the plant: the optimiser's twin check runs only the lines
its mode uses, and the dashboard's "plating line not in use" leaves the electrodeposition lines out (the UHT line
then runs bought commercial foil).
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, Field, ValidationError

from process_models.errors import FoiltwinInputError
from twin.scenario import AnnealSettings, PlatingLine, PlatingSettings, Scenario, UHTLine, UHTSettings, _Model
from twin.scenario import error_from_pydantic as _error_from_pydantic

M = TypeVar("M", bound=BaseModel)


def rebuilt(model: M, where: str = "", **update: Any) -> M:
    """``model`` with ``update`` applied, validated again as a new instance (``model_copy`` would skip the checks).
    A failure is a :class:`FoiltwinInputError` whose field is prefixed by ``where`` (the model's dotted path in the
    scenario, e.g. ``plant.lines.1``)."""
    try:
        return type(model)(**{**{k: getattr(model, k) for k in type(model).model_fields}, **update})
    except ValidationError as err:
        e = _error_from_pydantic(err, default_field=where or type(model).__name__, model=type(model))
        field = f"{where}.{e.field}" if where and e.field != where else e.field
        raise FoiltwinInputError(field, e.value, e.allowed, e.reason) from None


def settings_model(cls: type[M], where: str, **values: Any) -> M:
    """A settings model built from ``values`` (errors name ``where``.field)."""
    try:
        return cls(**values)
    except ValidationError as err:
        e = _error_from_pydantic(err, default_field=where, model=cls)
        field = f"{where}.{e.field}" if e.field != where else e.field
        raise FoiltwinInputError(field, e.value, e.allowed, e.reason) from None


class PlantSettings(_Model):
    """Set points of a plant, per line and furnace name (plant units as named in the settings models).

    ``uht``: the UHT lines' settings; ``plating``: the electrodeposition lines'; ``anneal``: the coil furnaces'
    programmes. A line or furnace not named here is left out of the plant by :meth:`apply_to`.
    """

    uht: dict[str, UHTSettings] = Field(default_factory=dict)
    plating: dict[str, PlatingSettings] = Field(default_factory=dict)
    anneal: dict[str, AnnealSettings] = Field(default_factory=dict)
    # a UHT line's stage-II source held for the whole run: (metal, source temperature [K] or None for the default);
    # a line not named keeps the scenario's skin_metal and campaigns (issue 14)
    skin_metals: dict[str, tuple[str, float | None]] = Field(default_factory=dict)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> PlantSettings:
        """The settings the scenario's lines and furnaces start with (changeovers are the scenario's, not these)."""
        lines = scenario.plant.lines
        return cls(uht={ln.name: ln.settings for ln in lines if isinstance(ln, UHTLine)},
                   plating={ln.name: ln.settings for ln in lines if isinstance(ln, PlatingLine)},
                   anneal={f.name: f.settings for f in scenario.plant.furnaces})

    # ------------------------------------------------------------------ the first line of a kind (dashboard, optimiser)
    @property
    def first_uht(self) -> tuple[str, UHTSettings] | None:
        return next(iter(self.uht.items()), None)

    @property
    def first_plating(self) -> tuple[str, PlatingSettings] | None:
        return next(iter(self.plating.items()), None)

    def with_uht(self, name: str, **update: Any) -> PlantSettings:
        """These settings with UHT line ``name``'s set points updated (validated; errors name ``uht.name.field``)."""
        s = self.uht[name]
        return self.model_copy(update={"uht": {**self.uht, name: rebuilt(s, f"uht.{name}", **update)}})

    def with_plating(self, name: str, **update: Any) -> PlantSettings:
        s = self.plating[name]
        return self.model_copy(update={"plating": {**self.plating, name: rebuilt(s, f"plating.{name}", **update)}})

    def with_anneal(self, **update: Any) -> PlantSettings:
        """Every furnace's programme updated the same way."""
        return self.model_copy(update={"anneal": {n: rebuilt(a, f"anneal.{n}", **update)
                                                  for n, a in self.anneal.items()}})

    def without_plating(self) -> PlantSettings:
        """No electrodeposition line in use (:meth:`apply_to` leaves them out; the UHT lines take bought foil)."""
        return self.model_copy(update={"plating": {}})

    # ------------------------------------------------------------------ onto a scenario
    def apply_to(self, scenario: Scenario, keep_changeovers: bool = True) -> Scenario:
        """``scenario`` running these settings: each named line and furnace gets its settings, the others are left
        out. ``keep_changeovers`` off: the lines hold these settings for the whole run (the optimiser's check).
        Errors (:class:`FoiltwinInputError`) name the dotted scenario field, e.g.
        ``plant.lines.1.settings.stage2_modules_on``."""
        known = {ln.name for ln in scenario.plant.lines} | {f.name for f in scenario.plant.furnaces}
        for name in [*self.uht, *self.plating, *self.anneal, *self.skin_metals]:
            if name not in known:
                raise FoiltwinInputError("settings", name,
                                         f"a line or furnace of the plant: {', '.join(sorted(known))}")
        lines = []
        for i, ln in enumerate(scenario.plant.lines):
            chosen = (self.uht if isinstance(ln, UHTLine) else self.plating).get(ln.name)
            if chosen is None:
                continue
            update: dict[str, Any] = {"settings": chosen}
            if not keep_changeovers:
                update["changeovers"] = ()
            if ln.name in self.skin_metals:  # this source for the whole run: no skin campaigns
                metal, source_K = self.skin_metals[ln.name]
                update.update(skin_metal=metal, skin_source_temperature_K=source_K, skin_campaigns=())
            lines.append(rebuilt(ln, f"plant.lines.{i}", **update) if chosen != ln.settings or update.keys() != {
                "settings"} else ln)
        furnaces = [rebuilt(f, f"plant.furnaces.{k}", settings=self.anneal[f.name])
                    if self.anneal[f.name] != f.settings else f
                    for k, f in enumerate(scenario.plant.furnaces) if f.name in self.anneal]
        plant = scenario.plant
        if lines != list(plant.lines) or furnaces != list(plant.furnaces):
            plant = rebuilt(plant, "plant", lines=tuple(lines), furnaces=tuple(furnaces))
        return scenario if plant is scenario.plant else rebuilt(scenario, "", plant=plant)

    # ------------------------------------------------------------------ as one collector recipe (the recipe command)
    def recipe_fields(self, scenario: Scenario, line: str | None = None) -> RecipeFields:
        """The collector recipe the settings make at steady speed on UHT line ``line`` (``None``: the first):
        dwell times from the heated lengths and the web speed, as the twin's line gives them; the plant's first
        electrodeposition line in use electroforms the foil (a Cu bath) or plates the Zn (a Zn bath, plating time =
        tanks × tank length / speed); the first enabled coil furnace anneals the coils. Plant units are converted
        to the recipe's SI here, once."""
        from process_models.collector.recipe import PlatingStep
        from process_models.plating.baths import get_bath

        name = line if line is not None else next(iter(self.uht), None)
        uht_line = next((ln for ln in scenario.plant.lines if isinstance(ln, UHTLine) and ln.name == name), None)
        if uht_line is None or name not in self.uht:
            raise FoiltwinInputError("--line", line, f"a UHT line of the plant: {', '.join(self.uht) or 'none'}")
        s = self.uht[name]
        speed_m_per_s = s.web_speed_m_per_min / 60.0
        uht: dict[str, Any] = {
            "foil_thickness_m": scenario.plant.incoming_coils.foil_thickness_um * 1e-6,
            "stage2_temperature_K": s.stage2_temperature_K,
            "stage2_time_s": uht_line.stage2_heated_length_m(s) / speed_m_per_s, "stage3_peak_K": s.stage3_peak_K,
            "line_speed_m_per_s": speed_m_per_s, "stage3_heater_length_m": s.stage3_heater_length_mm * 1e-3,
            "cooling": s.cooling}
        collector: dict[str, Any] = {}
        ed = next((ln for ln in scenario.plant.lines if isinstance(ln, PlatingLine) and ln.name in self.plating), None)
        if ed is not None:
            p = self.plating[ed.name]
            if get_bath(p.bath).metal.symbol == "Cu":
                collector.update(substrate="electroformed", electroform_bath=p.bath,
                                 electroform_current_density_A_per_m2=p.current_density_A_per_m2,
                                 electroform_temperature_K=p.bath_temperature_K)
            else:
                time_s = p.tank_count * p.tank_length_m / (p.web_speed_m_per_min / 60.0)
                uht["zn_route"] = "plated"
                collector["zn_plating"] = PlatingStep(p.bath, p.current_density_A_per_m2, time_s,
                                                      temperature_K=p.bath_temperature_K)
        furnace = next((f for f in scenario.plant.furnaces if f.name in self.anneal and self.anneal[f.name].enabled),
                       None)
        anneal = None
        if furnace is not None:
            a = self.anneal[furnace.name]
            anneal = {"soak_temperature_K": a.soak_temperature_K, "soak_time_s": a.soak_h * 3600.0,
                      "coils_per_batch": furnace.coils_per_batch,
                      "coil_length_m": scenario.plant.incoming_coils.length_m,
                      "coil_width_m": scenario.plant.incoming_coils.width_m,
                      "heating_rate_K_per_s": None if a.heating_rate_K_per_h is None else a.heating_rate_K_per_h / 3600,
                      "cooling_rate_K_per_s": None if a.cooling_rate_K_per_h is None else a.cooling_rate_K_per_h / 3600}
        return RecipeFields(uht, collector, anneal)


class RecipeFields(NamedTuple):
    """Keyword arguments of ``UHTRecipe``, ``CollectorRecipe`` and ``CoilAnnealStep`` (``None``: no anneal)."""

    uht: dict[str, Any]
    collector: dict[str, Any]
    coil_anneal: dict[str, Any] | None
