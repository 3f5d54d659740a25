"""nummus_serve: switch serving between index versions of different dims or vector types

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

0002's `nummus_serve` replaced the view with CREATE OR REPLACE VIEW, which PostgreSQL refuses
when a column changes type ("cannot change data type of view column obv from halfvec(512) to
halfvec(1280)"): serving an index made with another encoder failed. The view is now dropped
and created again in the caller's transaction (readers see the old or the new view, never
none) and the read-only app role gets SELECT on it again.
"""

import textwrap

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# 0002's body with the view dropped and created (upgrade), or replaced in place as 0002 did (downgrade).
_SERVE = """
CREATE OR REPLACE FUNCTION nummus_serve(p_version integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM index_versions WHERE version = p_version
                    AND state IN ('sealed', 'serving')) THEN
        RAISE EXCEPTION 'index version % is not sealed', p_version;
    END IF;
    UPDATE index_versions SET state = 'sealed' WHERE state = 'serving' AND version <> p_version;
    UPDATE index_versions SET state = 'serving' WHERE version = p_version;
    {drop}
    EXECUTE format(
        '{create} search_vectors AS'
        ' SELECT coin_id, period, obv, rev, pair, %s AS index_version, false AS in_delta FROM %I'
        ' UNION ALL'
        ' SELECT coin_id, period, obv, rev, pair, %s AS index_version, true AS in_delta FROM %I',
        p_version, format('index_v%s', p_version), p_version, format('delta_v%s', p_version + 1));
    {grant}
END $$;
"""
_GRANT = """IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nummus_app') THEN
        GRANT SELECT ON search_vectors TO nummus_app;
    END IF;"""


def upgrade() -> None:
    op.execute(_SERVE.format(drop="DROP VIEW IF EXISTS search_vectors;", create="CREATE VIEW", grant=_GRANT))


def downgrade() -> None:
    # 0002's text to the letter (its indentation, no empty lines), so the catalog is 0002's again
    body = _SERVE.format(drop="", create="CREATE OR REPLACE VIEW", grant="")
    op.execute(textwrap.indent("\n".join(line for line in body.splitlines() if line.strip()), " " * 8))
