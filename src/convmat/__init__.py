"""convmat: a convolution is a matrix multiplication.

The names below are the book's concepts; each is a function or class of this
package (``help(convmat.conv_matrix)`` and so on).

The convolution (cross-correlation, PyTorch's shapes and options)
    `conv1d`, `conv2d`; `output_shape` gives the size of their output.
The matrix of a convolution
    `conv_matrix` (dense or ``format="sparse"``), `conv_matrix_symbolic`
    (tap names instead of numbers), all three built from one index map,
    `conv_index` (returns a `ConvIndex`: rows, columns, taps);
    `conv_operator` (a scipy LinearOperator: the matrix applied, never built).
Its transpose
    `conv_transpose1d`, `conv_transpose2d`: multiply by ``M.T`` without M.
How libraries compute it
    `im2col` (the window matrix: the input repeated, not the filter),
    `conv_taps` (one shifted product per tap), `conv_fft` (through the FFT).
Its price
    `matrix_cost` (a `MatrixCost`: entries, non-zeros, bytes, never built),
    `conv_layer_params`, `dense_layer_params`, `conv_layer_flops`,
    `dense_layer_flops` (weight sharing in numbers).
The pattern finder
    `normalized_correlation` (a template's correlation with every window).
Pooling and shifts (translational invariance)
    `shift`, `max_pool2d`, `avg_pool2d`, `global_max_pool`, `global_avg_pool`.

Two public submodules serve the book rather than the ideas:
`convmat.book` (Markdown tables, number formatting, LaTeX, standard input
sizes, the timing switch) and `convmat.experiment` (the classifiers of the
experiment page and the data they are trained on).
"""

from . import book as book  # the submodules are public: convmat.book.x works
from . import experiment as experiment
from ._costs import (
    MatrixCost,
    conv_layer_flops,
    conv_layer_params,
    dense_layer_flops,
    dense_layer_params,
    matrix_cost,
)
from ._direct import conv1d, conv2d
from ._fast import conv_fft, conv_taps, im2col
from ._index import ConvIndex, conv_index
from ._matrix import conv_matrix
from ._operator import conv_operator
from ._params import output_shape
from ._pattern import normalized_correlation
from ._pooling import avg_pool2d, global_avg_pool, global_max_pool, max_pool2d, shift
from ._symbolic import conv_matrix_symbolic
from ._transpose import conv_transpose1d, conv_transpose2d

__version__ = "0.2.0"

__all__ = [
    "ConvIndex",
    "MatrixCost",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_fft",
    "conv_index",
    "conv_layer_flops",
    "conv_layer_params",
    "conv_matrix",
    "conv_matrix_symbolic",
    "conv_operator",
    "conv_taps",
    "conv_transpose1d",
    "conv_transpose2d",
    "dense_layer_flops",
    "dense_layer_params",
    "global_avg_pool",
    "global_max_pool",
    "im2col",
    "matrix_cost",
    "max_pool2d",
    "normalized_correlation",
    "output_shape",
    "shift",
]
