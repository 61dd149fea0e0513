"""Equipment states and the interval log that KPIs (OEE) are computed from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    """States of a coupled web line (the whole web shares one state)."""

    PRODUCTION = "production"
    SETUP = "setup"
    BREAKDOWN = "breakdown"
    MAINTENANCE = "maintenance"
    STARVED = "starved"
    BLOCKED = "blocked"
    NON_SCHEDULED = "non_scheduled"


@dataclass
class StateLog:
    """Closed intervals (start_h, end_h, state, cause) of one line; the open one is closed by :meth:`close`."""

    line: str
    rows: list[tuple[float, float, str, str]] = field(default_factory=list)
    totals_h: dict[str, float] = field(default_factory=dict)
    _state: str | None = None
    _cause: str = ""
    _since: float = 0.0

    def enter(self, t_h: float, state: State, cause: str = "") -> None:
        """Switch to ``state`` at ``t_h``; a switch to the same state and cause is ignored."""
        if self._state == state.value and self._cause == cause:
            return
        self._close_interval(t_h)
        self._state, self._cause, self._since = state.value, cause, t_h

    def _close_interval(self, t_h: float) -> None:
        if self._state is not None and t_h > self._since:
            self.rows.append((self._since, t_h, self._state, self._cause))
            self.totals_h[self._state] = self.totals_h.get(self._state, 0.0) + (t_h - self._since)

    def close(self, t_h: float) -> None:
        """Close the open interval at the end of the run."""
        self._close_interval(t_h)
        self._since = t_h

    def drain(self) -> list[tuple[float, float, str, str]]:
        """The closed intervals not yet taken, which are forgotten (the totals stay)."""
        rows, self.rows = self.rows, []
        return rows

    def hours_in(self, state: State) -> float:
        """Total hours spent in ``state`` (closed intervals)."""
        return self.totals_h.get(state.value, 0.0)
