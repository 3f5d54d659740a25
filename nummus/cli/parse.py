"""`nummus parse`: lot text → labels (batch into raw.labels, or one text); `nummus bench parse`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nummus.cli.base import app, bench_app

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
DEFAULT_CORPORA = [FIXTURES / "parse_corpus.jsonl", FIXTURES / "parse_corpus_postclassical.jsonl"]


def _labels_dict(labels) -> dict:
    row = labels.to_row()
    row["references"] = json.loads(row["references"])
    row["evidence"] = json.loads(row["evidence"])
    row["review_reasons"] = labels.review_reasons
    return row


@app.command("parse")
def parse(
    text: str = typer.Option(None, "--text", help="Parse this one text (a lot title, or title and description) "
                                                  "and print the fields instead of running the batch."),
    description: str = typer.Option("", "--description", help="With --text: the lot description."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    chunk_size: int = typer.Option(5000, "--chunk-size", min=1, help="Lots per committed chunk."),
    limit: int = typer.Option(None, "--limit", min=1, help="Parse at most this many lots (the rest stay pending)."),
) -> None:
    """Parse every lot whose labels are missing or older than the parser version into raw.labels
    (resumable; progress with rate and ETA), or with --text parse one text."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if text is not None:
        from nummus.ingest.parse import parse_lot

        labels = parse_lot(text, description)
        row = _labels_dict(labels)
        if as_json:
            print(json.dumps(row, ensure_ascii=False, indent=2))
            return
        table = Table(show_header=True, title=f"parser {labels.parser_version}")
        table.add_column("field")
        table.add_column("value")
        table.add_column("evidence")
        for name, value in row.items():
            if name in ("evidence", "parser_version"):
                continue
            table.add_row(name, "" if value is None else str(value), str(row["evidence"].get(name, "")))
        console.print(table)
        return

    from nummus.ingest.parse.batch import parse_pending

    summary = parse_pending(chunk_size=chunk_size, limit=limit, progress=not as_json)
    if as_json:
        print(json.dumps(summary.model_dump() | {"lots_per_s": round(summary.lots_per_s, 1)}))
    else:
        console.print(f"parser {summary.parser_version}: {summary.parsed} lots parsed of {summary.pending} pending, "
                      f"{summary.quarantined} quarantined, {summary.needs_review} need review "
                      f"({summary.seconds:.1f} s, {summary.lots_per_s:,.0f} lots/s)")


@bench_app.command("parse")
def bench_parse(
    corpus: list[Path] = typer.Option(DEFAULT_CORPORA, "--corpus",
                                      help="Labelled corpus (JSON lines); repeat for several. Default: the two corpora "
                                           "of tests/fixtures (antiquity-centred, post-classical)."),
    truth: Path = typer.Option(None, "--truth", help="A demo auction's truth.json to score as well."),
    seconds: float = typer.Option(3.0, "--seconds", min=0.1, help="How long to measure speed."),
    misses: int = typer.Option(20, "--misses", min=0, help="How many misses to list per data set."),
) -> None:
    """Accuracy (period, denomination, authority, date, measures), coverage and confusion on each labelled
    corpus and each of its splits (and a demo truth.json), and lots/s over all their lots."""
    from nummus.ingest.parse import PARSER_VERSION
    from nummus.ingest.parse.evaluate import evaluate, load_corpus, load_truth_json, measure_speed

    result: dict = {"parser_version": PARSER_VERSION, "corpora": {}}
    every = []
    for path in corpus:
        lots = load_corpus(path)
        every += lots
        entry = {"path": str(path), "all": evaluate(lots, keep_misses=misses).model_dump(), "by_split": {}}
        # "holdout" lots were set aside before the rules were tuned: the honest estimate for unseen text
        for split in sorted({lot.split for lot in lots}):
            part = evaluate([lot for lot in lots if lot.split == split], keep_misses=misses)
            entry["by_split"][split] = part.model_dump(exclude={"confusion"})
        result["corpora"][path.name] = entry
    if truth is not None:
        result["truth"] = str(truth)
        result["truth_eval"] = evaluate(load_truth_json(truth), keep_misses=misses).model_dump()
    result["speed"] = measure_speed(every, min_seconds=seconds).model_dump()
    print(json.dumps(result, ensure_ascii=False, indent=2))
