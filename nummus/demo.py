"""`nummus demo`: the whole pipeline on a generated sample auction, step by step.

Each step is a function over the library API; the demo prints what it ran and what comes next.
Steps that are not built yet are listed as such, never faked."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from rich.console import Console

from nummus.settings import Settings, get_settings

console = Console(highlight=False)


@dataclass
class DemoContext:
    settings: Settings
    lots: int
    serve: bool
    state: dict


@dataclass
class Step:
    name: str
    what: str
    run: Callable[[DemoContext], str] | None  # returns a one-line summary


def _init(ctx: DemoContext) -> str:
    from nummus import stores

    r = stores.init(ctx.settings)
    return f"stores ready: warehouse {r.warehouse}, postgresql {'embedded' if r.embedded else 'external'} " \
           f"(pgvector {r.pgvector}), objects {r.object_store}"


STEPS: list[Step] = [
    Step("init", "create the data folder, DuckDB schemas, PostgreSQL schema", _init),
    Step("sample", "generate the local demo auction house (nummus sample)", None),
    Step("scrape", "scrape it over HTTP with the demo adapter (nummus scrape demo)", None),
    Step("vision", "find the coins, cut obverse/reverse crops (nummus vision)", None),
    Step("parse", "parse lot texts into fields (nummus parse)", None),
    Step("build", "dbt build with the phase gates (nummus build, nummus gate)", None),
    Step("qa-report", "QA report (nummus qa-report)", None),
    Step("freeze", "freeze a versioned snapshot (nummus freeze)", None),
    Step("embed", "embed the freeze into a sealed pgvector index (nummus embed)", None),
    Step("serve", "serve app2 on the demo freeze (nummus serve)", None),
]


def run_demo(lots: int = 300, serve: bool = True, settings: Settings | None = None) -> dict:
    ctx = DemoContext(settings or get_settings(), lots, serve, {})
    pending: list[Step] = []
    for step in STEPS:
        if step.run is None:
            pending.append(step)
            continue
        if pending:  # a later step cannot run on top of a missing one
            break
        started = time.perf_counter()
        summary = step.run(ctx)
        console.print(f"[bold]{step.name:<10}[/] {summary} [dim]({time.perf_counter() - started:.1f}s)[/]")
    if pending:
        console.print("\nnot built yet, would run next:")
        for step in STEPS[STEPS.index(pending[0]):]:
            console.print(f"  {step.name:<10} {step.what}")
    return ctx.state
