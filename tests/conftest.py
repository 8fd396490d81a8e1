"""Shared test settings: a fast, reproducible hypothesis profile, and the built site."""

from hypothesis import HealthCheck, settings
from sitebuild import built_site

__all__ = ["built_site"]  # a session fixture: the book is built once per test run

settings.register_profile(
    "convmat",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("convmat")
