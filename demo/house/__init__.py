"""The local demo auction house: procedurally drawn coins, lot photos and dealer texts as a static
site with ground truth (`nummus sample`), served on localhost (`nummus sample serve`).

Library API: `generate(out_dir, lots=300, sales=1, seed=0) -> SampleSite` and
`nummus.demo.house.serve.serving(dir)` (a context manager yielding the base URL). The heavy
imports (OpenCV, numpy) happen on the first call, not on import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nummus.demo.house.site import SampleSite


def generate(out_dir: str | Path, lots: int = 300, sales: int = 1, seed: int = 0, *, workers: int = 1,
             progress: bool = False) -> "SampleSite":
    """Generate the demo auction house into out_dir; see `nummus.demo.house.site.generate`."""
    from nummus.demo.house.site import generate as _generate

    return _generate(out_dir, lots=lots, sales=sales, seed=seed, workers=workers, progress=progress)


def __getattr__(name: str) -> Any:
    if name == "SampleSite":
        from nummus.demo.house.site import SampleSite

        return SampleSite
    raise AttributeError(name)
