"""The object store: raw photos, page snapshots, crops, artifacts — a local folder by default,
any fsspec URL (s3://bucket/prefix with an endpoint for DigitalOcean Spaces) in production.

Keys are relative POSIX paths (`raw/{house}/{sale}/{lot}/{n}.jpg`); the store maps them under
its root."""

from __future__ import annotations

import os
import posixpath
import uuid
from functools import lru_cache
from typing import Iterator

import fsspec

from nummus.errors import StoreUnavailable
from nummus.settings import Settings, get_settings


class ObjectStore:
    def __init__(self, url: str, **storage_options):
        self.url = url
        try:
            self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        except ImportError as exc:
            raise StoreUnavailable(f"object store {url}: {exc} (pip install 'nummus[s3]' for s3://)",
                                   setting="NUMMUS_OBJECT_STORE_URL") from exc
        self.root = root.rstrip("/")
        self.local = self.fs.protocol in ("file", "local") or "file" in (self.fs.protocol or ())

    def _full(self, key: str) -> str:
        key = key.lstrip("/")
        if ".." in key.split("/"):
            raise ValueError(f"object key must not climb out of the store: {key!r}")
        return posixpath.join(self.root, key) if key else self.root

    def put(self, key: str, data: bytes) -> str:
        """Write atomically where the filesystem allows (temp name + rename on local disk)."""
        full = self._full(key)
        parent = posixpath.dirname(full)
        if self.local:
            os.makedirs(parent, exist_ok=True)
            tmp = f"{full}.{uuid.uuid4().hex}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, full)
        else:
            with self.fs.open(full, "wb") as fh:
                fh.write(data)
        return key

    def get(self, key: str) -> bytes:
        with self.fs.open(self._full(key), "rb") as fh:
            return fh.read()

    def exists(self, key: str) -> bool:
        return self.fs.exists(self._full(key))

    def delete(self, key: str) -> None:
        self.fs.rm(self._full(key))

    def list(self, prefix: str = "") -> Iterator[tuple[str, int]]:
        """(key, size) for every object under prefix."""
        base = self._full(prefix)
        if not self.fs.exists(base):
            return
        for path, info in self.fs.find(base, detail=True).items():
            if path.endswith(".tmp"):
                continue
            rel = posixpath.relpath(path, self.root) if self.local else path[len(self.root):].lstrip("/")
            yield rel, int(info.get("size") or 0)

    def local_path(self, key: str) -> str | None:
        """A filesystem path for the key on a local store (for OpenCV, browsers); None on S3."""
        return self._full(key) if self.local else None

    def probe(self) -> None:
        """Write, read back and delete a small object under `_probe/`; raise when any step fails."""
        key = f"_probe/{uuid.uuid4().hex}"
        payload = b"nummus-probe"
        try:
            self.put(key, payload)
            if self.get(key) != payload:
                raise StoreUnavailable(f"object store {self.url}: read back differs from what was written")
            self.delete(key)
        except StoreUnavailable:
            raise
        except Exception as exc:
            raise StoreUnavailable(f"object store {self.url} failed the write/read/delete probe: {exc}",
                                   setting="NUMMUS_OBJECT_STORE_URL") from exc


def storage_options(settings: Settings) -> dict:
    if settings.objects_url.startswith("s3://") and settings.s3_endpoint_url:
        # credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment (botocore)
        return {"client_kwargs": {"endpoint_url": settings.s3_endpoint_url}}
    return {}


@lru_cache(maxsize=8)
def _store(url: str, endpoint: str | None) -> ObjectStore:
    settings = Settings(object_store_url=url, s3_endpoint_url=endpoint)
    return ObjectStore(url, **storage_options(settings))


def get_store(settings: Settings | None = None) -> ObjectStore:
    settings = settings or get_settings()
    return _store(settings.objects_url, settings.s3_endpoint_url)
