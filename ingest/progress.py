"""Progress of long ingest jobs: the library reports to a `Reporter`; the command line passes
a rich one (rate and ETA), library callers get silence by default."""

from __future__ import annotations

from collections import Counter


class Reporter:
    """Silent reporter; subclasses show progress. `advance(outcome)` counts one item."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def start(self, label: str, total: int | None) -> None:
        pass

    def total(self, total: int | None) -> None:
        pass

    def advance(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def stop(self) -> None:
        pass


class RichReporter(Reporter):
    def __init__(self) -> None:
        super().__init__()
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task):
                return Text(f"{task.speed:.1f}/s" if task.speed else "-/s", style="progress.data.speed")

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                                  TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                                  TextColumn("{task.fields[counts]}"))
        self._task = None

    def start(self, label: str, total: int | None) -> None:
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, counts="")

    def total(self, total: int | None) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, outcome: str) -> None:
        super().advance(outcome)
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self._progress.update(self._task, advance=1, counts=counts)

    def stop(self) -> None:
        self._progress.stop()
