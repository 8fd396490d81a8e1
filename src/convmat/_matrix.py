"""The convolution as a matrix, dense or sparse: thin consumers of `conv_index`."""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike

from ._format import format_bytes
from ._guards import (
    csr_bytes,
    dense_bytes,
    describe,
    index_bytes,
    refuse_above,
    sparse_bytes,
)
from ._index import axis_positions, spec_index
from ._params import (
    MAX_BYTES,
    ConvSpec,
    IntOrTuple,
    Padding,
    PaddingMode,
    check_dtype,
    conv_spec,
    shape_of,
)

__all__ = ["conv_matrix"]

_FORMATS = ("dense", "sparse", "csr")  # "csr" is a synonym of "sparse"
_INT32_MAX = np.iinfo(np.int32).max


def _entries(w: np.ndarray, spec: ConvSpec) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions ``row * n_cols + col`` (sorted, unique) and their values.

    With zero padding every (row, col) holds at most one tap and the index
    map is already in row-major order. Otherwise taps landing on the same
    entry are summed here, in tap order, so that the dense and the sparse
    matrices hold bit-identical values.
    """
    idx = spec_index(spec)
    flat = idx.rows * idx.shape[1] + idx.cols
    values = w.ravel()[idx.taps]
    if spec.padding_mode == "zeros":
        return flat, values
    order = np.argsort(flat, kind="stable")
    flat = flat[order]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    return flat[starts], np.add.reduceat(values[order], starts)


def _dense(w: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """Scatter the (summed) weights into a zero matrix."""
    m = np.zeros((spec.rows, spec.cols), dtype=w.dtype)
    flat, values = _entries(w, spec)
    m.ravel()[flat] = values
    return m


def _csr(w: np.ndarray, spec: ConvSpec) -> scipy.sparse.csr_array:
    """CSR matrix; for zero padding built directly in row order."""
    n_rows, n_cols = spec.rows, spec.cols
    if spec.padding_mode != "zeros":
        flat, data = _entries(w, spec)  # sorted by row, then column
        rows, cols = np.divmod(flat, n_cols)
        dtype = np.int32 if max(flat.size, n_cols) <= _INT32_MAX else np.int64
        indptr = np.zeros(n_rows + 1, dtype=dtype)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        m = scipy.sparse.csr_array(
            (data, cols.astype(dtype), indptr), shape=(n_rows, n_cols)
        )
        m.has_canonical_format = True
        return m
    return _csr_zeros(w, spec)


def _runs(ok: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Group the outputs of one axis by their range of taps inside the input.

    With zero padding the taps of output ``o`` that read the input form one
    contiguous range ``[first, first + count)``, and outputs with the same
    range are contiguous (the border outputs at each end, the interior in
    between). Returns ``(o_start, o_stop, first, count)`` per run.
    """
    count = ok.sum(axis=1)
    first = np.where(count > 0, ok.argmax(axis=1), 0)
    change = np.flatnonzero((np.diff(count) != 0) | (np.diff(first) != 0)) + 1
    bounds = [0, *change.tolist(), len(count)]
    return [
        (lo, hi, int(first[lo]), int(count[lo]))
        for lo, hi in itertools.pairwise(bounds)
    ]


def _csr_zeros(w: np.ndarray, spec: ConvSpec) -> scipy.sparse.csr_array:
    """CSR matrix of a zero-padded convolution, written in place in row order.

    Rows are outputs in C order; within a row the entries run over
    ``(c, *taps)``, so their columns increase. For every combination of runs
    (see `_runs`) the entries form a regular block of ``indices``/``data``
    reached by slicing and reshaping, and each block is written by one
    broadcast operation: the arrays are filled once, with no sort, no mask and
    no index arrays of the size of the result.
    """
    ndim = len(spec.input_size)
    c_out, c_in = spec.out_channels, spec.group_in  # C_in per group
    tables = [axis_positions(spec, a) for a in range(ndim)]
    counts = [ok.sum(axis=1) for _, ok in tables]
    totals = [int(c.sum()) for c in counts]  # taps over all outputs, per axis
    row_counts = np.ones(1, dtype=np.int64)
    for c in counts:
        row_counts = np.multiply.outer(row_counts, c).ravel()
    row_counts *= c_in
    nnz_one = int(row_counts.sum())  # one output channel
    n_rows, n_cols = spec.rows, spec.cols
    dtype = np.int32 if max(nnz_one * c_out, n_cols) <= _INT32_MAX else np.int64
    indptr = np.zeros(n_rows + 1, dtype=dtype)
    np.cumsum(np.tile(row_counts, c_out), out=indptr[1:])
    indices = np.empty(nnz_one * c_out, dtype=dtype)
    data = np.empty(nnz_one * c_out, dtype=w.dtype)
    w = w.reshape(c_out, c_in, *spec.kernel_size)
    in_steps = [int(np.prod(spec.input_size[a + 1 :])) for a in range(ndim)]
    n_in = int(np.prod(spec.input_size))
    run_lists = [_runs(ok) for _, ok in tables]
    cum = [np.concatenate([[0], np.cumsum(c)]) for c in counts]
    for combo in itertools.product(*run_lists):
        if any(run[3] == 0 for run in combo):
            continue  # outputs that only see padding have no entries
        # Walk down the axes: the entries of a prefix of outputs form a line;
        # a run of outputs along the next axis is a slice of that line.
        index_view: np.ndarray = indices[:nnz_one].reshape(1, nnz_one)  # channel 0
        data_view: np.ndarray = data.reshape(c_out, nnz_one)
        inner = c_in  # entries per output of the axes walked so far
        for a, (lo, hi, _, cnt) in enumerate(combo):
            rest = int(np.prod(totals[a + 1 :]))  # all later axes, all outputs
            per_out = inner * cnt * rest
            start = inner * int(cum[a][lo]) * rest
            stop = start + (hi - lo) * per_out
            index_view = index_view[..., start:stop].reshape(
                *index_view.shape[:-1], hi - lo, per_out
            )
            data_view = data_view[..., start:stop].reshape(
                *data_view.shape[:-1], hi - lo, per_out
            )
            inner *= cnt
        # Inside a run, q[o, t] = q[o, first] + (t - first) * dilation: the
        # columns are a per-output base plus one pattern over (c, *taps).
        base = np.zeros((1,) * ndim, dtype=dtype)
        pattern = np.arange(c_in, dtype=dtype).reshape((-1,) + (1,) * ndim) * n_in
        for a, (lo, hi, first, cnt) in enumerate(combo):
            q = tables[a][0]
            shape = [1] * ndim
            shape[a] = hi - lo
            base = base + (q[lo:hi, first] * in_steps[a]).astype(dtype).reshape(shape)
            shape = [1] * (ndim + 1)
            shape[a + 1] = cnt
            offsets = (q[lo, first : first + cnt] - q[lo, first]) * in_steps[a]
            pattern = pattern + offsets.astype(dtype).reshape(shape)
        np.add(base[..., None], pattern.ravel(), out=index_view[0])
        taps = tuple(slice(run[2], run[2] + run[3]) for run in combo)
        block = w[(slice(None), slice(None), *taps)]
        np.copyto(data_view, block.reshape(c_out, *(1,) * ndim, -1))
    # every output channel has the column pattern of the first, moved to the
    # input channels of its group (block diagonal when groups > 1)
    shift = (np.arange(1, c_out) // spec.group_out) * (c_in * n_in)
    np.add(
        indices[:nnz_one],
        shift.astype(dtype)[:, None],
        out=indices[nnz_one:].reshape(c_out - 1, nnz_one),
    )
    m = scipy.sparse.csr_array((data, indices, indptr), shape=(n_rows, n_cols))
    m.has_canonical_format = True  # sorted columns, no duplicates
    return m


def conv_matrix(
    w: ArrayLike,
    input_shape: ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    format: Literal["dense", "sparse", "csr"] = "dense",
    max_bytes: int = MAX_BYTES,
) -> np.ndarray | scipy.sparse.csr_array:
    r"""The matrix of a convolution: ``M @ x.ravel() == conv(x, w).ravel()``.

    A convolution is linear in its input, so it is a matrix multiplication.
    This function builds that matrix from the index map of `conv_index`,
    dense or as a ``scipy.sparse.csr_array``.

    Parameters
    ----------
    w : (k,), (kh, kw), (C_out, C_in // groups, k) or (C_out, C_in // groups, kh, kw) array_like
        Kernel, as for `conv1d` / `conv2d`.
    input_shape : array_like or tuple of int
        ``x`` or its shape (one sample): ``(n,)``, ``(h, w)``, ``(C_in, n)``
        or ``(C_in, h, w)`` respectively; an int ``n`` is ``(n,)``.
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`. With ``groups > 1`` the matrix is block
        diagonal: one block per group (depthwise: one per channel).
    format : {"dense", "sparse", "csr"}, optional
        ``"dense"`` returns an ndarray, ``"sparse"`` (or its synonym ``"csr"``) a
        ``scipy.sparse.csr_array``
        (int32 indices when they fit, columns sorted, duplicates summed).
    max_bytes : int, optional
        Refuse to build a matrix estimated to need more than this many bytes
        (default ``2**30``, 1 GiB). The estimate is arithmetic (see
        `matrix_cost`): a refusal is immediate and allocates nothing.

    Returns
    -------
    M : (n_rows, n_cols) ndarray or scipy.sparse.csr_array
        ``n_rows`` is the output size ``C_out * prod(out_spatial)``,
        ``n_cols`` the input size ``C_in * prod(in_spatial)``; the dtype is
        that of ``w``.

    Raises
    ------
    ValueError
        If ``format`` is unknown, or as in `conv1d` / `conv2d`; or if the
        matrix would need more than ``max_bytes`` (the message gives the
        size and suggests ``format="sparse"`` or `conv_operator`).
    TypeError
        If ``w`` does not hold real numbers.

    See Also
    --------
    conv1d, conv2d : The convolution computed directly.
    conv_index : The (row, column, tap) triples the matrix is made of.
    conv_matrix_symbolic : The same matrix with tap names.
    conv_operator : The same matrix as a LinearOperator, never built.
    scipy.linalg.convolution_matrix : True convolution (flipped kernel).

    Notes
    -----
    The contract, tested, is

    ``conv_matrix(w, x.shape, ...) @ x.ravel() == convNd(x, w, ...).ravel()``.

    In 1-D with zero padding, stride :math:`s`, dilation :math:`d` and left
    padding :math:`p`,

    .. math::

        M[i, j] = w[t] \quad \text{if } j = i s + t d - p
        \text{ for some } 0 \le t < k, \qquad 0 \text{ otherwise,}

    a banded Toeplitz matrix for ``s = 1`` (a circulant for circular
    padding). With stride 1, no padding and ``k = 3``::

        [[w0 w1 w2  0  0 ...]
         [ 0 w0 w1 w2  0 ...]
         [ 0  0 w0 w1 w2 ...]
         ...               ]]

    In 2-D the matrix is block Toeplitz with Toeplitz blocks; with channels,
    a ``C_out`` by ``C_in`` grid of such blocks. With circular, reflect or
    replicate padding, taps that read the same input are summed.

    ``scipy.linalg.convolution_matrix(w[::-1], n, "valid")`` is the same
    matrix as ``conv_matrix(w, n)``: scipy's convolution flips the kernel.

    The dense matrix has ``n_rows * n_cols`` entries, almost all zero; use
    ``format="sparse"`` for anything but small examples. A matrix product is
    much slower than `conv2d`. Note that ``M @ x`` with a dense ``M`` turns a
    NaN in ``x`` into NaN in every output (``0 * nan`` is NaN), whereas the
    convolution and the sparse product only spread it to the outputs that
    read it.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv1d, conv_matrix
    >>> w = np.array([1, 2])
    >>> M = conv_matrix(w, 4)
    >>> M
    array([[1, 2, 0, 0],
           [0, 1, 2, 0],
           [0, 0, 1, 2]])
    >>> x = np.array([1, 10, 100, 1000])
    >>> M @ x
    array([  21,  210, 2100])
    >>> conv1d(x, w)
    array([  21,  210, 2100])

    Padding and stride change the shape and the band:

    >>> conv_matrix(w, 4, padding=1, stride=2)
    array([[2, 0, 0, 0],
           [0, 1, 2, 0],
           [0, 0, 0, 1]])

    Circular padding wraps the band around:

    >>> conv_matrix(np.array([1, 2, 3]), 4, padding=1, padding_mode="circular")
    array([[2, 3, 0, 1],
           [1, 2, 3, 0],
           [0, 1, 2, 3],
           [3, 0, 1, 2]])

    The sparse form stores only the non-zeros:

    >>> S = conv_matrix(w, 4, format="sparse")
    >>> S.nnz
    6
    >>> S @ x
    array([  21,  210, 2100])
    """
    w = np.asarray(w)
    check_dtype(w, "w")
    if format not in _FORMATS:
        msg = f"`format` must be one of {_FORMATS}, got {format!r}"
        raise ValueError(msg)
    spec = conv_spec(
        w.shape,
        shape_of(input_shape, "input_shape"),
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        groups=groups,
        names=("w", "input_shape"),
    )
    what = f"The {{}} matrix of {describe(spec)}"
    if format == "dense":

        def hint() -> str:
            sparse = format_bytes(csr_bytes(spec, w.itemsize))
            return (
                f' Use format="sparse" ({sparse}), or conv_operator(w, '
                "input_shape, ...), which applies the matrix without building it."
            )

        def dense(exact: bool) -> tuple[int, int]:
            size = dense_bytes(spec, w.itemsize)
            return size, size + index_bytes(spec, exact=exact)

        refuse_above(dense, max_bytes, what.format("dense"), hint)
        return _dense(w, spec)

    def sparse(exact: bool) -> tuple[int, int]:
        return (
            csr_bytes(spec, w.itemsize, exact=exact),
            sparse_bytes(spec, w.itemsize, exact=exact),
        )

    refuse_above(
        sparse,
        max_bytes,
        what.format("sparse"),
        lambda: " Use conv_operator(w, input_shape, ...): it never builds the matrix.",
    )
    return _csr(w, spec)
