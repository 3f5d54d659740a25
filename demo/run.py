"""`nummus demo`: the whole pipeline on a generated sample auction, step by step.

sample → scrape (real HTTP, demo adapter) → vision → parse → dbt build + gates → QA report →
freeze → embed (dry run, index, round trip) → vector gates → cluster → classify → serve.
Every step goes through the same library API as its command; rerunning the demo resumes and
reuses what is already there (same freeze, same index)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from rich.console import Console

from nummus.errors import NummusError
from nummus.settings import Settings, get_settings

console = Console(highlight=False)


@dataclass
class DemoContext:
    settings: Settings
    lots: int
    serve: bool
    host: str = "127.0.0.1"
    port: int = 8000
    state: dict = field(default_factory=dict)


@dataclass
class Step:
    name: str
    what: str
    run: Callable[[DemoContext], str]  # returns a one-line summary


def _init(ctx: DemoContext) -> str:
    from nummus import stores

    r = stores.init(ctx.settings)
    return (f"warehouse {r.warehouse}, postgresql {'embedded' if r.embedded else 'external'} "
            f"(pgvector {r.pgvector}), objects {r.object_store}")


def _sample(ctx: DemoContext) -> str:
    from nummus.demo.house import generate

    site = generate(ctx.settings.data_path / "sample-house", lots=ctx.lots, progress=True)
    ctx.state["site"] = site
    return f"{site.lots} lots, {site.images} photos in sales {', '.join(site.sales)} → {site.out_dir}"


def _scrape(ctx: DemoContext) -> str:
    from nummus.ingest.crawl import scrape_house
    from nummus.demo.house.serve import serving

    with serving(ctx.state["site"].out_dir) as url:
        summaries = scrape_house("demo", base_url=url, rate=0.0, settings=ctx.settings)
    total = {k: sum(getattr(s, k) for s in summaries)
             for k in ("stored", "unchanged", "skipped", "withdrawn", "missing", "failed", "images", "quarantined")}
    return (f"over HTTP from {url}: {total['stored']} lots stored ({total['skipped'] + total['unchanged']} already "
            f"there), {total['images']} photos, {total['withdrawn']} withdrawn, {total['missing']} missing, "
            f"{total['quarantined']} quarantined")


def _vision(ctx: DemoContext) -> str:
    from nummus.ingest.vision.batch import run_vision

    s = run_vision(ctx.settings)
    return str(_brief(s))


def _parse(ctx: DemoContext) -> str:
    from nummus.ingest.parse.batch import parse_pending

    s = parse_pending(ctx.settings)
    return (f"{s.parsed} lots parsed with {s.parser_version} ({s.needs_review} need review, "
            f"{s.quarantined} quarantined)")


def _build(ctx: DemoContext) -> str:
    from nummus.dbt.build import build

    r = build(ctx.settings)
    if not r.ok:
        failed = ", ".join(t.name for t in r.failed_tests) or "dbt error"
        raise NummusError(f"dbt build failed: {failed} (see `nummus build`)")
    return f"{len(r.models)} models, {len(r.tests)} tests passed (gate_scale, gate_freeze among them)"


def _qa(ctx: DemoContext) -> str:
    from nummus.dbt.qa_report import write_report

    return f"QA report → {write_report(ctx.settings)}"


def _freeze(ctx: DemoContext) -> str:
    from nummus import warehouse
    from nummus.dbt.freeze import content_hash, freeze, list_freezes

    freezes = list_freezes(ctx.settings)
    if freezes:
        with warehouse.session(ctx.settings, read_only=True) as con:
            digest = content_hash(con, "marts.coins")[3]
        if digest == freezes[-1].content_sha256:
            ctx.state["freeze"] = freezes[-1].version
            return f"marts.coins unchanged since {freezes[-1].version}: reusing it"
    m = freeze(ctx.settings)
    ctx.state["freeze"] = m.version
    return f"{m.table}: {m.row_count} coins, sha256 {m.content_sha256[:12]}…, manifest {m.manifest_key}"


def _gate(ctx: DemoContext, name: str) -> str:
    from nummus.dbt.gates import run_gate

    g = run_gate(name, ctx.settings)
    if not g.passed:
        raise NummusError(f"{name} fails: " + ", ".join(t.name for t in g.failing))
    return f"{name} green ({len(g.tests)} tests)"


def _embed_sample(ctx: DemoContext) -> str:
    from nummus.embed.job import embed_sample

    r = embed_sample(ctx.settings, freeze=ctx.state["freeze"], n=16)
    if not r.ok:
        raise NummusError(f"embedding dry run failed: norms {r.norm_min:.3f}..{r.norm_max:.3f}, "
                          f"{r.non_finite} non-finite rows, resume identical: {r.resume_identical}")
    gate = _gate(ctx, "gate_go")
    return (f"dry run on {r.coins} coins with {r.encoder_id.spec}: dim {r.dim}, "
            f"norms {r.norm_min:.4f}..{r.norm_max:.4f}, resume bit-identical; {gate}")


def _embed(ctx: DemoContext) -> str:
    from nummus.embed.job import embed_freeze

    s = embed_freeze(ctx.settings, freeze=ctx.state["freeze"])
    ctx.state["index_version"] = s.index_version
    note = f" [{s.note}]" if s.note else ""
    gates = "; ".join(_gate(ctx, g) for g in ("gate_clean", "gate_embedded"))
    return (f"{s.embedded} coins → index v{s.index_version} ({s.skipped} skipped), "
            f"{s.images_per_s:.1f} images/s, round trip min cosine {s.roundtrip_min_cosine}{note}; {gates}")


def _cluster(ctx: DemoContext) -> str:
    from nummus.embed.cluster.run import cluster_index

    r = cluster_index(ctx.settings)
    return str(_brief(r))


def _classify(ctx: DemoContext) -> str:
    from nummus.embed.classify.train import train_period

    try:
        r = train_period(ctx.settings, family="head")
    except NummusError as exc:  # a tiny demo (--lots 60) has too few coins per period to train on
        return f"not trained: {exc}"
    return str(_brief(r))


def _brief(model) -> str:
    """A one-line summary of a pydantic result: its scalar fields."""
    data = model.model_dump() if hasattr(model, "model_dump") else dict(vars(model))
    keep = {k: v for k, v in data.items() if isinstance(v, (int, float, str, bool)) and v not in (None, "")}
    return ", ".join(f"{k} {round(v, 3) if isinstance(v, float) else v}" for k, v in list(keep.items())[:10])


STEPS: list[Step] = [
    Step("init", "create the data folder, DuckDB schemas, PostgreSQL schema", _init),
    Step("sample", "generate the local demo auction house", _sample),
    Step("scrape", "scrape it over HTTP with the demo adapter", _scrape),
    Step("vision", "find the coins, cut obverse/reverse crops", _vision),
    Step("parse", "parse lot texts into fields", _parse),
    Step("build", "dbt build with the phase gates", _build),
    Step("qa-report", "QA report", _qa),
    Step("freeze", "freeze a versioned snapshot", _freeze),
    Step("dry-run", "embed a sample (go/no-go) and gate_go", _embed_sample),
    Step("embed", "embed the freeze into a sealed pgvector index; gate_clean, gate_embedded", _embed),
    Step("cluster", "UMAP + HDBSCAN clusters and the audit queue", _cluster),
    Step("classify", "period classifier on frozen vectors", _classify),
]


def run_demo(lots: int = 300, serve: bool = True, settings: Settings | None = None,
             host: str = "127.0.0.1", port: int = 8000) -> dict:
    ctx = DemoContext(settings or get_settings(), lots, serve, host, port)
    for step in STEPS:
        started = time.perf_counter()
        console.rule(f"[bold]{step.name}[/] — {step.what}")
        summary = step.run(ctx)
        console.print(f"[bold]{step.name}[/] {summary} [dim]({time.perf_counter() - started:.1f}s)[/]")
    if serve:
        from nummus.app.server import serve as serve_app

        console.rule("[bold]serve[/]")
        console.print(f"app2 on http://{host}:{port}/ (Ctrl-C to stop)")
        serve_app(ctx.settings, host, port)
    return ctx.state
