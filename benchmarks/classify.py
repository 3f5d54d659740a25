"""`nummus bench classify`: the report's figures and training time per epoch and per 1,000
pairs, on the demo house's ground truth (coins whose truth.json period is known) and on the
current index (parsed periods)."""

from __future__ import annotations

import json
from pathlib import Path

from nummus.settings import Settings


def truth_periods(truth_json: Path) -> dict[int, str]:
    """coin_id -> true period from a demo house truth.json (`lots[].coin_id`, `lots[].fields.period`)."""
    lots = json.loads(truth_json.read_text()).get("lots", [])
    return {int(lot["coin_id"]): lot["fields"]["period"] for lot in lots
            if lot.get("coin_id") is not None and (lot.get("fields") or {}).get("period")}


def bench_classify(settings: Settings, *, families: list[str], heads: list[str], epochs: int | None,
                   truth: Path | None, backbone: str = "auto", image_size: int = 128) -> dict:
    import os

    import torch

    from nummus.embed.classify.train import train_period

    runs = []
    for family in families:
        for head in (heads if family == "head" else [None]):
            r = train_period(settings, family, head=head or "logreg", epochs=epochs, backbone=backbone,
                             image_size=image_size, progress=False)
            runs.append({"family": family, "head": head, **r.model_dump(exclude={"folder"})})
    out = {"benchmark": "classify", "cpu_cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
           "cuda": torch.cuda.is_available(), "data_dir": str(settings.data_path), "index": runs}
    if truth is not None:
        out["ground_truth"] = ground_truth_agreement(settings, truth, [r["model_version"] for r in runs])
    return out


def ground_truth_agreement(settings: Settings, truth: Path, versions: list[str]) -> dict:
    """Per model version: accuracy of its predictions against the demo house's true periods,
    and how often the parsed period itself matches the truth (the label noise the models saw)."""
    from nummus import postgres

    periods = truth_periods(truth)
    with postgres.session(settings, autocommit=True) as conn:
        parsed = {r[0]: r[1] for r in conn.execute("SELECT coin_id, period FROM coins").fetchall()}
        res = {}
        for v in versions:
            rows = conn.execute("SELECT coin_id, period FROM period_predictions WHERE model_version = %s", (v,)).fetchall()
            known = [(p, periods[c]) for c, p in rows if c in periods]
            res[v] = {"coins_with_truth": len(known),
                      "accuracy_vs_truth": round(sum(a == b for a, b in known) / len(known), 4) if known else None}
    both = [(p, periods[c]) for c, p in parsed.items() if c in periods and p]
    return {"truth": str(truth), "parsed_period_accuracy": round(sum(a == b for a, b in both) / len(both), 4)
            if both else None, "models": res}
