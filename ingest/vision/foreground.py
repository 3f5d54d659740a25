"""The flan mask: pixels that differ from the background or carry strong edges, holes filled.
Soft shadows stay in the mask; the rim is placed on the sharp edge later (circles.refine_circle)."""

from __future__ import annotations

import cv2
import numpy as np

from ingest.vision.background import Background


def gradient_magnitude(lightness: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(lightness, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lightness, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill every region of 0s that does not reach the image border."""
    h, w = mask.shape
    flood = np.zeros((h + 2, w + 2), np.uint8)
    flood[1:-1, 1:-1] = mask
    reach = np.zeros((h + 4, w + 4), np.uint8)
    cv2.floodFill(flood, reach, (0, 0), 255)
    return np.where(flood[1:-1, 1:-1] == 255, np.uint8(0), np.uint8(255)) | mask


def flan_mask(grad: np.ndarray, bg: Background) -> tuple[np.ndarray, float]:
    """(mask uint8 0/255, colour threshold used)."""
    h, w = grad.shape
    colour_t = float(np.clip(5.0 * bg.noise, 9.0, 40.0))
    border_grad = np.median(np.concatenate([grad[0], grad[-1], grad[:, 0], grad[:, -1]]))
    grad_t = float(max(60.0, 6.0 * border_grad))
    mask = (bg.residual > colour_t) | (grad > grad_t)
    mask = mask.astype(np.uint8) * 255
    k = max(3, int(round(min(h, w) * 0.012)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = fill_holes(mask)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    return mask, colour_t
