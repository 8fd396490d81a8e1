"""How convolutions are really computed, and how to time them fairly.

The matrix of `conv_matrix` is the way to *think* about a convolution; this
module holds three ways libraries *compute* one, each checked against
`conv1d` / `conv2d`:

- `im2col`: the window matrix, whose product with the reshaped filter is the
  convolution (im2col + GEMM, the matrix view turned into an implementation);
- `conv_taps`: direct loops, one shifted multiply-add per kernel tap, no
  buffer beyond the output;
- `conv_fft`: the convolution theorem, through real FFTs.

How to time them fairly lives in `convmat.book` (`compare_timings`).
"""

from __future__ import annotations

__all__ = ["conv_fft", "conv_taps", "im2col"]

import math

import numpy as np
import scipy.fft
from numpy.typing import ArrayLike

from ._direct import add_bias, prepare
from ._params import (
    NP_PAD_MODE,
    IntOrTuple,
    Padding,
    PaddingMode,
    check_dtype,
    conv_spec,
    shape_of,
)
from ._windows import windows


def im2col(
    x: ArrayLike,
    w: ArrayLike | IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    *,
    padding_mode: PaddingMode = "zeros",
) -> np.ndarray:
    r"""The im2col matrix: one column per output position, one row per tap.

    Column ``j`` holds the input values that output ``j`` reads, in the
    order of the filter's entries, so that the whole convolution is one
    matrix product (a GEMM; Chellapilla, Puri and Simard, 2006)::

        w.reshape(C_out, -1) @ im2col(x, w, ...)   # (C_out, prod(out))

    Parameters
    ----------
    x : array_like
        Input, as for `conv1d` / `conv2d`, a batch ``(N, C_in, ...)`` too.
    w : array_like or tuple of int
        The filter that will multiply the matrix, or its shape: ``(k,)``,
        ``(C_out, C_in, k)``, ``(kh, kw)`` or ``(C_out, C_in, kh, kw)``
        (only its kernel size and ``C_in`` matter; an int ``k`` is ``(k,)``).
    stride, padding, dilation, padding_mode
        As in `conv1d` / `conv2d`.

    Returns
    -------
    cols : (C_in * prod(kernel), prod(out)) ndarray
        A new array (a copy, not a view) of ``x``'s dtype; ``C_in = 1`` in
        the single-channel form; with a batch, ``(N, C_in * prod(kernel),
        prod(out))``. Its size is the memory cost of the method:
        every input value is repeated about ``prod(kernel) / prod(stride)``
        times.

    Raises
    ------
    ValueError, TypeError
        As in `conv1d` / `conv2d`.

    See Also
    --------
    conv2d : Computes exactly ``w.reshape(C_out, -1) @ im2col(...)``.
    conv_matrix : The other matrix: the filter repeated, not the input.

    Notes
    -----
    The convolution matrix ``M`` (from `conv_matrix`) repeats the *filter*
    and multiplies the input; the im2col matrix repeats the *input* and is
    multiplied by the filter. Both have one row (respectively column) per
    output, and ``M @ x.ravel() == (w.reshape(1, -1) @ im2col(x, w.shape))
    .ravel()`` for one output channel.

    References
    ----------
    K. Chellapilla, S. Puri and P. Simard, "High Performance
    Convolutional Neural Networks for Document Processing", 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv1d, im2col
    >>> x = np.array([1, 2, 3, 4])
    >>> cols = im2col(x, 2)
    >>> cols
    array([[1, 2, 3],
           [2, 3, 4]])
    >>> w = np.array([1, 10])
    >>> w @ cols
    array([21, 32, 43])
    >>> conv1d(x, w)
    array([21, 32, 43])
    """
    x = np.asarray(x)
    check_dtype(x, "x")
    spec = conv_spec(
        shape_of(w, "w"),
        x.shape,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        batch=True,
    )
    n = 1 if spec.batch is None else spec.batch
    xp = x.reshape(n, spec.in_channels, *spec.input_size)
    if any(p for pair in spec.pads for p in pair):
        xp = np.pad(
            xp, ((0, 0), (0, 0), *spec.pads), mode=NP_PAD_MODE[spec.padding_mode]
        )
    cols = windows(xp, spec.kernel_size, spec.stride, spec.dilation)
    # reshape copies unless the windows happen to be laid out contiguously
    cols = cols.copy() if np.may_share_memory(cols, x) else cols
    return cols if spec.batch is not None else cols[0]


def conv_taps(
    x: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    *,
    padding_mode: PaddingMode = "zeros",
) -> np.ndarray:
    r"""Convolution by direct loops: one shifted multiply-add per filter tap.

    The loop runs over the ``prod(kernel)`` taps of the filter (9 for a
    3x3 filter), not over pixels: for each tap, the slice of the input that
    this tap reads for *every* output is multiplied by the tap's
    ``(C_out, C_in)`` weights and added to the output. No window buffer is
    built, so the extra memory is one output-sized array.

    Parameters
    ----------
    x : array_like
        Input, as for `conv1d` / `conv2d` (a batch ``(N, C_in, ...)`` too).
    w : (k,), (kh, kw), (C_out, C_in // groups, k) or (C_out, C_in // groups, kh, kw) array_like
        Filter; its number of dimensions says 1-D or 2-D.
    bias : (C_out,) array_like, optional
        Added to every output of a channel.
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`.

    Returns
    -------
    y : ndarray
        Same shape, values (up to rounding) and dtype as `conv1d` /
        `conv2d`.

    Raises
    ------
    ValueError, TypeError
        As in `conv1d` / `conv2d`.

    See Also
    --------
    conv1d, conv2d : im2col + GEMM.
    conv_fft : Through the FFT.

    Notes
    -----
    With ``xp`` the padded input, tap ``t`` adds
    ``w[:, :, t] @ xp[:, t*dilation : ... : stride]`` to the output. The
    arithmetic is the same ``C_out * C_in * prod(k) * prod(out)``
    multiply-adds as im2col, in ``prod(k)`` smaller matrix products.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv_taps
    >>> conv_taps(np.array([1, 2, 3, 4]), np.array([1, 10]))
    array([21, 32, 43])
    >>> x = 10 * np.arange(3)[:, None] + np.arange(3)
    >>> conv_taps(x, np.array([[1, 0], [0, 1]]))
    array([[11, 13],
           [31, 33]])
    """
    xp, wc, spec = prepare(
        x,
        w,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        groups=groups,
    )
    out = spec.output_size
    n, groups = xp.shape[0], spec.groups
    c_out, c_in = wc.shape[:2]  # c_in per group
    y = np.zeros((n, groups, c_out // groups, math.prod(out)), dtype=xp.dtype)
    for tap in np.ndindex(*spec.kernel_size):
        window = tuple(
            slice(t * d, t * d + (m - 1) * s + 1, s)
            for t, d, m, s in zip(tap, spec.dilation, out, spec.stride, strict=True)
        )
        weights = wc[(slice(None), slice(None), *tap)].reshape(groups, -1, c_in)
        y += weights @ xp[(slice(None), slice(None), *window)].reshape(
            n, groups, c_in, -1
        )
    return add_bias(y, bias, spec)


def conv_fft(
    x: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    *,
    padding_mode: PaddingMode = "zeros",
) -> np.ndarray:
    r"""Convolution through the FFT (the convolution theorem).

    Pads the input as `conv1d` / `conv2d` do, takes real FFTs of the input
    and of the zero-extended filter, multiplies the input's spectrum by the
    *complex conjugate* of the filter's (a cross-correlation, not a
    convolution, is computed), transforms back and keeps the outputs that
    did not wrap around.

    Parameters
    ----------
    x : array_like
        Input, as for `conv1d` / `conv2d` (a batch ``(N, C_in, ...)`` too).
    w : (k,), (kh, kw), (C_out, C_in // groups, k) or (C_out, C_in // groups, kh, kw) array_like
        Filter; its number of dimensions says 1-D or 2-D.
    bias : (C_out,) array_like, optional
        Added to every output of a channel.
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`.

    Returns
    -------
    y : ndarray
        Same shape as `conv1d` / `conv2d`, equal up to rounding; float32
        when both inputs are float32, float64 otherwise (integers too: the
        FFT is not exact).

    Raises
    ------
    ValueError, TypeError
        As in `conv1d` / `conv2d`.

    See Also
    --------
    conv1d, conv2d : im2col + GEMM.
    scipy.signal.fftconvolve : True convolution (flipped filter) by FFT.

    Notes
    -----
    For real ``x`` and ``w`` with spectra ``X`` and ``W``, the circular
    cross-correlation ``y[i] = sum_t w[t] x[(i + t) mod L]`` has spectrum
    ``conj(W) * X``; a true convolution would be ``W * X``. With ``L`` at
    least the padded input length, the outputs ``i <= L - span`` never wrap,
    and they are exactly the valid correlation of the padded input.
    ``L`` is rounded up with `scipy.fft.next_fast_len`.

    The cost is ``O(L log L)`` per channel whatever the filter size, against
    ``O(L k)`` for direct methods: FFTs pay off for large filters.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv1d, conv_fft
    >>> x = np.array([1, 2, 3, 4])
    >>> w = np.array([1, 10])
    >>> np.round(conv_fft(x, w), 10)
    array([21., 32., 43.])
    >>> np.round(conv_fft(x, w, padding=((0, 1),), padding_mode="circular"), 10)
    array([21., 32., 43., 14.])
    >>> conv1d(x, w, padding=((0, 1),), padding_mode="circular")
    array([21, 32, 43, 14])
    """
    xp, wc, spec = prepare(
        x,
        w,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        groups=groups,
    )
    dtype = np.float32 if xp.dtype == wc.dtype == np.float32 else np.float64
    ndim = len(spec.kernel_size)
    axes = tuple(range(-ndim, 0))
    span = tuple(
        d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation, strict=True)
    )
    # the dilated filter: dilation - 1 zeros between taps
    wd = np.zeros((*wc.shape[:2], *span), dtype=dtype)
    wd[(slice(None), slice(None), *(slice(None, None, d) for d in spec.dilation))] = wc
    sizes = tuple(
        scipy.fft.next_fast_len(n, real=True) for n in xp.shape[2:]
    )  # >= padded size: valid outputs never wrap
    xf = scipy.fft.rfftn(xp.astype(dtype, copy=False), s=sizes, axes=axes)
    wf = scipy.fft.rfftn(wd, s=sizes, axes=axes)
    g = spec.groups
    xf = xf.reshape(xf.shape[0], g, -1, *xf.shape[2:])  # (N, g, C_in / g, ...)
    wf = wf.reshape(g, -1, *wf.shape[1:])  # (g, C_out / g, C_in / g, ...)
    yf = np.einsum("goc...,ngc...->ngo...", wf.conj(), xf)
    yf = yf.reshape(yf.shape[0], -1, *yf.shape[3:])
    y = scipy.fft.irfftn(yf, s=sizes, axes=axes)
    keep = tuple(
        slice(0, (n - 1) * s + 1, s)
        for n, s in zip(spec.output_size, spec.stride, strict=True)
    )
    y = np.ascontiguousarray(y[(slice(None), slice(None), *keep)])
    return add_bias(y, bias, spec)
