"""Progress of a long embedding run: images done, images/s and ETA (rich), or nothing."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text


class _RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed:.1f} img/s" if task.speed else "… img/s")


class ImageProgress:
    def __init__(self, total: int, what: str, *, enabled: bool = True):
        self.enabled = enabled and total > 0
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  _RateColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                  console=Console(stderr=True), disable=not self.enabled)
        self._task = self._progress.add_task(what, total=total)

    def __enter__(self) -> "ImageProgress":
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def advance(self, images: int) -> None:
        self._progress.advance(self._task, images)
