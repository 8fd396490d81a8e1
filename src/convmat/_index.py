"""The one index map: which input feeds which output through which tap.

The dense matrix, the sparse matrix and the symbolic (LaTeX) matrix are all
built from `conv_index`; nothing else in convmat describes the structure of
the convolution matrix.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._params import (
    MAX_BYTES,
    ConvSpec,
    IntOrTuple,
    Padding,
    PaddingMode,
    conv_spec,
    shape_of,
)

__all__ = ["ConvIndex", "conv_index"]


class ConvIndex(NamedTuple):
    """Entries of a convolution matrix, one per (output, input, tap) triple.

    Attributes
    ----------
    rows : (nnz,) int64 ndarray
        Flat C-order index into the output ``(C_out, *out_spatial)`` (or
        ``out_spatial`` in the single-channel form).
    cols : (nnz,) int64 ndarray
        Flat C-order index into the input ``(C_in, *in_spatial)`` (or
        ``in_spatial``).
    taps : (nnz,) int64 ndarray
        Flat C-order index into the weight.
    shape : (int, int)
        ``(n_rows, n_cols)`` of the matrix: output size by input size.
    """

    rows: np.ndarray
    cols: np.ndarray
    taps: np.ndarray
    shape: tuple[int, int]


def axis_positions(spec: ConvSpec, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Input position read by each (output, tap) pair along one axis.

    Returns ``(q, valid)``, both ``(n_out, k)``: ``q[o, t]`` is the input
    index read by output ``o`` through tap ``t``, ``valid`` is False where
    that position lies in zero padding. The padded position
    ``o*stride + t*dilation - pad`` is mapped back into ``[0, n)`` by
    wrapping (circular), mirroring without repeating the edge (reflect) or
    clamping (replicate).
    """
    n, k = spec.input_size[axis], spec.kernel_size[axis]
    q = (
        np.arange(spec.output_size[axis], dtype=np.int64)[:, None] * spec.stride[axis]
        + np.arange(k, dtype=np.int64) * spec.dilation[axis]
        - spec.pads[axis][0]
    )
    valid = (q >= 0) & (q < n)
    if spec.padding_mode == "zeros":
        return q, valid
    return fold(q, n, spec.padding_mode), np.ones_like(valid)


def fold(q: np.ndarray, n: int, mode: str) -> np.ndarray:
    """Map padded positions ``q`` (``-pad <= q < n + pad``) into ``[0, n)``.

    Wrapping (circular), mirroring without repeating the edge (reflect) or
    clamping (replicate): where ``np.pad`` copies each padded value from.
    """
    if mode == "circular":
        return q % n
    if mode == "reflect":
        q = np.abs(q)  # pad <= n - 1 (checked), so one reflection suffices
        return np.where(q >= n, 2 * (n - 1) - q, q)
    clamped: np.ndarray = np.clip(q, 0, n - 1)  # replicate
    return clamped


def spec_index(
    spec: ConvSpec, dtype: type = np.int64, *, with_rows: bool = True
) -> ConvIndex:
    """`conv_index` for an already checked `ConvSpec`.

    ``dtype`` is the integer type of the index arrays (int32 saves memory and
    time for large sparse matrices when it fits); with ``with_rows=False``
    the ``rows`` array is left empty (the sparse builder computes ``indptr``
    from per-axis counts instead).
    """
    ndim = len(spec.input_size)
    n_out_spatial = int(np.prod(spec.output_size))
    n_in_spatial = int(np.prod(spec.input_size))
    n_kernel = int(np.prod(spec.kernel_size))
    c_out, c_in = spec.out_channels, spec.group_in  # C_in per group

    # Broadcast over (C_out, *out, C_in, *k): rows come out in increasing
    # order and, for zeros padding, columns increase within each row.
    full = 2 + 2 * ndim

    def on_axes(values: np.ndarray, *axes: int) -> np.ndarray:
        """Place a 1-D or 2-D table on the given axes of the broadcast grid."""
        shape = [1] * full
        for ax, size in zip(axes, values.shape, strict=True):
            shape[ax] = size
        if values.dtype != bool:
            values = values.astype(dtype, copy=False)
        return values.reshape(shape)

    channel_out = np.arange(c_out)
    channel_in = np.arange(c_in)
    rows = on_axes(channel_out * n_out_spatial, 0)
    # output channel o reads the input channels of its group (block diagonal)
    group_first = (channel_out // spec.group_out) * (c_in * n_in_spatial)
    cols = on_axes(channel_in * n_in_spatial, 1 + ndim) + on_axes(group_first, 0)
    taps = on_axes(channel_out * (c_in * n_kernel), 0) + on_axes(
        channel_in * n_kernel, 1 + ndim
    )
    valid = np.ones((1,) * full, dtype=bool)
    out_step, in_step, k_step = n_out_spatial, n_in_spatial, n_kernel
    for a in range(ndim):
        n, n_out, k = spec.input_size[a], spec.output_size[a], spec.kernel_size[a]
        out_step //= n_out
        in_step //= n
        k_step //= k
        q, ok = axis_positions(spec, a)
        out_axis, k_axis = 1 + a, 2 + ndim + a
        rows = rows + on_axes(np.arange(n_out) * out_step, out_axis)
        cols = cols + on_axes(q * in_step, out_axis, k_axis)
        taps = taps + on_axes(np.arange(k) * k_step, k_axis)
        if not ok.all():
            valid = valid & on_axes(ok, out_axis, k_axis)
    grid = np.broadcast_shapes(rows.shape, cols.shape, taps.shape)

    def select(values: np.ndarray) -> np.ndarray:
        """The entries of the grid that hold a tap, in C order."""
        if values.shape != grid:  # boolean indexing is fastest on contiguous data
            values = np.ascontiguousarray(np.broadcast_to(values, grid))
        return values.ravel() if mask is None else values[mask]

    # Every tap is present (no zero padding reached): keep the whole grid.
    # (Test `valid.all()`, not its size: a 1-element grid may hold a padded tap.)
    mask = None if valid.all() else np.ascontiguousarray(np.broadcast_to(valid, grid))
    return ConvIndex(
        select(rows) if with_rows else np.empty(0, dtype=dtype),
        select(cols),
        select(taps),
        (spec.rows, spec.cols),
    )


def conv_index(
    w: ArrayLike | IntOrTuple,
    input_shape: ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    max_bytes: int = MAX_BYTES,
) -> ConvIndex:
    r"""Index map of a convolution: rows, columns and taps of its matrix.

    Every entry of the convolution matrix ``M`` is one weight ``w.flat[t]``
    placed at row ``r`` (an output) and column ``c`` (an input). This
    function lists those triples; `conv_matrix` and `conv_matrix_symbolic`
    only scatter them.

    Parameters
    ----------
    w : array_like or tuple of int
        The weight or its shape: ``(k,)``, ``(kh, kw)``,
        ``(C_out, C_in // groups, k)`` or ``(C_out, C_in // groups, kh, kw)``
        (an int ``k`` is ``(k,)``).
    input_shape : array_like or tuple of int
        The input or its shape: ``(n,)``, ``(h, w)``, ``(C_in, n)`` or
        ``(C_in, h, w)``, matching ``w`` (an int ``n`` is ``(n,)``).
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`.
    max_bytes : int, optional
        Refuse to build index arrays estimated to need more than this many
        bytes (default ``2**30``, 1 GiB): a `ValueError` says how many, before
        any memory is touched. Raise it to build larger maps.

    Returns
    -------
    ConvIndex
        Named tuple ``(rows, cols, taps, shape)``; ``rows``, ``cols`` and
        ``taps`` are int64 arrays of equal length, sorted by row. Taps that
        fall into zero padding are absent. With circular, reflect or
        replicate padding several taps may land on the same ``(row, col)``:
        their weights are **summed**.

    Raises
    ------
    ValueError
        As in `conv1d` / `conv2d`; also when the map would need more than
        ``max_bytes``.
    TypeError
        As in `conv1d` / `conv2d`.

    See Also
    --------
    conv_matrix : Dense or sparse matrix built from this map.
    conv_matrix_symbolic : The same matrix with tap names.

    Notes
    -----
    ``M[rows, cols] += w.flat[taps]`` builds the matrix. In 1-D with zero
    padding, output ``i`` reads input ``j = i*stride + t*dilation - p_left``
    through tap ``t``, so

    .. math::

        M[i, j] = w\left[\frac{j - i \cdot \mathrm{stride} + p_\mathrm{left}}
                  {\mathrm{dilation}}\right]

    when that index is an integer in ``[0, k)``, and 0 otherwise. The map is
    built by broadcasting one ``(n_out, k)`` table per axis, without Python
    loops over positions.

    Examples
    --------
    >>> from convmat import conv_index
    >>> idx = conv_index((2,), (4,))
    >>> idx.rows
    array([0, 0, 1, 1, 2, 2])
    >>> idx.cols
    array([0, 1, 1, 2, 2, 3])
    >>> idx.taps
    array([0, 1, 0, 1, 0, 1])
    >>> idx.shape
    (3, 4)

    With padding, taps in the zero padding disappear:

    >>> idx = conv_index((2,), (3,), padding=1)
    >>> idx.rows, idx.cols, idx.taps
    (array([0, 1, 1, 2, 2, 3]), array([0, 0, 1, 1, 2, 2]), array([1, 0, 1, 0, 1, 0]))
    """
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
    from ._guards import describe, index_bytes, refuse_above  # they use this module

    def estimate(exact: bool) -> tuple[int, int]:
        nbytes = index_bytes(spec, exact=exact)
        return nbytes, nbytes

    refuse_above(estimate, max_bytes, f"The index map of {describe(spec)}")
    return spec_index(spec)
