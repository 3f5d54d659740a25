"""search: nummus_search / nummus_similar / nummus_prepare_search, search_settings, search_period_counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The function bodies live in sql/search_functions.sql (CREATE OR REPLACE throughout), read here
so that analysts see the search next to sql/search.sql; a later change to them comes with a new
revision that runs the file again. The reasoning and the measurements: sql/README.md.
"""

from alembic import op

from nummus import resources

_SQL = resources.sql("search_functions.sql")

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(_SQL.read_text())
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
                                                    date, date, boolean);
        DROP FUNCTION IF EXISTS nummus_serving();
        DROP VIEW IF EXISTS search_coin_fields;
        DROP TABLE IF EXISTS search_period_counts;
        DROP TABLE IF EXISTS search_settings;
        """
    )
