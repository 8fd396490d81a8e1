"""Costs: what the matrix of a convolution and a layer store and compute.

Nothing here builds the (possibly enormous) convolution matrix: sizes and
non-zero counts are computed one spatial axis at a time and multiplied, so the
cost of the matrix for an HD frame is known without allocating terabytes.
"""

from __future__ import annotations

__all__ = [
    "LayerComparison",
    "MatrixCost",
    "conv_layer_flops",
    "conv_layer_params",
    "dense_layer_flops",
    "dense_layer_params",
    "layer_comparison",
    "matrix_cost",
]

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._datasets import STANDARD_INPUTS, InputSize
from ._index import axis_positions
from ._params import (
    ConvSpec,
    IntOrTuple,
    Padding,
    PaddingMode,
    check_int,
    conv_spec,
    shape_of,
)

_INT32_MAX = int(np.iinfo(np.int32).max)


# --------------------------------------------------------------------------
# small validators (each names the argument it checks)
# --------------------------------------------------------------------------


def _numeric_dtype(dtype: Any) -> np.dtype:
    """`dtype` as a numpy dtype of numbers (its itemsize is what counts)."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        msg = f"`dtype` must be a numeric data type, got {dtype!r}"
        raise TypeError(msg) from err
    if dt.kind not in "biufc":
        msg = f"`dtype` must be a numeric data type, got {dt}"
        raise TypeError(msg)
    checked: np.dtype[Any] = dt
    return checked


# --------------------------------------------------------------------------
# the convolution matrix, counted per axis
# --------------------------------------------------------------------------


def _axis_counts(spec: ConvSpec, axis: int) -> tuple[int, int]:
    """Count one spatial axis of the matrix.

    Returns (pairs, tap_sets): the number of distinct (output, input) pairs
    some tap connects, and the number of distinct sets of taps sharing such a
    pair (with generic weights, the number of distinct values on this axis).
    The positions come from the index map's own per-axis table, ``n_out * k``
    long: one axis, never the matrix.
    """
    pos, inside = axis_positions(spec, axis)
    n_out, k = pos.shape
    n = spec.input_size[axis]
    if spec.padding_mode == "zeros":
        # the taps of one output read different positions: nothing merges
        return int(inside.sum()), int(inside.any(axis=0).sum())
    keys = (np.arange(n_out)[:, None] * n + pos).ravel()
    uniq, group = np.unique(keys, return_inverse=True)
    masks = [0] * uniq.size  # the set of taps on each (output, input) pair
    taps = np.broadcast_to(np.arange(k), pos.shape).ravel()
    for g, t in zip(group.tolist(), taps.tolist(), strict=True):
        masks[g] |= 1 << t
    return int(uniq.size), len(set(masks))


@dataclass(frozen=True)
class MatrixCost:
    """Sizes of a convolution's matrix, against the size of its filter.

    Returned by :func:`matrix_cost`; all counts are exact Python ints.

    Attributes
    ----------
    input_shape, output_shape, weight_shape : tuple of int
        Shapes of the input, the output and the filter. The matrix maps the
        flattened input to the flattened output.
    rows, cols : int
        ``prod(output_shape)`` and ``prod(input_shape)``.
    entries : int
        ``rows * cols``: what a dense array stores.
    nonzeros : int
        Number of non-zero entries when every tap is non-zero (taps that
        land on the same entry, possible with circular, reflect and replicate
        padding, make one entry).
    distinct : int
        Number of distinct non-zero values for generic weights (no two
        weights, or sums of weights, equal): the number of taps used, or, when
        taps merge into one entry, the number of distinct sums.
    filter_entries : int
        ``prod(weight_shape)``: what the filter itself stores.
    itemsize : int
        Bytes per stored value.

    See Also
    --------
    matrix_cost : computes it.

    Examples
    --------
    >>> from convmat import matrix_cost
    >>> cost = matrix_cost((2,), (4,), dtype="float32")
    >>> cost.entries, cost.nonzeros, cost.filter_entries
    (12, 6, 2)
    >>> cost.dense_bytes, cost.sparse_bytes, cost.filter_bytes, cost.density
    (48, 64, 8, 0.5)
    """

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    rows: int
    cols: int
    entries: int
    nonzeros: int
    distinct: int
    filter_entries: int
    itemsize: int

    @property
    def dense_bytes(self) -> int:
        """Bytes of the dense matrix, ``entries * itemsize``."""
        return self.entries * self.itemsize

    @property
    def index_itemsize(self) -> int:
        """Bytes of one CSR index: 4 (int32) if rows, cols and nnz fit, else 8."""
        return 4 if max(self.rows, self.cols, self.nonzeros) <= _INT32_MAX else 8

    @property
    def sparse_bytes(self) -> int:
        """Bytes of the CSR matrix as scipy stores it: data, indices, indptr."""
        index = self.index_itemsize
        return self.nonzeros * (self.itemsize + index) + (self.rows + 1) * index

    @property
    def filter_bytes(self) -> int:
        """Bytes of the filter, ``filter_entries * itemsize``."""
        return self.filter_entries * self.itemsize

    @property
    def density(self) -> float:
        """Fraction of entries that are non-zero, ``nonzeros / entries``."""
        return self.nonzeros / self.entries


def matrix_cost(
    w: npt.ArrayLike | IntOrTuple,
    input_shape: npt.ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    dtype: npt.DTypeLike | None = None,
) -> MatrixCost:
    """Count the entries, non-zeros and bytes of a convolution's matrix.

    The matrix is the one :func:`convmat.conv_matrix` builds for the same
    arguments; it is never built here. Each spatial axis is counted on its own
    (a vector of ``n_out * k`` positions) and the counts are multiplied, so
    the cost of enormous matrices is exact and immediate.

    Parameters
    ----------
    w : array_like or tuple of int
        The filter or its shape: ``(k,)``, ``(C_out, C_in // groups, k)``,
        ``(kh, kw)`` or ``(C_out, C_in // groups, kh, kw)`` (an int ``k`` is
        ``(k,)``).
    input_shape : array_like or tuple of int
        The input that goes with it, or its shape: ``(n,)`` (or ``n``),
        ``(C_in, n)``, ``(h, w)`` or ``(C_in, h, w)``.
    stride, padding, dilation, groups, padding_mode
        As for :func:`convmat.conv_matrix`.
    dtype : data-type, optional
        Type of the stored values; only its item size matters. Default: the
        dtype of ``w`` when it is an array, else ``"float64"``.

    Returns
    -------
    MatrixCost
        ``rows = prod(output_shape)``, ``cols = prod(input_shape)``, the
        number of entries, non-zeros and distinct values, and bytes as
        properties.

    Raises
    ------
    TypeError
        If a shape, stride or dilation holds something other than ints, or
        `dtype` is not numeric.
    ValueError
        If the shapes do not go together, an option is out of range, or the
        kernel is larger than the padded input.

    See Also
    --------
    convmat.conv_matrix : the matrix itself.
    convmat.book.format_bytes : print the byte counts.

    Notes
    -----
    For zero padding, an output reads tap ``t`` from position
    ``o * stride + t * dilation - pad_before``, and the tap contributes an
    entry when that position is inside the input; along one axis the entries
    are the (output, tap) pairs that land inside. With circular, reflect or
    replicate padding every position maps back into the input and two taps
    may land on the same input (a kernel wider than the input, or replicate at
    the border); they sum into one entry, so the axis counts distinct
    (output, input) pairs instead. The positions are those of the index map
    (:func:`convmat.conv_index`), taken one axis at a time. The matrix's
    pattern is the Kronecker product of its axes' patterns, repeated for each
    of the ``C_out * C_in`` channel pairs, so::

        nonzeros = C_out * (C_in // groups) * prod(pairs per axis)

    ``nonzeros`` equals ``conv_matrix(w, input_shape, ..., format="csr").nnz``
    and ``np.count_nonzero`` of the dense matrix whenever no tap of ``w`` is
    zero and no sum of merged taps cancels. ``distinct`` assumes generic
    weights in the same way (no two weights, or sums of merged weights,
    equal); without merging it is the number of taps that reach the input.

    CSR storage is ``nonzeros`` values, ``nonzeros`` column indices and
    ``rows + 1`` row pointers; scipy uses 32-bit indices when the counts fit
    in int32, else 64-bit.

    Examples
    --------
    The book's worked example: a filter of 2 over an input of 4.

    >>> from convmat import matrix_cost
    >>> from convmat.book import format_bytes
    >>> cost = matrix_cost((2,), (4,))
    >>> cost.rows, cost.cols, cost.entries, cost.nonzeros, cost.distinct
    (3, 4, 12, 6, 2)
    >>> cost.dense_bytes, cost.filter_bytes
    (96, 16)

    A 3 x 3 filter on an RGB HD frame, padded to keep the size:

    >>> hd = matrix_cost((1, 3, 3, 3), (3, 720, 1280), padding=1, dtype="float32")
    >>> hd.nonzeros, hd.filter_entries
    (24847212, 27)
    >>> format_bytes(hd.dense_bytes), format_bytes(hd.sparse_bytes)
    ('9.3 TiB', '193.1 MiB')
    """
    if dtype is None:
        dtype = w.dtype if isinstance(w, np.ndarray) else "float64"
    dt = _numeric_dtype(dtype)
    # checks and normalises the options, and computes the output size, exactly
    # as conv_matrix does
    spec = conv_spec(
        shape_of(w, "w"),
        shape_of(input_shape, "input_shape"),
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        groups=groups,
        names=("w", "input_shape"),
    )
    w_shape, x_shape = spec.weight_shape, spec.input_shape
    pairs, tap_sets = 1, 1
    for axis in range(len(spec.input_size)):
        axis_pairs, axis_sets = _axis_counts(spec, axis)
        pairs *= axis_pairs
        tap_sets *= axis_sets
    out_shape = spec.out_shape
    rows, cols = math.prod(out_shape), math.prod(x_shape)
    return MatrixCost(
        input_shape=x_shape,
        output_shape=tuple(out_shape),
        weight_shape=w_shape,
        rows=rows,
        cols=cols,
        entries=rows * cols,
        nonzeros=spec.out_channels * spec.group_in * pairs,
        distinct=spec.out_channels * spec.group_in * tap_sets,
        filter_entries=math.prod(w_shape),
        itemsize=dt.itemsize,
    )


# --------------------------------------------------------------------------
# layers: parameters and FLOPs
# --------------------------------------------------------------------------


def dense_layer_params(n_in: int, n_out: int, *, bias: bool = True) -> int:
    """Number of parameters of a fully connected layer.

    Parameters
    ----------
    n_in, n_out : int
        Number of input features and output activations (>= 1).
    bias : bool, optional
        Count one bias per output (default ``True``).

    Returns
    -------
    int
        ``n_in * n_out + n_out`` (without bias, ``n_in * n_out``).

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is smaller than 1.

    See Also
    --------
    conv_layer_params : the same for a convolutional layer.
    dense_layer_flops : its computation.

    Examples
    --------
    >>> from convmat import dense_layer_params
    >>> from convmat.book import format_count
    >>> dense_layer_params(784, 10)
    7850
    >>> format_count(dense_layer_params(150528, 150528))
    '22.7 billion'
    """
    n_in = check_int(n_in, "n_in")
    n_out = check_int(n_out, "n_out")
    return n_in * n_out + (n_out if bias else 0)


def conv_layer_params(w: npt.ArrayLike | IntOrTuple, *, bias: bool = True) -> int:
    """Number of parameters of a convolutional layer.

    Parameters
    ----------
    w : array_like or tuple of int
        The layer's weight or its shape, ``(C_out, C_in // groups, *kernel)``
        (``(k,)`` or ``(kh, kw)`` for a single-channel filter; an int ``k``
        is ``(k,)``). VGG-16's first layer is ``(64, 3, 3, 3)``.
    bias : bool, optional
        Count one bias per output channel (default ``True``).

    Returns
    -------
    int
        ``prod(w.shape) + C_out``. It does not depend on the image size:
        that is weight sharing.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is smaller than 1.

    See Also
    --------
    dense_layer_params : the same for a fully connected layer.
    conv_layer_flops : its computation.

    Examples
    --------
    VGG-16's first layer, 3 x 3 filters from 3 to 64 channels:

    >>> from convmat import conv_layer_params
    >>> conv_layer_params((64, 3, 3, 3))
    1792
    >>> conv_layer_params((2,), bias=False)
    2

    A depthwise layer (``groups = 64``) stores one 3 x 3 filter per channel:

    >>> conv_layer_params((64, 1, 3, 3))
    640
    """
    shape = shape_of(w, "w")
    c_out = shape[0] if len(shape) > 2 else 1
    return math.prod(shape) + (c_out if bias else 0)


def dense_layer_flops(n_in: int, n_out: int) -> int:
    """Floating-point operations of one fully connected layer on one input.

    Parameters
    ----------
    n_in, n_out : int
        Number of input features and output activations (>= 1).

    Returns
    -------
    int
        ``2 * n_in * n_out``: one multiply-add per weight, counted as two
        FLOPs (a multiplication and an addition).

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is smaller than 1.

    See Also
    --------
    conv_layer_flops : the same for a convolutional layer.

    Notes
    -----
    The bias additions and the activation function are not counted; they are
    ``n_out`` operations, negligible next to the products.

    Examples
    --------
    >>> from convmat import dense_layer_flops
    >>> dense_layer_flops(784, 10)
    15680
    """
    return 2 * check_int(n_in, "n_in") * check_int(n_out, "n_out")


def conv_layer_flops(
    w: npt.ArrayLike | IntOrTuple,
    input_shape: npt.ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> int:
    """Floating-point operations of one convolutional layer on one input.

    Parameters
    ----------
    w : array_like or tuple of int
        The weight or its shape, as for `conv_layer_params`.
    input_shape : array_like or tuple of int
        The input or its shape (one sample), as for `conv_matrix`.
    stride, padding, dilation, groups
        As in `conv1d` / `conv2d`.

    Returns
    -------
    int
        ``2 * prod(w.shape) * prod(output spatial size)``: every output value
        takes one multiply-add per weight of its filter, counted as two
        FLOPs.

    Raises
    ------
    TypeError, ValueError
        As `output_shape`.

    See Also
    --------
    dense_layer_flops : the same for a fully connected layer.
    convmat.output_shape : the output size for given padding and stride.

    Notes
    -----
    As in :func:`dense_layer_flops`, biases are not counted. Taps that fall
    into zero padding are counted, as a direct implementation computes them.

    Examples
    --------
    VGG-16's first layer on a 224 x 224 image (padding 1 keeps the size):

    >>> from convmat import conv_layer_flops
    >>> from convmat.book import format_count
    >>> format_count(conv_layer_flops((64, 3, 3, 3), (3, 224, 224), padding=1))
    '173.4 million'
    >>> conv_layer_flops(2, 4)
    12
    """
    spec = conv_spec(
        shape_of(w, "w"),
        shape_of(input_shape, "input_shape"),
        padding=padding,
        stride=stride,
        dilation=dilation,
        groups=groups,
        names=("w", "input_shape"),
    )
    return 2 * math.prod(spec.weight_shape) * math.prod(spec.output_size)


# --------------------------------------------------------------------------
# the book's weight-sharing table
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerComparison:
    """One row of the weight-sharing table: a fully connected and a convolutional layer.

    Both layers keep the size: the fully connected layer maps all ``features`` inputs to
    as many outputs; the convolutional layer maps ``C`` channels to ``C``
    channels with a ``k x k`` kernel and ``"same"`` padding.

    Attributes
    ----------
    input : InputSize
        The image size.
    kernel_size : int
        ``k``.
    itemsize : int
        Bytes per parameter.
    dense_params, conv_params : int
        Parameters, biases included.
    dense_flops, conv_flops : int
        FLOPs for one image (a multiply-add counts 2).

    See Also
    --------
    layer_comparison : builds the rows.
    """

    input: InputSize
    kernel_size: int
    itemsize: int
    dense_params: int
    conv_params: int
    dense_flops: int
    conv_flops: int

    @property
    def features(self) -> int:
        """``C * h * w`` of the input."""
        return self.input.features

    @property
    def dense_bytes(self) -> int:
        """Bytes of the fully connected layer's parameters."""
        return self.dense_params * self.itemsize

    @property
    def conv_bytes(self) -> int:
        """Bytes of the convolutional layer's parameters."""
        return self.conv_params * self.itemsize

    @property
    def ratio(self) -> float:
        """``dense_params / conv_params``: how many times smaller sharing is."""
        return self.dense_params / self.conv_params

    def to_dict(self) -> dict[str, Any]:
        """The row as a flat dict (name, sizes, parameters, bytes, FLOPs, ratio)."""
        return {
            "name": self.input.name,
            "shape": self.input.shape,
            "features": self.features,
            "dense_params": self.dense_params,
            "dense_bytes": self.dense_bytes,
            "dense_flops": self.dense_flops,
            "conv_params": self.conv_params,
            "conv_bytes": self.conv_bytes,
            "conv_flops": self.conv_flops,
            "ratio": self.ratio,
        }


def layer_comparison(
    inputs: Sequence[InputSize] = STANDARD_INPUTS,
    *,
    kernel_size: int = 3,
    dtype: npt.DTypeLike = "float32",
) -> list[LayerComparison]:
    """Fully connected against convolutional layers at standard image sizes.

    Parameters
    ----------
    inputs : sequence of InputSize, optional
        Image sizes; default :data:`convmat.book.STANDARD_INPUTS` (MNIST, CIFAR-10,
        VGG's ImageNet crops, HD).
    kernel_size : int, optional
        Side ``k`` of the square convolution kernel (default 3).
    dtype : data-type, optional
        Type of the parameters, for the byte counts (default ``"float32"``).

    Returns
    -------
    list of LayerComparison
        One row per input, in order.

    Raises
    ------
    TypeError
        If an input is not an `InputSize`, `kernel_size` is not an int or
        `dtype` is not numeric.
    ValueError
        If `kernel_size` is smaller than 1.

    See Also
    --------
    dense_layer_params, conv_layer_params, dense_layer_flops, conv_layer_flops

    Examples
    --------
    >>> from convmat.book import CIFAR10, format_bytes, layer_comparison
    >>> row = layer_comparison([CIFAR10])[0]
    >>> row.features, row.dense_params, row.conv_params
    (3072, 9440256, 84)
    >>> format_bytes(row.dense_bytes), format_bytes(row.conv_bytes)
    ('36.0 MiB', '336 B')
    """
    k = check_int(kernel_size, "kernel_size")
    dt = _numeric_dtype(dtype)
    rows = []
    for size in inputs:
        if not isinstance(size, InputSize):
            msg = f"`inputs` must hold InputSize objects, got {type(size).__name__}"
            raise TypeError(msg)
        n, c = size.features, size.channels
        rows.append(
            LayerComparison(
                input=size,
                kernel_size=k,
                itemsize=dt.itemsize,
                dense_params=dense_layer_params(n, n),
                conv_params=conv_layer_params((c, c, k, k)),
                dense_flops=dense_layer_flops(n, n),
                conv_flops=conv_layer_flops((c, c, k, k), size.shape, padding="same"),
            )
        )
    return rows
