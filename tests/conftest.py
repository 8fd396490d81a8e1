"""Shared test settings: two hypothesis profiles, and the built site.

``dev`` (the default) is fast and reproducible: 60 derandomised examples per
property. ``ci`` (chosen with ``CONVMAT_HYPOTHESIS=ci``, as ``.ci/run`` does)
searches: 500 examples per property, a fresh random seed each run, printed in
the header so that a failure can be replayed with ``--hypothesis-seed``, and
the run fails if fewer than ``CONVMAT_HYPOTHESIS_MIN_CASES`` cases were
generated in all.
"""

import os
import re
import secrets
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sitebuild import ROOT, SITE, sphinx_build

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
    max_examples=500,
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
