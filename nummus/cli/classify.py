"""`nummus train period` and `nummus bench classify`: a thin layer over nummus.embed.classify."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from nummus.cli.base import app, bench_app

console = Console(highlight=False)
train_app = typer.Typer(help="Train models on the index (period classifier).", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("period")
def train_period_cmd(
    family: str = typer.Option("head", "--family", help="head (on frozen vectors) | finetune (pair images)."),
    head: str = typer.Option("logreg", "--head", help="logreg | mlp (family head)."),
    features: str = typer.Option("obvrev", "--features", help="obvrev (obv ⊕ rev) | pair (family head)."),
    index: str = typer.Option(None, "--index", help="Index version, e.g. v3 (default: the serving one)."),
    epochs: int = typer.Option(None, "--epochs", min=1, help="Epochs (default 30 for mlp, 8 for finetune)."),
    batch_size: int = typer.Option(None, "--batch-size", min=1),
    lr: float = typer.Option(None, "--lr"),
    backbone: str = typer.Option("auto", "--backbone", help="auto | mobilenetv2 | effnet-lite0 | scratch | tiny."),
    image_size: int = typer.Option(128, "--image-size", min=16),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | mps."),
    min_class_size: int = typer.Option(10, "--min-class-size", min=2, help="Periods with fewer labelled coins are left out."),
    phash: bool = typer.Option(True, "--phash/--no-phash", help="Perceptual hashes of crops for near-duplicate groups."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Split by coin identity, train, calibrate, evaluate against the criteria; write
    DATA_DIR/artifacts/period_vN/ and predictions for every coin to PostgreSQL. A killed run resumes."""
    from nummus.embed.classify.train import train_period
    from nummus.settings import get_settings

    r = train_period(get_settings(), family, head=head, features=features,
                     index=int(index.lower().lstrip("v")) if index else None, epochs=epochs, batch_size=batch_size,
                     lr=lr, backbone=backbone, image_size=image_size, device=device, min_class_size=min_class_size,
                     use_phash=phash, progress=not as_json)
    if as_json:
        print(r.model_dump_json(indent=1))
        return
    verdict = "[green]PASS[/]" if r.passed else f"[red]FAIL[/] ({', '.join(r.failed)})"
    console.print(f"{r.model_version} ({r.family}) on index v{r.index_version}: macro F1 {r.macro_f1:.3f}, "
                  f"accuracy {r.accuracy:.3f}, ECE {r.ece_uncalibrated:.3f} → {r.ece:.3f} calibrated; criteria {verdict}"
                  + (f"; vs previous: {r.comparison}" if r.comparison else "")
                  + f"; {r.predictions} predictions stored; report {Path(r.folder) / 'report.html'}")


@bench_app.command("classify")
def bench_classify_cmd(
    family: str = typer.Option("head", "--family", help="Comma-separated: head,finetune."),
    head: str = typer.Option("logreg,mlp", "--head", help="Comma-separated heads for family head."),
    epochs: int = typer.Option(None, "--epochs", min=1),
    backbone: str = typer.Option("auto", "--backbone"),
    image_size: int = typer.Option(128, "--image-size", min=16),
    truth: Path = typer.Option(None, "--truth", help="A demo house truth.json (known periods)."),
) -> None:
    """Train each family on the current index (a new model version each) and print the
    report's figures, seconds per epoch and per 1,000 pairs, and agreement with the truth."""
    from nummus.bench.classify import bench_classify
    from nummus.settings import get_settings

    out = bench_classify(get_settings(), families=family.split(","), heads=head.split(","), epochs=epochs,
                         truth=truth, backbone=backbone, image_size=image_size)
    print(json.dumps(out, indent=1, default=str))
