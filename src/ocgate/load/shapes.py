"""Load shapes as plain data: how many users run when, for smoke, ramp, spike and soak.

A plan turns a peak user count and a duration into stages — "until second T,
run U users, starting or stopping them at R per second". `load/shapes.py`
turns the plans into Locust `LoadTestShape` classes; the load runner uses them
to check a request before seeding anything and to bound the run's time. Every
shape has a maximum duration, so no run goes on forever.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..config import ConfigError

#: A run needs one seller-side fulfilment user besides the storefront buyers.
MIN_USERS = 2
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")


@dataclass(frozen=True)
class Stage:
    until: float  # seconds since the shape started
    users: int
    spawn_rate: float  # users started (or stopped) per second to reach `users`


def _steady(users: int, duration: float) -> list[Stage]:
    # Smoke and soak: everyone within the first tenth of the run (at most a minute), then hold.
    ramp = min(60.0, max(1.0, duration / 10))
    return [Stage(duration, users, max(1.0, users / ramp))]


def _ramp(users: int, duration: float) -> list[Stage]:
    # Climb steadily for 80% of the run, hold the peak for the rest.
    climb = duration * 0.8
    return [Stage(climb, users, max(0.1, users / climb)), Stage(duration, users, users)]


def _spike(users: int, duration: float) -> list[Stage]:
    # A fifth of the peak as baseline; the whole peak arrives within five seconds and leaves again.
    baseline = max(MIN_USERS, users // 5)
    return [
        Stage(duration * 0.4, baseline, baseline),
        Stage(duration * 0.6, users, max(1.0, users / 5)),
        Stage(duration, baseline, max(1.0, users / 5)),
    ]


@dataclass(frozen=True)
class ShapePlan:
    name: str
    summary: str
    default_users: int
    default_duration: float
    max_duration: float
    build: Callable[[int, float], list[Stage]]

    def stages(self, users: int | None = None, duration: float | None = None) -> list[Stage]:
        """The stages for this run, or ConfigError when users or duration are out of bounds."""
        users = users if users is not None else self.default_users
        duration = duration if duration is not None else self.default_duration
        if users < MIN_USERS:
            raise ConfigError(f"--users: the {self.name} shape needs at least {MIN_USERS} users (one fulfils orders), not {users}")
        if not 0 < duration <= self.max_duration:
            raise ConfigError(f"--duration: the {self.name} shape runs between 1 s and {self.max_duration:.0f} s, not {duration:.0f} s")
        return self.build(users, duration)

    def duration(self, duration: float | None = None) -> float:
        return duration if duration is not None else self.default_duration


SHAPES: dict[str, ShapePlan] = {
    plan.name: plan
    for plan in (
        ShapePlan("smoke", "a few users for about a minute (CI)", 5, 60, 300, _steady),
        ShapePlan("ramp", "climb to the peak over 80% of the run, then hold", 50, 600, 3600, _ramp),
        ShapePlan("spike", "baseline, a sudden peak, back to baseline", 50, 300, 3600, _spike),
        ShapePlan("soak", "steady load for a long time", 20, 1800, 8 * 3600, _steady),
    )
}


def shape_plan(name: str) -> ShapePlan:
    try:
        return SHAPES[name]
    except KeyError:
        raise ConfigError(f"--shape: unknown shape {name!r}; choose one of {', '.join(SHAPES)}") from None


def parse_duration(value: float | str) -> float:
    """Seconds from a number or from "90", "90s", "5m", "1h30m" (Locust's --run-time style)."""
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.fullmatch(value.strip().lower())
        if not match or not any(match.groups()):
            raise ConfigError(f"--duration: {value!r} is not a duration; write e.g. 90s, 5m or 1h30m")
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = float(hours * 3600 + minutes * 60 + secs)
    if seconds <= 0:
        raise ConfigError(f"--duration: must be more than 0 seconds, not {value!r}")
    return seconds
