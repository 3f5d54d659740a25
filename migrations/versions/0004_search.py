"""search: nummus_search / nummus_similar / nummus_prepare_search, search_settings, search_period_counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Frozen: `SQL` is sql/search_functions.sql as it stood when this revision was written (commit
d4426f5), so a database upgraded through 0004 today gets what one migrated then got. Later
changes to the search come with revisions of their own (0007); the current definition is
sql/search_functions.sql (tests/test_migrations.py keeps the two equal). The reasoning and the
measurements: sql/README.md.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The search functions, tables and view this revision installs (0007 reads it for its downgrade).
SQL = r"""
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
-- $3 period, $4 denomination, $5 house, $6 price_min, $7 price_max, $8 sold_from, $9 sold_to).
CREATE OR REPLACE FUNCTION nummus_search_where(
    p_period text, p_denomination text, p_house text, p_price_min double precision,
    p_price_max double precision, p_sold_from date, p_sold_to date)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' AND ', 'true',
        CASE WHEN p_period       IS NOT NULL THEN 'v.period = $3' END,
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

-- How many rows match the filters, counted up to p_cap + 1 (so the cost is bounded).
CREATE OR REPLACE FUNCTION nummus_search_count(
    p_cap integer,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT $2 + 1) t',
                   nummus_search_from(p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to),
                   nummus_search_where(p_period, p_denomination, p_house, p_price_min, p_price_max,
                                       p_sold_from, p_sold_to))
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
CREATE OR REPLACE FUNCTION nummus_search_hnsw(
    p_query halfvec, p_side text DEFAULT 'pair', p_k integer DEFAULT 10,
    p_period text DEFAULT NULL, p_denomination text DEFAULT NULL, p_house text DEFAULT NULL,
    p_price_min double precision DEFAULT NULL, p_price_max double precision DEFAULT NULL,
    p_sold_from date DEFAULT NULL, p_sold_to date DEFAULT NULL)
RETURNS TABLE (coin_id bigint, distance double precision)
LANGUAGE plpgsql STABLE
SET jit = off
SET enable_seqscan = off
SET enable_sort = off
SET hnsw.ef_search = 100
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.max_scan_tuples = 40000
AS $$
BEGIN
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
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n_match bigint;
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
        p_exact_max := coalesce(p_exact_max, 5000);
    END IF;
    IF num_nonnulls(p_period, p_denomination, p_house, p_price_min, p_price_max, p_sold_from, p_sold_to) > 0 THEN
        n_match := nummus_search_count(p_exact_max, p_period, p_denomination, p_house, p_price_min,
                                       p_price_max, p_sold_from, p_sold_to);
    END IF;
    IF n_match IS NOT NULL AND n_match <= p_exact_max THEN
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
LANGUAGE plpgsql STABLE AS $$
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
    p_version integer, p_exact_max integer DEFAULT 5000,
    p_m integer DEFAULT 16, p_ef_construction integer DEFAULT 128)
RETURNS TABLE (period text, rows bigint, partial_hnsw boolean)
LANGUAGE plpgsql
SET maintenance_work_mem = '1GB'
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
"""


def upgrade() -> None:
    op.execute(SQL)
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
                GRANT SELECT ON search_period_counts, search_settings, search_coin_fields TO nummus_app;
            END IF;
        END $$;
        """
    )


def downgrade() -> None:
    # nummus_search_where: this revision's 7 arguments, and the 8 of sql/search_functions.sql between
    # 0004 and 0007 (databases migrated then have that one; 0007's downgrade leaves the 7)
    op.execute(
        """
        DROP FUNCTION IF EXISTS nummus_prepare_search(integer, integer, integer, integer);
        DROP FUNCTION IF EXISTS nummus_similar(bigint, text, integer, text, text, text, double precision,
                                               double precision, date, date);
        DROP FUNCTION IF EXISTS nummus_search(halfvec, text, integer, text, text, text, double precision,
                                              double precision, date, date, integer);
        DROP FUNCTION IF EXISTS nummus_search_hnsw(halfvec, text, integer, text, text, text, double precision,
                                                   double precision, date, date);
        DROP FUNCTION IF EXISTS nummus_search_exact(halfvec, text, integer, text, text, text, double precision,
                                                    double precision, date, date);
        DROP FUNCTION IF EXISTS nummus_search_knn_sql(boolean, text, text, text, text, double precision,
                                                      double precision, date, date);
        DROP FUNCTION IF EXISTS nummus_search_count(integer, text, text, text, double precision,
                                                    double precision, date, date);
        DROP FUNCTION IF EXISTS nummus_search_side(text);
        DROP FUNCTION IF EXISTS nummus_search_from(text, text, double precision, double precision, date, date);
        DROP FUNCTION IF EXISTS nummus_search_where(text, text, text, double precision, double precision,
                                                    date, date);
        DROP FUNCTION IF EXISTS nummus_search_where(text, text, text, double precision, double precision,
                                                    date, date, boolean);
        DROP FUNCTION IF EXISTS nummus_serving();
        DROP VIEW IF EXISTS search_coin_fields;
        DROP TABLE IF EXISTS search_period_counts;
        DROP TABLE IF EXISTS search_settings;
        """
    )
