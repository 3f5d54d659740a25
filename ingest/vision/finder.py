"""`find_coins(image) -> Detection`: the coins of a lot photo as circles, the layout and the
side assignment. Work is bounded: detection runs on a copy downscaled to
`detect_side` pixels on the long side, and no step searches over the full resolution."""

from __future__ import annotations

import time

import cv2
import numpy as np

from nummus.ingest.vision.background import Background, estimate_background
from nummus.ingest.vision.circles import Circle, find_circles, refine_circle
from nummus.ingest.vision.config import VisionConfig
from nummus.ingest.vision.decode import load_photo, normalise
from nummus.ingest.vision.detection import Coin, Detection
from nummus.ingest.vision.foreground import edge_core, edge_regions, edge_threshold, flan_mask, gradient_magnitude
from nummus.ingest.vision.quality import assess

MIN_SOLID = 0.5        # share of the disc that differs from the background (text is sparse)
MIN_FILL = 0.85        # share of the circle the flan must cover
MIN_RING_CLEAR = 0.6   # share of the ring around the circle that must be background
MIN_ROUNDNESS = 0.78   # inscribed / enclosing radius
MAX_EXCESS = 0.12      # flan pixels outside 1.1 × the circle, × circle area
MAX_BORDER_TOUCH = 0.12  # its pixels on the photo border, × circumference
MIN_INSIDE = 0.9       # share of the circle inside the photo ...
MIN_INSIDE_CUT = 0.7   # ... or this much for a coin cut by the border whose visible rim is a clean arc
MIN_RIM_FIT_FAINT = 0.7  # a crisp round rim vouches for a coin the colour of the ground
MIN_RIM_FIT_CUT = 0.75   # share of the visible rim on the circle for a coin cut by the border
DEBRIS_RATIO = 0.35    # circles smaller than this × the largest are ignored


def _measure(c: Circle, others: list[Circle], mask: np.ndarray, bg: Background, grad: np.ndarray,
             colour_t: float) -> dict:
    h, w = mask.shape
    # the rim: points just outside the circle that lie in the photo and off the other circles
    ang = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    px, py = c.cx + 1.15 * c.r * np.cos(ang), c.cy + 1.15 * c.r * np.sin(ang)
    seen = (px >= 0) & (px <= w - 1) & (py >= 0) & (py <= h - 1)
    for o in others:
        if o is not c:
            seen &= np.hypot(px - o.cx, py - o.cy) > 1.1 * o.r
    x0, x1 = int(max(0, np.floor(c.cx - c.r))), int(min(w, np.ceil(c.cx + c.r) + 1))
    y0, y1 = int(max(0, np.floor(c.cy - c.r))), int(min(h, np.ceil(c.cy + c.r) + 1))
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d2 = (xx - c.cx) ** 2 + (yy - c.cy) ** 2
    disc = d2 <= c.r * c.r
    inner = d2 <= (0.85 * c.r) ** 2
    inside = float(min(1.0, disc.sum() / (np.pi * c.r * c.r)))
    if seen.sum() >= 0.35 * len(ang):
        outside = mask[py[seen].round().astype(int), px[seen].round().astype(int)] > 0
        ring_clear = float(1.0 - outside.mean())
    else:  # nothing around it is visible: a frame-filling coin if it lies inside the photo
        ring_clear = 1.0 if inside >= 0.97 else 0.0
    fg = mask[y0:y1, x0:x1] > 0
    res = bg.residual[y0:y1, x0:x1][inner]
    return {
        "excess": c.excess,
        "inside": inside,
        "fill": float(fg[disc].mean()) if disc.any() else 0.0,
        "ring_clear": ring_clear,
        "solid": float((res > colour_t).mean()) if res.size else 0.0,
        "contrast": float(np.median(res)) if res.size else 0.0,
        "texture": float(grad[y0:y1, x0:x1][inner].mean()) if res.size else 0.0,
    }


def _reasons_against(c: Circle, m: dict, texture_min: float) -> list[str]:
    why = []
    if m["fill"] < MIN_FILL:
        why.append("fill")
    if m["excess"] > MAX_EXCESS:
        why.append("spills")
    if c.overlaps:
        why.append("overlapping")
    if c.border_touch > MAX_BORDER_TOUCH and c.rim_fit < MIN_RIM_FIT_CUT:
        why.append("runs_along_border")
    if m["inside"] < MIN_INSIDE_CUT or (m["inside"] < MIN_INSIDE and c.rim_fit < MIN_RIM_FIT_CUT):
        why.append("beyond_frame")
    if m["ring_clear"] < MIN_RING_CLEAR:
        why.append("surrounded")
    if c.inscribed_r / c.r < MIN_ROUNDNESS:
        why.append("not_round")
    if m["solid"] < MIN_SOLID and c.rim_fit < MIN_RIM_FIT_FAINT:
        why.append("sparse")
    if m["texture"] < texture_min:
        why.append("no_texture")
    return why


def _judge(candidates: list[Circle], mask: np.ndarray, ctx: dict) -> tuple[list[tuple[Circle, dict]], list[str]]:
    """Refine every candidate circle and keep those that look like coins."""
    candidates = [refine_circle(ctx["bg"].residual, c, candidates) for c in candidates]
    accepted, rejected = [], []
    for c in candidates:
        m = _measure(c, candidates, mask, ctx["bg"], ctx["grad"], ctx["colour_t"])
        why = _reasons_against(c, m, ctx["texture_min"])
        if why:
            rejected.append("+".join(why))
        else:
            accepted.append((c, m))
    return accepted, rejected


def _score(item: tuple[Circle, dict]) -> float:
    c, m = item
    return m["fill"] * m["ring_clear"] * (0.5 + c.rim_fit)


def _merge(first: list, second: list) -> list:
    """Union of two accepted lists; where two circles overlap, the better-scored one stays."""
    out = list(first)
    for item in second:
        c = item[0]
        clash = [k for k, (o, _) in enumerate(out) if np.hypot(o.cx - c.cx, o.cy - c.cy) < 0.8 * (o.r + c.r)]
        if not clash:
            out.append(item)
        elif len(clash) == 1 and _score(item) > _score(out[clash[0]]):
            out[clash[0]] = item
    return out


def _to_array(image) -> tuple[np.ndarray, list[str]]:
    if isinstance(image, np.ndarray):
        return normalise(image)
    data = image if isinstance(image, (bytes, bytearray)) else open(image, "rb").read()
    photo = load_photo(bytes(data))
    return photo.bgr, photo.notes


def find_coins(image, config: VisionConfig | None = None) -> Detection:
    """Find the coins of a lot photo (BGR array, path or encoded bytes)."""
    config = config or VisionConfig()
    t0, c0 = time.perf_counter(), time.process_time()
    bgr, notes = _to_array(image)
    h, w = bgr.shape[:2]
    factor = int(np.ceil(max(h, w) / config.detect_side))  # integer: OpenCV's fast area path
    if factor > 1:
        sw, sh = max(1, w // factor), max(1, h // factor)
        small = cv2.resize(bgr[:sh * factor, :sw * factor], (sw, sh), interpolation=cv2.INTER_AREA)
    else:
        small = bgr
    scale = 1.0 / factor
    sh, sw = small.shape[:2]
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2Lab).astype(np.float32)
    grad = gradient_magnitude(lab[..., 0])
    grad_t = edge_threshold(grad)
    bg = estimate_background(small, lab, exclude=edge_regions(grad, grad_t))
    mask, colour_t = flan_mask(grad, bg, grad_t)
    t1 = time.perf_counter()
    min_r = max(4.0, 0.04 * min(sh, sw))
    border_grad = float(np.median(np.concatenate([grad[0], grad[-1], grad[:, 0], grad[:, -1]])))
    context = {"bg": bg, "grad": grad, "colour_t": colour_t, "texture_min": max(16.0, 3.0 * border_grad)}
    # two views of the flans: colour difference from the background (coins on plain grounds,
    # soft halos included) and regions closed by strong edges (coins the colour of the ground)
    accepted, rejected = _judge(find_circles(mask, min_r), mask, context)
    rim_mask = edge_core(grad, grad_t)
    more, _ = _judge(find_circles(rim_mask, min_r), rim_mask, context)
    accepted = _merge(accepted, more)
    if accepted:
        biggest = max(c.r for c, _ in accepted)
        debris = [(c, m) for c, m in accepted if c.r < DEBRIS_RATIO * biggest]
        accepted = [(c, m) for c, m in accepted if c.r >= DEBRIS_RATIO * biggest]
        rejected += ["debris"] * len(debris)
    coins = [_to_coin(c, m, factor) for c, m in accepted]
    det = Detection(width=w, height=h, layout="none", coins=[c for c, _ in coins],
                    background_bgr=bg.colour_bgr, background_noise=round(bg.noise, 2),
                    candidates_rejected=len(rejected), detect_scale=round(scale, 5), input_notes=notes)
    _assign_layout(det)
    assess(det, centre_shift={id(c): s for c, s in coins}, colour_threshold=colour_t)
    if rejected and det.layout == "none":
        det.reasons.append("rejected candidates: " + ", ".join(sorted(set(rejected))))
    t2 = time.perf_counter()
    det.timings_ms = {"mask": round((t1 - t0) * 1000, 2), "circles": round((t2 - t1) * 1000, 2),
                      "total": round((t2 - t0) * 1000, 2),
                      "cpu_total": round((time.process_time() - c0) * 1000, 2)}
    return det


def _to_coin(c: Circle, m: dict, factor: int) -> tuple[Coin, float]:
    """(the coin in photo pixels, its centroid's shift from the circle centre × r)."""
    def up(v: float) -> float:  # detection pixel centre -> photo pixel centre
        return (v + 0.5) * factor - 0.5

    poly = cv2.approxPolyDP(c.polygon.reshape(-1, 1, 2), max(1.0, 0.01 * c.r), True).reshape(-1, 2)
    coin = Coin(cx=up(c.cx), cy=up(c.cy), r=c.r * factor, inscribed_r=c.inscribed_r * factor,
                fill=m["fill"], ring_clear=m["ring_clear"], rim_fit=c.rim_fit, excess=m["excess"],
                contrast=m["contrast"], texture=m["texture"],
                polygon=[(int(round(up(x))), int(round(up(y)))) for x, y in poly[:64]])
    return coin, float(np.hypot(c.centroid[0] - c.cx, c.centroid[1] - c.cy) / c.r)


def _assign_layout(det: Detection) -> None:
    coins = det.coins
    if not coins:
        det.layout = "none"
        return
    if len(coins) == 1:
        det.layout, det.side_rule = "single", "single_is_obverse"
        coins[0].side = "obv"
        return
    if len(coins) == 2:
        a, b = coins
        if abs(a.cx - b.cx) >= abs(a.cy - b.cy):
            det.layout, det.side_rule = "pair_horizontal", "left_is_obverse"
            first, second = sorted(coins, key=lambda c: c.cx)
        else:
            det.layout, det.side_rule = "pair_vertical", "top_is_obverse"
            first, second = sorted(coins, key=lambda c: c.cy)
        first.side, second.side = "obv", "rev"
        det.coins = [first, second]
        return
    det.layout, det.side_rule = "group", None
    det.coins = sorted(coins, key=lambda c: (round(c.cy / max(c.r, 1.0)), c.cx))
