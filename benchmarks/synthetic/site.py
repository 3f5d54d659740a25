"""A small, quick static site in the demo house's structure (docs/contracts.md) for tests and
`nummus bench ingest` (the full `nummus sample` house renders photos and takes longer): lot
numbers have gaps (listed but 404), every 10th lot is withdrawn, some lots have two photos.
Serve it with `nummus.demo.house.serve.serving`. Also `constant_png`, a cheap decompression bomb."""

from __future__ import annotations

import io
import random
from pathlib import Path

_LOT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lot {lot}</title></head><body>
<article class="lot" data-house="demo" data-sale="{sale}" data-lot="{lot}">
<h1 class="lot-title">{title}</h1>
{images}
<div class="lot-description">{title} ({diameter}mm, {weight} g, {axis}h). {mint} mint. RIC {ric}. Very fine.</div>
{withdrawn}
<dl><dt>Estimate</dt><dd class="estimate">{estimate}</dd><dt>Hammer</dt><dd class="hammer">{hammer}</dd>
<dt>Closing</dt><dd><time class="closing" datetime="2024-05-{day:02d}">{day} May 2024</time></dd></dl>
</article></body></html>"""
_RULERS = ["Augustus", "Nero", "Trajan", "Hadrian", "Marcus Aurelius", "Septimius Severus", "Constantine I"]
_MINTS = ["Rome", "Lugdunum", "Antioch", "Alexandria", "Siscia"]


def _photo(rng: random.Random, size: int = 96) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (size * 2, size), tuple(rng.randrange(200, 256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for cx in (size // 2, size + size // 2):
        r = rng.randrange(size // 3, size // 2 - 2)
        draw.ellipse((cx - r, size // 2 - r, cx + r, size // 2 + r), fill=tuple(rng.randrange(90, 200) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def write_site(out: Path, *, sale: str = "s1", lots: int = 40, seed: int = 7, photo_size: int = 96) -> dict:
    """Write the site under `out`; returns {"sale", "listed", "pages", "withdrawn", "missing"}."""
    rng = random.Random(seed)
    sale_dir = out / "sales" / sale
    (sale_dir / "lots").mkdir(parents=True, exist_ok=True)
    (sale_dir / "images").mkdir(parents=True, exist_ok=True)
    listed, missing, withdrawn = [], [], []
    for n in range(1, lots + 1):
        lot = str(n)
        listed.append(lot)
        if n % 13 == 0:  # a gap: listed, but the page is gone
            missing.append(lot)
            continue
        photos = [f"{lot}.jpg"] + ([f"{lot}_2.jpg"] if n % 4 == 0 else [])
        for name in photos:
            (sale_dir / "images" / name).write_bytes(_photo(rng, photo_size))
        is_withdrawn = n % 10 == 0
        withdrawn += [lot] if is_withdrawn else []
        low = rng.choice([100, 200, 500, 1000, 1500])
        cur = rng.choice(["CHF", "EUR", "USD", "GBP"])
        (sale_dir / "lots" / f"{lot}.html").write_text(_LOT.format(
            sale=sale, lot=lot, title=f"{rng.choice(_RULERS)}. AR Denarius",
            images="\n".join(f'<img class="lot-image" src="../images/{p}">' for p in photos),
            diameter=rng.randrange(17, 21), weight=f"{rng.uniform(2.8, 3.8):.2f}", axis=rng.randrange(1, 13),
            mint=rng.choice(_MINTS), ric=rng.randrange(1, 900),
            withdrawn='<p class="lot-withdrawn">This lot was withdrawn.</p>' if is_withdrawn else "",
            estimate=f"{cur} {low:,} - {cur} {low * 3 // 2:,}",
            hammer="Unsold" if n % 7 == 0 else f"{cur} {rng.randrange(low, low * 3):,}",
            day=1 + n % 28), encoding="utf-8")
    links = "\n".join(f'<li><a class="lot" data-lot="{lot}" href="lots/{lot}.html">Lot {lot}</a></li>' for lot in listed)
    (sale_dir / "index.html").write_text(f"<!doctype html><html><body><ul>{links}</ul></body></html>")
    sales = "".join(f'<a class="sale" data-sale="{d.name}" href="sales/{d.name}/index.html">{d.name}</a>'
                    for d in sorted((out / "sales").iterdir()) if d.is_dir())  # every sale written so far
    (out / "index.html").write_text(f"<!doctype html><html><body>{sales}</body></html>")
    return {"sale": sale, "listed": listed, "pages": [x for x in listed if x not in missing],
            "withdrawn": withdrawn, "missing": missing}


def constant_png(width: int, height: int) -> bytes:
    """A valid one-bit PNG of one colour, any size, in a few kilobytes: a cheap decompression bomb."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
