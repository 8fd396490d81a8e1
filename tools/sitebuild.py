"""Build the book (or a small throw-away book) and serve a built site.

Shared by the tests and by the scripts that nox runs without pytest
(``reproducible.py``, ``pdf.py``, ``release.py``), so nothing here imports
pytest.  The sphinx-build arguments come from ``project.py``, the same ones
``nox -s docs`` uses.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from project import CHROMIUM, PLAIN_OUTPUT, ROOT, SITE, sphinx_command

__all__ = ["CHROMIUM", "ROOT", "SITE", "serve", "sphinx_build"]


def sphinx_build(
    source: Path,
    out: Path,
    *,
    builder: str = "html",
    env: dict[str, str] | None = None,
    extra: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build as ``nox -s docs`` does (from the repository root).

    ``extra`` arguments follow the usual ones (``-D name=value`` overrides).
    """
    args = sphinx_command(builder, out, *extra, source=source, terminal=False)
    cmd = [sys.executable, "-m", "sphinx", *args]
    env = {**(os.environ if env is None else env), **PLAIN_OUTPUT}
    return subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
        env=env,
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free localhost port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
