"""Timing, done fairly, and the switch that lets a reader time on their machine.

Pages of the book and ``tools/benchmark.py`` time convmat against its peers
with these tools: `compare_timings` (interleaved rounds, per-call times,
ratios of minimums and of medians, one BLAS thread), `machine_info` and
`run_benchmarks` (the benchmark table, with the goals in `GOALS`), and
`chapter_timings` (the times the chapters show).

A time measured while the book is built differs from build to build, so the
chapters show a committed measurement (``book/data/chapter-timings.json``,
written by ``nox -s bench -- --chapters``) and name the machine it came from;
`book_timings` reads it. Setting the environment variable
``CONVMAT_LIVE_TIMINGS=1`` makes `timing_enabled` return True, and the pages
then measure on the machine that builds them instead.
"""

from __future__ import annotations

__all__ = [
    "GOALS",
    "LIVE_TIMINGS_VARIABLE",
    "METHOD_CASES",
    "TIMING_DISABLED_NOTE",
    "Timings",
    "book_timings",
    "chapter_timings",
    "compare_timings",
    "describe_timings",
    "machine_info",
    "run_benchmarks",
    "timing_enabled",
]

import datetime as _dt
import functools
import gc
import importlib.metadata
import json
import math
import operator
import os
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Set this environment variable to ``1`` to measure the book's timings live.
LIVE_TIMINGS_VARIABLE = "CONVMAT_LIVE_TIMINGS"

#: What a page shows in place of a measured time when it has none to show.
TIMING_DISABLED_NOTE = "no measurement in this build"

_ON = {"1", "true", "yes", "on"}


def timing_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether pages measure run times live while the book is built.

    A time measured while the book is built differs from one build to the
    next, so by default the pages show a committed measurement instead (see
    `book_timings`), and two builds of the same sources are byte-identical.
    A reader who wants their own machine's numbers sets the environment
    variable ``CONVMAT_LIVE_TIMINGS=1``.

    Parameters
    ----------
    environ : mapping of str to str, optional
        Where to look the variable up; default ``os.environ`` (the kernel
        that executes a page inherits the environment of ``sphinx-build``).

    Returns
    -------
    bool
        ``True`` when ``CONVMAT_LIVE_TIMINGS`` is ``"1"``, ``"true"``,
        ``"yes"`` or ``"on"`` (any case), ``False`` otherwise: the default
        build does not measure.

    Examples
    --------
    >>> from convmat.book import timing_enabled
    >>> timing_enabled({})
    False
    >>> timing_enabled({"CONVMAT_LIVE_TIMINGS": "1"})
    True
    >>> timing_enabled({"CONVMAT_LIVE_TIMINGS": "0"})
    False
    """
    env = os.environ if environ is None else environ
    value = env.get(LIVE_TIMINGS_VARIABLE, "")
    return value.strip().lower() in _ON


@dataclass(frozen=True)
class Timings:
    """Seconds per call of each candidate, one value per round.

    Returned by `compare_timings`. The ratio of two candidates is reported
    two ways: from the minimums (the figure least disturbed by other load on
    the machine) and as the median of the per-round ratios (rounds are
    interleaved, so both sides of a ratio saw the same load).

    Attributes
    ----------
    seconds : dict of str to tuple of float
        Per-call time in each round.
    number : dict of str to int
        Calls per measurement (calibrated so that one lasts ``min_time``).

    Examples
    --------
    >>> t = Timings({"a": (2.0, 3.0, 2.5), "b": (1.0, 1.0, 1.0)}, {"a": 1, "b": 1})
    >>> t.best("a"), t.median("a")
    (2.0, 2.5)
    >>> t.ratio("a", "b"), t.median_ratio("a", "b")
    (2.0, 2.5)
    """

    seconds: dict[str, tuple[float, ...]]
    number: dict[str, int] = field(default_factory=dict)

    def best(self, name: str) -> float:
        """Smallest per-call time of ``name``, in seconds."""
        return min(self.seconds[name])

    def median(self, name: str) -> float:
        """Median per-call time of ``name``, in seconds."""
        return float(np.median(self.seconds[name]))

    def ratio(self, name: str, baseline: str) -> float:
        """``best(name) / best(baseline)``: above 1 means ``name`` is slower."""
        return self.best(name) / self.best(baseline)

    def median_ratio(self, name: str, baseline: str) -> float:
        """Median over rounds of ``time(name) / time(baseline)``."""
        pairs = zip(self.seconds[name], self.seconds[baseline], strict=True)
        return float(np.median([a / b for a, b in pairs]))


def compare_timings(
    candidates: Mapping[str, Callable[[], object]],
    *,
    rounds: int = 5,
    min_time: float = 0.02,
    max_number: int = 10_000,
) -> Timings:
    """Time several functions side by side, in interleaved rounds.

    Each candidate is called once to warm up (and to calibrate how many
    calls make one measurement of at least ``min_time`` seconds); then, in
    every round, each candidate is measured once, the order rotating from
    round to round so that no candidate always runs first. The garbage
    collector is off while measuring, as in `timeit`.

    Parameters
    ----------
    candidates : mapping of str to callable
        Functions without arguments, by name.
    rounds : int, optional
        Number of interleaved rounds (>= 1).
    min_time : float, optional
        Target duration of one measurement, in seconds (>= 0).
    max_number : int, optional
        Upper bound on calls per measurement.

    Returns
    -------
    Timings
        Per-call seconds of every candidate in every round.

    Raises
    ------
    ValueError
        If ``candidates`` is empty, ``rounds < 1`` or ``min_time < 0``.

    Examples
    --------
    >>> from convmat.book import compare_timings
    >>> t = compare_timings({"sum": lambda: sum(range(100)), "pass": lambda: None},
    ...                     rounds=3, min_time=0.001)
    >>> sorted(t.seconds), len(t.seconds["sum"])
    (['pass', 'sum'], 3)
    """
    names = list(candidates)
    if not names:
        msg = "`candidates` must name at least one function, got none"
        raise ValueError(msg)
    if rounds < 1:
        msg = f"`rounds` must be >= 1, got {rounds!r}"
        raise ValueError(msg)
    if min_time < 0:
        msg = f"`min_time` must be >= 0, got {min_time!r}"
        raise ValueError(msg)

    def measure(fn: Callable[[], object], number: int) -> float:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number

    number = {}
    for name in names:
        first = measure(candidates[name], 1)
        number[name] = max(1, min(max_number, math.ceil(min_time / max(first, 1e-9))))
    seconds: dict[str, list[float]] = {name: [] for name in names}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                seconds[name].append(measure(candidates[name], number[name]))
    finally:
        if enabled:
            gc.enable()
    return Timings({k: tuple(v) for k, v in seconds.items()}, number)


def _version(package: str) -> str | None:
    """Installed version of ``package``, without importing it (None if absent)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else `platform`."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def machine_info() -> dict[str, Any]:
    """Where and with what a benchmark ran: CPU, cores, versions, date.

    Returns
    -------
    dict
        ``cpu`` (model name), ``logical_cores``, ``platform``, ``python``,
        the versions of ``numpy``, ``scipy``, ``torch`` and ``threadpoolctl``
        (None when not installed), ``blas`` (the BLAS libraries numpy loaded
        and their current thread counts, when threadpoolctl can tell),
        ``malloc`` (the glibc malloc variables that keep big allocations
        warm) and ``date`` (UTC, ISO 8601).

    Examples
    --------
    >>> info = machine_info()
    >>> info["logical_cores"] >= 1, info["numpy"] == np.__version__
    (True, True)
    """
    blas = None
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        blas = [
            f"{i.get('internal_api')} {i.get('version') or ''} "
            f"threads={i.get('num_threads')}".replace("  ", " ")
            for i in threadpool_info()
        ]
    return {
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count() or 1,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": _version("scipy"),
        "torch": _version("torch"),
        "threadpoolctl": _version("threadpoolctl"),
        "convmat": _version("convmat"),
        "blas": blas,
        "malloc": {
            k: os.environ.get(k)
            for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
        },
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------------------
# the benchmark table
# ---------------------------------------------------------------------------

_X = "\N{MULTIPLICATION SIGN}"  # the times sign of labels such as 3x224x224

#: The goals of the benchmark: ratio (min-based) must be at most this.
GOALS: dict[str, float] = {
    "conv2d": 1.5,  # convmat.conv2d against torch CPU conv2d, float32
    "dense_matrix": 1.0,  # conv_matrix (dense, 1-D) against scipy
    "sparse_matrix": 4.0,  # sparse HD conv_matrix against filling its arrays
}

#: Sizes of the full benchmark and of the small one computed by the book.
_SIZES: dict[str, dict[str, Any]] = {
    "full": {"image": (3, 224, 224), "filters": 64, "n": 4096, "hd": (3, 720, 1280)},
    "small": {"image": (3, 64, 64), "filters": 16, "n": 1024, "hd": (3, 180, 320)},
}


@contextmanager
def _one_thread() -> Iterator[dict[str, Any]]:
    """Pin BLAS/OpenMP (threadpoolctl) and torch to one thread; say what was done."""
    settings: dict[str, Any] = {"requested": 1}
    torch_before = None
    try:
        import torch
    except ImportError:
        settings["torch"] = "not installed"
    else:
        torch_before = torch.get_num_threads()
        torch.set_num_threads(1)
        settings["torch"] = f"set_num_threads(1) (was {torch_before})"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limits = None
        settings["threadpoolctl"] = "not installed: BLAS threads not pinned"
    else:
        limits = threadpool_limits(1)
        settings["threadpoolctl"] = "threadpool_limits(1)"
    try:
        yield settings
    finally:
        if limits is not None:
            limits.restore_original_limits()
        if torch_before is not None:
            torch.set_num_threads(torch_before)


def _row(
    *,
    key: str,
    label: str,
    ours: str,
    peer: str,
    timings: Timings,
    goal: float | None,
    note: str = "",
) -> dict[str, Any]:
    """One line of the benchmark table (a JSON-friendly dict)."""
    ratio = timings.ratio("ours", "peer")
    return {
        "key": key,
        "case": label,
        "ours": ours,
        "peer": peer,
        "ours_s": timings.best("ours"),
        "peer_s": timings.best("peer"),
        "ours_median_s": timings.median("ours"),
        "peer_median_s": timings.median("peer"),
        "ratio_min": ratio,
        "ratio_median": timings.median_ratio("ours", "peer"),
        "rounds": len(timings.seconds["ours"]),
        "goal": goal,
        "met": None if goal is None else bool(ratio <= goal),
        "note": note,
    }


def run_benchmarks(
    *,
    scale: str = "full",
    rounds: int = 7,
    min_time: float = 0.05,
    log: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Time convmat against its peers; the table of the Performance page.

    Rows (sizes for ``scale="full"``; ``"small"`` shrinks each):

    - ``conv2d``: `conv2d` on a 3x224x224 float32 image, 64 filters 3x3,
      padding 1, against ``torch.nn.functional.conv2d`` (skipped without
      torch); also in float64 (no goal);
    - ``conv2d_scipy``: the same against ``scipy.signal.correlate``, one call
      per output filter on the zero-padded 3-D input with the 3-D filter in
      ``"valid"`` mode: the channel axis has the same length in both, so the
      valid correlation along it is the sum over channels;
    - ``dense_matrix``: dense 1-D `conv_matrix` (n=4096, k=3) against
      ``scipy.linalg.convolution_matrix`` (flipped filter, ``"valid"``);
    - ``sparse_matrix``: CSR `conv_matrix` of a 3x3 filter over a
      3x720x1280 frame with padding 1 against merely filling arrays of its
      non-zeros (float64 data, int32 indices and row pointers).

    Everything runs with one thread (threadpoolctl and
    ``torch.set_num_threads(1)``), restored afterwards.

    Parameters
    ----------
    scale : {"full", "small"}, optional
        ``"small"`` takes a few seconds (for building the book).
    rounds : int, optional
        Interleaved rounds per row.
    min_time : float, optional
        Minimum duration of one measurement, in seconds.
    log : callable, optional
        Called with a line of progress text (e.g. ``print``).

    Returns
    -------
    dict
        ``{"scale", "rows", "goals", "threads", "machine"}``; ``rows`` is a
        list of dicts with ``case``, ``ours``, ``peer``, best times
        ``ours_s``/``peer_s``, ``ratio_min``, ``ratio_median``, ``goal`` and
        ``met`` (None without a goal); ``skipped`` lists rows not run, with
        the reason.

    Raises
    ------
    ValueError
        If ``scale`` is not "full" or "small".
    """
    import scipy.linalg
    import scipy.signal

    from ._direct import conv2d
    from ._matrix import conv_matrix

    if scale not in _SIZES:
        msg = f"`scale` must be one of {tuple(_SIZES)}, got {scale!r}"
        raise ValueError(msg)
    size = _SIZES[scale]
    say = log or (lambda _line: None)
    rng = np.random.default_rng(0)
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    try:
        import torch
        import torch.nn.functional as tf
    except ImportError:
        torch = None

    with _one_thread() as threads:
        c, h, wd = size["image"]
        f = size["filters"]
        img = f"{c}{_X}{h}{_X}{wd} \N{RIGHTWARDS ARROW} {f}, 3{_X}3, padding 1"
        x64 = rng.standard_normal((c, h, wd))
        w64 = rng.standard_normal((f, c, 3, 3))
        for dtype, goal in ((np.float32, GOALS["conv2d"]), (np.float64, None)):
            name = np.dtype(dtype).name
            if torch is None:
                skipped.append(f"conv2d {name} vs torch: torch is not installed")
                continue
            x, w = x64.astype(dtype), w64.astype(dtype)
            xt, wt = torch.from_numpy(x)[None], torch.from_numpy(w)
            say(f"conv2d {name} vs torch ...")
            with torch.no_grad():
                t = compare_timings(
                    {
                        "ours": functools.partial(conv2d, x, w, padding=1),
                        "peer": functools.partial(tf.conv2d, xt, wt, padding=1),
                    },
                    rounds=rounds,
                    min_time=min_time,
                )
            rows.append(
                _row(
                    key=f"conv2d_{name}",
                    label=f"conv2d {img}, {name}",
                    ours="convmat.conv2d",
                    peer="torch conv2d (CPU)",
                    timings=t,
                    goal=goal,
                )
            )

        x, w = x64.astype(np.float32), w64.astype(np.float32)
        xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))

        def scipy_conv() -> np.ndarray:
            return np.concatenate(
                [scipy.signal.correlate(xp, w[o], mode="valid") for o in range(f)]
            )

        say("conv2d float32 vs scipy.signal.correlate ...")
        t = compare_timings(
            {"ours": lambda: conv2d(x, w, padding=1), "peer": scipy_conv},
            rounds=rounds,
            min_time=min_time,
        )
        rows.append(
            _row(
                key="conv2d_scipy",
                label=f"conv2d {img}, float32",
                ours="convmat.conv2d",
                peer="scipy.signal.correlate",
                timings=t,
                goal=None,
                note="one 3-D 'valid' correlate per filter on the padded input: "
                "sums the channels",
            )
        )

        n = size["n"]
        k1 = rng.standard_normal(3)
        say(f"dense conv_matrix n={n} vs scipy ...")
        t = compare_timings(
            {
                "ours": lambda: conv_matrix(k1, n),
                "peer": lambda: scipy.linalg.convolution_matrix(k1[::-1], n, "valid"),
            },
            rounds=rounds,
            min_time=min_time,
        )
        rows.append(
            _row(
                key="dense_matrix",
                label=f"dense 1-D matrix, n={n}, k=3, float64",
                ours="convmat.conv_matrix",
                peer="scipy.linalg.convolution_matrix",
                timings=t,
                goal=GOALS["dense_matrix"],
            )
        )

        shape = size["hd"]
        k2 = rng.standard_normal((1, shape[0], 3, 3))
        m = conv_matrix(k2, shape, padding=1, format="csr")
        nnz, n_rows = m.nnz, m.shape[0]  # type: ignore[union-attr]  # csr has nnz
        del m

        def fill() -> tuple[np.ndarray, ...]:
            return (
                np.full(nnz, 1.0),
                np.full(nnz, 1, dtype=np.int32),
                np.full(n_rows + 1, 1, dtype=np.int32),
            )

        say(f"sparse conv_matrix {shape} vs fill ...")
        t = compare_timings(
            {
                "ours": lambda: conv_matrix(k2, shape, padding=1, format="csr"),
                "peer": fill,
            },
            rounds=max(3, rounds // 2),
            min_time=min_time,
        )
        rows.append(
            _row(
                key="sparse_matrix",
                label=f"sparse matrix {_X.join(map(str, shape))}, 3{_X}3, padding 1 "
                f"({nnz:,} non-zeros)",
                ours="convmat.conv_matrix(format='csr')",
                peer="fill float64 + int32 arrays",
                timings=t,
                goal=GOALS["sparse_matrix"],
            )
        )
        machine = machine_info()
    return {
        "scale": scale,
        "rows": rows,
        "skipped": skipped,
        "goals": dict(GOALS),
        "threads": threads,
        "machine": machine,
    }


# ---------------------------------------------------------------------------
# the times the chapters show
# ---------------------------------------------------------------------------

#: Image sides of the price chapter's table; the dense matrix is built up to
#: `DENSE_LIMIT` bytes.
MATRIX_SIDES = (16, 32, 48, 96, 192)
DENSE_LIMIT = 64 * 1024**2
#: Filter lengths of the FFT table, on a signal of `FFT_SIGNAL` samples.
FFT_SIZES = (3, 9, 33, 129, 513)
FFT_SIGNAL = 4096
#: The cases of the methods table: input shape, weight shape.
METHOD_CASES = {
    f"3{_X}32{_X}32 → 16, 3{_X}3": ((3, 32, 32), (16, 3, 3, 3)),
    f"16{_X}64{_X}64 → 16, 3{_X}3": ((16, 64, 64), (16, 16, 3, 3)),
    f"4{_X}64{_X}64 → 4, 15{_X}15": ((4, 64, 64), (4, 4, 15, 15)),
}


def _time_matrix_routes(rounds: int, min_time: float) -> dict[str, Any]:
    """Direct `conv2d`, sparse and dense products, and the sparse build."""
    from ._direct import conv2d
    from ._matrix import conv_matrix

    rng = np.random.default_rng(0)
    w = rng.standard_normal((1, 3, 3, 3)).astype(np.float32)
    rows = []
    for side in MATRIX_SIDES:
        x = rng.standard_normal((3, side, side)).astype(np.float32)
        v = x.ravel()
        sparse = conv_matrix(w, x.shape, padding=1, format="sparse")
        calls: dict[str, Callable[[], object]] = {
            "direct": functools.partial(conv2d, x, w, padding=1),
            "sparse": functools.partial(operator.matmul, sparse, v),
        }
        if (v.size * 4) * side * side <= DENSE_LIMIT:  # float32, side*side rows
            dense = conv_matrix(w, x.shape, padding=1)
            calls["dense"] = functools.partial(operator.matmul, dense, v)
        t = compare_timings(calls, rounds=rounds, min_time=min_time)
        build = compare_timings(
            {
                "build": functools.partial(
                    conv_matrix, w, x.shape, padding=1, format="sparse"
                )
            },
            rounds=rounds,
            min_time=0,
            max_number=1,
        )
        rows.append(
            {
                "side": side,
                **{k: t.best(k) for k in calls},
                "build": build.best("build"),
            }
        )
    return {"rows": rows, "dense_limit": DENSE_LIMIT, "rounds": rounds}


def _time_fft(rounds: int, min_time: float) -> dict[str, Any]:
    """Circular 1-D convolution, direct against FFT, for growing filters."""
    from ._direct import conv1d
    from ._fast import conv_fft

    rng = np.random.default_rng(0)
    signal = rng.standard_normal(FFT_SIGNAL)
    opts: dict[str, Any] = {"padding": "same", "padding_mode": "circular"}
    rows = []
    for k in FFT_SIZES:
        filt = rng.standard_normal(k)
        t = compare_timings(
            {
                "direct": functools.partial(conv1d, signal, filt, **opts),
                "fft": functools.partial(conv_fft, signal, filt, **opts),
            },
            rounds=rounds,
            min_time=min_time,
        )
        rows.append({"k": k, "direct": t.best("direct"), "fft": t.best("fft")})
    return {"n": FFT_SIGNAL, "rows": rows, "rounds": rounds}


def _time_methods(rounds: int, min_time: float) -> dict[str, Any]:
    """im2col + GEMM, direct loops, FFT and the sparse matrix product."""
    from ._direct import conv2d
    from ._fast import conv_fft, conv_taps
    from ._matrix import conv_matrix

    rng = np.random.default_rng(0)
    rows = []
    for label, (x_shape, w_shape) in METHOD_CASES.items():
        xs = rng.standard_normal(x_shape).astype(np.float32)
        ws = rng.standard_normal(w_shape).astype(np.float32)
        pad = w_shape[-1] // 2
        ms = conv_matrix(ws, x_shape, padding=pad, format="sparse")
        t = compare_timings(
            {
                "im2col": functools.partial(conv2d, xs, ws, padding=pad),
                "taps": functools.partial(conv_taps, xs, ws, padding=pad),
                "fft": functools.partial(conv_fft, xs, ws, padding=pad),
                "matrix": functools.partial(operator.matmul, ms, xs.ravel()),
            },
            rounds=rounds,
            min_time=min_time,
        )
        rows.append({"case": label, **{k: t.best(k) for k in t.seconds}})
    return {"rows": rows, "rounds": rounds}


_CHAPTER_PARTS: dict[str, Callable[[int, float], dict[str, Any]]] = {
    "matrix_routes": _time_matrix_routes,
    "fft": _time_fft,
    "methods": _time_methods,
}


def chapter_timings(
    parts: tuple[str, ...] = tuple(_CHAPTER_PARTS),
    *,
    rounds: int = 5,
    min_time: float = 0.01,
    log: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Measure the times the chapters show, with one thread, and say where.

    Parameters
    ----------
    parts : tuple of str, optional
        Which tables: ``"matrix_routes"`` (dense and sparse products against
        the direct convolution, "The price of the matrix view"), ``"fft"``
        ("Circulant matrices and the FFT") and ``"methods"`` ("How libraries
        really compute convolutions").
    rounds, min_time : optional
        As in `compare_timings`.
    log : callable, optional
        Called with a line of progress text (e.g. ``print``).

    Returns
    -------
    dict
        One entry per part (per-call seconds, best of ``rounds``), plus
        ``machine`` (`machine_info`) and ``threads``.

    Raises
    ------
    ValueError
        If a part is unknown.
    """
    unknown = [p for p in parts if p not in _CHAPTER_PARTS]
    if unknown:
        msg = f"`parts` must be among {tuple(_CHAPTER_PARTS)}, got {unknown[0]!r}"
        raise ValueError(msg)
    say = log or (lambda _line: None)
    out: dict[str, Any] = {}
    with _one_thread() as threads:
        for part in parts:
            say(f"chapter timings: {part} ...")
            out[part] = _CHAPTER_PARTS[part](rounds, min_time)
        out["machine"] = machine_info()
    out["threads"] = threads
    return out


#: Where the committed chapter timings live, relative to the book's pages.
STORED_TIMINGS = Path("data") / "chapter-timings.json"


def book_timings(
    part: str,
    *,
    stored: str | Path = STORED_TIMINGS,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The times a chapter shows: the committed run, or a live one when asked.

    Parameters
    ----------
    part : str
        One of the parts of `chapter_timings`.
    stored : path, optional
        The committed measurement (JSON written by ``nox -s bench --
        --chapters``), relative to the page that reads it.
    environ : mapping, optional
        Where `timing_enabled` looks for ``CONVMAT_LIVE_TIMINGS``.

    Returns
    -------
    dict
        The part's results, with ``origin`` (``"stored"`` or ``"live"``),
        ``machine`` and ``threads``.
    """
    if timing_enabled(environ):
        data = chapter_timings((part,))
        origin = "live"
    else:
        data = json.loads(Path(stored).read_text(encoding="utf-8"))
        origin = "stored"
    return {
        **data[part],
        "origin": origin,
        "machine": data["machine"],
        "threads": data["threads"],
    }


def describe_timings(timings: Mapping[str, Any]) -> str:
    """One sentence saying where and when the times of `book_timings` were taken."""
    m = timings["machine"]
    where = f"{m['cpu']} ({m['logical_cores']} logical cores), one thread"
    if timings["origin"] == "live":
        return f"measured while this page was built, on {where}"
    return (
        f"measured on {m['date'][:10]} with `nox -s bench -- --chapters` on {where}, "
        f"NumPy {m['numpy']}; set `{LIVE_TIMINGS_VARIABLE}=1` to measure on your "
        "machine while the book builds"
    )
