"""Period classifier on a small planted index in the real PostgreSQL: identity-aware splits
(planted duplicates never straddle splits; the split is stored and reused), ECE on a
hand-checked example, temperature scaling, the pass/fail table going red on a collapsed class,
head training end to end (artifacts, predictions table, audit queue, comparison)."""

from __future__ import annotations

import json

import numpy as np
import psycopg
import pytest

from nummus.embed.classify import metrics as M
from nummus.embed.classify.calibration import ece, fit_temperature, softmax
from nummus.embed.classify.groups import duplicate_groups
from nummus.embed.classify.splits import assign_splits

DIM = 24
N = 500
PERIODS = ("greek", "roman_imperial", "byzantine", "islamic", "medieval")


def planted_index(seed: int = 0):
    """Coins in 5 periods (separable, with overlap), 20 planted resales (a near-copy of another
    coin's vectors), one zero vector and 10 unlabelled coins."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(PERIODS), DIM)) * 1.3
    y = rng.integers(0, len(PERIODS), N)
    obv = centres[y] + rng.standard_normal((N, DIM))
    rev = centres[y] * 0.8 + rng.standard_normal((N, DIM))
    dup_of = rng.choice(N - 40, size=20, replace=False)
    for j, src in enumerate(dup_of):   # the last 20 coins are resales of earlier ones
        i = N - 20 + j
        y[i] = y[src]
        obv[i] = obv[src] + rng.standard_normal(DIM) * 0.01
        rev[i] = rev[src] + rng.standard_normal(DIM) * 0.01
    norm = lambda a: (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    obv, rev = norm(obv), norm(rev)
    pair = norm(obv + rev)
    periods = [PERIODS[k] for k in y]
    for i in range(N - 40, N - 30):
        periods[i] = None
    coin_ids = np.arange(5000, 5000 + N, dtype=np.int64)
    obv[3] = rev[3] = pair[3] = 0.0
    dups = [(int(coin_ids[N - 20 + j]), int(coin_ids[s])) for j, s in enumerate(dup_of)]
    return {"coin_ids": coin_ids, "periods": periods, "obv": obv, "rev": rev, "pair": pair, "dups": dups,
            "zero": int(coin_ids[3])}


def load_planted(url: str, version: int, p) -> None:
    from pgvector import HalfVector
    from pgvector.psycopg import register_vector

    with psycopg.connect(url, autocommit=True) as conn:
        register_vector(conn)
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany("INSERT INTO coins (coin_id, freeze_id, title, period) VALUES (%s, 'test', %s, %s) "
                            "ON CONFLICT (coin_id) DO NOTHING",
                            [(int(c), f"coin {c}", per) for c, per in zip(p["coin_ids"], p["periods"])])
            cur.execute("INSERT INTO index_versions (version, freeze_id, encoder_id, dim, vector_type) "
                        "VALUES (%s, 'test', '{}', %s, 'halfvec')", (version, DIM))
            cur.execute("SELECT nummus_create_index(%s, %s, 'halfvec')", (version, DIM))
            copy = f"COPY index_v{version} (coin_id, period, obv, rev, pair) FROM STDIN WITH (FORMAT BINARY)"
            with cur.copy(copy) as cp:
                cp.set_types(["bigint", "text", "halfvec", "halfvec", "halfvec"])
                for i, c in enumerate(p["coin_ids"]):
                    cp.write_row((int(c), p["periods"][i], HalfVector(p["obv"][i]), HalfVector(p["rev"][i]),
                                  HalfVector(p["pair"][i])))
            cur.execute("SELECT nummus_seal_index(%s)", (version,))
            cur.execute("SELECT nummus_serve(%s)", (version,))


@pytest.fixture(scope="module")
def planted():
    return planted_index()


@pytest.fixture(scope="module")
def cf_settings(pg_url, planted, tmp_path_factory):
    from nummus import warehouse
    from nummus.settings import Settings

    s = Settings(data_dir=tmp_path_factory.mktemp("classify-data"), database_url=pg_url)
    warehouse.init_warehouse(s)
    load_planted(pg_url, 1, planted)
    return s


@pytest.fixture(scope="module")
def first_model(cf_settings):
    from nummus.embed.classify.train import train_period

    return train_period(cf_settings, "head", head="logreg", progress=False)


# --- splits ---------------------------------------------------------------------------------

def test_split_never_puts_a_planted_duplicate_in_two_splits(cf_settings, planted):
    from nummus.embed.classify.data import load_index_data
    from nummus.embed.classify.splits import load_splits, split_index

    data = load_index_data(cf_settings)
    split, facts = split_index(cf_settings, data, use_phash=False)
    by_coin = dict(zip(data.coin_ids.tolist(), split.tolist()))
    assert facts["duplicate_groups"] >= 20 and facts["links"]["cosine"] >= 20
    for resale, original in planted["dups"]:
        assert by_coin[resale] == by_coin[original] != ""
    counts = facts["counts"]
    assert counts["train"] > counts["val"] > 0 and counts["test"] > 0
    assert abs(counts["test"] / facts["labelled"] - 0.15) < 0.05
    # stored and reused: a second call assigns nothing new and returns the same split
    again, facts2 = split_index(cf_settings, data, use_phash=False, seed=99)
    assert facts2["added"] == 0 and facts2["reused"] == facts["labelled"]
    assert again.tolist() == split.tolist()
    assert len(load_splits(cf_settings, data.version)) == facts["labelled"]


def test_a_group_follows_its_stored_member_and_labels_are_stratified():
    groups = np.array([0, 0, 2, 3, 4, 5, 6, 7, 8, 9] * 1)
    labels = ["a"] * 5 + ["b"] * 5
    out = assign_splits(groups, labels, {1: "test"})
    assert out[0] == out[1] == "test"
    big = np.arange(1000)
    labels = ["a"] * 800 + ["b"] * 200
    out = assign_splits(big, labels)
    for lab, n in (("a", 800), ("b", 200)):
        got = sum(1 for o, l in zip(out, labels) if l == lab and o == "test")
        assert abs(got - 0.15 * n) <= 2


def test_perceptual_hash_links_a_resale_with_different_vectors():
    import io

    from PIL import Image, ImageEnhance, ImageFilter

    from nummus.embed.classify.groups import phash_of

    rng = np.random.default_rng(1)
    imgs = [Image.fromarray((rng.random((64, 64, 3)) * 255).astype(np.uint8)).resize((256, 256))
            .filter(ImageFilter.GaussianBlur(4)) for _ in range(4)]
    buf = io.BytesIO()   # the same photo again: brighter, recompressed
    ImageEnhance.Brightness(imgs[0]).enhance(1.1).save(buf, "JPEG", quality=70)
    resale = Image.open(io.BytesIO(buf.getvalue()))
    obv = np.array([phash_of(im) for im in [*imgs, resale]], dtype=np.uint64)
    rev = np.array([phash_of(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)) for im in [*imgs, resale]], dtype=np.uint64)
    vectors = np.eye(5, dtype=np.float32)
    vectors[4] = vectors[0] + 0.4 * vectors[4]     # the resale: cosine 0.93 to coin 0, below the 0.98 link
    groups, links = duplicate_groups(vectors, obv, rev)
    assert links == {"cosine": 0, "phash": 1}
    assert groups[4] == groups[0] and len(set(groups.tolist())) == 4
    # the same hashes on unrelated vectors are not enough
    _, links = duplicate_groups(np.eye(5, dtype=np.float32), obv, rev)
    assert links == {"cosine": 0, "phash": 0}


# --- calibration and criteria -----------------------------------------------------------------

def test_ece_on_a_hand_checked_example():
    # bins of width 1/15: 0.95 -> bin 15, 0.55 -> bin 9, 0.25 -> bin 4
    # |0.5-0.95|·2/5 + |1-0.55|·2/5 + |0-0.25|·1/5 = 0.18 + 0.18 + 0.05 = 0.41
    conf = np.array([0.95, 0.95, 0.55, 0.55, 0.25])
    correct = np.array([1, 0, 1, 1, 0], dtype=bool)
    assert ece(conf, correct) == pytest.approx(0.41)
    assert ece(np.array([1.0, 1.0]), np.array([True, True])) == 0.0
    assert ece(np.array([0.8] * 10), np.array([True] * 8 + [False] * 2)) == pytest.approx(0.0)


def test_temperature_scaling_fixes_overconfidence():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 2000)
    logits = rng.standard_normal((2000, 3))
    logits[np.arange(2000), y] += 1.0
    logits *= 6                                   # overconfident
    t = fit_temperature(logits, y)
    assert t > 2
    before = ece(softmax(logits).max(1), softmax(logits).argmax(1) == y)
    after = ece(softmax(logits, t).max(1), softmax(logits, t).argmax(1) == y)
    assert before > 0.1 and after < 0.05


def _metrics(recall_c: float) -> dict:
    classes = ["a", "b", "c"]
    y = np.repeat([0, 1, 2], 40)
    pred = y.copy()
    n_wrong = int(round((1 - recall_c) * 40))
    pred[80:80 + n_wrong] = 0                     # class c predicted as a
    return M.evaluate(y, pred, np.where(pred == y, 0.9, 0.5), classes, {"a": 200, "b": 200, "c": 60})


def test_pass_fail_table_goes_red_when_a_class_collapses():
    healthy = M.criteria(_metrics(1.0))
    assert all(c.passed for c in healthy)
    collapsed_metrics = _metrics(0.0)
    collapsed = {c.name.split(" (")[0]: c for c in M.criteria(collapsed_metrics)}
    assert not collapsed["recall c"].passed and collapsed["recall c"].value == "0.000"
    assert collapsed["recall a"].passed and collapsed["recall b"].passed
    assert collapsed_metrics["top_confused"][0] == {"a": "a", "b": "c", "count": 40, "a_as_b": 0, "b_as_a": 40}
    # a class under 50 samples has no recall criterion
    m = _metrics(0.0)
    m["per_class"][2]["samples"] = 49
    assert not any(c.name.startswith("recall c") for c in M.criteria(m))


def test_comparison_flags_a_regression():
    good, bad = _metrics(1.0), _metrics(0.0)
    assert M.compare(bad, good)["verdict"] == "regression"
    assert M.compare(good, bad)["verdict"] == "no regression"
    assert {r["metric"] for r in M.compare(good, good)["rows"]} == {"macro_f1", "accuracy", "ece", "min_recall"}


# --- training end to end --------------------------------------------------------------------------

def test_head_training_writes_the_report_and_predictions(first_model, cf_settings, planted, pg_url):
    from pathlib import Path

    r = first_model
    folder = Path(r.folder)
    assert r.model_version == "period_v1" and folder.name == "period_v1"
    for name in ("metrics.json", "confusion.csv", "confusion.png", "reliability.png", "report.html", "model.joblib"):
        assert (folder / name).stat().st_size > 0, name
    m = json.loads((folder / "metrics.json").read_text())
    assert m["n_classes"] == 5 and len(m["per_class"]) == 5 and len(m["top_confused"]) <= 5
    assert r.macro_f1 > 0.8 and 0 <= r.ece <= 1 and m["temperature"] > 0
    assert {"macro F1", "ECE (15 bins, calibrated)"} <= {c["name"] for c in m["criteria"]}
    assert "Criteria:" in (folder / "report.html").read_text()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT coin_id, period, confidence FROM period_predictions WHERE model_version = "
                            "'period_v1'").fetchall()
    assert len(rows) == N - 1 == r.predictions                # all but the zero vector
    assert planted["zero"] not in {row[0] for row in rows}
    assert all(p in PERIODS and 0 < c <= 1 for _, p, c in rows)
    from nummus import warehouse

    with warehouse.session(cf_settings, read_only=True) as con:
        qrows = con.execute("SELECT coin_id, reason FROM raw.quarantine WHERE stage = 'classify'").fetchall()
    assert qrows == [(planted["zero"], "zero_vector")]


def test_audit_queue_reads_the_predictions(first_model, pg_url, planted):
    from nummus.embed.cluster.audit import classifier_disagreements

    ids = planted["coin_ids"]
    wrong = [PERIODS[(PERIODS.index(p) + 1) % 5] if p else p for p in planted["periods"]]  # every label wrong
    with psycopg.connect(pg_url, autocommit=True) as conn:
        out = classifier_disagreements(conn, ids, np.zeros(len(ids), int), wrong, min_confidence=0.0)
    assert len(out) >= 0.8 * (N - 11)


@pytest.fixture(scope="module")
def second_done(first_model, cf_settings):
    from nummus.embed.classify.train import train_period

    return train_period(cf_settings, "head", head="mlp", epochs=4, progress=False)


def assert_comparison_holds(previous_folder, current_folder) -> dict:
    """The comparison in the current model's metrics.json, checked from first principles: each
    row's values are the two models' own test figures (the split is shared, so every test coin is
    common), each row's verdict follows from its change, and the verdict is 'regression' exactly
    when a row got worse. Returns the comparison."""
    from pathlib import Path

    old = json.loads((Path(previous_folder) / "metrics.json").read_text())
    cmp = json.loads((Path(current_folder) / "metrics.json").read_text())["comparison"]
    new = json.loads((Path(current_folder) / "metrics.json").read_text())
    assert cmp["previous_version"] == Path(previous_folder).name and cmp["n_common"] == cmp["n_test"] > 0
    rows = {r["metric"]: r for r in cmp["rows"]}
    assert set(rows) == {"macro_f1", "accuracy", "ece", "min_recall"}
    for metric in ("macro_f1", "accuracy"):
        assert rows[metric]["previous"] == pytest.approx(old[metric], abs=1e-4), metric
        assert rows[metric]["current"] == pytest.approx(new[metric], abs=1e-4), metric
    for metric, r in rows.items():
        delta = r["current"] - r["previous"]
        assert r["delta"] == pytest.approx(delta, abs=2e-4), metric
        gain = delta if metric != "ece" else -delta           # a lower ECE is better
        assert r["verdict"] == ("same" if abs(delta) <= 0.005 else "better" if gain > 0 else "worse"), r
    worse = [m for m, r in rows.items() if r["verdict"] == "worse"]
    assert cmp["verdict"] == ("regression" if worse else "no regression")
    return cmp


def test_second_model_is_compared_on_the_same_test_coins(second_done, first_model):
    second = second_done
    assert second.model_version == "period_v2"
    cmp = assert_comparison_holds(first_model.folder, second.folder)
    assert second.comparison == cmp["verdict"] == "no regression"       # both perfect on the planted periods
    assert "period_v1" in (__import__("pathlib").Path(second.folder) / "report.html").read_text()


def test_cli_train_and_truth_agreement(second_done, cf_settings, planted, monkeypatch, tmp_path):
    from nummus.bench.classify import ground_truth_agreement
    from nummus.settings import get_settings
    from test_cli_support import nummus

    monkeypatch.setenv("NUMMUS_DATA_DIR", str(cf_settings.data_path))
    monkeypatch.setenv("DATABASE_URL", cf_settings.database_url)
    get_settings.cache_clear()
    try:
        # a model starved of training (one epoch at a tiny learning rate): worse, and said so
        res = nummus("train", "period", "--features", "pair", "--head", "mlp", "--epochs", "1", "--lr", "1e-6",
                     "--json")
        assert res.code == 0, res.output
        out = json.loads(res.out)
        assert out["model_version"] == "period_v3"
        cmp = assert_comparison_holds(second_done.folder, out["folder"])
        assert out["comparison"] == cmp["verdict"] == "regression" and "macro_f1" in cmp["worse"]
        bad = nummus("train", "period", "--family", "nope")
        assert bad.code == 2 and "--family must be head or finetune" in bad.err and "Traceback" not in bad.err
        assert not (cf_settings.data_path / "artifacts" / "period_v4").exists()
    finally:
        get_settings.cache_clear()
    lots = [{"coin_id": int(c), "fields": {"period": p}} for c, p in zip(planted["coin_ids"], planted["periods"]) if p]
    (tmp_path / "truth.json").write_text(json.dumps({"house": "demo", "lots": lots}))
    agree = ground_truth_agreement(cf_settings, tmp_path / "truth.json", ["period_v1", "period_v3"])
    assert agree["parsed_period_accuracy"] == 1.0
    assert agree["models"]["period_v1"]["coins_with_truth"] == N - 11
    assert agree["models"]["period_v1"]["accuracy_vs_truth"] > 0.8


@pytest.mark.parametrize("k", [2, 3])
def test_logreg_logits_reproduce_its_probabilities(k):
    from nummus.embed.classify.fit import FitConfig
    from nummus.embed.classify.heads import make_head

    rng = np.random.default_rng(k)
    x = rng.standard_normal((150, 4))
    y = rng.integers(0, k, 150)
    head = make_head("logreg", k)
    head.fit(x, y, x, y, np.ones(k), None, FitConfig())
    assert np.allclose(softmax(head.logits(x)), head.pipe.predict_proba(x))
