"""The app's operations over the pool, the object store and the encoder (used by the JSON API
and the HTML pages alike)."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import psycopg
from psycopg_pool import AsyncConnectionPool

from nummus.app import queries
from nummus.app.filters import SearchFilters
from nummus.app.query_image import EncoderCache, QueryEncoder, QueryImage, query_vector, split_upload
from nummus.errors import NummusError


class NotFound(NummusError):
    """404: an unknown coin or a coin without vectors."""


class BadQuery(NummusError):
    """422: a value the database refuses (wrong vector dimension, k out of range, …)."""


class NoIndex(NummusError):
    """503: no index version is serving yet."""


def crop_url(key: str | None) -> str | None:
    return f"/crops/{quote(key)}" if key else None


def hit(row: dict, clusters: dict[int, int] | None = None) -> dict:
    out = {k: v for k, v in row.items() if not k.endswith("_key") and k != "path"}
    for side in ("obv", "rev", "obv_small", "rev_small"):
        out[f"{side}_url"] = crop_url(row.get(f"{side}_key"))
    out["cluster"] = (clusters or {}).get(row["coin_id"])
    return out


class SearchService:
    def __init__(self, pool: AsyncConnectionPool, *, encoder_threads: int = 2):
        self.pool = pool
        self.encoders = EncoderCache()
        self.executor = ThreadPoolExecutor(max_workers=encoder_threads, thread_name_prefix="nummus-encode")
        self._tables: dict[str, bool] = {}  # optional tables (later steps' migrations): present?

    async def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _fetch(self, sql: str, params: dict | None = None) -> list[dict]:
        async with self.pool.connection() as conn:
            try:
                cur = await conn.execute(sql, params or {})
                return await cur.fetchall()
            except psycopg.errors.NoDataFound as exc:
                text = exc.diag.message_primary or str(exc)
                raise (NoIndex if "serving" in text else NotFound)(text) from exc
            except (psycopg.errors.InvalidParameterValue, psycopg.errors.DataException) as exc:
                raise BadQuery(exc.diag.message_primary or str(exc)) from exc
            except psycopg.errors.UndefinedTable as exc:  # before the first serve: no search_vectors view
                raise NoIndex(f"no index version is serving yet (run the embed step): "
                              f"{exc.diag.message_primary or exc}") from exc

    async def serving(self) -> dict:
        rows = await self._fetch(queries.SERVING)
        if not rows:
            raise NoIndex("no index version is serving yet (run the embed step)")
        row = rows[0]
        if isinstance(row["encoder_id"], str):
            row["encoder_id"] = json.loads(row["encoder_id"])
        return row

    async def _clusters(self, ids: list[int]) -> dict[int, int]:
        """Cluster of each coin in the clustering run chosen for the app (`cluster_active`,
        migration 0005), when there is one."""
        if not ids or not (await self._has("cluster_active") and await self._has("cluster_assignments")):
            return {}
        rows = await self._fetch("SELECT a.coin_id, a.cluster FROM cluster_active ca"
                                 " JOIN cluster_assignments a ON a.run_id = ca.run_id"
                                 " WHERE a.coin_id = ANY(%(ids)s) AND a.cluster >= 0", {"ids": ids})
        return {r["coin_id"]: r["cluster"] for r in rows}

    async def _hits(self, rows: list[dict]) -> list[dict]:
        clusters = await self._clusters([r["coin_id"] for r in rows])
        return [hit(r, clusters) for r in rows]

    # --- search -----------------------------------------------------------------------------
    async def search_vector(self, vector, side: str, k: int, filters: SearchFilters) -> list[dict]:
        rows = await self._fetch(queries.statement("search.sql"), queries.search_params(vector, side, k, filters))
        return await self._hits(rows)

    async def encoder_for_serving(self) -> QueryEncoder:
        serving = await self.serving()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.encoders.get, serving["encoder_id"])

    async def search_upload(self, data: bytes, encoder: QueryEncoder, *, side: str = "auto", k: int = 10,
                            filters: SearchFilters | None = None) -> dict:
        filters = filters or SearchFilters()
        serving = await self.serving()
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        query: QueryImage = await loop.run_in_executor(self.executor, split_upload, data, side)
        t1 = time.perf_counter()
        searched, vector = await loop.run_in_executor(self.executor, query_vector, encoder, query)
        t2 = time.perf_counter()
        results = await self.search_vector(vector, searched, k, filters)
        t3 = time.perf_counter()
        return {
            "query": {"layout": query.layout, "sides": query.sides, "searched": searched,
                      "crops": query.crop_data_urls(), "detection": query.detection},
            "k": k, "filters": filters.active(), "index_version": serving["version"], "results": results,
            "timings_ms": {"split": round((t1 - t0) * 1000, 2), "encode": round((t2 - t1) * 1000, 2),
                           "sql": round((t3 - t2) * 1000, 2), "total": round((t3 - t0) * 1000, 2)},
        }

    async def similar(self, coin_id: int, *, side: str = "pair", k: int = 10,
                      filters: SearchFilters | None = None) -> dict:
        filters = filters or SearchFilters()
        serving = await self.serving()
        await self.coin(coin_id)  # 404 for an unknown coin
        t0 = time.perf_counter()
        rows = await self._fetch(queries.statement("similar.sql"), queries.similar_params(coin_id, side, k, filters))
        return {"coin_id": coin_id, "side": side, "k": k, "filters": filters.active(),
                "index_version": serving["version"], "results": await self._hits(rows),
                "timings_ms": {"sql": round((time.perf_counter() - t0) * 1000, 2)}}

    async def other_sales(self, coin_id: int, *, k: int = 20) -> list[dict]:
        """Likely the same coin sold elsewhere: neighbours from another sale with high cosine."""
        coin = await self.coin(coin_id)
        res = await self.similar(coin_id, k=k)
        return [r for r in res["results"] if r["cosine"] is not None
                and r["cosine"] >= queries.OTHER_SALES_MIN_COSINE
                and (r["house"], r["sale"]) != (coin["house"], coin["sale"])]

    # --- coins and stats ----------------------------------------------------------------------
    async def coin(self, coin_id: int) -> dict:
        rows = await self._fetch(queries.COIN, {"coin_id": coin_id})
        if not rows:
            raise NotFound(f"unknown coin_id {coin_id}")
        coin = (await self._hits(rows))[0]
        if await self._has("period_predictions"):
            for row in await self._fetch(queries.PREDICTION, {"coin_id": coin_id}):
                coin.update(row)
        return coin

    async def _has(self, table: str) -> bool:
        """Whether an optional table (made by a later step's migration) exists; asked once."""
        if table not in self._tables:
            rows = await self._fetch("SELECT to_regclass(%(t)s) IS NOT NULL AS present", {"t": table})
            self._tables[table] = bool(rows[0]["present"])
        return self._tables[table]

    async def stats(self) -> dict:
        try:
            serving = await self.serving()
            serving = {**serving, "encoder": serving["encoder_id"].get("spec") or serving["encoder_id"].get("model")}
            serving.pop("encoder_id", None)
        except NoIndex:
            serving = None
        counts = (await self._fetch(queries.COUNTS))[0] if serving else {"coins": 0, "vectors": 0, "in_delta": 0}
        coverage = await self._fetch(queries.statement("examples/coverage_by_period.sql")) if serving else []
        houses = await self._fetch("SELECT coalesce(house, '(none)') AS house, count(*) AS coins FROM coins"
                                   " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20")
        denominations = await self._fetch("SELECT coalesce(denomination, '(none)') AS denomination, count(*) AS coins"
                                          " FROM coins GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20")
        return {"serving": serving, **counts, "coverage": coverage, "houses": houses,
                "denominations": denominations}

    async def periods(self) -> list[str]:
        rows = await self._fetch("SELECT DISTINCT period FROM coins WHERE period IS NOT NULL ORDER BY 1")
        return [r["period"] for r in rows]

    async def denominations(self) -> list[str]:
        rows = await self._fetch("SELECT DISTINCT denomination FROM coins WHERE denomination IS NOT NULL ORDER BY 1")
        return [r["denomination"] for r in rows]
