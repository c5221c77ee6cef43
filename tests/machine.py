"""What some tests need from the machine (Node with Allure 3, Chromium), as pytest markers.

Where a tool is missing these tests skip, saying how to install it; under CI (CI=true) the
report must render, so there a missing tool fails them instead (generate_html and
render_report say what is missing).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_check import find_chromium

from ocgate.report.allure import ALLURE_BIN

REPO_ROOT = Path(__file__).resolve().parents[1]
ALLURE_INSTALLED = (REPO_ROOT / ALLURE_BIN).exists() and shutil.which("node") is not None
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
needs_allure = pytest.mark.skipif(
    not ALLURE_INSTALLED and not IN_CI,
    reason="Allure 3 is not installed: install Node 20+, then `make deps` (npm ci)",
)
needs_chromium = pytest.mark.skipif(
    find_chromium() is None and not IN_CI,
    reason="Chromium is not installed: `sudo apt-get install -y chromium` (make test does it as root or with passwordless sudo)",
)
