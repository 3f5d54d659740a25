"""Progress of a long embedding run: images done, images/s and ETA (rich), or nothing."""

from __future__ import annotations

from rich.console import Console

from nummus.progress import job_progress


class ImageProgress:
    def __init__(self, total: int, what: str, *, enabled: bool = True):
        self.enabled = enabled and total > 0
        self._progress = job_progress("img", enabled=self.enabled, console=Console(stderr=True))
        self._task = self._progress.add_task(what, total=total)

    def __enter__(self) -> "ImageProgress":
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def advance(self, images: int) -> None:
        self._progress.advance(self._task, images)
