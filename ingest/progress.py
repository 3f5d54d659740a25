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
        from rich.console import Console
        from rich.progress import TextColumn

        from nummus.progress import job_progress

        # on stderr: stdout carries the command's answer (`--json` output stays parseable)
        self._progress = job_progress("lots", TextColumn("{task.fields[counts]}"), console=Console(stderr=True))
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
