"""convmat: a convolution is a matrix multiplication."""

from ._datasets import CIFAR10, HD, IMAGENET_VGG, MNIST, STANDARD_INPUTS, InputSize
from ._direct import conv1d, conv2d
from ._experiment import (
    DenseClassifier,
    LocalClassifier,
    SharedClassifier,
    place,
    train_dense,
    train_local,
    train_shared,
)
from ._fast import conv_fft, conv_taps, im2col
from ._index import ConvIndex, conv_index
from ._matrix import conv_matrix
from ._memory import (
    LayerComparison,
    MatrixCost,
    conv_layer_flops,
    conv_layer_params,
    dense_layer_flops,
    dense_layer_params,
    format_bytes,
    format_count,
    layer_comparison,
    matrix_cost,
)
from ._params import output_shape
from ._pattern import normalized_correlation
from ._pooling import avg_pool2d, global_avg_pool, global_max_pool, max_pool2d, shift
from ._symbolic import (
    conv_equations,
    conv_matrix_symbolic,
    tap_names,
    to_latex,
    vector_symbols,
)
from ._tables import markdown_table
from ._timing import TIMING_DISABLED_NOTE, timing_enabled
from ._transpose import conv_transpose1d, conv_transpose2d

__version__ = "0.1.0"

__all__ = [
    "CIFAR10",
    "HD",
    "IMAGENET_VGG",
    "MNIST",
    "STANDARD_INPUTS",
    "TIMING_DISABLED_NOTE",
    "ConvIndex",
    "DenseClassifier",
    "InputSize",
    "LayerComparison",
    "LocalClassifier",
    "MatrixCost",
    "SharedClassifier",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_equations",
    "conv_fft",
    "conv_index",
    "conv_layer_flops",
    "conv_layer_params",
    "conv_matrix",
    "conv_matrix_symbolic",
    "conv_taps",
    "conv_transpose1d",
    "conv_transpose2d",
    "dense_layer_flops",
    "dense_layer_params",
    "format_bytes",
    "format_count",
    "global_avg_pool",
    "global_max_pool",
    "im2col",
    "layer_comparison",
    "markdown_table",
    "matrix_cost",
    "max_pool2d",
    "normalized_correlation",
    "output_shape",
    "place",
    "shift",
    "tap_names",
    "timing_enabled",
    "to_latex",
    "train_dense",
    "train_local",
    "train_shared",
    "vector_symbols",
]
