"""Pair fine-tuning on tiny crops in the real object store and PostgreSQL: a run killed with
SIGKILL after a few epochs continues from its checkpoint (same epochs kept, the rest trained)
and finishes with the report and predictions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
import pytest

from tests.test_classify import load_planted

N = 45
SIZE = 24
COLOURS = {"greek": (200, 60, 60), "roman_imperial": (60, 200, 60), "byzantine": (60, 60, 200)}


@pytest.fixture(scope="module")
def ft_settings(pg_url, tmp_path_factory):
    from PIL import Image

    from nummus import warehouse
    from nummus.objectstore import ObjectStore
    from nummus.settings import Settings

    data = tmp_path_factory.mktemp("ft-data")
    s = Settings(data_dir=data, database_url=pg_url)
    warehouse.init_warehouse(s)
    store = ObjectStore(s.objects_url)
    rng = np.random.default_rng(0)
    periods = [list(COLOURS)[i % 3] for i in range(N)]
    coin_ids = np.arange(100, 100 + N, dtype=np.int64)
    for c, p in zip(coin_ids, periods):
        for side in ("obv", "rev"):
            arr = np.clip(np.array(COLOURS[p]) + rng.normal(0, 30, (SIZE, SIZE, 3)), 0, 255).astype(np.uint8)
            import io

            buf = io.BytesIO()
            Image.fromarray(arr).save(buf, "PNG")
            store.put(f"crops/{c}_{side}.png", buf.getvalue())
    vec = rng.standard_normal((N, 8)).astype(np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    import tests.test_classify as tc

    old = tc.DIM
    tc.DIM = 8
    try:
        load_planted(pg_url, 1, {"coin_ids": coin_ids, "periods": periods, "obv": vec, "rev": vec, "pair": vec})
    finally:
        tc.DIM = old
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE coins SET obv_small_key = 'crops/' || coin_id || '_obv.png', "
                     "rev_small_key = 'crops/' || coin_id || '_rev.png'")
        conn.execute("UPDATE coins SET rev_small_key = NULL WHERE coin_id = 100")  # no reverse crop
    return s


SCRIPT = """
import sys
from nummus.embed.classify.train import train_period
from nummus.settings import Settings
s = Settings(data_dir=sys.argv[1], database_url=sys.argv[2])
train_period(s, "finetune", backbone="tiny", image_size={size}, epochs={epochs}, batch_size=8, lr=3e-3,
             min_class_size=5, use_phash=False, checkpoint_seconds=0.0, workers=0, progress=False)
"""
EPOCHS = 12


def test_finetune_resumes_after_kill(ft_settings, pg_url):
    from nummus.embed.classify.train import train_period

    ckpt = ft_settings.data_path / "artifacts" / "period_v1" / "checkpoint.pt"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT.format(size=SIZE, epochs=EPOCHS),
                             str(ft_settings.data_dir), pg_url], env=env)
    deadline = time.time() + 300  # generous: a loaded machine trains slowly
    seen: set[tuple[int, int]] = set()   # checkpoint saves observed (each one a new file)
    while time.time() < deadline and proc.poll() is None:
        try:
            st = os.stat(ckpt)
            seen.add((st.st_ino, st.st_mtime_ns))
        except FileNotFoundError:
            pass
        if len(seen) >= 8:            # about two epochs of 4 batches
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    import torch

    saved = torch.load(ckpt, map_location="cpu", weights_only=False)["state"]
    done = saved["epoch"]
    assert 1 <= done < EPOCHS
    before = saved["history"]
    assert not (ckpt.parent / "metrics.json").exists()

    result = train_period(ft_settings, "finetune", backbone="tiny", image_size=SIZE, epochs=EPOCHS, batch_size=8,
                          lr=3e-3, min_class_size=5, use_phash=False, checkpoint_seconds=0.0, workers=0, progress=False)
    assert result.model_version == "period_v1" and result.resumed
    m = json.loads((Path(result.folder) / "metrics.json").read_text())
    hist = m["train"]["history"]
    assert len(hist) == EPOCHS and hist[:done] == before[:done]
    assert m["train"]["resumed_from"] == {"epoch": done, "batch": saved["batch"]}
    assert "tiny CNN" in m["model_input"]
    assert result.macro_f1 > 0.6      # colours separate the periods
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM period_predictions WHERE model_version = 'period_v1'"
                            ).fetchone()[0] == N - 1
    from nummus import warehouse

    with warehouse.session(ft_settings, read_only=True) as con:
        assert con.execute("SELECT coin_id, reason FROM raw.quarantine WHERE stage = 'classify'").fetchall() == \
            [(100, "crop_missing")]


def test_cli_train_finetune(ft_settings, pg_url, monkeypatch):
    """`nummus train period --family finetune` after the resumed run: the next version, compared
    with it; too few coins per period is a one-line error (exit 2) that writes no model."""
    from nummus.settings import get_settings
    from test_cli_support import nummus

    monkeypatch.setenv("NUMMUS_DATA_DIR", str(ft_settings.data_path))
    monkeypatch.setenv("DATABASE_URL", pg_url)
    get_settings.cache_clear()
    try:
        args = ["train", "period", "--family", "finetune", "--backbone", "tiny", "--image-size", str(SIZE),
                "--batch-size", "8", "--no-phash"]
        res = nummus(*args, "--epochs", "2", "--min-class-size", "5", "--json")
        assert res.code == 0, res.output
        out = json.loads(res.out)
        assert (out["model_version"], out["family"], out["index_version"]) == ("period_v2", "finetune", 1)
        m = json.loads((Path(out["folder"]) / "metrics.json").read_text())
        assert len(m["train"]["history"]) == 2 and m["comparison"]["previous_version"] == "period_v1"
        assert out["comparison"] == m["comparison"]["verdict"]
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT count(*) FROM period_predictions WHERE model_version = 'period_v2'"
                                ).fetchone()[0] == out["predictions"] == N - 1
        bad = nummus(*args, "--epochs", "1", "--min-class-size", "40")     # 15 coins per period
        assert bad.code == 2 and "need at least 2 periods" in bad.err and "Traceback" not in bad.err, bad.output
        assert not (ft_settings.data_path / "artifacts" / "period_v3").exists()
    finally:
        get_settings.cache_clear()
