"""Benchmark convmat against scipy and torch: ratios, side by side, one thread.

Run with ``nox -s bench`` (which installs the package, threadpoolctl and, when
``CONVMAT_TORCH`` names a requirement, torch, and sets the malloc variables
below), or directly::

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 \\
        python tools/benchmark.py [--output PATH] [--rounds N] [--small] [--no-docs]

How it measures (see the project's benchmarking notes): each row times
convmat and its peer in the same process, in interleaved rounds (the order
rotating each round), with repeats per measurement; it reports the ratio of
the minimums (least disturbed by other load) and the median of the per-round
ratios. BLAS/OpenMP and torch are pinned to one thread. Ratios, not times,
are comparable between machines.

Rows: convmat.conv2d against torch CPU conv2d (float32, with goal; float64
for information) and against scipy.signal.correlate; the dense 1-D
conv_matrix against scipy.linalg.convolution_matrix; the sparse HD
conv_matrix against filling arrays of its non-zeros; and the time of a no-op
rebuild of the docs into an already-built ``_build/html`` (skipped when that
folder does not exist).

The results go to ``_build/bench/latest.json`` (``--output`` to change it).
The Performance page of the book shows ``book/data/bench-latest.json`` when
it exists: copy a run there to publish it.

``--chapters`` instead times the tables that the chapters show (see
``convmat._timing.chapter_timings``) and writes
``_build/bench/chapter-timings.json``; the chapters show
``book/data/chapter-timings.json``, a run copied there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from project import BUILD, ROOT, SITE

from convmat._timing import chapter_timings, run_benchmarks

DEFAULT_OUTPUT = BUILD / "bench" / "latest.json"
CHAPTERS_OUTPUT = BUILD / "bench" / "chapter-timings.json"
MALLOC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
GOAL_TEXT = {
    "conv2d_float32": "conv2d <= {goal:g}x torch",
    "dense_matrix": "dense conv_matrix <= {goal:g}x scipy",
    "sparse_matrix": "sparse build <= {goal:g}x fill",
}


def find_sphinx_build(explicit: str | None) -> str | None:
    """The sphinx-build to time: given, this Python's, nox's docs env, or PATH."""
    candidates = [
        explicit,
        os.environ.get("CONVMAT_SPHINX_BUILD"),
        str(Path(sys.executable).parent / "sphinx-build"),
        str(ROOT / ".nox" / "docs" / "bin" / "sphinx-build"),
        shutil.which("sphinx-build"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def docs_rebuild(sphinx_build: str | None, runs: int) -> dict:
    """Time a rebuild of the book into the existing _build/html (cached execution).

    The first run may do real work (a changed page or configuration); the
    following ones are no-op rebuilds. Reports every run and the minimum of
    the runs after the first. Warnings are counted, not fatal (no ``-W``):
    this times the build, ``nox -s docs`` checks it.
    """
    if not (SITE / "index.html").exists():
        return {"skipped": f"{SITE} does not exist: build the docs first (nox -s docs)"}
    if sphinx_build is None:
        return {
            "skipped": "no sphinx-build found (give --sphinx-build, set "
            "CONVMAT_SPHINX_BUILD, or run `nox -s docs` once to create .nox/docs)"
        }
    command = [
        sphinx_build,
        "-b",
        "html",
        "-c",
        ".",
        "-q",
        "book",
        str(SITE),
    ]
    seconds = []
    for _ in range(max(runs, 2)):
        start = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
        )
        seconds.append(time.perf_counter() - start)
        warnings = done.stderr.count("WARNING")
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            return {"failed": f"sphinx-build exited {done.returncode}", "log": tail}
    return {
        "command": " ".join(command),
        "seconds": seconds,
        "first_s": seconds[0],
        "noop_s": min(seconds[1:]),
        "warnings_last_run": warnings,
    }


def fmt_time(seconds: float) -> str:
    """Seconds as ms or s with three significant figures."""
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def table(results: dict) -> str:
    """The plain-text table of ratios printed at the end."""
    header = (
        "case",
        "convmat",
        "peer",
        "peer time",
        "ratio (min)",
        "ratio (median)",
        "goal",
    )
    lines = [header]
    for row in results["rows"]:
        goal = "" if row["goal"] is None else f"<= {row['goal']:g}x"
        if row["met"] is not None:
            goal += " met" if row["met"] else " NOT met"
        lines.append(
            (
                row["case"],
                fmt_time(row["ours_s"]),
                row["peer"],
                fmt_time(row["peer_s"]),
                f"{row['ratio_min']:.3f}x",
                f"{row['ratio_median']:.3f}x",
                goal,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        cells = [
            cell.ljust(width) if i in (0, 2, 6) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def write_chapter_timings(args: argparse.Namespace) -> int:
    """Measure the chapters' timing tables; write them as JSON."""
    output = CHAPTERS_OUTPUT if args.output == DEFAULT_OUTPUT else args.output
    results = chapter_timings(log=lambda line: print("  timing", line, flush=True))
    m = results["machine"]
    print(f"machine: {m['cpu']}, {m['logical_cores']} logical cores; date: {m['date']}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {output}")
    print("to show it in the chapters: cp it to book/data/chapter-timings.json")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"JSON file to write (default {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument(
        "--small", action="store_true", help="small sizes (a few seconds)"
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="skip the docs rebuild row"
    )
    parser.add_argument("--docs-runs", type=int, default=2, help="docs rebuilds (>=2)")
    parser.add_argument("--sphinx-build", help="the sphinx-build executable to time")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 when a goal is not met",
    )
    parser.add_argument(
        "--chapters",
        action="store_true",
        help="time only the tables the chapters show; write "
        f"{CHAPTERS_OUTPUT.relative_to(ROOT)} (or --output)",
    )
    args = parser.parse_args(argv)
    if args.chapters:
        return write_chapter_timings(args)

    print("convmat benchmark: ratios of best times, convmat / peer (below 1: faster)")
    missing = [v for v in MALLOC_VARIABLES if not os.environ.get(v)]
    if missing:
        print(
            f"warning: {', '.join(missing)} not set: large allocations may be "
            "timed cold (nox -s bench sets them)"
        )
    results = run_benchmarks(
        scale="small" if args.small else "full",
        rounds=args.rounds,
        log=lambda line: print("  timing", line, flush=True),
    )
    for reason in results["skipped"]:
        print(f"  skipped: {reason}")

    if args.no_docs:
        docs = {"skipped": "--no-docs given"}
    else:
        print("  timing a docs rebuild into _build/html ...", flush=True)
        docs = docs_rebuild(find_sphinx_build(args.sphinx_build), args.docs_runs)
    results["docs_rebuild"] = docs
    results["command"] = " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])])

    machine, threads = results["machine"], results["threads"]
    print()
    print(f"machine: {machine['cpu']}, {machine['logical_cores']} logical cores")
    print(
        f"versions: python {machine['python']}, numpy {machine['numpy']}, "
        f"scipy {machine['scipy']}, torch {machine['torch'] or 'not installed'}"
    )
    print(
        f"threads: 1 ({threads['threadpoolctl']}; torch {threads['torch']}); "
        f"BLAS during the run: {', '.join(machine['blas'] or ['unknown'])}"
    )
    malloc = ", ".join(f"{k}={v}" for k, v in machine["malloc"].items())
    print(f"malloc: {malloc}; rounds: {args.rounds}; date: {machine['date']}")
    print()
    print(table(results))
    print()
    if "noop_s" in docs:
        print(
            f"docs no-op rebuild: {docs['noop_s']:.2f} s "
            f"(first run {docs['first_s']:.2f} s; runs: "
            f"{', '.join(f'{s:.2f}' for s in docs['seconds'])} s; "
            f"{docs['warnings_last_run']} warnings in the last run)"
        )
    else:
        print(f"docs rebuild: {docs.get('skipped') or docs.get('failed')}")
        for line in docs.get("log", []):
            print(f"    {line}")
    print()
    print("goals (ratio of minimums):")
    unmet = 0
    rows = {row["key"]: row for row in results["rows"]}
    for key, text in GOAL_TEXT.items():
        row = rows.get(key)
        if row is None:
            print(f"  {text.format(goal=float('nan'))}: not measured")
            continue
        status = "met" if row["met"] else "NOT met"
        unmet += not row["met"]
        print(
            f"  {text.format(goal=row['goal'])}: {status} "
            f"(ratio {row['ratio_min']:.3f}, median {row['ratio_median']:.3f})"
        )

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print()
    print(f"wrote {args.output}")
    print("to publish it on the Performance page: cp it to book/data/bench-latest.json")
    return 1 if args.check and unmet else 0


if __name__ == "__main__":
    sys.exit(main())
