"""Shared test settings: a fast, reproducible hypothesis profile, and the built site."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sitebuild import ROOT, SITE, sphinx_build

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
