"""period classifier: predictions per coin and model version

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

`period_predictions` holds (period, confidence) for every coin of the index, per model
version (`period_vN`, the artifacts folder under DATA_DIR/artifacts). A model version's rows
are written once in one transaction; a rerun of the same version writes nothing new. The
cluster audit queue reads the latest prediction per coin (created_at) when the table exists.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS period_predictions (
            coin_id        bigint NOT NULL,
            model_version  text NOT NULL,
            period         text NOT NULL,
            confidence     real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
            index_version  integer,
            created_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (coin_id, model_version)
        );
        CREATE INDEX IF NOT EXISTS period_predictions_model_idx ON period_predictions (model_version);
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
                GRANT SELECT ON period_predictions TO nummus_app;
            END IF;
        END $$;
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS period_predictions")
