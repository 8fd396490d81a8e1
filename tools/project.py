"""What ``noxfile.py``, the tools, the tests and ``conf.py`` share about the project.

Where things are, how sphinx-build is called, and the version: defined here
once and imported everywhere else, so that a test or a release script builds
the book exactly the way ``nox -s docs`` does.  Standard library only: the
noxfile imports it before any session has installed anything.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = [
    "BUILD",
    "CACHE",
    "CHROMIUM",
    "CONSTRAINTS",
    "PACKAGE",
    "PDF_OUT",
    "RELEASE",
    "ROOT",
    "SITE",
    "SPHINX_ARGS",
    "VERSION",
    "sphinx_command",
]

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "convmat"
BUILD = ROOT / "_build"
SITE = Path(os.environ.get("CONVMAT_SITE", BUILD / "html"))
CACHE = BUILD / ".jupyter_cache"  # myst-nb's execution cache (see book/_ext)
RELEASE = BUILD / "release"
PDF_OUT = BUILD / "pdf"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
CHROMIUM = Path(os.environ.get("CONVMAT_CHROMIUM", "/usr/bin/chromium"))

# One set of sphinx-build arguments for every build of the book (docs, serve,
# the tests, the PDF, the release, the reproducibility check), run from the
# repository root: -W turns every warning (a broken reference, a failing cell,
# a missing glue key) into an error and --keep-going reports them all first.
SPHINX_ARGS = ("-c", ".", "-W", "--keep-going", "book")


def _version() -> str:
    """``__version__`` of ``src/convmat/__init__.py``, the one place it is typed.

    Read as text, not imported: the package needs numpy, this module nothing.
    The wheel gets the same string through hatchling's version source.
    """
    text = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if match is None:
        msg = f'no __version__ = "..." line in {PACKAGE / "__init__.py"}'
        raise RuntimeError(msg)
    return match.group(1)


VERSION = _version()


def sphinx_command(
    builder: str, out: Path | str, *extra: str, source: Path | str | None = None
) -> list[str]:
    """The sphinx-build arguments (without the program) for one build.

    ``source`` replaces the book folder (a test's small throw-away book); the
    configuration stays the repository's own ``conf.py``.
    """
    args = list(SPHINX_ARGS)
    if source is not None:
        args[args.index("book")] = str(source)
    return ["-b", builder, *args, str(out), *extra]
