"""migrations/ (`nummus.migrations`): the Alembic environment and revisions of the PostgreSQL
schema, shipped as package data (Alembic loads them by path through `nummus.resources`)."""
