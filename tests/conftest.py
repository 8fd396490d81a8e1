"""Shared test settings: a hypothesis profile, the built site, one Chromium.

The scripts and helpers the tests share with nox (building, serving, crawling
and visiting the site) live in ``tools/``, which pytest puts on ``sys.path``
(``pythonpath`` in ``pyproject.toml``).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from project import BUILD, CHROMIUM, ROOT, SITE
from sitebuild import sphinx_build

DEFAULT_SITE = BUILD / "html"

settings.register_profile(
    "convmat",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("convmat")


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The book built as HTML, once per test run (reuses the execution cache)."""
    result = sphinx_build(ROOT / "book", SITE)
    if result.returncode != 0:
        pytest.fail(
            f"the book failed to build:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
        )
    return SITE


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> Path:
    """The built site: `nox -s docs`'s build, or a folder CONVMAT_SITE names.

    ``_build/html`` (the default, and what `nox -s tests` passes) is (re)built
    by the `built_site` fixture; any other folder that already holds a built
    site (an ``index.html``) is used as it is, so that the browser tests can
    run against a small scratch build.
    """
    if SITE.resolve() != DEFAULT_SITE.resolve() and (SITE / "index.html").is_file():
        return SITE
    return request.getfixturevalue("built_site")


def require_chromium(path: Path = CHROMIUM) -> None:
    """Skip (locally) or fail (when CI is set) unless Chromium and Playwright exist."""
    problem = None
    if not path.exists():
        problem = (
            f"Chromium is not installed at {path} (Debian: `apt-get install "
            "chromium`; or point CONVMAT_CHROMIUM at a Chromium binary)"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = (
                "the Python package playwright is not installed (it is in the "
                "`browser` dependency group that `nox -s tests` installs)"
            )
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {problem}")
    pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session (Playwright's Browser)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()
