"""app/: app2, the FastAPI search service and its pages.

- `nummus.app.main.create_app(settings)` builds the app; `nummus.app.server.serve(settings, host, port)` runs it
  (`nummus serve`). JSON: POST /api/search, GET /api/coins/{id}, /api/coins/{id}/similar,
  /api/stats, /healthz, /docs; pages: /, /search, /coins/{id}, /stats, /clusters, /clusters/{n},
  /clusters/map.png, /audit; crops: /crops/{key}.
- `nummus.app.service.SearchService`: the operations (async, psycopg pool as the read-only role).
- `nummus.app.query_image`: upload → vision split → encoder of the serving index → query vector.
- `nummus.app.search_index.prepare(conn, version)`: search indexes for a sealed index version.
- `nummus.app.queries`: sql/*.sql as bound statements; `nummus.app.filters.SearchFilters`: the filter contract.
- `nummus.bench.synthetic.vectors`, `nummus.bench.search`: synthetic coins for the tests and `nummus bench search`.
"""
