"""Load shapes: smoke, ramp, spike and soak, chosen by name, always bounded in time."""

from __future__ import annotations

import pytest

from ocgate.config import ConfigError
from ocgate.load.shapes import MIN_USERS, SHAPES, parse_duration, shape_plan


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_shape_ends_at_its_duration(name):
    plan = shape_plan(name)
    stages = plan.stages()
    assert stages[-1].until == plan.default_duration <= plan.max_duration
    assert [stage.until for stage in stages] == sorted(stage.until for stage in stages)
    assert max(stage.users for stage in stages) == plan.default_users


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_shape_reaches_its_users_within_its_stage(name):
    # Locust waits for a stage's users to start before it looks at the next stage.
    started_at = 0.0
    users_before = 0
    for stage in shape_plan(name).stages(users=40, duration=200):
        assert abs(stage.users - users_before) / stage.spawn_rate <= stage.until - started_at + 1e-9
        started_at, users_before = stage.until, stage.users


def test_smoke_is_a_few_users_for_about_a_minute():
    smoke = shape_plan("smoke")
    assert smoke.default_duration == 60 and smoke.default_users <= 10


def test_spike_jumps_from_a_baseline_to_the_peak_and_back():
    baseline, peak, after = shape_plan("spike").stages(users=50, duration=100)
    assert baseline.users == after.users == 10 and peak.users == 50
    assert peak.spawn_rate >= 10  # the whole peak arrives within seconds


def test_ramp_climbs_gradually_then_holds():
    climb, hold = shape_plan("ramp").stages(users=60, duration=100)
    assert climb.users == hold.users == 60
    assert climb.spawn_rate == pytest.approx(60 / 80)


def test_users_and_duration_scale_a_shape():
    (stage,) = shape_plan("soak").stages(users=7, duration=90)
    assert (stage.until, stage.users) == (90, 7)


@pytest.mark.parametrize(
    ("name", "users", "duration", "says"),
    [
        ("tsunami", None, None, "--shape: unknown shape 'tsunami'; choose one of smoke, ramp, spike, soak"),
        ("smoke", None, 301, "--duration: the smoke shape runs between 1 s and 300 s"),
        ("soak", None, 9 * 3600, "--duration: the soak shape runs between 1 s and 28800 s"),
        ("ramp", MIN_USERS - 1, None, f"--users: the ramp shape needs at least {MIN_USERS} users"),
    ],
)
def test_a_shape_out_of_bounds_is_refused(name, users, duration, says):
    with pytest.raises(ConfigError, match="^" + says.replace("(", r"\(").replace(")", r"\)")):
        shape_plan(name).stages(users, duration)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("1m5s", 65), (45, 45)])
def test_durations_are_written_as_locust_writes_run_times(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 minutes", "m", "0", -3])
def test_a_duration_that_is_not_one_is_refused(text):
    with pytest.raises(ConfigError, match="--duration"):
        parse_duration(text)
