"""`nummus index export vN`: the vectors of an index version for numpy users — features.npy
(pair vectors, float32 [n, d]), obv.npy, rev.npy, metadata.csv and vectors.parquet, all in the
same row order (coin_id ascending); no more aligning a CSV with an array by hope."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from nummus.embed.index import read_version
from nummus.embed.source import METADATA_COLUMNS
from nummus import postgres
from nummus.errors import NummusError
from nummus.settings import Settings


class ExportResult(BaseModel):
    version: int
    rows: int
    dim: int
    folder: str
    files: list[str]


def parse_version(text: str | int) -> int:
    m = re.fullmatch(r"(?:index_)?v?(\d+)", str(text).strip())
    if not m:
        raise NummusError(f"not an index version: {text!r} (expected vN)")
    return int(m.group(1))


def export_version(settings: Settings, version: str | int, out: Path | None = None) -> ExportResult:
    import pandas as pd

    n = parse_version(version)
    ids, _, obv, rev, pair = read_version(settings, n)
    cols = ("coin_id", "freeze_id") + METADATA_COLUMNS[1:]
    with postgres.session(settings, autocommit=True) as conn:
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM coins WHERE coin_id = ANY(%s)", (ids.tolist(),)).fetchall()
    meta = pd.DataFrame(rows, columns=list(cols)).set_index("coin_id").reindex(ids).reset_index()
    folder = Path(out) if out else settings.data_path / "exports" / f"index_v{n}"
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "features.npy", pair)
    np.save(folder / "obv.npy", obv)
    np.save(folder / "rev.npy", rev)
    meta.insert(0, "row", np.arange(len(meta)))
    meta.to_csv(folder / "metadata.csv", index=False)
    table = meta.copy()
    for name, mat in (("pair", pair), ("obv", obv), ("rev", rev)):
        table[name] = list(mat)
    table.to_parquet(folder / "vectors.parquet", index=False)
    files = ["features.npy", "obv.npy", "rev.npy", "metadata.csv", "vectors.parquet"]
    return ExportResult(version=n, rows=len(ids), dim=int(pair.shape[1]) if pair.size else 0, folder=str(folder),
                        files=files)
