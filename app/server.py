"""Serve app2 with uvicorn (blocking): `serve(settings, host, port)`; `nummus serve`."""

from __future__ import annotations

from nummus.settings import Settings, get_settings


def serve(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          log_level: str = "info") -> None:
    import uvicorn

    from nummus.app.main import create_app

    app = create_app(settings or get_settings())
    # one process: the pool queues requests (never 429), the encoder runs in a thread pool
    uvicorn.run(app, host=host, port=port, log_level=log_level, backlog=2048, timeout_keep_alive=10)
