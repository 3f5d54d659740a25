"""Deterministic coin identity from a lot's natural key (house, sale, lot[, position]).

Re-ingesting never mints a new id. The id is the first 63 bits of sha256 of the normalised
key, so it fits PostgreSQL's bigint and DuckDB's BIGINT; a collision is a gate failure."""

from __future__ import annotations

import hashlib
import unicodedata


def _norm(part: object) -> str:
    text = unicodedata.normalize("NFKC", str(part)).strip()
    return " ".join(text.split()).casefold()


def natural_key(house: str, sale: str, lot: str, position: int | None = None) -> str:
    parts = [_norm(house), _norm(sale), _norm(lot)]
    if position is not None:
        parts.append(str(int(position)))
    return "\x1f".join(parts)


def coin_id(house: str, sale: str, lot: str, position: int | None = None) -> int:
    digest = hashlib.sha256(natural_key(house, sale, lot, position).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1
