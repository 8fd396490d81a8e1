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
    `timing_enabled` (may a page measure time in this build?),
    `TIMING_DISABLED_NOTE` (what it shows instead), `FROZEN_TIMINGS_VARIABLE`,
    `compare_timings` / `Timings` (fair, interleaved timing), `machine_info`,
    `run_benchmarks` and its `GOALS` (the benchmark table).
"""

from __future__ import annotations

from ._costs import LayerComparison, layer_comparison
from ._datasets import CIFAR10, HD, IMAGENET_VGG, MNIST, STANDARD_INPUTS, InputSize
from ._format import format_bytes, format_count, markdown_table
from ._symbolic import conv_equations, tap_names, to_latex, vector_symbols
from ._timing import (
    FROZEN_TIMINGS_VARIABLE,
    GOALS,
    TIMING_DISABLED_NOTE,
    Timings,
    compare_timings,
    machine_info,
    run_benchmarks,
    timing_enabled,
)

__all__ = [
    "CIFAR10",
    "FROZEN_TIMINGS_VARIABLE",
    "GOALS",
    "HD",
    "IMAGENET_VGG",
    "MNIST",
    "STANDARD_INPUTS",
    "TIMING_DISABLED_NOTE",
    "InputSize",
    "LayerComparison",
    "Timings",
    "compare_timings",
    "conv_equations",
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
