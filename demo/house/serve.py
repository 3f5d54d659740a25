"""Serving the demo auction house on localhost: a stdlib ThreadingHTTPServer over the folder.

Missing lot numbers are missing files, so they answer 404 like a real site's gaps.
`serving(dir)` runs the server in a background thread for as long as the `with` block lasts
and yields the base URL (a free port is picked unless one is given)."""

from __future__ import annotations

import contextlib
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from nummus.errors import NummusError


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(directory: str | Path, host: str = "127.0.0.1", port: int = 0, *,
                quiet: bool = True) -> ThreadingHTTPServer:
    root = Path(directory)
    if not (root / "index.html").is_file():
        raise NummusError(f"{root} holds no generated sample (index.html missing); run `nummus sample` first")
    handler = functools.partial(_QuietHandler if quiet else SimpleHTTPRequestHandler, directory=str(root))
    try:
        return _Server((host, port), handler)
    except OSError as exc:
        raise NummusError(f"cannot listen on {host}:{port}: {exc}") from exc


def base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


@contextlib.contextmanager
def serving(directory: str | Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `directory` in a background thread; yields the base URL, e.g. http://127.0.0.1:54321/."""
    server = make_server(directory, host, port)
    thread = threading.Thread(target=server.serve_forever, name="sample-house", daemon=True)
    thread.start()
    try:
        yield base_url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
