"""The contact sheet: N random crops with their flags and the source photo with the circles
drawn, one self-contained HTML file (images embedded) — the visual spot check before a freeze."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import cv2
import numpy as np

from nummus.settings import Settings, get_settings

STATUS_COLOUR = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}


def _img_tag(jpeg: bytes | None, alt: str, width: int) -> str:
    if not jpeg:
        return f'<div class="missing" style="width:{width}px">{html.escape(alt)}: none</div>'
    data = base64.b64encode(jpeg).decode()
    return f'<img src="data:image/jpeg;base64,{data}" alt="{html.escape(alt)}" width="{width}">'


def annotated_photo(photo: bytes, detection: dict, width: int = 420) -> bytes | None:
    """The lot photo scaled to `width` with each coin's circle and side drawn."""
    img = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        return None
    f = width / img.shape[1]
    img = cv2.resize(img, (width, max(1, int(round(img.shape[0] * f)))), interpolation=cv2.INTER_AREA)
    sx = f * img.shape[1] / width if not detection.get("width") else width / detection["width"]
    for coin in detection.get("coins", []):
        centre = (int(round(coin["cx"] * sx)), int(round(coin["cy"] * sx)))
        colour = (60, 60, 230) if "edge_clipped" in coin.get("flags", []) else (40, 200, 40)
        cv2.circle(img, centre, max(1, int(round(coin["r"] * sx))), colour, 2, cv2.LINE_AA)
        if coin.get("side"):
            cv2.putText(img, coin["side"], (centre[0] - 12, centre[1]), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                        (255, 0, 255), 2, cv2.LINE_AA)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return buf.tobytes() if ok else None


def build_sheet(settings: Settings | None = None, n: int = 50, out: Path | None = None, seed: int = 0) -> Path:
    """Write the sheet for N random coins at the current crop_version; returns its path."""
    from nummus.ingest.vision.config import crop_version
    from nummus import warehouse
    from nummus.objectstore import get_store

    settings = settings or get_settings()
    version = crop_version(settings)
    store = get_store(settings)
    with warehouse.session(settings, read_only=True) as con:
        con.execute(f"SELECT setseed({(seed % 1000) / 1000.0})")
        rows = con.execute(
            """SELECT c.coin_id, l.house, l.sale, l.lot, i.object_key, c.layout, c.status, c.reasons,
                      c.obv_small_key, c.rev_small_key, c.obv_flags, c.rev_flags, c.confidence, c.detection
               FROM raw.crops c
               JOIN raw.images i ON i.coin_id = c.coin_id AND i.n = 0
               LEFT JOIN (SELECT DISTINCT coin_id, house, sale, lot FROM raw.images) l ON l.coin_id = c.coin_id
               WHERE c.crop_version = ? ORDER BY random() LIMIT ?""", [version, n]).fetchall()
    cards = []

    def get(key):
        try:
            return store.get(key) if key else None
        except FileNotFoundError:
            return None

    for (coin_id, house, sale, lot, photo_key, layout, status, reasons, obv_key, rev_key, obv_flags,
         rev_flags, confidence, detection) in rows:
        det = json.loads(detection) if isinstance(detection, str) else (detection or {})
        photo = get(photo_key)
        overlay = annotated_photo(photo, det) if photo else None
        cards.append(f"""
<div class="card" style="border-color:{STATUS_COLOUR.get(status, '#999')}">
  <div class="head"><b>{html.escape(str(house))} {html.escape(str(sale))} lot {html.escape(str(lot))}</b>
    · coin {coin_id} · {html.escape(layout)} · <span class="st {status}">{status}</span>
    · conf {confidence if confidence is not None else '–'}</div>
  <div class="imgs">{_img_tag(overlay, 'photo', 420)}
    <figure>{_img_tag(get(obv_key), 'obv', 160)}<figcaption>obv {html.escape(', '.join(obv_flags or []))}</figcaption></figure>
    <figure>{_img_tag(get(rev_key), 'rev', 160)}<figcaption>rev {html.escape(', '.join(rev_flags or []))}</figcaption></figure>
  </div>
  <div class="reasons">{html.escape('; '.join(reasons or []))}</div>
</div>""")
    out = out or settings.data_path / "reports" / "vision_sheet.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"""<!doctype html><html><head><meta charset="utf-8">
<title>nummus vision contact sheet — crop_version {version}</title>
<style>body{{font-family:sans-serif;margin:1em;background:#fafafa}} .card{{border:3px solid;margin:.6em 0;padding:.5em;
background:#fff}} .imgs{{display:flex;gap:1em;align-items:flex-start}} figure{{margin:0}} figcaption{{font-size:.8em}}
.st.green{{color:#2e7d32}} .st.yellow{{color:#b28704}} .st.red{{color:#c62828}} .reasons{{font-size:.85em;color:#555}}
.missing{{background:#eee;color:#777;height:160px}}</style></head><body>
<h1>Vision contact sheet</h1><p>crop_version {version} · {len(cards)} random coins</p>
{''.join(cards) or '<p>No crops at this crop_version yet: run <code>nummus vision</code>.</p>'}
</body></html>""")
    return out
