"""search functions declare ROWS 10 (a nested loop over coins instead of a merge join over all)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

sql/search_functions.sql is run again (CREATE OR REPLACE throughout), as 0004 says later
changes to it are made.
"""

from alembic import op

from nummus import resources

_SQL = resources.sql("search_functions.sql")

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(_SQL.read_text())


def downgrade() -> None:
    for signature in ("nummus_search(halfvec, text, integer, text, text, text, double precision, double precision,"
                      " date, date, integer)",
                      "nummus_similar(bigint, text, integer, text, text, text, double precision, double precision,"
                      " date, date)"):
        op.execute(f"ALTER FUNCTION {signature} ROWS 1000")
