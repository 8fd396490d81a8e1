"""Shared test settings: two hypothesis profiles, the built site, one Chromium.

``dev`` (the default) is fast and reproducible: 60 derandomised examples per
property. ``ci`` (chosen with ``CONVMAT_HYPOTHESIS=ci``, as ``.ci/run`` does)
searches: 600 examples per property, a fresh random seed each run, printed in
the header so that a failure can be replayed with ``--hypothesis-seed``, and
the run fails if fewer than ``CONVMAT_HYPOTHESIS_MIN_CASES`` cases were
generated in all.

The scripts and helpers the tests share with nox (building, serving, crawling
and visiting the site) live in ``tools/``, which pytest puts on ``sys.path``
(``pythonpath`` in ``pyproject.toml``).
"""

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from project import BUILD, CHROMIUM, ROOT, SITE
from sitebuild import sphinx_build

DEFAULT_SITE = BUILD / "html"

PROFILE = os.environ.get("CONVMAT_HYPOTHESIS", "dev")
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=600,
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(PROFILE)
_CASES = {"passing": 0, "tests": 0}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """In the ci profile, draw a seed (before hypothesis reads the option)."""
    if PROFILE == "ci" and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(secrets.randbelow(2**32))


def pytest_report_header(config: pytest.Config) -> str:
    """Say which profile runs, and the seed to replay a ci run."""
    seed = config.getoption("hypothesis_seed", None)
    if seed is None:
        return f"hypothesis profile: {PROFILE} (derandomised)"
    return (
        f"hypothesis profile: {PROFILE}, seed {seed} "
        f"(replay: CONVMAT_HYPOTHESIS={PROFILE} nox -s tests -- "
        f"--hypothesis-seed={seed})"
    )


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Count the generated cases hypothesis ran (from its own statistics)."""
    stats = getattr(item, "hypothesis_statistics", None)
    if stats:
        _CASES["tests"] += 1
        _CASES["passing"] += sum(int(n) for n in re.findall(r"(\d+) passing", stats))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Report the number of generated cases; in CI, require a minimum."""
    if not _CASES["tests"]:
        return
    seed = config.getoption("hypothesis_seed", None)
    terminalreporter.write_line(
        f"hypothesis: {_CASES['passing']:,} generated cases passed in "
        f"{_CASES['tests']} properties (profile {PROFILE}, seed {seed})"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a CI run that generated fewer cases than promised."""
    minimum = int(os.environ.get("CONVMAT_HYPOTHESIS_MIN_CASES", "0"))
    if minimum and exitstatus == 0 and _CASES["passing"] < minimum:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.getplugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"hypothesis: only {_CASES['passing']:,} generated cases, "
                f"fewer than CONVMAT_HYPOTHESIS_MIN_CASES={minimum:,}"
            )


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
