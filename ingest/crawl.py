"""Scraping a sale: the crawl queue in DuckDB (`raw.crawl_queue`) makes it resumable and
idempotent. A lot's rows (lot version, images, quarantine rows, queue status) commit together,
a few lots per transaction, so `kill -9` anywhere and a rerun of the same command stores every
lot exactly once (objects written before a lost commit are rewritten under the same keys).

Outcomes per lot: `done` (stored, or unchanged), `withdrawn` (stored with lot_status
withdrawn), `missing` (404/410: recorded, not an error), `failed` (quarantined with the reason;
retried by a rerun up to `max_attempts`). `max_misses` consecutive misses end a sale that is
addressed by lot number."""

from __future__ import annotations

import itertools
import time
from typing import Iterator

import duckdb
from pydantic import BaseModel, ValidationError

from nummus.ingest.adapters import Adapter, ParseError, get_adapter
from nummus.ingest.adapters.base import LotRef
from nummus.ingest.http import DEFAULT_RATE, FetchError, Fetcher
from nummus.ingest.images import MAX_PIXELS, ImageRejected, check_image
from nummus.ingest.lot import Lot
from nummus.ingest.raw_writer import RawWriter, insert_rows
from nummus import warehouse
from nummus.errors import NummusError
from nummus.objectstore import get_store
from nummus.progress import Reporter
from nummus.settings import Settings, get_settings

FINISHED = ("done", "missing", "withdrawn")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class ScrapeSummary(BaseModel):
    """What a scrape of one sale did (the CLI prints it; `nummus demo` reports it)."""

    house: str
    sale: str
    stored: int = 0          # lots that got a new version in this run
    unchanged: int = 0       # fetched again, same content as stored
    withdrawn: int = 0
    missing: int = 0
    failed: int = 0
    skipped: int = 0         # already finished by an earlier run
    images: int = 0          # photos stored in this run
    quarantined: int = 0     # bad inputs met in this run (lots and photos; raw.quarantine keeps one row each)
    requests: int = 0
    seconds: float = 0.0
    stopped_after_misses: bool = False
    reasons: dict[str, int] = {}


class CrawlQueue:
    def __init__(self, con: duckdb.DuckDBPyConnection, house: str, sale: str):
        self.con, self.house, self.sale = con, house, sale
        self._marks: list[list] = []
        self._states = {lot: (status, attempts) for lot, status, attempts in con.execute(
            "SELECT lot, status, attempts FROM raw.crawl_queue WHERE house = ? AND sale = ?", [house, sale]).fetchall()}

    def get(self, lot: str) -> tuple[str, int] | None:
        """(status, attempts) of a lot, None when never queued (this process is the only writer)."""
        return self._states.get(lot)

    def add(self, refs: list[LotRef]) -> None:
        self.con.execute("INSERT INTO raw.crawl_queue (house, sale, lot, url) "
                         "SELECT ?, ?, unnest(?::VARCHAR[]), unnest(?::VARCHAR[]) ON CONFLICT DO NOTHING",
                         [self.house, self.sale, [r.lot for r in refs], [r.url for r in refs]])

    def mark(self, lot: str, url: str, status: str, error: str | None = None) -> None:
        """Record a lot's outcome (buffered: written by `flush` with the lot's rows)."""
        self._marks.append([self.house, self.sale, lot, url, status, 1, error])
        self._states[lot] = (status, (self._states.get(lot) or ("", 0))[1] + 1)

    def flush(self) -> None:
        insert_rows(self.con, "raw.crawl_queue", ("house", "sale", "lot", "url", "status", "attempts", "last_error"),
                    self._marks, "ON CONFLICT DO UPDATE SET status = excluded.status, "
                    "attempts = raw.crawl_queue.attempts + 1, last_error = excluded.last_error, "
                    "url = excluded.url, updated_at = now()")
        self._marks = []

    def reset(self) -> None:
        """Fetch every lot of the sale again (a changed page becomes a new version)."""
        self.con.execute("UPDATE raw.crawl_queue SET status = 'pending', attempts = 0 WHERE house = ? AND sale = ?",
                         [self.house, self.sale])
        self._states = {lot: ("pending", 0) for lot in self._states}


class _Batch:
    """Lots written in one transaction: all of a lot's rows and its queue status commit together
    (a kill loses at most the open batch, which a rerun redoes). Committing every few lots, or
    every second, spares a statement per row and a disk flush per lot when the house answers fast."""

    def __init__(self, writer: RawWriter, queue: CrawlQueue, max_lots: int = 20, max_seconds: float = 1.0):
        self.writer, self.queue = writer, queue
        self.max_lots, self.max_seconds = max_lots, max_seconds
        self.lots, self.since = 0, time.monotonic()

    def done_one(self) -> None:
        self.lots += 1
        if self.lots >= self.max_lots or time.monotonic() - self.since >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        if self.lots:
            self.writer.commit(self.queue.flush)
        self.lots, self.since = 0, time.monotonic()


class _Scraper:
    def __init__(self, adapter: Adapter, fetcher: Fetcher, writer: RawWriter, summary: ScrapeSummary,
                 max_pixels: int):
        self.adapter, self.fetcher, self.writer = adapter, fetcher, writer
        self.summary, self.max_pixels = summary, max_pixels

    def _fail(self, queue: CrawlQueue, ref: LotRef, reason: str, detail: str, stage: str = "scrape") -> str:
        self.writer.quarantine(stage=stage, reason=reason, detail=detail, house=queue.house, sale=queue.sale,
                               lot=ref.lot, ref=ref.url)
        queue.mark(ref.lot, ref.url, "failed", f"{reason}: {detail}"[:500])
        self.summary.quarantined += 1
        self.summary.reasons[reason] = self.summary.reasons.get(reason, 0) + 1
        return "failed"

    def lot(self, queue: CrawlQueue, ref: LotRef) -> str:
        try:
            page = self.fetcher.get(ref.url)
        except FetchError as exc:
            if exc.status in (404, 410):
                queue.mark(ref.lot, ref.url, "missing", exc.reason)
                return "missing"
            return self._fail(queue, ref, exc.reason, str(exc))
        ctype = page.content_type.split(";")[0].strip().lower()
        if ctype not in _HTML_TYPES:
            return self._fail(queue, ref, "wrong_content_type", f"{ref.url}: expected HTML, got {ctype or 'none'}")
        try:
            lot = self.adapter.parse(page.text, ref.url)
        except ParseError as exc:
            return self._fail(queue, ref, exc.reason, str(exc))
        except ValidationError as exc:
            return self._fail(queue, ref, "invalid_lot", f"{ref.url}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}")
        photos, rejects = self.photos(lot) if lot.status == "ok" else ([], [])
        stored = self.writer.store_lot(lot, source="scrape")
        for n, url, image, data in photos:
            self.writer.store_image(lot, n, url, image, data)
        for url, reason, detail in rejects:
            self.writer.quarantine(stage="image", reason=reason, detail=detail, house=lot.house, sale=lot.sale,
                                   lot=lot.lot, ref=url, coin=lot.coin_id)
        queue.mark(ref.lot, ref.url, "withdrawn" if lot.status == "withdrawn" else "done")
        self.summary.images += len(photos)
        self.summary.quarantined += len(rejects)
        for _, reason, _ in rejects:
            self.summary.reasons[reason] = self.summary.reasons.get(reason, 0) + 1
        if lot.status == "withdrawn":
            return "withdrawn"
        return "stored" if stored.new else "unchanged"

    def photos(self, lot: Lot) -> tuple[list, list]:
        """Download and check the lot's photos not stored yet (downloaded once)."""
        good, bad = [], []
        for n, url in enumerate(lot.image_urls):
            if self.writer.stored_image_url(lot.house, lot.sale, lot.lot, n) is not None:
                continue
            try:
                data = self.fetcher.get(url).content
                good.append((n, url, check_image(data, max_pixels=self.max_pixels), data))
            except FetchError as exc:
                bad.append((url, exc.reason, str(exc)))
            except ImageRejected as exc:
                bad.append((url, exc.reason, f"{url}: {exc}"))
        return good, bad


def _candidates(adapter: Adapter, fetcher: Fetcher, queue: CrawlQueue, sale: str,
                lots: tuple[int, int] | None, base_url: str | None) -> tuple[Iterator[LotRef], int | None, bool]:
    """(lot refs in order, total if known, whether misses can end the sale)."""
    if lots is None and adapter.lists_lots:
        url = adapter.sale_index_url(sale, base_url)
        try:
            refs = adapter.list_lots(fetcher.get(url).text, url)
        except FetchError as exc:
            raise NummusError(f"{adapter.house}: cannot read the index of sale {sale} at {url}: {exc}") from exc
        queue.add(refs)
        return iter(refs), len(refs), False
    numbers = range(lots[0], lots[1] + 1) if lots else itertools.count(1)
    refs = (LotRef(str(n), adapter.lot_url(sale, str(n), base_url)) for n in numbers)
    return refs, (lots[1] - lots[0] + 1 if lots else None), True


def scrape(house: str, sale: str, *, lots: tuple[int, int] | None = None, base_url: str | None = None,
           rate: float = DEFAULT_RATE, settings: Settings | None = None, max_misses: int = 20,
           max_attempts: int = 3, refresh: bool = False, max_pixels: int = MAX_PIXELS,
           fetcher: Fetcher | None = None, reporter: Reporter | None = None) -> ScrapeSummary:
    """Scrape one sale into raw.lots / raw.images / the object store; resumable and idempotent.

    `lots=(a, b)` addresses lot numbers a..b; without it a house that lists its lots (demo) is
    read from its sale index, others are walked from lot 1 until `max_misses` misses in a row."""
    settings = settings or get_settings()
    adapter = get_adapter(house)
    reporter = reporter or Reporter("lots", enabled=False)
    warehouse.init_warehouse(settings)
    summary = ScrapeSummary(house=house, sale=sale)
    started = time.perf_counter()
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(rate=rate)
    try:
        with warehouse.session(settings) as con:
            queue = CrawlQueue(con, house, sale)
            if refresh:
                queue.reset()
            writer = RawWriter(con, get_store(settings))
            scraper = _Scraper(adapter, fetcher, writer, summary, max_pixels)
            refs, total, misses_end = _candidates(adapter, fetcher, queue, sale, lots, base_url)
            reporter.start(f"scrape {house} {sale}", total)
            misses = 0
            batch = _Batch(writer, queue)
            for ref in refs:
                if misses_end and misses >= max_misses:
                    summary.stopped_after_misses = True
                    break
                state = queue.get(ref.lot)
                if state and (state[0] in FINISHED or state[1] >= max_attempts):
                    outcome = "skipped"
                    misses = misses + 1 if state[0] == "missing" else 0
                else:
                    outcome = scraper.lot(queue, ref)
                    batch.done_one()
                    misses = misses + 1 if outcome == "missing" else 0
                if outcome == "skipped":
                    summary.skipped += 1
                else:
                    setattr(summary, outcome, getattr(summary, outcome) + 1)
                reporter.advance(outcome=outcome)
            batch.commit()
    finally:
        reporter.stop()
        summary.requests = fetcher.requests
        if own_fetcher:
            fetcher.close()
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def list_sales(house: str, *, base_url: str | None = None, fetcher: Fetcher | None = None,
               rate: float = DEFAULT_RATE) -> list[str]:
    """The sales a house's index page lists (houses with `lists_sales`, e.g. demo)."""
    adapter = get_adapter(house)
    url = adapter.house_index_url(base_url)
    if not adapter.lists_sales or url is None:
        raise NummusError(f"{house}: the house lists no sales; name one with --sale")
    own = fetcher is None
    fetcher = fetcher or Fetcher(rate=rate)
    try:
        sales = adapter.list_sales(fetcher.get(url).text)
    except FetchError as exc:
        raise NummusError(f"{house}: cannot read the house index at {url}: {exc}") from exc
    finally:
        if own:
            fetcher.close()
    if not sales:
        raise NummusError(f"{house}: the index at {url} lists no sales")
    return sales


def scrape_house(house: str, *, base_url: str | None = None, rate: float = DEFAULT_RATE,
                 settings: Settings | None = None, reporter_factory=None, **options) -> list[ScrapeSummary]:
    """Every sale the house index lists, one `scrape` each (resumable like `scrape`)."""
    return [scrape(house, sale, base_url=base_url, rate=rate, settings=settings,
                   reporter=reporter_factory() if reporter_factory else None, **options)
            for sale in list_sales(house, base_url=base_url, rate=rate)]
