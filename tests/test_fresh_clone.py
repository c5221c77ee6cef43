"""A fresh clone needs nothing beside it.

The committed tree (`git archive HEAD`) is exported into an empty temporary folder and
run from there with its own package on PYTHONPATH and no OCGATE_* settings from the
developer's shell: the embedded sandbox seeds, and a short gate (`contract --tag Buyers`)
passes. A second test keeps any tracked file outside tests/ from naming `../shared`, the
folder beside the repository that exists on the developers' machines only.

The export sees committed work only: a fix in the work tree reaches these tests once committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runs import MARK, REPO, assert_nothing_left_running, command, environment

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SHARED = b"../shared"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """HEAD exported alone into `<empty temporary folder>/ocgate`."""
    folder = tmp_path_factory.mktemp("fresh-clone") / "ocgate"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    assert list(folder.parent.iterdir()) == [folder]
    yield folder
    shutil.rmtree(folder.parent, ignore_errors=True)


def run_in(export: Path, argv: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `argv` (this venv's python) from the export, importing the export's package."""
    # environment() already leaves out the shell's OCGATE_*; it adds a scratch reports
    # folder, which a fresh clone does not have either, so that goes too.
    env = {key: value for key, value in environment().items() if not key.startswith("OCGATE_")}
    env["PYTHONPATH"] = str(export / "src")
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=export, timeout=timeout, check=False)
    assert_nothing_left_running(env[MARK])
    return result


def test_the_export_runs_its_own_package(export: Path) -> None:
    assert (export / "src" / "ocgate" / "__main__.py").is_file()
    result = run_in(export, [sys.executable, "-c", "import ocgate; print(ocgate.__file__)"])
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve().is_relative_to(export.resolve())


def test_the_embedded_sandbox_seeds_a_marketplace_from_the_export(export: Path) -> None:
    result = run_in(export, command("seed"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_short_gate_passes_from_the_export(export: Path) -> None:
    result = run_in(export, command("contract", "--tag", "Buyers"))
    assert result.returncode == 0, result.stdout + result.stderr
    cases = ET.parse(export / "reports" / "junit" / "contract.xml").getroot().iter("testcase")
    assert any(True for _ in cases), "the gate ran no tests"


def test_no_tracked_file_outside_tests_names_the_shared_folder() -> None:
    listing = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    offenders = []
    for name in listing.decode().split("\0"):
        path = REPO / name
        if not name or name.startswith("tests/") or not path.is_file():  # a file deleted in the work tree is gone
            continue
        text = path.read_bytes()
        if b"\0" not in text[:8192] and SHARED in text:  # binary files are skipped
            offenders.append(name)
    assert not offenders, f"tracked files naming {SHARED.decode()}: " + ", ".join(offenders)
