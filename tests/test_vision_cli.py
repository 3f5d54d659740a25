"""The vision command line: `nummus vision split`, `nummus vision`, `nummus vision sheet`,
`nummus bench vision`, and a batch killed with SIGKILL that resumes (slow)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

import nummus.cli  # noqa: F401 - registers every command module
from nummus.cli.base import app
from test_vision import draw_coin, photo
from test_vision_batch import add_lots, photos

runner = CliRunner()


def pair_png(tmp_path):
    img = photo(400, 800, "white")
    draw_coin(img, 200, 200, 160, seed=1)
    draw_coin(img, 600, 200, 160, seed=2)
    path = tmp_path / "lot.png"
    cv2.imwrite(str(path), img)
    return path


def test_split_prints_the_detection_and_writes_crops(tmp_path):
    image = pair_png(tmp_path)
    out = tmp_path / "crops"
    result = runner.invoke(app, ["vision", "split", str(image), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["layout"] == "pair_horizontal" and doc["status"] == "green"
    assert [c["side"] for c in doc["coins"]] == ["obv", "rev"]
    assert all({"cx", "cy", "r", "flags"} <= set(c) for c in doc["coins"])
    assert set(doc["crops"]) == {"obv", "obv_224", "rev", "rev_224", "detected"}
    small = cv2.imread(doc["crops"]["rev_224"])
    assert small.shape == (224, 224, 3)
    text = runner.invoke(app, ["vision", "split", str(image)])
    assert text.exit_code == 0 and "pair_horizontal" in text.output


def test_split_of_a_broken_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff not really a jpeg")
    proc = subprocess.run([sys.executable, "-m", "nummus", "vision", "split", str(bad)],
                          capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("nummus: error: corrupt_image")
    assert "Traceback" not in proc.stderr


def test_batch_command_and_contact_sheet(settings, warehouse_con, store, tmp_path):
    items = photos()
    add_lots(warehouse_con, store, {"a": items["good"], "b": items["cmyk"], "c": items["corrupt"]}, sale="cli")
    warehouse_con.close()
    result = runner.invoke(app, ["vision", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["processed"] == 3 and summary["quarantined"] == 1
    assert summary["by_status"] == {"green": 2, "red": 1}
    sheet = tmp_path / "sheet.html"
    result = runner.invoke(app, ["vision", "sheet", "--n", "10", "--out", str(sheet)])
    assert result.exit_code == 0, result.output
    html = sheet.read_text()
    assert html.count('class="card"') == 3
    assert html.count("data:image/jpeg;base64,") == 2 * 3  # photo + obv + rev; nothing for the corrupt one
    assert "corrupt_image" in html


def test_bench_vision_prints_json():
    result = runner.invoke(app, ["bench", "vision", "--n", "4"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    for key in ("layout_rate_pairs", "side_accuracy", "mean_circle_iou", "clipped_crop_share", "none_accuracy",
                "ms_median", "ms_p95", "crop_version"):
        assert key in doc
    assert doc["images"] == 4 + 3


@pytest.mark.slow
def test_batch_killed_with_sigkill_resumes(settings, warehouse_con, store):
    from nummus.ingest.vision import crop_version
    from nummus.ingest.vision.batch import run_vision
    from nummus import warehouse

    good = photos()["good"]
    n = 120
    add_lots(warehouse_con, store, {f"k{i:03d}": good for i in range(n)}, sale="kill")
    warehouse_con.close()
    proc = subprocess.Popen([sys.executable, "-m", "nummus", "vision", "--workers", "1", "--no-progress"],
                            env={**os.environ, "HF_HUB_OFFLINE": "1"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    prefix = f"crops/v{crop_version(settings)}/224"
    deadline = time.time() + 120
    while time.time() < deadline and sum(1 for _ in store.list(prefix)) < 2 * 40:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with warehouse.session(settings, read_only=True) as con:
        done = con.execute("SELECT count(*) FROM raw.crops").fetchone()[0]
    assert 0 < done < n
    summary = run_vision(settings, workers=1, progress=False)
    assert summary.todo == n - done
    with warehouse.session(settings, read_only=True) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT coin_id) FROM raw.crops").fetchone()
    assert total == distinct == n
