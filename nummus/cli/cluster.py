"""`nummus cluster` (run, runs, activate), `nummus audit`, `nummus bench cluster`:
a thin layer over nummus.embed.cluster."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from nummus.cli.base import app, bench_app

console = Console(highlight=False)
cluster_app = typer.Typer(help="Clusters of coins (UMAP + HDBSCAN), an asynchronous quality layer; "
                               "`nummus cluster` runs one, `runs` lists them, `activate N` picks the shown one.")
app.add_typer(cluster_app, name="cluster")


@cluster_app.callback(invoke_without_command=True)
def cluster(
    ctx: typer.Context,
    index: str = typer.Option(None, "--index", help="Index version, e.g. v3 or 3 (default: the serving one)."),
    vector: str = typer.Option("pair", "--vector", help="pair | obv | rev"),
    pca_dims: int = typer.Option(0, "--pca-dims", min=0, help="PCA pre-reduction to this many dims (0 = off, the default: "
                                 "measured to cost quality, embed/cluster/README.md)."),
    epochs: int = typer.Option(None, "--epochs", min=1, help="15-d UMAP epochs (default 50 from 10k points, else 200)."),
    activate: bool = typer.Option(True, "--activate/--no-activate", help="Make this run the one the app shows."),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Cluster an index version: PCA → one kNN graph → UMAP 15-d → HDBSCAN → 2-D layout → noise
    reassignment; results, summaries and the audit queue go to PostgreSQL as a new run."""
    if ctx.invoked_subcommand is not None:
        return
    from nummus.embed.cluster.params import ClusterParams
    from nummus.embed.cluster.run import cluster_index
    from nummus.settings import get_settings

    params = ClusterParams(pca_dims=pca_dims or None, umap_epochs=epochs)
    run = cluster_index(get_settings(), _version(index), vector=vector, params=params, activate=activate,
                        show_progress=not as_json)
    if as_json:
        print(run.model_dump_json(indent=1))
        return
    console.print(f"cluster run {run.run_id} ({run.backend}) of index v{run.index_version} {run.vector}: "
                  f"{run.n_coins} coins, {run.n_clusters} clusters, noise {run.noise_share:.1%} "
                  f"({run.reassigned} reassigned by kNN), {run.pure_clusters} pure clusters; "
                  f"audit: {run.audit_cluster} by cluster"
                  + (f", {run.audit_classifier} by classifier" if run.audit_classifier is not None else "")
                  + f"; {run.timings['total']:.1f} s" + (" [active]" if run.active else "")
                  + (" (resumed)" if run.resumed else ""))


def _version(text: str | None) -> int | None:
    if text is None:
        return None
    from nummus.errors import NummusError

    try:
        return int(text.lower().lstrip("v"))
    except ValueError:
        raise NummusError(f"--index must look like v3 or 3, not {text!r}", setting="--index") from None


@cluster_app.command("runs")
def runs(as_json: bool = typer.Option(False, "--json")) -> None:
    """List clustering runs (the active one marked)."""
    from nummus.embed.cluster import store
    from nummus import postgres

    with postgres.session(autocommit=True) as conn:
        rows = store.list_runs(conn)
        active = store.active_run(conn)
    if as_json:
        print(json.dumps([dict(r, active=r["run_id"] == active) for r in rows], default=str, indent=1))
        return
    table = Table("run", "index", "vector", "state", "backend", "coins", "clusters", "noise", "seconds", "started")
    for r in rows:
        total = (r["timings"] or {}).get("total")
        table.add_row(f"{r['run_id']}{' *' if r['run_id'] == active else ''}", f"v{r['index_version']}",
                      r["vector"], r["state"], r["backend"], str(r["n_coins"] or ""), str(r["n_clusters"] or ""),
                      "" if r["noise_share"] is None else f"{r['noise_share']:.1%}",
                      "" if total is None else f"{total:.1f}", str(r["started_at"])[:19])
    console.print(table)
    console.print("* active run")


@cluster_app.command("activate")
def activate_cmd(run_id: int = typer.Argument(..., help="A finished run (see `nummus cluster runs`).")) -> None:
    """Make RUN the run the app shows."""
    from nummus.embed.cluster import store
    from nummus import postgres

    with postgres.session(autocommit=True) as conn:
        store.activate(conn, run_id)
    console.print(f"cluster run {run_id} is active")


@app.command()
def audit(
    run: int = typer.Option(None, "--run", help="Cluster run (default: the active one)."),
    limit: int = typer.Option(50, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The audit queue: coins whose parsed period disagrees with a pure cluster or the classifier."""
    import asyncio

    page = asyncio.run(_audit_queue(run, limit))
    if as_json:
        print(json.dumps(page, default=str, indent=1))
        return
    table = Table("coin_id", "reason", "period", "suggested", "cluster", "purity", "confidence", "title",
                  title=f"audit queue of cluster run {page['run_id']} ({page['total']} coins)")
    for r in page["rows"]:
        table.add_row(str(r["coin_id"]), r["reason"], str(r["period"]), r["suggested_period"], str(r["cluster"]),
                      "" if r["purity"] is None else f"{r['purity']:.2f}",
                      "" if r["confidence"] is None else f"{r['confidence']:.2f}", (r["title"] or "")[:60])
    console.print(table)


async def _audit_queue(run: int | None, limit: int) -> dict:
    from nummus import postgres
    from nummus.embed.cluster import results

    async with await postgres.connect_async(autocommit=True) as conn:
        return await results.audit_queue(conn, run, limit=limit)


@bench_app.command("cluster")
def bench_cluster(
    n: str = typer.Option("23000,100000", "--n", help="Comma-separated sizes."),
    dim: int = typer.Option(512, "--dim"),
    data: str = typer.Option(None, "--data", help="A folder of NNNNN_obv.jpg coin photos (or with a museum_pairs/ "
                             "of them): obverse photos embedded with EfficientNet-Lite0 (cached in DATA_DIR/cache), clustered by both recipes; "
                             "no labels there, so it reports the ARI between the recipes."),
    old_max: int = typer.Option(23000, "--old-max", help="Run the old recipe for sizes up to this (0 = never)."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Wall time per stage, peak memory, ARI against planted groups and noise share, for the
    new pipeline and (at small sizes) the old recipe on the same data. JSON."""
    from nummus.bench.cluster import run_bench

    sizes = [int(s) for s in n.split(",") if s.strip()]
    print(json.dumps(run_bench(sizes, dim=dim, data=data, old_max=old_max, seed=seed), indent=1))
