"""app2: `create_app(settings)` builds the FastAPI application (JSON API + HTML pages)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from nummus.app import api, cluster_pages, pages
from nummus.app.db import app_database_url, make_pool, open_pool
from nummus.app.service import SearchService
from nummus.objectstore import get_store
from nummus.settings import Settings, get_settings


def create_app(settings: Settings | None = None, *, pool_size: int = 8, encoder_threads: int = 2) -> FastAPI:
    """The app; its PostgreSQL pool (read-only role) opens on startup and closes on shutdown."""
    settings = settings or get_settings()
    url = app_database_url(settings)
    pool = make_pool(url, max_size=pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await open_pool(pool, url)
        try:
            yield
        finally:
            await app.state.service.close()
            await pool.close()

    app = FastAPI(title="nummus app2", version="1.0",
                  description="Which coins look like this one? Upload a lot photo, get the most similar coins.",
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.store = get_store(settings)
    app.state.service = SearchService(pool, encoder_threads=encoder_threads)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(cluster_pages.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).resolve().parent / "static")), name="static")
    api.register_errors(app)
    return app
