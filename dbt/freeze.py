"""Freezes: immutable, versioned snapshots of marts.coins (`frozen.coins_vN`).

`freeze()` runs gate_freeze and refuses on failure, then in one DuckDB transaction copies
marts.coins into `frozen.coins_vN`, writes its Parquet copy (`freezes/coins_vN.parquet`) and
manifest (`freezes/freeze_vN.json`) to the object store, and records the freeze in
`meta.freezes`. DuckDB has no triggers: only this module writes the `frozen` schema, every other
writer refuses frozen names (`nummus.warehouse.refuse_frozen_write`), and `verify()` recomputes
the content hash of the table and of the Parquet copy. An existing version is never overwritten;
lots that arrive after a freeze go into the next one.

Content hash: sha256 over the md5 of each row's JSON (`to_json(row)`), rows ordered by coin_id,
so it depends on every column's value and nothing else (not on file layout or row order).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

from nummus import objectstore, warehouse
from nummus.errors import NummusError
from nummus.settings import Settings, get_settings

_VERSION = re.compile(r"^v?(\d+)$")


class FreezeRefused(NummusError):
    """A freeze that must not happen: the version exists, or gate_freeze fails (`gate` holds
    the failing gate's result then)."""

    def __init__(self, message: str, *, gate=None):
        super().__init__(message)
        self.gate = gate


class FreezeManifest(BaseModel):
    version: str
    table: str
    parquet_key: str
    manifest_key: str
    row_count: int
    min_coin_id: int | None
    max_coin_id: int | None
    content_sha256: str
    parser_versions: list[str]
    crop_versions: list[str]
    gates: dict = Field(default_factory=dict)
    created_at: datetime
    git_revision: str | None
    previous: str | None
    warehouse: str


class VerifyResult(BaseModel):
    version: str
    ok: bool
    checks: list[dict]  # {"check", "ok", "expected", "found"}


def normalise_version(version: str | int) -> str:
    m = _VERSION.match(str(version).strip())
    if not m or int(m.group(1)) < 1:
        raise FreezeRefused(f"freeze version must look like v1, v2, ... (got {version!r})")
    return f"v{int(m.group(1))}"


def table_name(version: str) -> str:
    return f"coins_{normalise_version(version)}"


def manifest_key(version: str) -> str:
    return f"freezes/freeze_{normalise_version(version)}.json"


def parquet_key(version: str) -> str:
    return f"freezes/{table_name(version)}.parquet"


def content_hash(con, relation: str) -> tuple[int, int | None, int | None, str]:
    """(rows, min coin_id, max coin_id, sha256 of the canonical content) of a relation."""
    return con.execute(
        f"SELECT count(*), min(coin_id), max(coin_id),"
        f" sha256(coalesce(string_agg(md5(to_json(t)::VARCHAR), '' ORDER BY coin_id), ''))"
        f" FROM {relation} AS t").fetchone()


def _frozen_tables(con) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'frozen'").fetchall()}


def _committed_versions(con) -> set[int]:
    """Versions frozen in this warehouse (a frozen table or a meta.freezes record)."""
    found = {int(t.split("_v")[1]) for t in _frozen_tables(con) if re.fullmatch(r"coins_v\d+", t)}
    return found | {int(v[1:]) for (v,) in con.execute("SELECT version FROM meta.freezes").fetchall()}


def _stored_versions(store) -> set[int]:
    """Versions with a manifest in the object store (possibly from another warehouse)."""
    found = set()
    for key, _ in store.list("freezes"):
        m = re.search(r"freeze_v(\d+)\.json$", key)
        if m:
            found.add(int(m.group(1)))
    return found


def _git_revision() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(Path(__file__).parent), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def _interrupted(store, version: str, settings: Settings) -> bool:
    """True when the store holds this version's manifest from a freeze of this warehouse that never
    committed (killed between writing the objects and the DuckDB commit): safe to redo. Called
    only for versions this warehouse has not committed."""
    try:
        old = json.loads(store.get(manifest_key(version)))
    except Exception:  # noqa: BLE001 - unreadable manifest: not ours to replace
        return False
    return old.get("warehouse") == str(settings.warehouse_path)


def freeze(settings: Settings | None = None, version: str | None = None, *, dbt_vars: dict | None = None
           ) -> FreezeManifest:
    """Freeze marts.coins as `frozen.coins_vN` (next free N unless given); refuses an existing
    version and a failing gate_freeze."""
    from nummus.dbt.gates import run_gate

    settings = settings or get_settings()
    store = objectstore.get_store(settings)
    with warehouse.session(settings) as con:
        committed = _committed_versions(con)
    # versions in the store that an interrupted freeze of this warehouse left behind are redone
    taken = committed | {n for n in _stored_versions(store) if not _interrupted(store, f"v{n}", settings)}
    if version is None:
        version = f"v{max(taken, default=0) + 1}"
    version = normalise_version(version)
    if int(version[1:]) in committed:
        raise FreezeRefused(f"freeze {version} exists (frozen.{table_name(version)}); freezes are never overwritten")
    if int(version[1:]) in taken:
        raise FreezeRefused(f"freeze {version} exists in the object store ({manifest_key(version)}); "
                            "freezes are never overwritten")
    table = table_name(version)

    gate = run_gate("gate_freeze", settings, dbt_vars=dbt_vars)
    if not gate.passed:
        failing = ", ".join(f"{t.name} ({t.failures} rows)" if t.status != "error" else f"{t.name} (error)"
                            for t in gate.failing) or "no tests ran"
        raise FreezeRefused(f"gate_freeze fails, freeze {version} refused: {failing}", gate=gate)

    with warehouse.session(settings) as con, tempfile.TemporaryDirectory() as tmp:
        prev = con.execute("SELECT version FROM meta.freezes ORDER BY created_at DESC LIMIT 1").fetchone()
        previous = prev[0] if prev else None
        con.execute("BEGIN")
        try:
            con.execute(f"CREATE TABLE frozen.{table} AS SELECT * FROM marts.coins ORDER BY coin_id")
            rows, lo, hi, digest = content_hash(con, f"frozen.{table}")
            parsers = [r[0] for r in con.execute(
                f"SELECT DISTINCT parser_version FROM frozen.{table} WHERE parser_version IS NOT NULL ORDER BY 1"
            ).fetchall()]
            crops = [r[0] for r in con.execute(
                f"SELECT DISTINCT crop_version FROM frozen.{table} WHERE crop_version IS NOT NULL ORDER BY 1"
            ).fetchall()]
            local = Path(tmp) / f"{table}.parquet"
            con.execute(f"COPY frozen.{table} TO '{local}' (FORMAT parquet, COMPRESSION zstd)")
            manifest = FreezeManifest(
                version=version, table=f"frozen.{table}", parquet_key=parquet_key(version),
                manifest_key=manifest_key(version), row_count=rows, min_coin_id=lo, max_coin_id=hi,
                content_sha256=digest, parser_versions=parsers, crop_versions=crops, gates=gate.summary(),
                created_at=datetime.now(timezone.utc), git_revision=_git_revision(), previous=previous,
                warehouse=str(settings.warehouse_path))
            store.put(manifest.parquet_key, local.read_bytes())
            store.put(manifest.manifest_key, manifest.model_dump_json(indent=2).encode())
            con.execute("INSERT INTO meta.freezes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [version, rows, lo, hi, digest, manifest.manifest_key, manifest.parquet_key,
                         manifest.created_at.replace(tzinfo=None)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return manifest


def load_manifest(version: str, settings: Settings | None = None) -> FreezeManifest:
    settings = settings or get_settings()
    store = objectstore.get_store(settings)
    key = manifest_key(version)
    if not store.exists(key):
        raise FreezeRefused(f"no freeze {normalise_version(version)}: {key} is not in the object store")
    return FreezeManifest.model_validate_json(store.get(key))


def list_freezes(settings: Settings | None = None) -> list[FreezeManifest]:
    """Every freeze whose manifest is in the object store, oldest first."""
    settings = settings or get_settings()
    store = objectstore.get_store(settings)
    found = []
    for key, _ in store.list("freezes"):
        if re.search(r"freeze_v\d+\.json$", key):
            found.append(FreezeManifest.model_validate_json(store.get(key)))
    return sorted(found, key=lambda m: int(m.version[1:]))


def verify(version: str, settings: Settings | None = None) -> VerifyResult:
    """Recompute the content hash of frozen.coins_vN and of its Parquet copy against the manifest
    (and meta.freezes); ok only when every check agrees."""
    settings = settings or get_settings()
    version = normalise_version(version)
    manifest = load_manifest(version, settings)
    store = objectstore.get_store(settings)
    expected = (manifest.row_count, manifest.min_coin_id, manifest.max_coin_id, manifest.content_sha256)
    checks: list[dict] = []

    def check(name: str, found) -> None:
        checks.append({"check": name, "ok": tuple(found) == expected, "expected": list(expected),
                       "found": list(found)})

    with warehouse.session(settings) as con, tempfile.TemporaryDirectory() as tmp:
        if table_name(version) in _frozen_tables(con):
            check("table", content_hash(con, manifest.table))
        else:
            checks.append({"check": "table", "ok": False, "expected": manifest.table, "found": "missing"})
        rec = con.execute("SELECT row_count, min_coin_id, max_coin_id, content_sha256 FROM meta.freezes"
                          " WHERE version = ?", [version]).fetchone()
        check("meta.freezes", rec or ("missing",))
        if store.exists(manifest.parquet_key):
            path = store.local_path(manifest.parquet_key)
            if path is None:
                path = str(Path(tmp) / "copy.parquet")
                Path(path).write_bytes(store.get(manifest.parquet_key))
            try:
                check("parquet", content_hash(con, f"read_parquet('{path}')"))
            except Exception as exc:  # noqa: BLE001 - an unreadable copy is a failed check
                checks.append({"check": "parquet", "ok": False, "expected": list(expected),
                               "found": f"unreadable: {str(exc).splitlines()[0]}"})
        else:
            checks.append({"check": "parquet", "ok": False, "expected": manifest.parquet_key, "found": "missing"})
    return VerifyResult(version=version, ok=all(c["ok"] for c in checks), checks=checks)
