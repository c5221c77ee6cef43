"""429 and 503 from the target: the user backs off, tries again, and they are counted apart from errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ocgate.load.slo import OVERALL, LoadStats, Threshold, evaluate


def probe() -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("throttled_target.py"))], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_throttled_request_is_retried_until_it_succeeds_and_counted_as_throttled(tmp_path):
    result = probe()
    assert result["answered"] == {"ID": "me"}
    assert result["seen"] == ["POST /oauth/token", "GET /v1/me", "GET /v1/me", "GET /v1/me"]
    (me,) = [entry for entry in result["summary"]["entries"] if entry["name"] == "GET /me"]
    assert (me["num_requests"], me["num_failures"], me["num_throttled"]) == (3, 2, 2)
    assert {error["category"] for error in result["summary"]["errors"]} == {"throttled"}

    path = tmp_path / "summary.json"
    path.write_text(json.dumps(result["summary"]))
    thresholds = [Threshold(OVERALL, "max_error_rate", 0), Threshold(OVERALL, "max_throttled_rate", 0.25)]
    error_rate, throttled_rate = evaluate(thresholds, LoadStats.from_summary(path))
    assert error_rate.passed and error_rate.observed == 0
    assert not throttled_rate.passed and throttled_rate.observed == 0.5  # 2 of 4 requests, the login included
