"""cluster: clustering runs, their assignments, per-cluster summaries, the audit queue

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

A run (`cluster_runs`) is written once: while `running` only its own row changes; once
`done` or `failed` it is immutable, and its assignments, summaries and audit rows refuse
UPDATE/DELETE/TRUNCATE. The run the app shows is chosen explicitly in `cluster_active`
(one row), never "the latest". Everything here is written by the asynchronous clustering
job; search never reads these tables, so a run never holds a lock search waits on.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS cluster_runs (
            run_id         serial PRIMARY KEY,
            index_version  integer NOT NULL REFERENCES index_versions (version),
            vector         text NOT NULL CHECK (vector IN ('pair', 'obv', 'rev')),
            state          text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
            backend        text NOT NULL CHECK (backend IN ('cpu', 'cuml')),
            params         jsonb NOT NULL,
            versions       jsonb NOT NULL,
            timings        jsonb,
            stats          jsonb,
            n_coins        integer,
            n_clusters     integer,
            noise_share    double precision,
            error          text,
            host           text,
            pid            integer,
            started_at     timestamptz NOT NULL DEFAULT now(),
            finished_at    timestamptz
        );

        CREATE OR REPLACE FUNCTION nummus_cluster_run_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'nummus: cluster runs are never deleted (run %)', OLD.run_id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF OLD.state <> 'running' THEN
                RAISE EXCEPTION 'nummus: cluster run % is % and immutable', OLD.run_id, OLD.state
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.run_id <> OLD.run_id OR NEW.params <> OLD.params OR NEW.index_version <> OLD.index_version
               OR NEW.vector <> OLD.vector THEN
                RAISE EXCEPTION 'nummus: a cluster run keeps its id, index, vector and parameters'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER cluster_runs_guard BEFORE UPDATE OR DELETE ON cluster_runs
            FOR EACH ROW EXECUTE FUNCTION nummus_cluster_run_guard();

        CREATE TABLE IF NOT EXISTS cluster_assignments (
            run_id       integer NOT NULL REFERENCES cluster_runs (run_id),
            coin_id      bigint NOT NULL REFERENCES coins (coin_id),
            cluster      integer NOT NULL,             -- -1 = noise
            probability  real,                          -- HDBSCAN membership, or knn vote share
            method       text NOT NULL CHECK (method IN ('hdbscan', 'knn', 'noise')),
            x            real NOT NULL,
            y            real NOT NULL,
            PRIMARY KEY (run_id, coin_id)
        );
        CREATE INDEX IF NOT EXISTS cluster_assignments_cluster_idx ON cluster_assignments (run_id, cluster);

        CREATE TABLE IF NOT EXISTS cluster_summaries (
            run_id           integer NOT NULL REFERENCES cluster_runs (run_id),
            cluster          integer NOT NULL,
            size             integer NOT NULL,
            labelled         integer NOT NULL,        -- members with a usable period
            dominant_period  text,
            purity           real,                     -- dominant period's share of the labelled
            pure             boolean NOT NULL,
            periods          jsonb NOT NULL,           -- period -> count
            PRIMARY KEY (run_id, cluster)
        );

        CREATE TABLE IF NOT EXISTS audit_queue (
            run_id            integer NOT NULL REFERENCES cluster_runs (run_id),
            coin_id           bigint NOT NULL REFERENCES coins (coin_id),
            reason            text NOT NULL CHECK (reason IN ('cluster_period', 'classifier_period')),
            period            text,                    -- the parsed period
            suggested_period  text NOT NULL,           -- the cluster's dominant period / the prediction
            cluster           integer,
            purity            real,
            confidence        real,
            created_at        timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, coin_id, reason)
        );

        CREATE TABLE IF NOT EXISTS cluster_active (
            singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            run_id      integer NOT NULL REFERENCES cluster_runs (run_id),
            chosen_at   timestamptz NOT NULL DEFAULT now()
        );

        CREATE OR REPLACE FUNCTION nummus_activate_cluster_run(p_run integer) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM cluster_runs WHERE run_id = p_run AND state = 'done') THEN
                RAISE EXCEPTION 'cluster run % is not a finished run', p_run;
            END IF;
            INSERT INTO cluster_active (singleton, run_id) VALUES (true, p_run)
            ON CONFLICT (singleton) DO UPDATE SET run_id = EXCLUDED.run_id, chosen_at = now();
        END $$;
        """
    )
    for table in ("cluster_assignments", "cluster_summaries", "audit_queue"):
        op.execute(
            f"""
            CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW
                EXECUTE FUNCTION nummus_refuse_write('cluster results are never overwritten');
            CREATE TRIGGER {table}_immutable_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT
                EXECUTE FUNCTION nummus_refuse_write('cluster results are never overwritten');
            """
        )
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
                GRANT SELECT ON cluster_runs, cluster_assignments, cluster_summaries, audit_queue,
                                cluster_active TO nummus_app;
            END IF;
        END $$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION IF EXISTS nummus_activate_cluster_run(integer);
        DROP TABLE IF EXISTS cluster_active;
        DROP TABLE IF EXISTS audit_queue;
        DROP TABLE IF EXISTS cluster_summaries;
        DROP TABLE IF EXISTS cluster_assignments;
        DROP TABLE IF EXISTS cluster_runs;
        DROP FUNCTION IF EXISTS nummus_cluster_run_guard();
        """
    )
