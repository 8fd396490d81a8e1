"""convmat._timing: fair timing tools, and the opt-in switch for live timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import convmat
from convmat._timing import (
    GOALS,
    LIVE_TIMINGS_VARIABLE,
    Timings,
    book_timings,
    chapter_timings,
    compare_timings,
    describe_timings,
    machine_info,
    run_benchmarks,
)

STORED = Path(__file__).resolve().parents[1] / "book" / "data" / "chapter-timings.json"


@pytest.mark.parametrize("value", ["1", "yes", "true", "TRUE", " 1 ", "on"])
def test_set_variable_turns_live_timings_on(value: str) -> None:
    assert convmat.book.timing_enabled({LIVE_TIMINGS_VARIABLE: value}) is True


@pytest.mark.parametrize("value", ["", "0", "false", "No", "off", " 0 "])
def test_unset_or_false_variable_keeps_the_stored_timings(value: str) -> None:
    assert convmat.book.timing_enabled({LIVE_TIMINGS_VARIABLE: value}) is False


def test_the_default_build_does_not_measure() -> None:
    assert convmat.book.timing_enabled({"OTHER": "1"}) is False
    assert convmat.book.timing_enabled({"CONVMAT_FROZEN_TIMINGS": "0"}) is False


def test_default_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LIVE_TIMINGS_VARIABLE, "1")
    assert convmat.book.timing_enabled() is True
    monkeypatch.delenv(LIVE_TIMINGS_VARIABLE)
    assert convmat.book.timing_enabled() is False


def test_a_child_process_inherits_the_switch() -> None:
    """Kernels started by myst-nb are child processes of sphinx-build."""
    code = "import convmat; print(convmat.book.timing_enabled())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={LIVE_TIMINGS_VARIABLE: "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_the_stored_chapter_timings_hold_every_part_and_name_the_machine() -> None:
    for part in ("matrix_routes", "fft", "methods"):
        timed = book_timings(part, stored=STORED, environ={})
        assert timed["origin"] == "stored"
        assert timed["rows"]
        assert timed["machine"]["cpu"]
        sentence = describe_timings(timed)
        assert timed["machine"]["cpu"] in sentence
        assert timed["machine"]["date"][:10] in sentence
        assert LIVE_TIMINGS_VARIABLE in sentence
    data = json.loads(STORED.read_text(encoding="utf-8"))
    assert data["threads"]["requested"] == 1


def test_live_chapter_timings_measure_and_say_so() -> None:
    timed = book_timings(
        "fft", stored="no-such-file.json", environ={LIVE_TIMINGS_VARIABLE: "1"}
    )
    assert timed["origin"] == "live"
    assert [row["k"] for row in timed["rows"]] == [3, 9, 33, 129, 513]
    assert all(row["direct"] > 0 and row["fft"] > 0 for row in timed["rows"])
    assert "while this page was built" in describe_timings(timed)


def test_unknown_chapter_part_is_refused() -> None:
    with pytest.raises(ValueError, match="parts"):
        chapter_timings(("nope",))


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
