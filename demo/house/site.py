"""Writing the demo auction house: pages, photos and truth.json, resumable and deterministic.

Every file is written atomically (temporary file + rename); a photo that already exists is
not rendered again, so a run killed at any point and started again with the same arguments
finishes with the same bytes as an uninterrupted run. truth.json is written last."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pydantic import BaseModel

from nummus.demo.house.pages import STYLE_CSS, image_name, index_page, lot_page, sale_page
from nummus.demo.house.photo import PhotoPlan, encode_jpeg, render_photo
from nummus.demo.house.plan import HOUSE, LotPlan, SitePlan, plan_site
from nummus.errors import NummusError

MANIFEST = ".sample.json"


def _generator_version() -> str:
    """A hash of this package's code and data (the catalogue): output of another version is never
    mixed with ours on resume."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(p for pattern in ("*.py", "*.yaml") for p in root.rglob(pattern)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


GENERATOR_VERSION = _generator_version()


class SampleSite(BaseModel):
    out_dir: Path
    sales: list[str]
    lots: int  # lot pages written (withdrawn included)
    images: int
    truth_path: Path
    seconds: float
    rendered: int  # photos rendered in this run (the rest existed already)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _prepare(out: Path, params: dict) -> None:
    """Make `out` ready: reuse our own partial output with the same parameters, replace our own
    output with other parameters, refuse a folder that holds something else."""
    manifest = out / MANIFEST
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text())
        except (OSError, ValueError):
            old = None
        if old == params:
            return
        for name in ("sales", "index.html", "style.css", "truth.json"):
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    elif out.exists() and any(out.iterdir()):
        raise NummusError(f"{out} is not empty and holds no generated sample ({MANIFEST} missing); "
                          "choose an empty or new folder with --out")
    out.mkdir(parents=True, exist_ok=True)
    _write(manifest, json.dumps(params, sort_keys=True).encode())


def _render_photo(job: tuple[str, PhotoPlan]) -> str:
    path, plan = job
    _write(Path(path), encode_jpeg(render_photo(plan), plan.quality))
    return path


def truth_record(lp: LotPlan, sale_dir: str) -> dict:
    photos = []
    for i, ph in enumerate(lp.photos):
        photos.append({
            "image": f"{sale_dir}/images/{image_name(lp.lot, i)}", "layout": ph.layout, "width": ph.width,
            "height": ph.height, "background": ph.background.kind,
            "coins": [{"side": c.side, "cx": round(c.cx, 2), "cy": round(c.cy, 2), "r": round(c.r, 2),
                       "type_id": c.type_id} for c in ph.coins],
        })
    main = photos[0] if photos else None
    return {
        "sale": lp.sale, "lot": lp.lot, "coin_id": lp.coin_id, "title": lp.text.title,
        "description": lp.text.description, "language": lp.text.language, "style": lp.text.style,
        "status": lp.status, "images": [p["image"] for p in photos], "layout": lp.layout,
        "coins": [{k: c[k] for k in ("side", "cx", "cy", "r")} for c in main["coins"]] if main else [],
        "photos": photos, "fields": lp.fields,
        "estimate_low": lp.pricing.estimate_low, "estimate_high": lp.pricing.estimate_high,
        "price": lp.pricing.price, "currency": lp.pricing.currency, "closing_date": lp.closing.isoformat(),
        "url": f"{sale_dir}/lots/{lp.lot}.html",
    }


def write_site(plan: SitePlan, out_dir: Path, *, workers: int = 1, progress: bool = False) -> SampleSite:
    started = time.perf_counter()
    out = Path(out_dir)
    n_lots = sum(len(s.lots) for s in plan.sales)
    _prepare(out, {"generator": GENERATOR_VERSION, "seed": plan.seed, "sales": len(plan.sales), "lots": n_lots})
    _write(out / "style.css", STYLE_CSS.encode())
    jobs: list[tuple[str, PhotoPlan]] = []
    truth_lots = []
    for sale in plan.sales:
        sale_dir = f"sales/{sale.sale}"
        _write(out / sale_dir / "index.html", sale_page(sale).encode())
        for lp in sale.lots:
            variant = int(lp.coin_id % 6)
            _write(out / sale_dir / "lots" / f"{lp.lot}.html", lot_page(sale, lp, variant).encode())
            for i, ph in enumerate(lp.photos):
                path = out / sale_dir / "images" / image_name(lp.lot, i)
                if not path.exists():
                    jobs.append((str(path), ph))
            truth_lots.append(truth_record(lp, sale_dir))
    _write(out / "index.html", index_page(plan.sales).encode())
    n_images = sum(len(lp.photos) for s in plan.sales for lp in s.lots)
    _run_jobs(jobs, workers, progress)
    truth = {
        "house": HOUSE, "seed": plan.seed, "generator": GENERATOR_VERSION,
        "sales": [{"sale": s.sale, "title": s.title, "closing_date": s.closing.isoformat(), "style": s.style,
                   "lots": len(s.lots), "gaps": s.gaps, "index": f"sales/{s.sale}/index.html"} for s in plan.sales],
        "lots": truth_lots,
    }
    truth_path = out / "truth.json"
    _write(truth_path, json.dumps(truth, ensure_ascii=False, indent=1).encode())
    return SampleSite(out_dir=out.resolve(), sales=[s.sale for s in plan.sales], lots=n_lots, images=n_images,
                      truth_path=truth_path.resolve(), seconds=round(time.perf_counter() - started, 3),
                      rendered=len(jobs))


def _run_jobs(jobs: list[tuple[str, PhotoPlan]], workers: int, progress: bool) -> None:
    if not jobs:
        return
    from nummus.progress import job_progress

    with job_progress("photos", enabled=progress) as bar:
        task = bar.add_task("rendering photos", total=len(jobs))
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(_render_photo, jobs, chunksize=4):
                    bar.update(task, advance=1)
        else:
            for job in jobs:
                _render_photo(job)
                bar.update(task, advance=1)


def generate(out_dir: str | Path, lots: int = 300, sales: int = 1, seed: int = 0, *, workers: int = 1,
             progress: bool = False) -> SampleSite:
    """Generate the demo auction house into out_dir (resumable; same arguments give the same bytes)."""
    return write_site(plan_site(lots=lots, sales=sales, seed=seed), Path(out_dir), workers=workers,
                      progress=progress)
