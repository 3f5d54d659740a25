"""One progress module (nummus/progress.py): long jobs show done/total, the rate in the job's
unit, elapsed time, ETA and the outcome counts; library calls stay silent."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from rich.console import Console

from nummus.progress import Reporter, job_progress

REPO = Path(__file__).resolve().parent.parent


def test_reporter_shows_rate_eta_and_counts():
    out = io.StringIO()
    with Reporter("lots", console=Console(file=out, width=200)).start("import x.csv", 10) as bar:
        for i in range(4):
            time.sleep(0.02)
            bar.advance(outcome="quarantined" if i == 0 else "stored")
    line = out.getvalue()
    assert line.startswith("import x.csv") and "4/10" in line
    assert re.search(r"\d[\d,.]* lots/s", line) and "ETA" in line and "quarantined 1 stored 3" in line
    assert bar.counts == {"stored": 3, "quarantined": 1}


def test_a_silent_reporter_counts_and_prints_nothing():
    out = io.StringIO()
    bar = Reporter("img", enabled=False, console=Console(file=out, width=200)).start("embed", 3)
    bar.advance(2, outcome="ok")
    bar.stop()
    assert out.getvalue() == "" and bar.counts == {"ok": 2}


def test_a_task_may_name_its_own_unit():
    out = io.StringIO()
    with job_progress("vectors", console=Console(file=out, width=200)) as bar:
        task = bar.add_task("indexes", total=8, unit="blocks")
        for done in (2, 5):
            time.sleep(0.02)
            bar.update(task, completed=done)
    assert re.search(r"\d[\d,.]* blocks/s", out.getvalue())


def test_rich_progress_is_used_in_one_module():
    folders = ("nummus", "ingest", "embed", "dbt", "app", "demo", "benchmarks")
    users = sorted(str(p.relative_to(REPO)) for f in folders for p in (REPO / f).rglob("*.py")
                   if "rich.progress" in p.read_text())
    assert users == ["nummus/progress.py"]
