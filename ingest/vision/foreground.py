"""The flan mask: pixels that differ from the background or carry strong edges, holes filled.
Soft shadows stay in the mask; the rim is placed on the sharp edge later (circles.refine_circle)."""

from __future__ import annotations

import cv2
import numpy as np

from nummus.ingest.vision.background import Background


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


def edge_threshold(grad: np.ndarray) -> float:
    """A strong edge: well above the texture of the photo border."""
    border_grad = np.median(np.concatenate([grad[0], grad[-1], grad[:, 0], grad[:, -1]]))
    return float(max(60.0, 6.0 * border_grad))


def _kernel(shape: tuple[int, int]) -> np.ndarray:
    k = max(3, int(round(min(shape) * 0.012)) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))


def edge_core(grad: np.ndarray, grad_t: float) -> np.ndarray:
    """Regions enclosed by strong edges (coins' rims), whatever the background colour does."""
    kernel = _kernel(grad.shape)
    edges = cv2.morphologyEx((grad > grad_t).astype(np.uint8) * 255, cv2.MORPH_CLOSE, kernel)
    return cv2.morphologyEx(fill_holes(edges), cv2.MORPH_OPEN, kernel)


def edge_regions(grad: np.ndarray, grad_t: float) -> np.ndarray:
    """`edge_core` widened: the pixels the background model must not learn from."""
    return cv2.dilate(edge_core(grad, grad_t), _kernel(grad.shape), iterations=2)


def flan_mask(grad: np.ndarray, bg: Background, grad_t: float) -> tuple[np.ndarray, float]:
    """(mask uint8 0/255, colour threshold used)."""
    colour_t = float(np.clip(5.0 * bg.noise, 9.0, 40.0))
    mask = (bg.residual > colour_t) | (grad > grad_t)
    mask = mask.astype(np.uint8) * 255
    kernel = _kernel(grad.shape)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = fill_holes(mask)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    return mask, colour_t
