"""The demo auction house's site (demo/house): determinism and resuming, valid pages with the
structure of docs/contracts.md, serving over real HTTP (`nummus sample serve` included)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from nummus.demo.house import generate
from nummus.demo.house.plan import plan_site
from nummus.demo.house.serve import serving
from nummus.errors import NummusError
from nummus.identity import coin_id
from test_cli_support import nummus
from test_sample_support import LOTS, REPO, SEED, files as _files, sample_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return sample_site(tmp_path_factory)


@pytest.fixture(scope="module")
def truth(site):
    return json.loads(site.truth_path.read_text())


# --- determinism and resuming ---------------------------------------------------------------------
def test_same_seed_gives_identical_files_in_another_process(site, tmp_path):
    """The CLI in a fresh interpreter (other hash seed) writes byte-identical truth, pages and photos."""
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "NUMMUS_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-m", "nummus", "sample", "--lots", str(LOTS), "--seed", str(SEED),
                           "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "truth" in proc.stdout
    ours, theirs = _files(site.out_dir), _files(out)
    assert ours.keys() == theirs.keys()
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == []
    assert sum(name.endswith(".jpg") for name in ours) == site.images > LOTS * 0.8


def test_another_seed_gives_another_auction(truth):
    other = plan_site(lots=LOTS, sales=1, seed=SEED + 1)
    titles = [lp.text.title for lp in other.sales[0].lots]
    assert titles != [lot["title"] for lot in truth["lots"]]


def test_resume_renders_only_what_is_missing(site, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(site.out_dir, copy)
    images = sorted(copy.rglob("*.jpg"))
    removed = images[::4]
    for p in removed:
        p.unlink()
    (copy / "truth.json").unlink()
    (images[1].parent / f".{images[1].name}.tmp").write_bytes(b"half a file")  # a write cut short
    again = generate(copy, lots=LOTS, sales=1, seed=SEED)
    assert again.rendered == len(removed)
    restored = _files(copy)
    restored.pop(f"sales/101/images/.{images[1].name}.tmp")
    assert restored == _files(site.out_dir)


def test_refuses_a_folder_that_is_not_a_sample(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NummusError, match="not empty"):
        generate(tmp_path, lots=3)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_other_arguments_replace_an_older_sample(tmp_path):
    first = generate(tmp_path / "s", lots=4, seed=1)
    second = generate(tmp_path / "s", lots=3, seed=2)
    truth = json.loads(second.truth_path.read_text())
    assert truth["seed"] == 2 and len(truth["lots"]) == 3
    pages = sorted(p.name for p in (tmp_path / "s" / "sales" / "101" / "lots").iterdir())
    assert pages == sorted(f"{lot['lot']}.html" for lot in truth["lots"])
    assert first.out_dir == second.out_dir


@pytest.mark.slow
def test_kill_9_then_rerun_gives_the_same_site(site, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "nummus", "sample", "--lots", str(LOTS), "--seed", str(SEED), "--out", str(out)]
    env = {**os.environ, "NUMMUS_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.rglob("*.jpg"))) < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "truth.json").exists()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, capture_output=True, timeout=300)
    got = {k: v for k, v in _files(out).items() if not k.rsplit("/", 1)[-1].startswith(".") or k == ".sample.json"}
    assert got == _files(site.out_dir)


# --- the site -------------------------------------------------------------------------------------
_VOID = {"meta", "link", "img", "br", "hr", "input"}


class _Checker(HTMLParser):
    """Balanced tags, and the elements with their attributes for lookups."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, int]] = []
        self.elements: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.text: dict[int, str] = {}

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append((tag, len(self.elements) - 1))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            i = self.stack[-1][1]
            self.text[i] = self.text.get(i, "") + data

    def find(self, tag: str, cls: str | None = None) -> list[tuple[int, dict]]:
        return [(i, a) for i, (t, a) in enumerate(self.elements)
                if t == tag and (cls is None or cls in (a.get("class") or "").split())]


def _parse(path: Path) -> _Checker:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    c = _Checker()
    c.feed(text)
    c.close()
    assert c.errors == [] and c.stack == [], (path, c.errors, c.stack)
    return c


def test_pages_are_valid_html_with_the_contracted_structure(site, truth):
    root = site.out_dir
    index = _parse(root / "index.html")
    sales = index.find("a", "sale")
    assert [a["data-sale"] for _, a in sales] == site.sales
    by_lot = {(lot["sale"], lot["lot"]): lot for lot in truth["lots"]}
    for _, a in sales:
        sale_page = root / a["href"]
        links = _parse(sale_page).find("a", "lot")
        assert len(links) == LOTS
        for _, link in links:
            lot = by_lot[(a["data-sale"], link["data-lot"])]
            page_path = sale_page.parent / link["href"]
            page = _parse(page_path)
            (_, art), = page.find("article", "lot")
            assert (art["data-house"], art["data-sale"], art["data-lot"]) == ("demo", lot["sale"], lot["lot"])
            assert lot["coin_id"] == coin_id("demo", lot["sale"], lot["lot"])
            (i, _), = page.find("h1", "lot-title")
            assert page.text[i].strip() == lot["title"]
            (i, _), = page.find("div", "lot-description")
            assert page.text[i].strip() == lot["description"]
            (_, t), = page.find("time", "closing")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["datetime"])
            assert page.find("dd", "estimate")
            imgs = page.find("img", "lot-image")
            assert [(page_path.parent / im["src"]).resolve() for _, im in imgs] == \
                   [(root / p).resolve() for p in lot["images"]]
            assert all((page_path.parent / im["src"]).is_file() for _, im in imgs)
            if lot["status"] == "withdrawn":
                assert page.find("p", "lot-withdrawn") and not page.find("dd", "hammer")
            else:
                (i, _), = page.find("dd", "hammer")
                assert (page.text[i] == "Unsold") == (lot["status"] == "unsold")
    gaps = truth["sales"][0]["gaps"]
    assert len(gaps) >= 2
    assert not any((root / "sales" / "101" / "lots" / f"{g}.html").exists() for g in gaps)


def test_server_serves_pages_and_images_and_404s_the_gaps(site, truth):
    gap = truth["sales"][0]["gaps"][0]
    lot = next(lot for lot in truth["lots"] if lot["images"])
    with serving(site.out_dir) as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", base)
        with httpx.Client(base_url=base, timeout=10) as client:
            r = client.get("index.html")
            assert r.status_code == 200 and 'class="sale"' in r.text
            r = client.get(f"sales/101/lots/{lot['lot']}.html")
            assert r.status_code == 200 and "text/html" in r.headers["content-type"]
            r = client.get(lot["images"][0])
            assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
            assert r.content == (site.out_dir / lot["images"][0]).read_bytes()
            assert client.get(f"sales/101/lots/{gap}.html").status_code == 404
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "index.html", timeout=2)


def test_serving_a_folder_without_a_site_is_a_clear_error(tmp_path):
    with pytest.raises(NummusError, match="nummus sample"):
        with serving(tmp_path):
            pass


def test_cli_sample_serve(site, truth, tmp_path):
    """`nummus sample serve` in its own process: says where it serves, serves the pages and 404s
    the gaps, stops on Ctrl-C with exit 0; a folder without a site is a one-line error (exit 2)."""
    gap = truth["sales"][0]["gaps"][0]
    proc = subprocess.Popen([sys.executable, "-m", "nummus", "sample", "serve", "--dir", str(site.out_dir),
                             "--port", "0"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NUMMUS_DATA_DIR": str(tmp_path / "data")})
    try:
        first = proc.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", first)
        assert found and str(site.out_dir) in first, first + proc.stderr.read() if not found else first
        with httpx.Client(base_url=found.group(1), timeout=10) as client:
            r = client.get("index.html")
            assert r.status_code == 200 and 'class="sale"' in r.text
            assert client.get(f"sales/101/lots/{gap}.html").status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in out, err
    r = nummus("sample", "serve", "--dir", str(tmp_path), "--port", "0")
    assert r.code == 2 and "nummus sample" in r.err and "Traceback" not in r.err, r.output
