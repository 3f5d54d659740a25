-- nummus search: the functions behind sql/search.sql, as a database migrated to head has them.
-- For reading: no migration runs this file. Each revision carries a frozen copy of what it
-- applies (0004 the first version, 0007 this one); tests/test_migrations.py checks that this
-- file defines exactly what a head database has. A change to the search is a new revision with
-- the new statements plus the same change here, in one commit. Every statement is CREATE OR
-- REPLACE / IF NOT EXISTS. Why the query is shaped like this, with the numbers: sql/README.md.
--
--   nummus_prepare_search(N)      after nummus_seal_index(N), before nummus_serve(N): btree on
--                                 period, HNSW per side, and a partial HNSW per side for every
--                                 period with more rows than the exact-scan limit; counts.
--   nummus_search(q, side, k, filters…)   the search: exactly min(k, matches) rows, always.
--   nummus_search_exact(…)        exact scan over the filtered rows (small filtered sets).
--   nummus_search_hnsw(…)         HNSW scan (partial index when the period has one).
--   nummus_similar(coin_id, …)    "more like this coin" (the coin itself left out).
--
-- Every value reaches the dynamic SQL as a bound parameter ($1..$9, EXECUTE … USING); only
-- fixed fragments and identifiers chosen from a whitelist are spliced into the text.

-- Which rows were counted per period when an index version was prepared (stats, coverage).
CREATE TABLE IF NOT EXISTS search_period_counts (
    version      integer NOT NULL REFERENCES index_versions (version),
    period       text,
    rows         bigint  NOT NULL,
    partial_hnsw boolean NOT NULL,
    PRIMARY KEY (version, period)
);
CREATE UNIQUE INDEX IF NOT EXISTS search_period_counts_null_period
    ON search_period_counts (version) WHERE period IS NULL;

-- How each index version was prepared: the exact-scan limit the search uses with it, and the
-- HNSW build parameters.
CREATE TABLE IF NOT EXISTS search_settings (
    version          integer PRIMARY KEY REFERENCES index_versions (version),
    exact_max        integer NOT NULL CHECK (exact_max >= 0),
    m                integer NOT NULL,
    ef_construction  integer NOT NULL,
    prepared_at      timestamptz NOT NULL DEFAULT now()
);

-- The fields a search answer shows for each coin (sql/search.sql, sql/similar.sql).
CREATE OR REPLACE VIEW search_coin_fields AS
SELECT c.coin_id, c.period, c.denomination, c.authority AS ruler, c.mint, c.metal, c.house, c.sale, c.lot,
       c.title, c.price, c.currency, c.closing_date, c.lot_url, c.obv_key, c.rev_key, c.obv_small_key,
       c.rev_small_key
  FROM coins c;

-- The serving version and its vector type.
CREATE OR REPLACE FUNCTION nummus_serving() RETURNS TABLE (version integer, vector_type text, dim integer)
LANGUAGE sql STABLE AS $$
    SELECT version, vector_type, dim FROM index_versions WHERE state = 'serving'
$$;

-- The WHERE clause for the filters that are set (fixed fragments over bound parameters
-- $3 period, $4 denomination, $5 house, $6 price_min, $7 price_max, $8 sold_from, $9 sold_to),
-- over search_vectors v (and coins c when a coins column is filtered), or over coins c alone
-- (p_vectors false).
CREATE OR REPLACE FUNCTION nummus_search_where(
    p_period text, p_denomination text, p_house text, p_price_min double precision,
    p_price_max double precision, p_sold_from date, p_sold_to date, p_vectors boolean DEFAULT true)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' AND ', 'true',
        CASE WHEN p_period IS NOT NULL AND p_vectors THEN 'v.period = $3' END,
        CASE WHEN p_period IS NOT NULL AND num_nonnulls(p_denomination, p_house, p_price_min, p_price_max,
                                                        p_sold_from, p_sold_to) > 0
             THEN 'c.period = $3' END,
        CASE WHEN p_denomination IS NOT NULL THEN 'c.denomination = $4' END,
        CASE WHEN p_house        IS NOT NULL THEN 'c.house = $5' END,
        CASE WHEN p_price_min    IS NOT NULL THEN 'c.price >= $6' END,
        CASE WHEN p_price_max    IS NOT NULL THEN 'c.price <= $7' END,
        CASE WHEN p_sold_from    IS NOT NULL THEN 'c.closing_date >= $8' END,
        CASE WHEN p_sold_to      IS NOT NULL THEN 'c.closing_date <= $9' END)
$$;

-- FROM clause: the coins join only when a coins column is filtered.
CREATE OR REPLACE FUNCTION nummus_search_from(
    p_denomination text, p_house text, p_price_min double precision,
    p_price_max double precision, p_sold_from date, p_sold_to date)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN num_nonnulls(p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to) > 0
                THEN 'search_vectors v JOIN coins c ON c.coin_id = v.coin_id'
                ELSE 'search_vectors v' END
$$;

CREATE OR REPLACE FUNCTION nummus_search_side(p_side text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_side IS NULL OR p_side NOT IN ('pair', 'obv', 'rev') THEN
        RAISE EXCEPTION 'side must be pair, obv or rev, not %', coalesce(p_side, 'null')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN p_side;
END $$;

-- How many rows match the filters, counted up to p_cap + 1 (so the cost is bounded). With a
-- coins filter the narrow coins table is counted (every coin of the serving index has a row
-- there; an overcount only sends the search to HNSW, whose short answers fall back to exact).
CREATE OR REPLACE FUNCTION nummus_search_count(
    p_cap integer,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql STABLE
SET max_parallel_workers_per_gather = 0
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
DECLARE
    n bigint;
    on_coins boolean;
BEGIN
    on_coins := num_nonnulls(p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to) > 0;
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT $2 + 1) t',
                   CASE WHEN on_coins THEN 'coins c' ELSE 'search_vectors v' END,
                   nummus_search_where(p_period, p_denomination, p_house, p_price_min, p_price_max,
                                       p_sold_from, p_sold_to, NOT on_coins))
       INTO n
      USING NULL::halfvec, p_cap, p_period, p_denomination, p_house, p_price_min, p_price_max,
            p_sold_from, p_sold_to;
    RETURN n;
END $$;

-- The kNN statement over the serving vectors, with the filters that are set. Exact: the ORDER BY
-- expression (distance + 0) cannot be served by an HNSW index, so the planner filters first
-- (btree/bitmap on period, or the join) and sorts the survivors. HNSW: ORDER BY the distance
-- operator itself, which the index serves.
CREATE OR REPLACE FUNCTION nummus_search_knn_sql(
    p_exact boolean, p_side text,
    p_period text, p_denomination text, p_house text, p_price_min double precision,
    p_price_max double precision, p_sold_from date, p_sold_to date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    s record;
BEGIN
    SELECT * INTO s FROM nummus_serving();
    IF s.version IS NULL THEN
        RAISE EXCEPTION 'no index version is serving (run nummus_serve(N))' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN format(
        'SELECT v.coin_id, (v.%1$I <=> $1::%2$s)::double precision FROM %3$s WHERE %4$s ORDER BY %5$s LIMIT $2',
        nummus_search_side(p_side), s.vector_type,
        nummus_search_from(p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to),
        nummus_search_where(p_period, p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to),
        format(CASE WHEN p_exact THEN '(v.%1$I <=> $1::%2$s) + 0, v.coin_id' ELSE 'v.%1$I <=> $1::%2$s' END,
               p_side, s.vector_type));
END $$;

-- Exact kNN over the filtered rows: recall 1 and exactly min(k, matches) rows.
CREATE OR REPLACE FUNCTION nummus_search_exact(
    p_query halfvec, p_side text DEFAULT 'pair', p_k integer DEFAULT 10,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL)
RETURNS TABLE (coin_id bigint, distance double precision)
LANGUAGE plpgsql STABLE
SET jit = off
SET max_parallel_workers_per_gather = 0
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
BEGIN
    RETURN QUERY EXECUTE nummus_search_knn_sql(true, p_side, p_period, p_denomination, p_house,
                                                p_price_min, p_price_max, p_sold_from, p_sold_to)
      USING p_query, p_k, p_period, p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to;
END $$;

-- HNSW kNN. EXECUTE … USING hands the planner the parameter values as constants, so a
-- `period = $3` filter matches the partial index built for that period: the walk then sees only
-- that period's rows and nothing is dropped after the scan. Other filters are handled by
-- pgvector 0.8's iterative scan (relaxed order, re-sorted by the caller).
-- ef_search 200: unfiltered recall@10 0.989 (one query in 100 lost: 0/10) at 100, 0.999 at 200.
CREATE OR REPLACE FUNCTION nummus_search_hnsw(
    p_query halfvec, p_side text DEFAULT 'pair', p_k integer DEFAULT 10,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL)
RETURNS TABLE (coin_id bigint, distance double precision)
LANGUAGE plpgsql STABLE
SET jit = off
SET max_parallel_workers_per_gather = 0
SET enable_seqscan = off
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET hnsw.ef_search = 200
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.max_scan_tuples = 40000
AS $$
BEGIN
    -- the function's SET restores 200 on return
    IF num_nonnulls(p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to) > 0 THEN
        -- rows dropped by a coins filter: a wider walk keeps recall (measured: 0.967 at 100, 0.994 at 400
        -- for a 10 % filter)
        PERFORM set_config('hnsw.ef_search', '400', true);
    ELSIF p_period IS NOT NULL THEN
        -- a period's own partial graph: recall@10 1.000 (worst query 1.0) at 100 for every period at 100k
        PERFORM set_config('hnsw.ef_search', '100', true);
    END IF;
    RETURN QUERY EXECUTE nummus_search_knn_sql(false, p_side, p_period, p_denomination, p_house,
                                                p_price_min, p_price_max, p_sold_from, p_sold_to)
      USING p_query, p_k, p_period, p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to;
END $$;

-- The search. Path by the filter's row count (counted, capped at p_exact_max, by default the
-- limit the serving version was prepared with):
--   ≤ p_exact_max rows  → exact scan (a few ms at most, recall 1);
--   more                → HNSW (partial index per big period); if it still returns fewer than
--                         k rows (a rare filter combination), the exact scan answers instead.
-- Result: exactly min(k, matching rows) rows, best first; `path` says which path answered.
CREATE OR REPLACE FUNCTION nummus_search(
    p_query halfvec, p_side text DEFAULT 'pair', p_k integer DEFAULT 10,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL,
    p_exact_max integer DEFAULT NULL)
RETURNS TABLE (coin_id bigint, cosine double precision, path text)
-- ROWS 10: about k rows come back; the default estimate (1000) made the planner merge-join
-- search.sql's coin fields over the whole coins table (~3 ms at 23k, growing with the table)
LANGUAGE plpgsql STABLE ROWS 10 AS $$
DECLARE
    n_match bigint;
    partial boolean;      -- the period has partial HNSW indexes (NULL: not known to the counts)
    use_exact boolean := false;
    ids bigint[];
    dists double precision[];
BEGIN
    IF p_k IS NULL OR p_k < 1 OR p_k > 1000 THEN
        RAISE EXCEPTION 'k must be between 1 and 1000, not %', coalesce(p_k::text, 'null')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM nummus_search_side(p_side);
    IF p_exact_max IS NULL THEN  -- the limit the serving version was prepared with
        SELECT ss.exact_max INTO p_exact_max
          FROM search_settings ss JOIN index_versions iv ON iv.version = ss.version
         WHERE iv.state = 'serving';
        p_exact_max := coalesce(p_exact_max, 500);
    END IF;
    IF p_period IS NOT NULL THEN
        -- a period without partial indexes has at most p_exact_max rows in the index (+ delta):
        -- exact, whatever else is filtered; no need to count
        SELECT pc.partial_hnsw INTO partial
          FROM search_period_counts pc JOIN index_versions iv ON iv.version = pc.version
         WHERE iv.state = 'serving' AND pc.period = p_period;
        use_exact := partial IS FALSE;
    END IF;
    IF NOT use_exact AND (num_nonnulls(p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to) > 0
                          OR (p_period IS NOT NULL AND partial IS NULL)) THEN
        n_match := nummus_search_count(p_exact_max, p_period, p_denomination, p_house, p_price_min,
                                       p_price_max, p_sold_from, p_sold_to);
        use_exact := n_match <= p_exact_max;
    END IF;
    IF use_exact THEN
        RETURN QUERY SELECT e.coin_id, 1 - e.distance, 'exact'::text
                       FROM nummus_search_exact(p_query, p_side, p_k, p_period, p_denomination, p_house,
                                                p_price_min, p_price_max, p_sold_from, p_sold_to) e
                      ORDER BY e.distance, e.coin_id;
        RETURN;
    END IF;
    SELECT array_agg(h.coin_id ORDER BY h.distance, h.coin_id),
           array_agg(h.distance ORDER BY h.distance, h.coin_id)
      INTO ids, dists
      FROM nummus_search_hnsw(p_query, p_side, p_k, p_period, p_denomination, p_house,
                              p_price_min, p_price_max, p_sold_from, p_sold_to) h;
    IF coalesce(cardinality(ids), 0) >= p_k THEN
        RETURN QUERY SELECT u.id, 1 - u.d, 'hnsw'::text
                       FROM unnest(ids, dists) WITH ORDINALITY AS u(id, d, o) ORDER BY u.o;
        RETURN;
    END IF;
    -- fewer than k: the walk hit hnsw.max_scan_tuples under a filter no partial index covers;
    -- the exact scan answers (correct, slower).
    RETURN QUERY SELECT e.coin_id, 1 - e.distance, 'hnsw+exact'::text
                   FROM nummus_search_exact(p_query, p_side, p_k, p_period, p_denomination, p_house,
                                            p_price_min, p_price_max, p_sold_from, p_sold_to) e
                  ORDER BY e.distance, e.coin_id;
END $$;

-- "More like this coin": the coin's own vector as the query, the coin itself left out.
CREATE OR REPLACE FUNCTION nummus_similar(
    p_coin_id bigint, p_side text DEFAULT 'pair', p_k integer DEFAULT 10,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL)
RETURNS TABLE (coin_id bigint, cosine double precision, path text)
LANGUAGE plpgsql STABLE ROWS 10 AS $$
DECLARE
    q halfvec;
BEGIN
    EXECUTE format('SELECT %I::halfvec FROM search_vectors WHERE coin_id = $1', nummus_search_side(p_side))
       INTO q USING p_coin_id;
    IF q IS NULL THEN
        RAISE EXCEPTION 'coin % has no vector in the serving index', p_coin_id USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
        SELECT r.coin_id, r.cosine, r.path
          FROM nummus_search(q, p_side, p_k + 1, p_period, p_denomination, p_house, p_price_min,
                             p_price_max, p_sold_from, p_sold_to) r
         WHERE r.coin_id <> p_coin_id
         ORDER BY r.cosine DESC, r.coin_id
         LIMIT p_k;
END $$;

-- Search structures for index version N (and its delta): run after nummus_seal_index(N),
-- before nummus_serve(N). Idempotent (IF NOT EXISTS); building HNSW takes a while.
CREATE OR REPLACE FUNCTION nummus_prepare_search(
    p_version integer, p_exact_max integer DEFAULT 500,
    p_m integer DEFAULT 16, p_ef_construction integer DEFAULT 128)
RETURNS TABLE (period text, rows bigint, partial_hnsw boolean)
LANGUAGE plpgsql
SET maintenance_work_mem = '1GB'
SET client_min_messages = warning
AS $$
DECLARE
    idx   text := format('index_v%s', p_version);
    delta text := format('delta_v%s', p_version + 1);
    vtype text;
    side  text;
    t     text;
    pc    record;
BEGIN
    SELECT vector_type INTO vtype FROM index_versions WHERE version = p_version AND state <> 'retired';
    IF vtype IS NULL THEN
        RAISE EXCEPTION 'index version % does not exist or is retired', p_version USING ERRCODE = 'no_data_found';
    END IF;
    FOREACH t IN ARRAY ARRAY[idx, delta] LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (period)', t || '_period', t);
        FOREACH side IN ARRAY ARRAY['pair', 'obv', 'rev'] LOOP
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (%I %s_cosine_ops)'
                           ' WITH (m = %s, ef_construction = %s)',
                           format('%s_%s_hnsw', t, side), t, side, vtype, p_m, p_ef_construction);
        END LOOP;
    END LOOP;
    INSERT INTO search_settings (version, exact_max, m, ef_construction)
    VALUES (p_version, p_exact_max, p_m, p_ef_construction)
    ON CONFLICT (version) DO UPDATE SET exact_max = excluded.exact_max, m = excluded.m,
        ef_construction = excluded.ef_construction, prepared_at = now();
    DELETE FROM search_period_counts WHERE version = p_version;
    EXECUTE format('INSERT INTO search_period_counts (version, period, rows, partial_hnsw)'
                   ' SELECT $1, period, count(*), period IS NOT NULL AND count(*) > $2 FROM %I GROUP BY period', idx)
      USING p_version, p_exact_max;
    FOR pc IN SELECT c.period FROM search_period_counts c
               WHERE c.version = p_version AND c.partial_hnsw ORDER BY c.rows DESC LOOP
        FOREACH side IN ARRAY ARRAY['pair', 'obv', 'rev'] LOOP
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (%I %s_cosine_ops)'
                           ' WITH (m = %s, ef_construction = %s) WHERE period = %L',
                           format('%s_%s_p%s', idx, side, left(md5(pc.period), 10)), idx, side, vtype,
                           p_m, p_ef_construction, pc.period);
        END LOOP;
    END LOOP;
    EXECUTE format('ANALYZE %I', idx);
    EXECUTE format('ANALYZE %I', delta);
    RETURN QUERY SELECT c.period, c.rows, c.partial_hnsw FROM search_period_counts c
                  WHERE c.version = p_version ORDER BY c.rows DESC;
END $$;
