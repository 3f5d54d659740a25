"""sql/search.sql and the nummus_search functions on a real PostgreSQL + pgvector: exactly
min(k, matches) rows for every filter at every selectivity, correct neighbours, bound
parameters, the read-only role."""

from __future__ import annotations

import datetime as dt

import numpy as np
import psycopg
import pytest

from nummus.app import queries
from nummus.app.filters import SearchFilters
from nummus.bench.synthetic.vectors import PERIOD_SHARES, load_index, make_coins, noisy_queries

N = 10_000
DIM = 32
EXACT_MAX = 300          # small, so that the HNSW paths run at this size too
SHARES = {**PERIOD_SHARES, "modern": 0.001}   # 10 coins of 10,000: the 0.1 % filter


@pytest.fixture(scope="module")
def coins():
    return make_coins(N, DIM, seed=3, shares=SHARES)


@pytest.fixture(scope="module")
def conn(pg_url, coins):
    from nummus.postgres import connect

    c = connect(url=pg_url)
    load_index(c, coins, exact_max=EXACT_MAX, m=16, ef_construction=64)
    c.autocommit = True
    yield c
    c.close()


@pytest.fixture(scope="module")
def app_conn(pg_url, conn):
    from nummus.app.db import app_database_url
    from nummus.settings import Settings

    c = psycopg.connect(app_database_url(Settings(database_url=pg_url)), autocommit=True)
    yield c
    c.close()


def stored(coins, side="pair"):
    return getattr(coins, side).astype(np.float16).astype(np.float32)


def mask_for(coins, f: SearchFilters) -> np.ndarray:
    m = np.ones(len(coins), bool)
    if f.period:
        m &= np.array(coins.period) == f.period
    if f.denomination:
        m &= np.array(coins.denomination) == f.denomination
    if f.house:
        m &= np.array(coins.house) == f.house
    if f.price_min is not None:
        m &= coins.price >= f.price_min
    if f.price_max is not None:
        m &= coins.price <= f.price_max
    dates = np.array(coins.closing_date)
    if f.sold_from:
        m &= dates >= f.sold_from
    if f.sold_to:
        m &= dates <= f.sold_to
    return m


def search(conn, q, side="pair", k=10, filters=SearchFilters()):
    """sql/search.sql's rows as (coin_id, cosine, path)."""
    rows = conn.execute(queries.statement("search.sql"), queries.search_params(q, side, k, filters)).fetchall()
    return [(r[0], r[-2], r[-1]) for r in rows]


def check(conn, coins, q, filters, side="pair", k=10, exact=True):
    """Asserts exact k, the filter, the order, and for exact answers the true neighbours;
    returns (rows, recall@k by ids)."""
    rows = search(conn, q, side, k, filters)
    m = mask_for(coins, filters)
    matches = int(m.sum())
    assert len(rows) == min(k, matches), (filters, len(rows), matches)
    ids = [r[0] for r in rows]
    assert len(set(ids)) == len(ids)
    idx = np.where(m)[0]
    assert set(ids) <= set(coins.coin_id[idx].tolist()), "a row outside the filter"
    sims = stored(coins, side)[idx] @ q
    truth = coins.coin_id[idx[np.argsort(-sims)[:k]]]
    cos = [r[1] for r in rows]
    assert cos == sorted(cos, reverse=True)
    if matches:
        # the k-th answer is as close as the k-th true neighbour (ties and float16 rounding aside)
        kth_true = np.sort(sims)[::-1][min(k, matches) - 1]
        if exact:
            assert cos[-1] >= kth_true - 2e-3
        return rows, len(set(ids) & set(truth.tolist())) / min(k, matches)
    return rows, 1.0


@pytest.mark.parametrize("period", [None, *SHARES])
def test_every_period_gives_exactly_k_true_neighbours(conn, coins, period):
    _, Q = noisy_queries(coins, 8, seed=11)
    paths, recalls = set(), []
    big = period is None or SHARES[period] * N > EXACT_MAX
    for q in Q:
        rows, recall = check(conn, coins, q, SearchFilters(period=period), exact=not big)
        paths |= {r[2] for r in rows}
        recalls.append(recall)
    assert paths == ({"hnsw"} if big else {"exact"})
    assert np.mean(recalls) >= (0.85 if big else 1.0)   # HNSW quality is measured by `nummus bench search`


def test_rare_period_at_one_in_a_thousand(conn, coins):
    """0.1 % selectivity: 10 of 10,000 coins; k=10 returns all 10, k=5 the 5 nearest."""
    assert (np.array(coins.period) == "modern").sum() == 10
    _, Q = noisy_queries(coins, 5, seed=12)
    for q in Q:
        rows, recall = check(conn, coins, q, SearchFilters(period="modern"), k=10)
        assert len(rows) == 10 and recall == 1.0
        check(conn, coins, q, SearchFilters(period="modern"), k=5)


@pytest.mark.parametrize("filters", [
    SearchFilters(denomination="denarius"),
    SearchFilters(house="leu"),
    SearchFilters(price_min=200, price_max=400),
    SearchFilters(price_min=5000),
    SearchFilters(sold_from=dt.date(2021, 1, 1), sold_to=dt.date(2021, 3, 31)),
    SearchFilters(period="greek", denomination="stater", house="cng"),
    SearchFilters(period="roman_imperial", price_max=60),
    SearchFilters(period="roman_imperial", house="demo", sold_from=dt.date(2024, 6, 1)),
    SearchFilters(period="byzantine", denomination="denarius"),   # matches nothing
], ids=lambda f: ",".join(f"{k}={v}" for k, v in f.active().items()))
def test_other_filters(conn, coins, filters):
    _, Q = noisy_queries(coins, 4, seed=13)
    recalls = [check(conn, coins, q, filters, exact=False)[1] for q in Q]
    assert np.mean(recalls) >= 0.8


@pytest.mark.parametrize("side", ["obv", "rev"])
def test_single_side_queries_use_that_side(conn, coins, side):
    """A noisy copy of one side of an islamic coin finds that coin first among the islamic ones
    (the sources are drawn from the filter's coins, so the check runs for every query)."""
    islamic = np.where(np.array(coins.period) == "islamic")[0]
    rows_, Q = noisy_queries(coins, 5, side=side, seed=14, among=islamic)
    for src, q in zip(rows_, Q):
        rows, _ = check(conn, coins, q, SearchFilters(period="islamic"), side=side)
        assert rows[0][0] == coins.coin_id[src]


def test_hnsw_short_answer_falls_back_to_exact(conn, coins):
    """A filter combination under a big period: counted above p_exact_max so HNSW runs first.
    At this size the iterative walk finds every match (its scan limit exceeds the index), so it is
    switched off for one transaction: the walk then returns fewer than k rows and the exact scan
    answers, still exactly k, the true neighbours."""
    f = SearchFilters(period="roman_imperial", price_min=4000)
    m = mask_for(coins, f)
    assert 10 < m.sum() < EXACT_MAX
    q = stored(coins)[np.where(m)[0][0]]
    sql = ("SELECT coin_id, cosine, path FROM nummus_search(%s::halfvec, 'pair', 10, 'roman_imperial',"
           " p_price_min => 4000, p_exact_max => 5)")
    exact = search(conn, q, filters=f)                     # 45 matches <= EXACT_MAX: the exact path
    assert {r[2] for r in exact} == {"exact"}
    walked = conn.execute(sql, (queries.vector_text(q),)).fetchall()
    assert {r[2] for r in walked} == {"hnsw"} and [r[0] for r in walked] == [r[0] for r in exact]
    with conn.transaction(force_rollback=True):
        conn.execute("ALTER FUNCTION nummus_search_hnsw SET hnsw.iterative_scan = off")
        short = conn.execute(sql, (queries.vector_text(q),)).fetchall()
    assert len(short) == 10 and {r[2] for r in short} == {"hnsw+exact"}
    assert [r[0] for r in short] == [r[0] for r in exact]
    assert conn.execute(sql, (queries.vector_text(q),)).fetchall()[0][2] == "hnsw"   # the walk is back


def test_generic_plans_do_not_lose_rows(conn, coins):
    """A prepared statement run many times alternating rare and common periods keeps exact k."""
    _, Q = noisy_queries(coins, 12, seed=15)
    sql = queries.statement("search.sql")
    for i, q in enumerate(Q):
        period = ["modern", "roman_imperial", "celtic", None][i % 4]
        rows = conn.execute(sql, queries.search_params(q, "pair", 10, SearchFilters(period=period)),
                            prepare=True).fetchall()  # noqa
        assert len(rows) == 10


def test_similar_leaves_the_coin_out(conn, coins):
    cid = int(coins.coin_id[np.where(np.array(coins.period) == "celtic")[0][0]])
    rows = conn.execute(queries.statement("similar.sql"),
                        queries.similar_params(cid, "pair", 10, SearchFilters(period="celtic"))).fetchall()
    assert len(rows) == 10 and cid not in [r[0] for r in rows]
    assert all(r[1] == "celtic" for r in rows)
    with pytest.raises(psycopg.errors.NoDataFound):
        conn.execute("SELECT * FROM nummus_similar(999999999)").fetchall()


@pytest.mark.parametrize("bad", [
    "x' OR '1'='1", "'; DROP TABLE coins; --", "roman_imperial' --", "$3", "%(k)s", "\\x00",
])
def test_sql_injection_in_every_parameter_is_inert(conn, coins, bad):
    q = stored(coins)[0]
    before = conn.execute("SELECT count(*) FROM coins").fetchone()[0]
    params = queries.search_params(q, "pair", 10, SearchFilters())
    for name in ("period", "denomination", "house"):
        rows = conn.execute(queries.statement("search.sql"), {**params, name: bad}).fetchall()
        assert rows == []
    for name in ("side", "k", "price_min", "price_max", "sold_from", "sold_to", "query"):
        with pytest.raises(psycopg.Error):
            conn.execute(queries.statement("search.sql"), {**params, name: bad}).fetchall()
    with pytest.raises(psycopg.Error):
        conn.execute(queries.statement("similar.sql"),
                     {**queries.similar_params(1, "pair", 10, SearchFilters()), "coin_id": bad}).fetchall()
    assert conn.execute("SELECT count(*) FROM coins").fetchone()[0] == before
    assert conn.execute("SELECT to_regclass('coins') IS NOT NULL").fetchone()[0]


def test_bad_arguments_are_refused(conn, coins):
    q = stored(coins)[0]
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="side"):
        search(conn, q, side="both")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="k must be"):
        search(conn, q, k=0)
    with pytest.raises(psycopg.errors.DataException):
        search(conn, np.ones(DIM + 1, np.float32) / np.sqrt(DIM + 1))


def test_the_app_role_reads_and_cannot_write(app_conn, coins):
    rows = search(app_conn, stored(coins)[5], filters=SearchFilters(period="celtic"))
    assert len(rows) == 10
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        app_conn.execute("DELETE FROM coins WHERE coin_id = 1")
    app_conn.execute("SET default_transaction_read_only = off")   # a session may; privileges still refuse
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute("DELETE FROM coins WHERE coin_id = 1")
    app_conn.execute("RESET default_transaction_read_only")


def test_prepare_is_idempotent_and_counts_periods(conn, coins):
    from nummus.app.search_index import prepare

    first = conn.execute("SELECT period, rows, partial_hnsw FROM search_period_counts WHERE version = 1"
                         " ORDER BY rows DESC, period").fetchall()
    conn.autocommit = False
    again = prepare(conn, 1, exact_max=EXACT_MAX, m=16, ef_construction=64)
    conn.autocommit = True
    assert sorted(again, key=lambda r: (-r[1], r[0])) == first
    assert dict((p, n) for p, n, _ in first) == {p: np.sum(np.array(coins.period) == p) for p in SHARES}
    assert {p for p, n, partial in first if partial} == {p for p, s in SHARES.items() if s * N > EXACT_MAX}


def test_delta_rows_are_searched(pg_url, coins):
    """A coin appended to the delta of the serving version is found at once."""
    from nummus.postgres import connect

    v = np.zeros(DIM, np.float32)
    v[0] = 1.0
    with connect(url=pg_url) as c:
        c.execute("INSERT INTO coins (coin_id, freeze_id, period, house, sale, lot) VALUES"
                  " (777777, 'delta', 'modern', 'demo', 'd1', '1')")
        c.execute("INSERT INTO delta_v2 (coin_id, period, obv, rev, pair) VALUES (777777, 'modern', %s, %s, %s)",
                  (queries.vector_text(v),) * 3)
        c.commit()
        rows = search(c, v, filters=SearchFilters(period="modern"), k=11)
        assert len(rows) == 11 and rows[0][0] == 777777 and rows[0][1] == pytest.approx(1.0)
        rows = search(c, v, k=3)
        assert rows[0][0] == 777777


def test_bench_search_runs_and_reuses_its_database(pg_url):
    """`nummus bench search` on a tiny index (speed is not asserted: only its shape and truths)."""
    from nummus.bench.search import run
    from nummus.settings import Settings

    settings = Settings(database_url=pg_url)
    first = run(settings, n=600, dim=16, n_queries=10, clients=2, e2e=False)
    assert first["built_s"] is not None and first["index"]["exact_max"] == 500
    assert {r["selectivity_pct"] for r in first["sql"] if r["filter"] == "none"} == {100.0}
    assert all(r["exactly_k"] and r["rows_min"] == min(10, r["matches"]) for r in first["sql"])
    assert all(r["recall_at_k"] >= 0.9 for r in first["sql"] if r["matches"])
    again = run(settings, n=600, dim=16, n_queries=10, clients=2, e2e=False)
    assert again["built_s"] is None and again["database"] == first["database"]
