"""The vision batch: every lot whose main photo has no crops at the current crop_version (or
whose photo changed) is decoded, split and cropped in a process pool; the parent writes
`raw.crops` and `raw.quarantine` in small transactions (DuckDB has one writer), so a killed
run resumes where it stopped and a second run does nothing."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context

from pydantic import BaseModel

from nummus.ingest.vision.quality import SINGLE_REASON, YELLOW_FLAGS
from nummus.quarantine import Entry, record_many
from nummus.settings import Settings, get_settings

_PARENT = os.getpid()
COMMIT_EVERY = 32          # rows per transaction
COMMIT_SECONDS = 2.0       # or this often, whichever comes first


class VisionSummary(BaseModel):
    crop_version: str
    todo: int
    processed: int = 0
    by_status: dict[str, int] = {}
    by_layout: dict[str, int] = {}
    quarantined: int = 0
    workers: int = 1
    seconds: float = 0.0
    worker_cpu_seconds: float = 0.0   # CPU time spent decoding, detecting, cropping, storing
    parent_cpu_seconds: float = 0.0   # CPU time of the coordinating process (queries, DuckDB writes)
    images_per_second: float = 0.0


@dataclass(frozen=True)
class Task:
    coin_id: int
    house: str
    sale: str
    lot: str
    object_key: str
    sha256: str | None
    second_key: str | None = None   # the lot's second photo (n = 1): the reverse of a single coin


TODO_SQL = """
SELECT i.coin_id, i.house, i.sale, i.lot, i.object_key, i.sha256, j.object_key
FROM raw.images i
LEFT JOIN raw.images j ON j.house = i.house AND j.sale = i.sale AND j.lot = i.lot AND j.n = 1
WHERE i.n = 0 AND NOT EXISTS (
    SELECT 1 FROM raw.crops c
    WHERE c.coin_id = i.coin_id AND c.crop_version = $version
      AND c.image_sha256 IS NOT DISTINCT FROM i.sha256)
ORDER BY i.coin_id
"""

CROP_COLUMNS = ("coin_id", "crop_version", "image_sha256", "layout", "side_rule", "obv_key", "rev_key",
                "obv_small_key", "rev_small_key", "obv_flags", "rev_flags", "status", "reasons",
                "confidence", "detection")
INSERT_CROP = (f"INSERT OR REPLACE INTO raw.crops ({', '.join(CROP_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in CROP_COLUMNS)})")


def pending(con, version: str, limit: int | None = None) -> list[Task]:
    rows = con.execute(TODO_SQL + (f" LIMIT {int(limit)}" if limit else ""), {"version": version}).fetchall()
    return [Task(*r) for r in rows]


def process(task: Task, settings: Settings) -> dict:
    """Worker: one lot photo -> {"row": raw.crops row or None, "quarantine": [(reason, detail)],
    "cpu": CPU seconds it took}."""
    started = time.process_time()
    result = _process(task, settings)
    result["cpu"] = time.process_time() - started
    return result


def _process(task: Task, settings: Settings) -> dict:
    from nummus.ingest.vision.config import crop_key, vision_config
    from nummus.ingest.vision.decode import PhotoRejected
    from nummus.ingest.vision.splitter import split_photo
    from nummus.objectstore import get_store

    if os.getpid() != _PARENT:
        import cv2

        cv2.setNumThreads(1)  # a pool worker (a fresh process): parallel by processes
    config = vision_config(settings)
    version = config.crop_version
    store = get_store(settings)
    try:
        data = store.get(task.object_key)
    except FileNotFoundError:
        return {"row": None, "quarantine": [("missing_object", f"object {task.object_key} is not in the store")]}
    try:
        split = split_photo(data, config)
    except PhotoRejected as exc:
        detection = {"error": exc.reason, "detail": exc.detail, "bytes": len(data)}
        return {"row": _row(task, version, layout="none", status="red", reasons=[f"{exc.reason}: {exc.detail}"],
                            detection=detection),
                "quarantine": [(exc.reason, exc.detail)]}
    except Exception as exc:  # noqa: BLE001 - one bad photo never stops the batch
        return {"row": None, "quarantine": [("vision_error", f"{exc.__class__.__name__}: {exc}")]}
    det = split.detection
    keys: dict[str, str | None] = {}
    for side in ("obv", "rev"):
        keys[side] = keys[f"{side}_small"] = None
        if side in split.crops:
            full, small = split.crops[side]
            keys[side] = store.put(crop_key(version, task.coin_id, side), full)
            keys[f"{side}_small"] = store.put(crop_key(version, task.coin_id, side, config.small_size), small)
    if det.layout == "single" and task.second_key:
        _reverse_from_second_photo(task, split, keys, store, config)
    obv, rev = det.side("obv"), det.side("rev")
    # conversions that were handled (CMYK, 16-bit, alpha, grayscale, reduced decode) are recorded
    # in detection.input_notes; only input that could not be used is quarantined
    return {"row": _row(task, version, layout=det.layout, status=det.status, reasons=det.reasons,
                        detection=det.model_dump(mode="json"), side_rule=det.side_rule, keys=keys,
                        obv_flags=obv.flags if obv else None, rev_flags=rev.flags if rev else None,
                        confidence=det.confidence),
            "quarantine": []}


def _reverse_from_second_photo(task: Task, split, keys: dict, store, config) -> None:
    """A coin photographed one side per photo: when the main photo holds a single coin and the
    lot's second photo holds a single coin too, that coin is the reverse (rule recorded)."""
    from nummus.ingest.vision.config import crop_key
    from nummus.ingest.vision.decode import PhotoRejected
    from nummus.ingest.vision.splitter import split_photo

    det = split.detection
    try:
        second = split_photo(store.get(task.second_key), config)
    except (PhotoRejected, FileNotFoundError) as exc:
        det.reasons.append(f"second_photo_unusable: {getattr(exc, 'reason', exc)}")
        return
    if second.detection.layout != "single" or "obv" not in second.crops:
        det.reasons.append(f"second_photo_not_single: {second.detection.layout}")
        return
    coin = second.detection.coins[0].model_copy(update={"side": "rev"})
    full, small = second.crops["obv"]
    keys["rev"] = store.put(crop_key(config.crop_version, task.coin_id, "rev"), full)
    keys["rev_small"] = store.put(crop_key(config.crop_version, task.coin_id, "rev", config.small_size), small)
    det.coins.append(coin)
    det.side_rule = "single_photos: first photo obverse, second photo reverse"
    det.reasons = [r for r in det.reasons if r != SINGLE_REASON]
    det.reasons += [f"rev: {f}" for f in coin.flags if f in YELLOW_FLAGS]
    det.status = "yellow" if det.reasons else "green"
    det.confidence = round(min(det.confidence / 0.8, second.detection.confidence / 0.8, 1.0), 3)


def _row(task: Task, version: str, *, layout: str, status: str, reasons: list[str], detection: dict,
         side_rule: str | None = None, keys: dict | None = None, obv_flags=None, rev_flags=None,
         confidence: float | None = None) -> tuple:
    keys = keys or {}
    return (task.coin_id, version, task.sha256, layout, side_rule, keys.get("obv"), keys.get("rev"),
            keys.get("obv_small"), keys.get("rev_small"), obv_flags, rev_flags, status, reasons, confidence,
            json.dumps(detection))


def run_vision(settings: Settings | None = None, workers: int | None = None, limit: int | None = None,
               progress: bool = True) -> VisionSummary:
    """Cut the crops of every lot that lacks them at the current crop_version."""
    from nummus import warehouse
    from nummus.ingest.vision.config import crop_version
    from nummus.progress import Reporter

    settings = settings or get_settings()
    version = crop_version(settings)
    started, cpu_started = time.perf_counter(), time.process_time()
    with warehouse.session(settings, read_only=True) as con:
        tasks = pending(con, version, limit)
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks) or 1))
    summary = VisionSummary(crop_version=version, todo=len(tasks), workers=workers)
    status, layout = Counter(), Counter()
    pool = _start_pool(workers)  # before the warehouse is opened for writing: children never hold it
    try:
        con = warehouse.connect(settings)
        try:
            writer = _Writer(con)
            with Reporter("img", enabled=progress).start("vision", len(tasks)) as bar:
                for task, result in _results(tasks, settings, pool):
                    row = result["row"]
                    if row is not None:
                        status[row[CROP_COLUMNS.index("status")]] += 1
                        layout[row[CROP_COLUMNS.index("layout")]] += 1
                    for reason, detail in result["quarantine"]:
                        writer.quarantine(Entry("vision", reason, detail, task.house, task.sale, task.lot,
                                                task.coin_id, task.object_key))
                        summary.quarantined += 1
                    writer.crop(row)
                    summary.processed += 1
                    summary.worker_cpu_seconds += result.get("cpu", 0.0)
                    bar.advance()
            writer.flush()
        finally:
            con.close()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    summary.by_status, summary.by_layout = dict(status), dict(layout)
    summary.seconds = round(time.perf_counter() - started, 2)
    parent_cpu = time.process_time() - cpu_started
    if pool is None:  # inline: the parent did the workers' share too
        parent_cpu -= summary.worker_cpu_seconds
    summary.parent_cpu_seconds = round(max(parent_cpu, 0.0), 3)
    summary.worker_cpu_seconds = round(summary.worker_cpu_seconds, 3)
    summary.images_per_second = round(summary.processed / summary.seconds, 2) if summary.seconds else 0.0
    return summary


def _warm(_: int) -> int:
    return os.getpid()


def _start_pool(workers: int) -> ProcessPoolExecutor | None:
    """A started process pool (None for one worker: the work runs inline). Workers come from a
    fork server that has imported the vision code and run nothing else (forking the caller,
    whose OpenCV thread pool may be busy, can deadlock the children), or are spawned."""
    if workers == 1:
        return None
    if "forkserver" in get_all_start_methods():
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["nummus.ingest.vision.splitter", "nummus.ingest.vision.batch"])
    else:
        ctx = get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    list(pool.map(_warm, range(workers)))
    return pool


def _results(tasks: list[Task], settings: Settings, pool: ProcessPoolExecutor | None):
    """(task, result) in completion order; inline without a pool, else at most 4 per worker in flight."""
    if pool is None:
        for task in tasks:
            yield task, process(task, settings)
        return
    queue = iter(tasks)
    running: dict = {}
    for task in queue:
        running[pool.submit(process, task, settings)] = task
        if len(running) >= pool._max_workers * 4:
            break
    while running:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for fut in done:
            task = running.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker is one bad photo
                result = {"row": None, "quarantine": [("vision_error", f"worker failed: {exc}")]}
            yield task, result
            nxt = next(queue, None)
            if nxt is not None:
                running[pool.submit(process, nxt, settings)] = nxt


class _Writer:
    """Buffers rows and commits them in small transactions."""

    def __init__(self, con):
        self.con = con
        self.crops: list[tuple] = []
        self.quarantined: list[Entry] = []
        self.last = time.monotonic()

    def crop(self, row: tuple | None) -> None:
        if row is not None:
            self.crops.append(row)
        if len(self.crops) + len(self.quarantined) >= COMMIT_EVERY or time.monotonic() - self.last > COMMIT_SECONDS:
            self.flush()

    def quarantine(self, entry: Entry) -> None:
        self.quarantined.append(entry)

    def flush(self) -> None:
        if self.crops or self.quarantined:
            self.con.execute("BEGIN")
            if self.crops:
                self.con.executemany(INSERT_CROP, self.crops)
            record_many(self.con, self.quarantined)
            self.con.execute("COMMIT")
        self.crops, self.quarantined = [], []
        self.last = time.monotonic()
