"""Model versions: `DATA_DIR/artifacts/period_vN/`. A folder with `run.json` but no
`metrics.json` is an unfinished run; a rerun with the same configuration continues in it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from nummus.settings import Settings

_NAME = re.compile(r"period_v(\d+)$")


def root(settings: Settings) -> Path:
    return settings.data_path / "artifacts"


def versions(settings: Settings) -> list[tuple[int, Path]]:
    base = root(settings)
    if not base.exists():
        return []
    out = [(int(m.group(1)), p) for p in base.iterdir() if p.is_dir() and (m := _NAME.match(p.name))]
    return sorted(out)


def config_sha(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


def open_run(settings: Settings, config: dict) -> tuple[str, Path, bool]:
    """(model_version, folder, resumed): the newest unfinished folder with this configuration,
    else a new folder numbered after the highest."""
    sha = config_sha(config)
    existing = versions(settings)
    for n, path in reversed(existing):
        run = path / "run.json"
        if (path / "metrics.json").exists() or not run.exists():
            continue
        if json.loads(run.read_text()).get("config_sha") == sha:
            return f"period_v{n}", path, True
    n = existing[-1][0] + 1 if existing else 1
    path = root(settings) / f"period_v{n}"
    path.mkdir(parents=True, exist_ok=False)
    (path / "run.json").write_text(json.dumps({"config": config, "config_sha": sha}, indent=1))
    return f"period_v{n}", path, False


def previous_finished(settings: Settings, before: int) -> tuple[str, Path] | None:
    """The newest finished model version numbered below `before`."""
    for n, path in reversed(versions(settings)):
        if n < before and (path / "metrics.json").exists() and (path / "test_predictions.csv").exists():
            return f"period_v{n}", path
    return None
