"""Build the book (or a small throw-away book), serve it, find Chromium.

Shared by the tests and by the scripts that nox runs without pytest
(``reproducible.py``, ``pdf.py``, ``release.py``), so nothing here imports
pytest.  The sphinx-build arguments are read from ``noxfile.py`` so that
everything builds exactly the way ``nox -s docs`` does.
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("CONVMAT_SITE", ROOT / "_build" / "html"))
CHROMIUM = Path(os.environ.get("CONVMAT_CHROMIUM", "/usr/bin/chromium"))


def sphinx_args(root: Path = ROOT) -> tuple[str, ...]:
    """``SPHINX_ARGS`` of ``root/noxfile.py``: exactly what ``nox -s docs`` runs."""
    tree = ast.parse((root / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "SPHINX_ARGS"
        ):
            return tuple(ast.literal_eval(node.value))
    msg = f"{root / 'noxfile.py'} defines no SPHINX_ARGS"
    raise RuntimeError(msg)


def sphinx_build(
    source: Path, out: Path, *, builder: str = "html"
) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build as `nox -s docs` does, from the repository root."""
    args = [str(ROOT) if a == "." else a for a in sphinx_args() if a != "book"]
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, *args, str(source), str(out)]
    return subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800
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
