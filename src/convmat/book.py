"""What the book's pages need besides the concepts: tables, numbers, timing, sizes.

Nothing here is about convolution itself; it is how the book *shows* results,
gathered so that ``convmat`` itself stays the list of the book's concepts.

Tables and numbers
    `markdown_table` (a table computed at build time, as Markdown),
    `format_bytes` (``"84.4 GiB"``), `format_count` (``"22.7 billion"``).
Symbols and LaTeX
    `to_latex` (a matrix or vector as LaTeX), `vector_symbols` and
    `tap_names` (``a_{1}``, ``w_{1,2}``...), `conv_equations` (one equation
    per output, as written by hand).
Standard input sizes
    `InputSize` and the named sizes `MNIST`, `CIFAR10`, `IMAGENET_VGG`, `HD`
    (`STANDARD_INPUTS` holds the four, with their sources), and
    `layer_comparison` / `LayerComparison` (dense against convolutional
    layers at those sizes: the weight-sharing table).
Timing
    `book_timings` (the times a chapter shows: the committed measurement, or
    a live one), `describe_timings` (where and when they were measured),
    `chapter_timings` and `METHOD_CASES` (what is measured),
    `timing_enabled` and `LIVE_TIMINGS_VARIABLE` (does this build measure
    live?), `TIMING_DISABLED_NOTE` (what a page shows with no measurement),
    `compare_timings` / `Timings` (fair, interleaved timing), `machine_info`,
    `run_benchmarks` and its `GOALS` (the benchmark table).
"""

from __future__ import annotations

from ._costs import LayerComparison, layer_comparison
from ._datasets import CIFAR10, HD, IMAGENET_VGG, MNIST, STANDARD_INPUTS, InputSize
from ._format import format_bytes, format_count, markdown_table
from ._symbolic import conv_equations, tap_names, to_latex, vector_symbols
from ._timing import (
    GOALS,
    LIVE_TIMINGS_VARIABLE,
    METHOD_CASES,
    TIMING_DISABLED_NOTE,
    Timings,
    book_timings,
    chapter_timings,
    compare_timings,
    describe_timings,
    machine_info,
    run_benchmarks,
    timing_enabled,
)

__all__ = [
    "CIFAR10",
    "GOALS",
    "HD",
    "IMAGENET_VGG",
    "LIVE_TIMINGS_VARIABLE",
    "METHOD_CASES",
    "MNIST",
    "STANDARD_INPUTS",
    "TIMING_DISABLED_NOTE",
    "InputSize",
    "LayerComparison",
    "Timings",
    "book_timings",
    "chapter_timings",
    "compare_timings",
    "conv_equations",
    "describe_timings",
    "format_bytes",
    "format_count",
    "layer_comparison",
    "machine_info",
    "markdown_table",
    "run_benchmarks",
    "tap_names",
    "timing_enabled",
    "to_latex",
    "vector_symbols",
]
