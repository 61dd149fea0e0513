"""Read-only containers for results that caches share.

A recipe's result is kept in caches (the optimiser's recipe cache, the twin's physics memo) and handed to every
caller that asks for the same recipe. Its dataclass is frozen, but a list or dict field could still be changed in
place by one caller, and every later caller would then read the changed value. :func:`freeze` turns those fields
into tuples and :class:`ReadOnlyDict` (a dict that refuses changes), so such a change raises instead of spreading.
:func:`thaw` gives plain lists and dicts back (JSON and callers that want to edit a copy).
"""

from __future__ import annotations

from typing import Any, NoReturn


class ReadOnlyDict(dict):
    """A dict that refuses changes (``TypeError``); reading, comparing, JSON, pickling and ``dict(d)`` work as for a
    dict. Copy it with ``dict(d)`` to edit."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only (results are shared by caches): copy it with dict() "
                        "to change it")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type, tuple[dict]]:
        return type(self), (dict(self),)


_SCALARS = frozenset({float, int, str, bool, type(None)})


def freeze(value: Any) -> Any:
    """``value`` with every list and tuple made a tuple and every dict a :class:`ReadOnlyDict`, recursively (a
    sequence of plain scalars, such as a profile, in one step)."""
    if isinstance(value, dict):
        return ReadOnlyDict((k, freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        if _SCALARS.issuperset(map(type, value)):
            return value if type(value) is tuple else tuple(value)
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The plain form of a frozen value: dicts and lists, recursively (for JSON and for copies a caller edits)."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value
