"""The default plant as commented TOML (``foiltwin scenario init``), which ``load_scenario`` reads back to the same
scenario. Any part of it makes a valid file: a partial file is merged over the default plant
(:func:`twin.scenario.merge_over_default`, the rule of ``--set``), so a file holding only ``hours = 48`` is the
default plant for 48 h.
"""

from __future__ import annotations

import textwrap
import typing
from typing import Any

from pydantic import BaseModel

from twin.scenario import Scenario, field_bounds_of, toml_value

HEADER = """\
# foiltwin scenario: the default plant (`foiltwin scenario init`).
# Every key is optional: a partial file is merged over the default plant, key by key, with the rule of
# `foiltwin simulate --set` (arrays of tables item by item). Names carry their units (_K, _m, _h, _frac, ...);
# the comment after a value gives its allowed range. `foiltwin schema` prints the full JSON schema.
"""


# ----------------------------------------------------------------------------------------------- writing


def _doc(model: BaseModel) -> list[str]:
    text = " ".join((type(model).__doc__ or "").split())
    return [f"# {line}" for line in textwrap.wrap(text, 112)] if text else []


def _is_model_seq(v: Any) -> bool:
    return isinstance(v, tuple | list) and bool(v) and all(isinstance(x, BaseModel) for x in v)


def _range_comment(model: BaseModel, name: str) -> str:
    info = type(model).model_fields[name]
    b = field_bounds_of(info)
    if b.low is None and b.high is None:
        args = typing.get_args(info.annotation)
        literal = [a for a in args if typing.get_origin(a) is typing.Literal] or (
            [info.annotation] if typing.get_origin(info.annotation) is typing.Literal else [])
        options = typing.get_args(literal[0]) if literal else ()
        return "  # " + " | ".join(str(x) for x in options) if len(options) > 1 else ""
    return f"  # {b.text()}"


def _table(model: BaseModel, path: str, out: list[str], array: bool = False) -> None:
    """Lines of the table ``path`` for ``model``: its scalars first, then its sub-tables and arrays of tables."""
    if path:
        out += ["", *_doc(model), f"[[{path}]]" if array else f"[{path}]"]
    later: list[tuple[str, Any]] = []
    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, BaseModel) or _is_model_seq(v) or isinstance(v, dict):
            later.append((name, v))
        elif v is None:
            out.append(f"# {name} =  (unset: the model's default){_range_comment(model, name)}")
        elif isinstance(v, tuple | list) and not v and name == "changeovers":
            out.append(f"# {name}: none ([[{path}.{name}]] tables add set-point changes at at_h)")
        elif isinstance(v, tuple | list) and not v and name == "skin_campaigns":
            out.append(f"# {name}: none ([[{path}.{name}]] tables with start_h and metal change the source)")
        else:
            out.append(f"{name} = {toml_value(v)}{_range_comment(model, name)}")
    for name, v in later:
        sub = f"{path}.{name}" if path else name
        if isinstance(v, dict) and name == "skin_metals":  # per-metal limits: a table of tables
            if not v:
                out += ["", f"# [{sub}.Mg]  limits of a skin of Mg, Ag, Sn or Al (unset: assumed defaults, "
                            "docs/skin_metals.md)"]
            for k, x in v.items():
                _table(x, f"{sub}.{k}", out)
        elif isinstance(v, dict):
            out += ["", f"[{sub}]" if v else f"# [{sub}]  registry overrides by name, NAME = VALUE "
                                                "(`foiltwin params` lists them)"]
            out += [f"{k} = {toml_value(x)}" for k, x in v.items()]
        elif isinstance(v, BaseModel):
            _table(v, sub, out)
        else:
            for item in v:
                _table(item, sub, out, array=True)


def scenario_toml(scenario: Scenario | None = None) -> str:
    """``scenario`` (default: the built-in plant) as commented TOML that :func:`twin.scenario.load_scenario` reads
    back to an equal scenario. A fitted parameter set is not written (``--params FILE`` gives it)."""
    sc = scenario or Scenario()
    out: list[str] = [HEADER.rstrip("\n")]
    _table(sc.model_copy(update={"parameter_set": None}), "", out)
    return "\n".join(line for line in out if not line.startswith("# parameter_set =")) + "\n"
