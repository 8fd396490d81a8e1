"""convmat._timing: fair timing tools, and the switch that freezes timings."""

from __future__ import annotations

import subprocess
import sys

import pytest

import convmat
from convmat._timing import (
    FROZEN_TIMINGS_VARIABLE,
    GOALS,
    Timings,
    compare_timings,
    machine_info,
    run_benchmarks,
)


@pytest.mark.parametrize("value", ["1", "yes", "true", "TRUE", " 1 "])
def test_set_variable_freezes_timings(value: str) -> None:
    assert convmat.book.timing_enabled({FROZEN_TIMINGS_VARIABLE: value}) is False


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off", " 0 "])
def test_unset_or_false_variable_lets_pages_measure(value: str) -> None:
    assert convmat.book.timing_enabled({FROZEN_TIMINGS_VARIABLE: value}) is True


def test_absent_variable_lets_pages_measure() -> None:
    assert convmat.book.timing_enabled({"OTHER": "1"}) is True


def test_default_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FROZEN_TIMINGS_VARIABLE, "1")
    assert convmat.book.timing_enabled() is False
    monkeypatch.delenv(FROZEN_TIMINGS_VARIABLE)
    assert convmat.book.timing_enabled() is True


def test_a_child_process_inherits_the_switch() -> None:
    """Kernels started by myst-nb are child processes of sphinx-build."""
    code = "import convmat; print(convmat.book.timing_enabled())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={FROZEN_TIMINGS_VARIABLE: "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_the_placeholder_says_what_it_is() -> None:
    assert "timing disabled" in convmat.book.TIMING_DISABLED_NOTE


class TestTimings:
    def test_ratios(self):
        t = Timings({"a": (4.0, 2.0, 6.0), "b": (1.0, 2.0, 2.0)})
        assert t.best("a") == 2.0
        assert t.median("a") == 4.0
        assert t.ratio("a", "b") == 2.0
        assert t.median_ratio("a", "b") == 3.0  # ratios 4, 1, 3

    def test_compare_interleaves_rounds(self):
        calls = []
        t = compare_timings(
            {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
            rounds=4,
            min_time=0.0,
        )
        assert len(t.seconds["a"]) == len(t.seconds["b"]) == 4
        assert t.number == {"a": 1, "b": 1}
        # warm-up a, b; then rounds in rotating order
        assert calls == ["a", "b", "a", "b", "b", "a", "a", "b", "b", "a"]

    def test_compare_errors(self):
        with pytest.raises(ValueError, match="`candidates` must name"):
            compare_timings({})
        with pytest.raises(ValueError, match="`rounds` must be >= 1"):
            compare_timings({"a": lambda: None}, rounds=0)
        with pytest.raises(ValueError, match="`min_time` must be >= 0"):
            compare_timings({"a": lambda: None}, min_time=-1)


def test_machine_info_keys():
    info = machine_info()
    for key in ("cpu", "logical_cores", "python", "numpy", "scipy", "torch", "date"):
        assert key in info


def test_run_benchmarks_small_shape():
    result = run_benchmarks(scale="small", rounds=1, min_time=0.0)
    keys = [row["key"] for row in result["rows"]]
    assert "dense_matrix" in keys
    assert "sparse_matrix" in keys
    assert result["goals"] == GOALS
    assert result["threads"]["requested"] == 1
    for row in result["rows"]:
        assert row["ratio_min"] > 0
        assert row["met"] in (None, True, False)


def test_run_benchmarks_scale():
    with pytest.raises(ValueError, match="`scale` must be one of"):
        run_benchmarks(scale="huge")
