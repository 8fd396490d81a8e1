"""Build the book (or a small throw-away book) for the site and browser tests.

The sphinx-build arguments are read from ``noxfile.py`` so that the tests build
exactly the way ``nox -s docs`` does.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("CONVMAT_SITE", ROOT / "_build" / "html"))


def sphinx_args() -> tuple[str, ...]:
    """The ``SPHINX_ARGS`` tuple of ``noxfile.py`` (without the source folder)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "SPHINX_ARGS"
        ):
            args = ast.literal_eval(node.value)
            return tuple(a for a in args if a != "book")
    msg = "noxfile.py defines no SPHINX_ARGS"
    raise AssertionError(msg)


def sphinx_build(
    source: Path, out: Path, *, builder: str = "html"
) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build as `nox -s docs` does, from the repository root."""
    args = [a if a != "." else str(ROOT) for a in sphinx_args()]
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, *args, str(source), str(out)]
    return subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800
    )


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The book built as HTML (reuses the execution cache of `nox -s docs`)."""
    result = sphinx_build(ROOT / "book", SITE)
    if result.returncode != 0:
        pytest.fail(
            f"the book failed to build:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
        )
    return SITE
