"""SLO files: thresholds for the whole run and per request name; a bad file is one line of error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocgate.config import ConfigError
from ocgate.load.slo import OVERALL, Threshold, load_slo

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_thresholds_are_read_per_request_name_and_overall(write_file):
    path = write_file(
        "slo.toml",
        """
        [overall]
        p95_ms = 800
        max_error_rate = 0.01
        min_checkouts = 3

        [requests."GET /me/products"]
        p99_ms = 1500
        "p99.9_ms" = 3000  # quoted: a dot in a bare TOML key makes a table
        min_rps = 2.5
        """,
    )
    assert load_slo(path) == [
        Threshold(OVERALL, "p95_ms", 800),
        Threshold(OVERALL, "max_error_rate", 0.01),
        Threshold(OVERALL, "min_checkouts", 3),
        Threshold("GET /me/products", "p99_ms", 1500),
        Threshold("GET /me/products", "p99.9_ms", 3000),
        Threshold("GET /me/products", "min_rps", 2.5),
    ]


def test_a_threshold_reads_as_a_sentence():
    assert Threshold(OVERALL, "p95_ms", 800).title == "overall: p95 latency <= 800 ms"
    assert Threshold("checkout", "max_error_rate", 0.01).title == "checkout: error rate <= 1.00%"
    assert Threshold(OVERALL, "min_checkouts", 5).title == "overall: checkouts completed >= 5"
    assert Threshold(OVERALL, "p99.9_ms", 2000).percentile == pytest.approx(0.999)


def test_the_default_slo_file_of_the_repository_is_valid():
    thresholds = load_slo(REPO_ROOT / "load" / "slo.toml")
    assert Threshold(OVERALL, "min_checkouts", 1) in thresholds


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[overall]\np96_millis = 3", "overall.p96_millis: unknown threshold"),
        ('[requests."GET /me"]\nmin_checkouts = 1', 'requests."GET /me".min_checkouts: unknown threshold'),
        ("[overall]\np95_ms = -1", "overall.p95_ms: must be a number >= 0"),
        ("[overall]\np95_ms = 'fast'", "overall.p95_ms: must be a number >= 0"),
        ("[overall]\nmax_error_rate = 5", "a rate is a fraction between 0 and 1"),
        ("[overall]\np0_ms = 5", "a percentile is between p1 and p100"),
        ("[overall]\np99.9_ms = 5", 'quote the key, e.g. "p99.9_ms"'),
        ("[thresholds]\np95_ms = 5", "unknown section [thresholds]"),
        ("[overall]\n", "no thresholds"),
        ("[overall\np95_ms = 5", "not valid TOML"),
    ],
)
def test_a_bad_slo_file_is_refused_with_one_line_naming_the_setting(write_file, text, says):
    path = write_file("slo.toml", text)
    with pytest.raises(ConfigError) as refused:
        load_slo(path)
    message = str(refused.value)
    assert says in message and str(path) in message and "\n" not in message


def test_a_missing_slo_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the SLO file"):
        load_slo(tmp_path / "absent.toml")
