"""The batch job: end to end into PostgreSQL, skipped coins quarantined once, resume after a
crash bit-identical, simulated CUDA OOM halves the batch, the --sample dry run, SIGKILL resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from test_embed_support import make_freeze, register_tiny_clip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from nummus.embed.encoders import load_encoder

    model = register_tiny_clip(tmp_path_factory.mktemp("clipcfg"))
    return load_encoder(f"clip:{model}:random", "cpu")


def _quarantine(settings):
    from nummus import warehouse

    with warehouse.session(settings, read_only=True) as con:
        return con.execute("SELECT stage, coin_id, reason FROM raw.quarantine ORDER BY coin_id").fetchall()


def test_embed_freeze_end_to_end(settings, store, tiny):
    from nummus.embed.checkpoint import RunDir
    from nummus.embed.index import status
    from nummus.embed.job import embed_freeze, normalise
    from nummus import postgres, warehouse

    ids = make_freeze(settings, store, 12, red=(2,), broken=(7,), one_side=(5,))
    s = embed_freeze(settings, "v1", tiny, batch_size=3, chunk_size=5, num_workers=1, progress=False)
    assert (s.coins, s.embedded, s.one_sided, s.skipped, s.chunks) == (12, 10, 1, 2, 3)
    assert s.index_version == 1 and s.index_created
    assert s.roundtrip_min_cosine > 0.95
    assert _quarantine(settings) == [("embed", ids[2], "red_crop"), ("embed", ids[7], "crop_unreadable")]

    chunk = RunDir(Path(s.run_dir)).read_all(s.chunks)
    assert np.array_equal(chunk.pair, normalise(chunk.obv + chunk.rev))
    single = chunk.coin_id.tolist().index(ids[5])          # one side photographed: it stands for both
    assert chunk.one_side.tolist() == [c == ids[5] for c in chunk.coin_id.tolist()]
    assert np.array_equal(chunk.obv[single], chunk.rev[single])
    assert np.allclose(chunk.pair[single], chunk.obv[single], atol=1e-6)
    with postgres.session(settings) as conn:
        rows = conn.execute("SELECT coin_id, period, pair FROM index_v1 ORDER BY coin_id").fetchall()
        n_coins = conn.execute("SELECT count(*) FROM coins WHERE freeze_id = 'v1'").fetchone()[0]
        served = conn.execute("SELECT count(*) FROM search_vectors").fetchone()[0]
    assert [r[0] for r in rows] == sorted(set(ids) - {ids[2], ids[7]}) == chunk.coin_id.tolist()
    assert rows[0][1] == "roman_imperial"
    stored = np.stack([r[2].to_numpy() for r in rows]).astype(np.float32)
    assert np.allclose(stored, chunk.pair, atol=2e-3)      # halfvec
    assert n_coins == 10 and served == 10
    [v] = status(settings, verify_content=True)
    assert (v.state, v.rows, v.vector_type, v.dim) == ("serving", 10, "halfvec", 32)
    assert v.content_verified and v.content_sha256 == s.content_sha256       # hash recomputed from PostgreSQL
    with warehouse.session(settings, read_only=True) as con:
        rt = con.execute("SELECT count(*), min(cosine) FROM meta.embed_roundtrip WHERE index_version = 1").fetchone()
    assert rt[0] == 10 and rt[1] > 0.95

    # rerun: everything resumed, the same sealed version reused, nothing quarantined twice
    again = embed_freeze(settings, "v1", tiny, batch_size=3, chunk_size=5, num_workers=0, progress=False)
    assert again.chunks_resumed == 3 and again.index_version == 1 and not again.index_created
    assert again.content_sha256 == s.content_sha256
    assert len(_quarantine(settings)) == 2


class _Crash(Exception):
    pass


class _CrashingEncoder:
    """Wraps an encoder; raises after `after` batches (a crash in the middle of a run)."""

    def __init__(self, inner, after: int):
        self.inner, self.after, self.calls = inner, after, 0
        self.encoder_id, self.device, self.dim = inner.encoder_id, inner.device, inner.dim
        self.preprocessing = inner.preprocessing

    def encode_tensor(self, batch):
        self.calls += 1
        if self.calls > self.after:
            raise _Crash("killed")
        return self.inner.encode_tensor(batch)


def test_resume_after_crash_is_bit_identical(settings, store, tiny, tmp_path):
    from nummus.embed.checkpoint import RunDir
    from nummus.embed.job import run_embedding
    from nummus.embed.source import read_crops

    make_freeze(settings, store, 11, red=(4,))
    coins = read_crops(settings, "frozen.coins_v1")
    kw = dict(source_name="v1", batch_size=2, chunk_size=3, num_workers=0, progress=False)
    _, _, reference, _ = run_embedding(settings, coins, encoder=tiny, run_dir=tmp_path / "ref", **kw)

    crashing = _CrashingEncoder(tiny, after=3)
    with pytest.raises(_Crash):
        run_embedding(settings, coins, encoder=crashing, run_dir=tmp_path / "run", **kw)
    written = sorted(p.name for p in (tmp_path / "run").glob("chunk_*.npz"))
    assert 0 < len(written) < 4 and not list((tmp_path / "run").glob("*.tmp"))
    _, _, resumed, stats = run_embedding(settings, coins, encoder=tiny, run_dir=tmp_path / "run", **kw)
    assert stats["resumed"] == len(written)
    for name in ("coin_id", "obv", "rev", "pair", "skipped_coin_id", "skipped_reason"):
        assert np.array_equal(getattr(resumed, name), getattr(reference, name)), name
    for i in range(4):
        a, b = RunDir(tmp_path / "ref").chunk_path(i).read_bytes(), RunDir(tmp_path / "run").chunk_path(i).read_bytes()
        assert a == b


def test_run_refuses_another_runs_folder(settings, store, tiny, tmp_path):
    from nummus.embed.job import run_embedding
    from nummus.embed.source import read_crops
    from nummus.errors import NummusError

    make_freeze(settings, store, 4)
    coins = read_crops(settings, "frozen.coins_v1")
    kw = dict(source_name="v1", encoder=tiny, num_workers=0, progress=False, run_dir=tmp_path / "r")
    run_embedding(settings, coins, **kw)
    with pytest.raises(NummusError, match="another run"):
        run_embedding(settings, coins[:3], **kw)


class _OomEncoder:
    """Raises CUDA's out-of-memory error for batches above `limit` images."""

    def __init__(self, inner, limit: int):
        self.inner, self.limit, self.sizes = inner, limit, []
        self.encoder_id, self.device, self.dim = inner.encoder_id, inner.device, inner.dim
        self.preprocessing = inner.preprocessing

    def encode_tensor(self, batch):
        import torch

        self.sizes.append(len(batch))
        if len(batch) > self.limit:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return self.inner.encode_tensor(batch)


def test_cuda_oom_halves_the_batch_and_goes_on(settings, store, tiny, tmp_path):
    from nummus.embed.job import ResilientEncoder, run_embedding
    from nummus.embed.source import read_crops

    make_freeze(settings, store, 6)
    coins = read_crops(settings, "frozen.coins_v1")
    oom = _OomEncoder(tiny, limit=3)
    _, _, chunk, stats = run_embedding(settings, coins, source_name="v1", encoder=oom, batch_size=6,
                                       chunk_size=6, num_workers=0, progress=False, run_dir=tmp_path / "oom")
    assert stats["halvings"] == 2                       # 12 images -> 6 -> 3
    assert oom.sizes[:3] == [12, 6, 3] and max(oom.sizes[3:]) == 3
    _, _, ref, _ = run_embedding(settings, coins, source_name="v1", encoder=tiny, batch_size=6, chunk_size=6,
                                 num_workers=0, progress=False, run_dir=tmp_path / "ref")
    assert np.allclose(chunk.pair, ref.pair, atol=1e-5) and len(chunk.coin_id) == 6

    other = ResilientEncoder(_OomEncoder(tiny, limit=0), 4, say=lambda m: None)
    with pytest.raises(RuntimeError, match="out of memory"):   # cannot go below one image
        other(np.zeros((4, 3, 224, 224), np.float32))


def test_non_oom_errors_are_not_swallowed(tiny):
    from nummus.embed.job import ResilientEncoder

    class Broken(_OomEncoder):
        def encode_tensor(self, batch):
            raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    r = ResilientEncoder(Broken(tiny, 0), 8, say=lambda m: None)
    with pytest.raises(RuntimeError, match="shapes"):
        r(np.zeros((8, 3, 224, 224), np.float32))
    assert r.micro == 8


def test_sample_dry_run(settings, store, tiny):
    from nummus.embed.job import embed_sample
    from nummus import postgres, warehouse

    make_freeze(settings, store, 9, red=(0,))
    with postgres.session(settings) as conn:
        versions = conn.execute("SELECT count(*) FROM index_versions").fetchone()[0]
    report = embed_sample(settings, "v1", 4, tiny)
    assert report.ok and report.coins == 4 and report.rows == 12 and report.dim == 32
    assert report.resume_identical
    assert 0.99 <= report.norm_min <= report.norm_max <= 1.01 and report.non_finite == 0
    with warehouse.session(settings, read_only=True) as con:
        rows = con.execute("SELECT side, len(vector), encoder_id FROM meta.embed_sample").fetchall()
    assert sorted({r[0] for r in rows}) == ["obv", "pair", "rev"] and {r[1] for r in rows} == {32}
    assert '"spec"' in rows[0][2]
    embed_sample(settings, "v1", 2, tiny)                 # replaces the previous sample
    with warehouse.session(settings, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta.embed_sample").fetchone()[0] == 6
    with postgres.session(settings) as conn:
        assert conn.execute("SELECT count(*) FROM index_versions").fetchone()[0] == versions
    with warehouse.session(settings, read_only=True) as con:
        assert con.execute("SELECT identical FROM meta.embed_resume_check").fetchall() == [(True,), (True,)]


def test_sample_dry_run_catches_a_resume_that_drifts(settings, store, tiny, monkeypatch):
    """An encoder whose output changes between runs cannot resume bit-identically: no-go."""
    from nummus.embed.job import embed_sample

    make_freeze(settings, store, 6)
    encode = tiny.encode_tensor
    calls = iter(range(1000))

    def drifting(images):
        v = encode(images) + 1e-3 * next(calls)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    monkeypatch.setattr(tiny, "encode_tensor", drifting)
    report = embed_sample(settings, "v1", 4, tiny)
    assert not report.resume_identical and not report.ok


def test_missing_freeze_is_a_clear_error(settings):
    from nummus.embed.job import embed_freeze
    from nummus.errors import NummusError

    with pytest.raises(NummusError, match="frozen.coins_v9"):
        embed_freeze(settings, "v9", "effnet-lite0", progress=False)
    with pytest.raises(NummusError, match="not a freeze"):
        embed_freeze(settings, "v1; drop table x", "effnet-lite0", progress=False)


@pytest.mark.slow
def test_sigkill_then_rerun_is_bit_identical(settings, store, tmp_path):
    """The real thing: `nummus embed` in a subprocess killed with SIGKILL after its first chunk,
    rerun to the end; the chunks equal an uninterrupted run's byte for byte and the loaded index
    has the same content hash."""
    from nummus.embed.checkpoint import RunDir, run_name
    from nummus.embed.encoders import load_encoder
    from nummus.embed.index import content_sha256
    from nummus.embed.job import run_embedding
    from nummus.embed.source import read_crops

    make_freeze(settings, store, 10)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "nummus", "embed", "--freeze", "v1", "--encoder", "effnet-lite0",
           "--chunk-size", "2", "--batch-size", "1", "--json"]
    enc = load_encoder("effnet-lite0", "cpu")
    run = RunDir(settings.data_path / "embed" / run_name("v1", enc.encoder_id))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while not run.done(0) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = [i for i in range(5) if run.done(i)]
    assert 1 <= len(done_before) < 5, done_before
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    import json

    summary = json.loads(out.stdout)
    assert summary["chunks_resumed"] == len(done_before) and summary["index_created"]

    coins = read_crops(settings, "frozen.coins_v1")
    _, _, ref, _ = run_embedding(settings, coins, source_name="v1", encoder=enc, batch_size=1, chunk_size=2,
                                 num_workers=1, progress=False, run_dir=tmp_path / "ref")
    for i in range(5):
        assert run.chunk_path(i).read_bytes() == RunDir(tmp_path / "ref").chunk_path(i).read_bytes()
    assert summary["content_sha256"] == content_sha256(ref.coin_id, ref.obv, ref.rev, ref.pair, "halfvec")


def test_quarantine_once_per_coin_and_reason(settings, store, tiny):
    from nummus.embed.job import embed_freeze, embed_sample

    ids = make_freeze(settings, store, 5, broken=(1,), red=(3,))
    embed_sample(settings, "v1", 5, tiny)                    # the dry run meets the broken crop first
    embed_freeze(settings, "v1", tiny, num_workers=0, progress=False, roundtrip=False)
    embed_freeze(settings, "v1", tiny, num_workers=0, progress=False, roundtrip=False)
    assert _quarantine(settings) == [("embed", ids[1], "crop_unreadable"), ("embed", ids[3], "red_crop")]
    from nummus import warehouse

    with warehouse.session(settings, read_only=True) as con:
        assert con.execute("SELECT house, sale, lot FROM raw.quarantine WHERE coin_id = ?", [ids[3]]).fetchall() \
            == [("demo", "s1", "3")]
