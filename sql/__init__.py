"""sql/ (`nummus.sql`): the search query contract and analysts' queries over PostgreSQL/pgvector,
shipped as package data (read through `nummus.resources`)."""
