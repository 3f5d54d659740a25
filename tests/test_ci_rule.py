"""The CI rule of tests/components.py, run on a tiny test file in a pytest of its own: under
CI=true a test skipped for want of a component the project installs fails; other skips stay
skips; outside CI the same tests are skipped."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest

TESTS = Path(__file__).resolve().parent

TINY = textwrap.dedent('''
    import pytest

    @pytest.mark.browser
    def test_browser():
        pass

    @pytest.mark.needs("pgserver")
    def test_needs_a_present_component():
        pass

    def test_importorskip_of_a_dependency():
        pytest.importorskip("pgserver")   # shadowed below: as if not installed

    def test_skip_naming_the_offline_encoder():
        pytest.skip("efficientnet-lite0 weights not found")

    def test_importorskip_of_something_not_installed_by_the_project():
        pytest.importorskip("nummus_no_such_module")

    def test_skip_for_another_reason():
        pytest.skip("the CLIP weights are cached on this machine")
''')


def _run(tmp_path: Path, ci: bool) -> dict[str, str]:
    """{test name: outcome} of the tiny file under the components plugin."""
    (tmp_path / "test_tiny.py").write_text(TINY)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    shadow = tmp_path / "shadow" / "pgserver"
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError('No module named pgserver', name='pgserver')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path / "shadow"), str(TESTS)]),
               NUMMUS_TEST_CHROMIUM=str(tmp_path / "no-chromium"))
    if ci:
        env["CI"] = "true"
    report = tmp_path / "report.xml"
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "components", "-p", "no:cacheprovider",
                          "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), "-q",
                          f"--junitxml={report}", "test_tiny.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert report.is_file(), out.stdout + out.stderr
    outcomes = {}
    for case in ElementTree.parse(report).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name")] = {"failure": "failed", "error": "error", "skipped": "skipped"}.get(
            kinds[0] if kinds else "", "passed")
    return outcomes


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return {ci: _run(tmp_path_factory.mktemp(f"ci-{ci}"), ci) for ci in (False, True)}


def test_outside_ci_missing_components_skip(outcomes):
    assert outcomes[False] == {
        "test_browser": "skipped", "test_needs_a_present_component": "passed",
        "test_importorskip_of_a_dependency": "skipped", "test_skip_naming_the_offline_encoder": "skipped",
        "test_importorskip_of_something_not_installed_by_the_project": "skipped",
        "test_skip_for_another_reason": "skipped"}


def test_in_ci_missing_components_fail_and_other_skips_stay(outcomes):
    assert outcomes[True] == {
        "test_browser": "error", "test_needs_a_present_component": "passed",  # fails in setup
        "test_importorskip_of_a_dependency": "failed", "test_skip_naming_the_offline_encoder": "failed",
        "test_importorskip_of_something_not_installed_by_the_project": "skipped",
        "test_skip_for_another_reason": "skipped"}
