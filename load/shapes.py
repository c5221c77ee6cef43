"""Load shapes for Locust: Smoke, Ramp, Spike and Soak, and NamedShape, the one chosen by --shape.

The stages come from `ocgate.load.shapes` (shared with the load runner, which
checks a request before it seeds anything). When Locust starts, the locustfile
calls `configure` with Locust's own --users (the peak) and --run-time (the
duration), when given; a shape stops by itself at the end of its last stage,
so none runs without a bound.
"""

from __future__ import annotations

from locust import LoadTestShape

from ocgate.load.shapes import SHAPES, Stage, shape_plan


class PlannedShape(LoadTestShape):
    """A shape that follows the stages of one plan."""

    abstract = True
    use_common_options = True  # --users and --run-time scale the plan
    plan_name = ""

    def __init__(self) -> None:
        super().__init__()
        self.stages: list[Stage] = []

    def configure(self, users: int | None = None, duration: float | None = None) -> None:
        """Fix the stages before the test starts (ConfigError when out of bounds)."""
        self.stages = shape_plan(self.plan_name).stages(users, duration)

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        for stage in self.stages:
            if elapsed < stage.until:
                return stage.users, stage.spawn_rate
        return None


class Smoke(PlannedShape):
    plan_name = "smoke"


class Ramp(PlannedShape):
    plan_name = "ramp"


class Spike(PlannedShape):
    plan_name = "spike"


class Soak(PlannedShape):
    plan_name = "soak"


class NamedShape(PlannedShape):
    """Follows the plan named by --shape (smoke, ramp, spike or soak)."""

    def choose(self, name: str, users: int | None, duration: float | None) -> None:
        self.plan_name = name
        self.configure(users, duration)


# Every plan of ocgate.load.shapes has its class here, so each shape can also be imported by name.
assert {shape.plan_name for shape in PlannedShape.__subclasses__() if shape is not NamedShape} == set(SHAPES)
