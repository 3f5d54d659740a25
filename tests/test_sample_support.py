"""Helpers for the demo-house tests: one generated sample site per test session (read-only; a
test that changes files works on its own copy). Imported by the test_sample_* modules (no tests
here)."""

from __future__ import annotations

from pathlib import Path

LOTS = 20
SEED = 3
REPO = Path(__file__).resolve().parent.parent

_SITE: dict[str, object] = {}


def sample_site(tmp_path_factory):
    """The site of `generate(lots=LOTS, sales=1, seed=SEED)`, generated once per test session."""
    if "site" not in _SITE:
        from nummus.demo.house import generate

        _SITE["site"] = generate(tmp_path_factory.mktemp("house") / "site", lots=LOTS, sales=1, seed=SEED)
    return _SITE["site"]


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
