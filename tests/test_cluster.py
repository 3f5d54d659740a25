"""Clustering on small planted data against the real PostgreSQL: clusters found, noise
reassignment, the audit queue flagging planted mislabels, runs never overwriting each other,
resume after a killed run, quarantine of bad vectors, reading results back (the data of the
app's pages, the map) and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import psycopg
import pytest
from sklearn.metrics import adjusted_rand_score

from nummus.embed.cluster import audit, results, store
from nummus.embed.cluster.noise import reassign_noise
from nummus.embed.cluster.params import ClusterParams
from nummus.bench.synthetic.clusters import PERIODS, planted_clusters

# numba's compiled kernels (umap, pynndescent) persist between test sessions, as they do in a
# data folder between runs; a cold cache costs ~20 s of CPU
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "nummus-test-numba"))

DIM = 48
N = 700
GROUPS = 6
FAST = ClusterParams(umap_epochs=60, layout_epochs=20)


def load_index(url: str, version: int, coin_ids, periods, vectors, *, serve: bool = True) -> None:
    """coins rows + index_vN (halfvec) sealed and served, as the embed step leaves them."""
    from pgvector.psycopg import register_vector

    with psycopg.connect(url, autocommit=True) as conn:
        register_vector(conn)
        with conn.transaction(), conn.cursor() as cur:
            _fill(cur, version, coin_ids, periods, vectors, serve)


def _fill(cur, version, coin_ids, periods, vectors, serve) -> None:
    from pgvector import HalfVector

    cur.executemany("INSERT INTO coins (coin_id, freeze_id, title, period, obv_small_key) "
                    "VALUES (%s, 'test', %s, %s, %s) ON CONFLICT (coin_id) DO NOTHING",
                    [(int(c), f"coin {c}", p, f"crops/{c}_obv.jpg") for c, p in zip(coin_ids, periods)])
    cur.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type) "
                "VALUES (%s, 'test', '{}', %s, 'halfvec')", (version, vectors.shape[1]))
    cur.execute("SELECT nummus_create_index(%s, %s, 'halfvec')", (version, vectors.shape[1]))
    with cur.copy(f"COPY index_v{version} (coin_id, period, obv, rev, pair) FROM STDIN WITH (FORMAT BINARY)") as cp:
        cp.set_types(["bigint", "text", "halfvec", "halfvec", "halfvec"])
        for c, p, v in zip(coin_ids, periods, vectors):
            hv = HalfVector(v)
            cp.write_row((int(c), p, hv, hv, hv))
    cur.execute("SELECT nummus_seal_index(%s)", (version,))
    if serve:
        cur.execute("SELECT nummus_serve(%s)", (version,))


@pytest.fixture(scope="module")
def planted():
    p = planted_clusters(N, dim=DIM, groups=GROUPS, scattered=0.0, spread=0.5, seed=3)
    coin_ids = np.arange(1000, 1000 + N, dtype=np.int64)
    periods = [PERIODS[g] for g in p.labels]
    rng = np.random.default_rng(7)
    # planted mislabels: 8 coins whose parsed period names another group's period
    mislabelled = rng.choice(N, size=8, replace=False)
    for i in mislabelled:
        periods[i] = PERIODS[(p.labels[i] + 1) % GROUPS]
    vectors = p.vectors.copy()
    vectors[5] = 0.0  # a zero vector: quarantined, left out
    return {"labels": p.labels, "coin_ids": coin_ids, "periods": periods, "vectors": vectors,
            "mislabelled": set(int(coin_ids[i]) for i in mislabelled), "zero": int(coin_ids[5])}


@pytest.fixture(scope="module")
def cl_settings(pg_url, planted, tmp_path_factory):
    from nummus import warehouse
    from nummus.settings import Settings

    s = Settings(data_dir=tmp_path_factory.mktemp("cluster-data"), database_url=pg_url)
    warehouse.init_warehouse(s)
    load_index(pg_url, 1, planted["coin_ids"], planted["periods"], planted["vectors"])
    return s


@pytest.fixture(scope="module")
def first_run(cl_settings):
    from nummus.embed.cluster.run import cluster_index

    return cluster_index(cl_settings, params=FAST)


def _read(url: str, function, *args, **kwargs):
    """One of `results`' readers over its own async connection (as `nummus audit` does)."""
    async def go():
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            return await function(conn, *args, **kwargs)

    return asyncio.run(go())


def _assignments(url: str, run_id: int) -> dict[int, tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT coin_id, cluster, probability, method, x, y FROM cluster_assignments "
                            "WHERE run_id = %s", (run_id,)).fetchall()
    return {r[0]: r[1:] for r in rows}


# -- pure functions ------------------------------------------------------------------------

def test_noise_joins_a_cluster_only_on_a_clear_majority():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, -1, -1, -1])
    knn = np.array([
        [0, 1, 2, 3, 4, 5], [1, 0, 2, 3, 4, 5], [2, 0, 1, 3, 4, 5], [3, 0, 1, 2, 4, 5],
        [4, 5, 6, 0, 1, 2], [5, 4, 6, 0, 1, 2], [6, 4, 5, 0, 1, 2],
        [7, 0, 1, 2, 3, 4],   # 4 of 5 in cluster 0: joins it
        [8, 0, 1, 4, 5, 9],   # 2 + 2 + noise: no clear majority, stays noise
        [9, 7, 8, 0, 1, 2],   # neighbours 7 and 8 are noise: 3 of 5 is not enough
    ])
    out, method, share = reassign_noise(labels, knn, k=5, min_votes=4)
    assert out.tolist() == [0, 0, 0, 0, 1, 1, 1, 0, -1, -1]
    assert method.tolist()[7:] == ["knn", "noise", "noise"]
    assert method.tolist()[:7] == ["hdbscan"] * 7
    assert share[7] == pytest.approx(0.8) and share[8] == 0
    # a single pass: point 9 does not join through point 7's new label
    out3, *_ = reassign_noise(labels, knn, k=5, min_votes=3)
    assert out3[9] == 0 and out3[8] == -1


def test_purity_and_cluster_disagreements():
    labels = np.array([0] * 10 + [1] * 4 + [-1])
    periods = ["greek"] * 9 + ["roman_imperial"] + ["celtic", "greek", "celtic", None] + ["greek"]
    summ = audit.summarise(labels, periods, purity_threshold=0.9, min_labelled=5)
    by = {s["cluster"]: s for s in summ}
    assert by[0]["dominant_period"] == "greek" and by[0]["purity"] == 0.9 and by[0]["pure"]
    assert not by[1]["pure"] and by[1]["labelled"] == 3      # too few labelled coins to judge
    assert not by[-1]["pure"]
    flagged = audit.cluster_disagreements(np.arange(15), labels, np.ones(15), periods, summ)
    assert [(f["coin_id"], f["suggested_period"]) for f in flagged] == [(9, "greek")]


def test_ivf_neighbours_match_exact_ones():
    from nummus.embed.cluster.neighbours import exact_knn, ivf_knn, recall

    x = planted_clusters(4000, dim=32, groups=30, seed=2).vectors
    x[7] = x[8]  # a duplicate: each point still comes first in its own list
    exact = exact_knn(x, 15)
    ivf = ivf_knn(x, 15, probe=8)
    assert (exact.indices[:, 0] == np.arange(4000)).all() and (ivf.indices[:, 0] == np.arange(4000)).all()
    assert np.all(np.diff(ivf.distances, axis=1) >= 0)
    assert recall(exact, x) == 1.0
    assert recall(ivf, x, sample=500) >= 0.95


# -- a run against PostgreSQL --------------------------------------------------------------

def test_planted_clusters_are_found(first_run, planted, cl_settings):
    url = cl_settings.database_url
    assert first_run.state == "done" and first_run.n_coins == N - 1 and first_run.active
    got = _assignments(url, first_run.run_id)
    ids = [c for c in planted["coin_ids"].tolist() if c != planted["zero"]]
    truth = {int(c): int(g) for c, g in zip(planted["coin_ids"], planted["labels"])}
    ari = adjusted_rand_score([truth[c] for c in ids], [got[c][0] for c in ids])
    assert ari >= 0.9, ari
    assert first_run.n_clusters == GROUPS
    run = _read(url, results.run, first_run.run_id)
    with psycopg.connect(url) as conn:
        assert store.active_run(conn) == first_run.run_id
    assert run["params"]["n_neighbors"] == 30 and run["params"]["min_cluster_size"] == 20
    assert {"pca", "knn", "umap", "hdbscan", "layout", "reassign", "total"} <= set(run["timings"])
    assert run["versions"]["umap-learn"] and run["versions"]["hdbscan"]
    assert run["backend"] == "cpu" and run["stats"]["knn"] == "exact"
    xy = np.array([got[c][3:5] for c in ids])
    assert np.isfinite(xy).all() and xy.std(axis=0).min() > 0


def test_bad_vector_is_quarantined_and_left_out(first_run, planted, cl_settings):
    from nummus import warehouse

    assert planted["zero"] not in _assignments(cl_settings.database_url, first_run.run_id)
    assert first_run.quarantined == 1
    with warehouse.session(cl_settings, read_only=True) as con:
        rows = con.execute("SELECT stage, coin_id, reason FROM raw.quarantine WHERE stage = 'cluster'").fetchall()
    assert rows == [("cluster", planted["zero"], "zero_vector")]


def test_audit_queue_flags_the_planted_mislabels(first_run, planted, cl_settings):
    rows = _read(cl_settings.database_url, results.audit_queue, first_run.run_id, limit=None)["rows"]
    flagged = {r["coin_id"] for r in rows if r["reason"] == "cluster_period"}
    assert flagged == planted["mislabelled"]
    truth = {int(c): PERIODS[g] for c, g in zip(planted["coin_ids"], planted["labels"])}
    assert all(r["suggested_period"] == truth[r["coin_id"]] for r in rows)
    assert first_run.audit_classifier == 0  # the classifier has predicted nothing yet


def test_noise_reassignment_is_recorded(first_run, cl_settings):
    with psycopg.connect(cl_settings.database_url) as conn:
        methods = dict(conn.execute("SELECT method, count(*) FROM cluster_assignments WHERE run_id = %s "
                                    "GROUP BY 1", (first_run.run_id,)).fetchall())
        knn_rows = conn.execute("SELECT cluster, probability FROM cluster_assignments WHERE run_id = %s "
                                "AND method = 'knn'", (first_run.run_id,)).fetchall()
    assert methods.get("knn", 0) == first_run.reassigned
    assert all(c >= 0 and p >= 0.8 for c, p in knn_rows)
    assert sum(methods.values()) == N - 1


def test_runs_never_overwrite_each_other_and_a_killed_run_resumes(first_run, planted, cl_settings):
    from nummus.embed.cluster.run import cluster_index

    url = cl_settings.database_url
    before = _assignments(url, first_run.run_id)
    # the classifier (migration 0006, embed/classify) predicts: its disagreements join the queue
    predicted = sorted(planted["coin_ids"].tolist())[:3]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.cursor().executemany(
            "INSERT INTO period_predictions (coin_id, model_version, period, confidence) VALUES (%s, %s, %s, %s)",
            [(c, "period_v1", "islamic", 0.97) for c in predicted] + [(predicted[0], "period_v0", "celtic", 0.99)])
        conn.execute("UPDATE period_predictions SET created_at = created_at - interval '1 day' "
                     "WHERE model_version = 'period_v0'")
    # a run whose process died (kill -9): state running, pid gone, a stage cached on disk
    params = FAST.model_dump(mode="json")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with psycopg.connect(url, autocommit=True) as conn:
        killed = store.create_run(conn, version=1, vector="pair", backend="cpu", params=params, versions={})
        conn.execute("UPDATE cluster_runs SET pid = %s WHERE run_id = %s", (int(dead.stdout), killed))
    second = cluster_index(cl_settings, params=FAST, activate=False)
    assert second.resumed and second.run_id == killed != first_run.run_id
    assert second.audit_classifier == 3
    assert _assignments(url, first_run.run_id) == before
    with psycopg.connect(url, autocommit=True) as conn:
        assert store.active_run(conn) == first_run.run_id          # activation is explicit
        for sql in ("UPDATE cluster_assignments SET cluster = 0 WHERE run_id = %s",
                    "DELETE FROM cluster_assignments WHERE run_id = %s",
                    "UPDATE cluster_runs SET n_clusters = 0 WHERE run_id = %s",
                    "DELETE FROM cluster_runs WHERE run_id = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql, (first_run.run_id,))
        store.activate(conn, second.run_id)
        assert store.active_run(conn) == second.run_id
        reasons = dict(conn.execute("SELECT reason, count(*) FROM audit_queue WHERE run_id = %s GROUP BY 1",
                                    (second.run_id,)).fetchall())
        latest = conn.execute("SELECT DISTINCT suggested_period FROM audit_queue WHERE run_id = %s "
                              "AND reason = 'classifier_period'", (second.run_id,)).fetchall()
    assert reasons["classifier_period"] == 3 and latest == [("islamic",)]  # the latest prediction counts
    assert not (cl_settings.data_path / "cluster" / f"run-{killed}").exists()


def test_writing_a_run_holds_no_lock_that_search_waits_on(first_run, cl_settings):
    url = cl_settings.database_url
    with psycopg.connect(url) as writer, psycopg.connect(url, autocommit=True) as reader:
        run_id = store.create_run(writer, version=1, vector="obv", backend="cpu", params={"probe": 1}, versions={})
        writer.commit()
        ids = [r[0] for r in writer.execute("SELECT coin_id FROM coins ORDER BY coin_id LIMIT 50").fetchall()]
        # an open transaction in the middle of writing a run's results
        writer.execute("INSERT INTO cluster_assignments (run_id, coin_id, cluster, probability, method, x, y) "
                       "SELECT %s, unnest(%s::bigint[]), 0, 1, 'hdbscan', 0, 0", (run_id, ids))
        reader.execute("SET lock_timeout = '2s'")
        n = reader.execute("SELECT count(*) FROM search_vectors").fetchone()[0]
        reader.execute("SELECT coin_id FROM search_vectors ORDER BY pair <=> (SELECT pair FROM search_vectors "
                       "LIMIT 1) LIMIT 5").fetchall()
        reader.execute("UPDATE coins SET title = title WHERE coin_id = %s", (ids[0],))  # metadata refresh
        writer.rollback()
    assert n == N


def test_results_and_cli(first_run, cl_settings, monkeypatch):
    from typer.testing import CliRunner

    from nummus.cli import app
    from nummus.embed.cluster import map_image
    from nummus.errors import NummusError
    from nummus.settings import get_settings

    url = cl_settings.database_url
    with psycopg.connect(url) as conn:
        run_id = store.active_run(conn)
    grid = _read(url, results.clusters)
    assert grid["run"]["run_id"] == run_id and grid["noise"] == N - 1 - sum(c["size"] for c in grid["clusters"])
    assert len(grid["clusters"]) == GROUPS and all(c["samples"] for c in grid["clusters"])
    first = grid["clusters"][0]
    assert first["size"] == max(c["size"] for c in grid["clusters"])
    assert first["samples"][0]["obv_small_key"] == f"crops/{first['samples'][0]['coin_id']}_obv.jpg"
    one = _read(url, results.cluster, first["cluster"])
    assert len(one["members"]) == min(200, first["size"]) and one["summary"]["size"] == first["size"]
    assert sum(one["summary"]["periods"].values()) == one["summary"]["labelled"]
    flagged = {m["coin_id"] for m in one["members"] if m["flagged"]}
    queue = _read(url, results.audit_queue, limit=500)
    assert flagged <= {r["coin_id"] for r in queue["rows"]} and queue["total"] == len(queue["rows"])
    with pytest.raises(NummusError, match="has no cluster 999"):
        _read(url, results.cluster, 999)
    with pytest.raises(NummusError, match="no cluster run 12345"):
        _read(url, results.audit_queue, 12345)
    layout = _read(url, results.layout)
    assert layout.xy.shape == (N - 1, 2) and layout.noise.sum() == grid["noise"]
    png = map_image.draw(layout, size=300)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    empty = map_image.draw(results.Layout(run_id, np.zeros((0, 2), np.float32), [], np.zeros(0, bool)), size=200)
    assert empty[:8] == b"\x89PNG\r\n\x1a\n"

    monkeypatch.setenv("NUMMUS_DATA_DIR", str(cl_settings.data_path))
    monkeypatch.setenv("DATABASE_URL", cl_settings.database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    res = runner.invoke(app, ["audit", "--json", "--limit", "5"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["run_id"] == run_id and len(json.loads(res.output)["rows"]) == 5
    res = runner.invoke(app, ["audit", "--limit", "3"])
    assert res.exit_code == 0 and f"audit queue of cluster run {run_id}" in res.output, res.output
    res = runner.invoke(app, ["cluster", "runs", "--json"])
    assert res.exit_code == 0, res.output
    assert {r["run_id"] for r in json.loads(res.output) if r["active"]} == {run_id}
    from test_cli_support import nummus

    bad = nummus("cluster", "activate", "999")         # no such run: one line, exit 2, nothing changed
    assert bad.code == 2 and "999" in bad.err and "Traceback" not in bad.err, bad.output
    with psycopg.connect(cl_settings.database_url) as conn:
        assert store.active_run(conn) == run_id
    res = runner.invoke(app, ["cluster", "--index", "v1", "--vector", "obv", "--epochs", "30", "--no-activate",
                              "--json"])
    assert res.exit_code == 0, res.output
    made = json.loads(res.output)
    assert made["vector"] == "obv" and made["run_id"] > run_id and not made["active"]
    res = runner.invoke(app, ["cluster", "runs", "--json"])
    assert {r["run_id"] for r in json.loads(res.output) if r["active"]} == {run_id}
    get_settings.cache_clear()


def test_the_app_renders_the_results_over_its_pool(first_run, cl_settings, monkeypatch):
    """The cluster pages read over the app's pool (the read-only role), never a connection of their
    own, and render with the app's templates (one base.html)."""
    from fastapi.testclient import TestClient

    from nummus.app.main import create_app

    def no_connection_of_its_own(*args, **kwargs):
        raise AssertionError("a cluster page opened a connection of its own")

    one_id = _read(cl_settings.database_url, results.clusters)["clusters"][0]["cluster"]
    with TestClient(create_app(cl_settings, pool_size=2)) as client:
        monkeypatch.setattr(psycopg, "connect", no_connection_of_its_own)
        monkeypatch.setattr(psycopg.AsyncConnection, "connect", no_connection_of_its_own)
        grid = client.get("/clusters")
        one = client.get(f"/clusters/{one_id}")
        missing = client.get("/clusters/999")
        queue = client.get("/audit")
        png = client.get("/clusters/map.png")
    assert grid.status_code == 200 and 'href="/stats"' in grid.text  # the app's base.html
    assert grid.text.count('class="card"') == GROUPS and 'src="/crops/crops/' in grid.text
    assert one.status_code == 200 and one.text.count('href="/coins/') >= 20
    assert missing.status_code == 404 and "has no cluster 999" in missing.text and 'href="/stats"' in missing.text
    assert queue.status_code == 200 and "Audit queue" in queue.text
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"


@pytest.mark.slow
def test_bigger_planted_set_with_ivf_neighbours():
    """35k points: the inverted-file kNN path, PCA, default epochs; groups found."""
    from nummus.embed.cluster.neighbours import knn_graph, recall
    from nummus.embed.cluster.pipeline import compute, pca_reduce

    p = planted_clusters(35000, dim=256, groups=120, seed=1)
    r = compute(p.vectors, ClusterParams())
    assert r.knn_method.startswith("ivf")
    grouped = p.labels >= 0
    assert adjusted_rand_score(p.labels[grouped], r.labels[grouped]) >= 0.9
    z = pca_reduce(p.vectors, 64)
    assert recall(knn_graph(z, 30), z, sample=300) >= 0.95


def test_small_sets_get_scaled_parameters():
    small = ClusterParams().fit_to(60)
    assert small.n_neighbors == 30 and small.min_cluster_size == 12 and small.min_samples == 10
    tiny = ClusterParams().fit_to(12)
    assert tiny.n_neighbors == 11 and tiny.min_cluster_size == 3 and tiny.min_samples == 3
    assert ClusterParams().fit_to(5000) == ClusterParams()


def test_a_small_index_is_clustered_with_scaled_parameters(first_run, cl_settings):
    from nummus.embed.cluster.run import cluster_index
    from nummus.errors import NummusError

    p = planted_clusters(48, dim=DIM, groups=2, scattered=0.0, spread=0.4, seed=5)
    ids = np.arange(9000, 9048, dtype=np.int64)
    load_index(cl_settings.database_url, 2, ids, [PERIODS[g] for g in p.labels], p.vectors, serve=False)
    run = cluster_index(cl_settings, 2, params=FAST, activate=False)
    assert run.n_coins == 48 and run.n_clusters >= 2
    got = _assignments(cl_settings.database_url, run.run_id)
    assert adjusted_rand_score(p.labels, [got[int(c)][0] for c in ids]) >= 0.9
    load_index(cl_settings.database_url, 3, ids[:6], ["greek"] * 6, p.vectors[:6], serve=False)
    with pytest.raises(NummusError, match="needs at least 10"):
        cluster_index(cl_settings, 3)
