"""coins, the index version registry, versioned immutable vector tables, serving view, app role

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Vector tables are created per version by `nummus_create_index(version, dim, vtype)`:
  index_v{N}     coin_id, period, obv, rev, pair  -- sealed by nummus_seal_index(N): no writes
  delta_v{N+1}   same columns                     -- append-only (no UPDATE/DELETE/TRUNCATE)
`nummus_serve(N)` points the view `search_vectors` at index_vN ∪ delta_v{N+1} and marks N
serving, in the caller's transaction.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS coins (
            coin_id        bigint PRIMARY KEY,
            freeze_id      text NOT NULL,
            house          text,
            sale           text,
            lot            text,
            lot_url        text,
            title          text,
            period         text,
            denomination   text,
            authority      text,
            mint           text,
            metal          text,
            date_from      integer,
            date_to        integer,
            price          double precision,
            currency       text,
            closing_date   date,
            obv_key        text,
            rev_key        text,
            obv_small_key  text,
            rev_small_key  text,
            loaded_at      timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX IF NOT EXISTS coins_period_idx ON coins (period);
        CREATE INDEX IF NOT EXISTS coins_denomination_idx ON coins (denomination);
        CREATE INDEX IF NOT EXISTS coins_house_idx ON coins (house);

        CREATE TABLE IF NOT EXISTS index_versions (
            version         integer PRIMARY KEY CHECK (version > 0),
            freeze_id       text NOT NULL,
            encoder_id      jsonb NOT NULL,
            dim             integer NOT NULL CHECK (dim > 0),
            vector_type     text NOT NULL CHECK (vector_type IN ('halfvec', 'vector')),
            rows            bigint,
            content_sha256  text,
            parent_version  integer REFERENCES index_versions (version),
            created_at      timestamptz NOT NULL DEFAULT now(),
            sealed_at       timestamptz,
            state           text NOT NULL DEFAULT 'building'
                            CHECK (state IN ('building', 'sealed', 'serving', 'retired'))
        );
        CREATE UNIQUE INDEX IF NOT EXISTS index_versions_one_serving
            ON index_versions ((true)) WHERE state = 'serving';

        CREATE OR REPLACE FUNCTION nummus_refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'nummus: % on %.% refused: %', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END $$;

        CREATE OR REPLACE FUNCTION nummus_create_index(p_version integer, p_dim integer, p_vtype text)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            t text;
        BEGIN
            IF p_vtype NOT IN ('halfvec', 'vector') THEN
                RAISE EXCEPTION 'vector type must be halfvec or vector, not %', p_vtype;
            END IF;
            FOREACH t IN ARRAY ARRAY[format('index_v%s', p_version), format('delta_v%s', p_version + 1)] LOOP
                EXECUTE format(
                    'CREATE TABLE %I (coin_id bigint PRIMARY KEY REFERENCES coins (coin_id),'
                    ' period text, obv %s(%s) NOT NULL, rev %s(%s) NOT NULL, pair %s(%s) NOT NULL)',
                    t, p_vtype, p_dim, p_vtype, p_dim, p_vtype, p_dim);
            END LOOP;
            -- deltas are append-only from birth
            EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %I FOR EACH ROW'
                           ' EXECUTE FUNCTION nummus_refuse_write(%L)', format('delta_v%s', p_version + 1),
                           'delta tables are append-only');
            EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT'
                           ' EXECUTE FUNCTION nummus_refuse_write(%L)', format('delta_v%s', p_version + 1),
                           'delta tables are append-only');
        END $$;

        CREATE OR REPLACE FUNCTION nummus_seal_index(p_version integer) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            t text := format('index_v%s', p_version);
        BEGIN
            EXECUTE format('CREATE TRIGGER sealed BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW'
                           ' EXECUTE FUNCTION nummus_refuse_write(%L)', t, 'sealed index versions are immutable');
            EXECUTE format('CREATE TRIGGER sealed_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT'
                           ' EXECUTE FUNCTION nummus_refuse_write(%L)', t, 'sealed index versions are immutable');
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC', t);
            UPDATE index_versions SET state = 'sealed', sealed_at = now()
             WHERE version = p_version AND state = 'building';
            IF NOT FOUND THEN
                RAISE EXCEPTION 'index version % is not building (cannot seal)', p_version;
            END IF;
        END $$;

        CREATE OR REPLACE FUNCTION nummus_serve(p_version integer) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM index_versions WHERE version = p_version
                            AND state IN ('sealed', 'serving')) THEN
                RAISE EXCEPTION 'index version % is not sealed', p_version;
            END IF;
            UPDATE index_versions SET state = 'sealed' WHERE state = 'serving' AND version <> p_version;
            UPDATE index_versions SET state = 'serving' WHERE version = p_version;
            EXECUTE format(
                'CREATE OR REPLACE VIEW search_vectors AS'
                ' SELECT coin_id, period, obv, rev, pair, %s AS index_version, false AS in_delta FROM %I'
                ' UNION ALL'
                ' SELECT coin_id, period, obv, rev, pair, %s AS index_version, true AS in_delta FROM %I',
                p_version, format('index_v%s', p_version), p_version, format('delta_v%s', p_version + 1));
        END $$;

        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
                CREATE ROLE nummus_app LOGIN;
            END IF;
            ALTER ROLE nummus_app SET default_transaction_read_only = on;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot create role nummus_app (no CREATEROLE); set NUMMUS_APP_DATABASE_URL to a read-only role';
        END $$;
        """
    )
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
                EXECUTE format('GRANT CONNECT ON DATABASE %I TO nummus_app', current_database());
                GRANT USAGE ON SCHEMA public TO nummus_app;
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO nummus_app;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO nummus_app;
            END IF;
        END $$;
        """
    )


def downgrade() -> None:
    # the role is the cluster's (other databases may use it): it stays, without its grants here
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
                ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM nummus_app;
                REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM nummus_app;
                REVOKE USAGE ON SCHEMA public FROM nummus_app;
                EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM nummus_app', current_database());
            END IF;
        END $$;
        DROP VIEW IF EXISTS search_vectors;
        DROP FUNCTION IF EXISTS nummus_serve(integer);
        DROP FUNCTION IF EXISTS nummus_seal_index(integer);
        DROP FUNCTION IF EXISTS nummus_create_index(integer, integer, text);
        DROP FUNCTION IF EXISTS nummus_refuse_write() CASCADE;
        DROP TABLE IF EXISTS index_versions;
        DROP TABLE IF EXISTS coins;
        """
    )
