"""ingest/: lots enter the warehouse — scraping (one adapter per auction house), file import,
the object store, the local demo auction house, vision (crops) and parsing (labels).

Everything here writes the `raw` schema of the DuckDB warehouse (see raw_tables.sql)."""
