"""app/: app2, the FastAPI search service and its pages.

- `app.main.create_app(settings)` builds the app; `app.server.serve(settings, host, port)` runs it
  (`nummus serve`). JSON: POST /api/search, GET /api/coins/{id}, /api/coins/{id}/similar,
  /api/stats, /healthz, /docs; pages: /, /search, /coins/{id}, /stats; crops: /crops/{key}.
- `app.service.SearchService`: the operations (async, psycopg pool as the read-only role).
- `app.query_image`: upload → vision split → encoder of the serving index → query vector.
- `app.search_index.prepare(conn, version)`: search indexes for a sealed index version.
- `app.queries`: sql/*.sql as bound statements; `app.filters.SearchFilters`: the filter contract.
- `app.synthetic`, `app.bench`: synthetic coins for the tests and `nummus bench search`.
"""
