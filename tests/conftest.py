"""Shared test settings: a fast, reproducible hypothesis profile."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "convmat",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("convmat")
