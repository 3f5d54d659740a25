"""Quality flags per crop and the green / yellow / red status with reasons.

red: no coin or a group lot (never reaches the enriched table as a good coin);
yellow: a usable crop with a doubt (clipped rim, off centre, low contrast, not round, tiny,
a single side, two sides of very different size); green: a clean pair."""

from __future__ import annotations

from nummus.ingest.vision.detection import Detection

TINY_DIAMETER = 100       # pixels in the photo: crops below this are upscaled for embedding
OFF_CENTRE = 0.10         # flan centroid vs circle centre, × radius
NOT_ROUND_FILL = 0.9
NOT_ROUND_RATIO = 0.85
PAIR_SIZE_RATIO = 0.75

YELLOW_FLAGS = ("edge_clipped", "off_centre", "low_contrast", "not_round", "tiny")
SINGLE_REASON = "single: one coin only, no reverse"


def assess(det: Detection, centre_shift: dict[int, float] | None = None,
           colour_threshold: float = 10.0) -> Detection:
    """Set every coin's flags and the detection's status, reasons and confidence (in place)."""
    centre_shift = centre_shift or {}
    reasons: list[str] = []
    scores: list[float] = []
    for coin in det.coins:
        flags: list[str] = []
        if min(coin.cx - coin.r, coin.cy - coin.r, det.width - 1 - coin.cx - coin.r,
               det.height - 1 - coin.cy - coin.r) < 0.5:
            flags.append("edge_clipped")
        if centre_shift.get(id(coin), 0.0) > OFF_CENTRE:
            flags.append("off_centre")
        if coin.contrast < 2.0 * colour_threshold:
            flags.append("low_contrast")
        if coin.fill < NOT_ROUND_FILL or coin.roundness < NOT_ROUND_RATIO:
            flags.append("not_round")
        if 2 * coin.r < TINY_DIAMETER:
            flags.append("tiny")
        if det.layout == "group":
            flags.append("group_lot")
        coin.flags = flags
        scores.append(min(1.0, coin.fill / 0.95) * min(1.0, coin.ring_clear / 0.9)
                      * min(1.0, coin.roundness / 0.9)
                      * min(1.0, (coin.contrast / (3.0 * colour_threshold)) ** 0.5))
        label = coin.side or "coin"
        reasons += [f"{label}: {f}" for f in flags if f in YELLOW_FLAGS]
    if det.layout == "none":
        det.status, det.confidence = "red", 0.9 if det.candidates_rejected == 0 else 0.7
        det.reasons = ["no_coin: no coin found in the photo"] + reasons
        return det
    if det.layout == "group":
        det.status = "red"
        det.confidence = round(min(scores) * 0.8, 3)
        det.reasons = [f"group_lot: {len(det.coins)} coins in one photo"] + reasons
        return det
    if det.layout == "single":
        reasons.append(SINGLE_REASON)
    else:
        obv, rev = det.coins
        if min(obv.r, rev.r) / max(obv.r, rev.r) < PAIR_SIZE_RATIO:
            reasons.append("pair_size_mismatch: the two coins differ in size")
    det.confidence = round(min(scores) * (0.8 if det.layout == "single" else 1.0), 3)
    det.status = "yellow" if reasons else "green"
    det.reasons = reasons
    return det
