"""A load run that cannot happen stops before it touches the target: one line, exit code 2."""

from __future__ import annotations

import pytest

from ocgate.load_runner import EXIT_CANNOT_RUN, run_load


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
    assert run_load(settings, reports_dir=tmp_path, console=console, **options) == EXIT_CANNOT_RUN
    assert console.file.getvalue().startswith(f"ocgate load: {says}")
    assert not (tmp_path / "load").exists()


def test_a_bad_slo_file_is_refused(settings, console, tmp_path, write_file):
    slo = write_file("slo.toml", "[overall]\np95 = 3\n")
    assert run_load(settings, slo_file=slo, reports_dir=tmp_path, console=console) == EXIT_CANNOT_RUN
    assert f"{slo}: overall.p95: unknown threshold" in console.file.getvalue()


def test_a_bad_traffic_file_is_refused(settings, console, tmp_path, write_file):
    traffic = write_file("traffic.toml", "[storefront]\nthink_time = [3, 1]\n")
    assert run_load(settings, traffic_file=traffic, reports_dir=tmp_path, console=console) == EXIT_CANNOT_RUN
    assert "think_time is [min, max] seconds" in console.file.getvalue()
