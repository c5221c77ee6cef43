"""A load run that cannot happen stops before it touches the target, with one line that says why."""

from __future__ import annotations

import pytest

from ocgate.errors import CannotRun
from ocgate.load.runner import run_load


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"shape": "tsunami"}, "--shape: unknown shape 'tsunami'"),
        ({"shape": "smoke", "duration": "2h"}, "--duration: the smoke shape runs between 1 s and 300 s"),
        ({"shape": "smoke", "duration": "soon"}, "--duration: 'soon' is not a duration"),
        ({"shape": "ramp", "users": 1}, "--users: the ramp shape needs at least 2 users"),
        ({"shape": "smoke", "processes": 0}, "--processes: at least 1"),
    ],
)
def test_a_request_out_of_bounds_is_refused(settings, console, tmp_path, options, says):
    with pytest.raises(CannotRun) as refused:
        run_load(settings, reports_dir=tmp_path, console=console, **options)
    assert refused.value.line().startswith(says)
    assert not (tmp_path / "load").exists()


def test_a_bad_slo_file_is_refused(settings, console, tmp_path, write_file):
    slo = write_file("slo.toml", "[overall]\np95 = 3\n")
    with pytest.raises(CannotRun, match=f"{slo}: overall.p95: unknown threshold"):
        run_load(settings, slo_file=slo, reports_dir=tmp_path, console=console)


def test_a_bad_traffic_file_is_refused(settings, console, tmp_path, write_file):
    traffic = write_file("traffic.toml", "[storefront]\nthink_time = [3, 1]\n")
    with pytest.raises(CannotRun, match=r"think_time is \[min, max\] seconds"):
        run_load(settings, traffic_file=traffic, reports_dir=tmp_path, console=console)
