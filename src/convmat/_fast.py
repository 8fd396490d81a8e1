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
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from ._direct import add_bias, prepare
from ._params import PaddingMode


def im2col(
    x: ArrayLike,
    weight_shape: int | tuple[int, ...],
    *,
    padding: int | tuple | str = 0,
    stride: int | tuple[int, ...] = 1,
    dilation: int | tuple[int, ...] = 1,
    padding_mode: PaddingMode = "zeros",
) -> np.ndarray:
    r"""The im2col matrix: one column per output position, one row per tap.

    Column ``j`` holds the input values that output ``j`` reads, in the
    order of the filter's entries, so that the whole convolution is one
    matrix product (a GEMM; Chellapilla, Puri and Simard, 2006)::

        w.reshape(C_out, -1) @ im2col(x, w.shape, ...)   # (C_out, prod(out))

    Parameters
    ----------
    x : (n,), (C_in, n), (h, w) or (C_in, h, w) array_like
        Input, as for `conv1d` / `conv2d`.
    weight_shape : int or tuple of int
        Shape of the filter that will multiply the matrix: ``(k,)``,
        ``(C_out, C_in, k)``, ``(kh, kw)`` or ``(C_out, C_in, kh, kw)``
        (only its kernel size and ``C_in`` matter).
    padding, stride, dilation, padding_mode
        As in `conv1d` / `conv2d`.

    Returns
    -------
    cols : (C_in * prod(kernel), prod(out)) ndarray
        A new array (a copy, not a view) of ``x``'s dtype; ``C_in = 1`` in
        the single-channel form. Its size is the memory cost of the method:
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
    shape = (
        (weight_shape,) if isinstance(weight_shape, int | np.integer) else weight_shape
    )
    x = np.asarray(x)
    dummy = np.zeros(tuple(shape), dtype=x.dtype if x.dtype.kind in "iuf" else float)
    xp, wc, spec = prepare(
        x,
        dummy,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
    )
    ndim = len(spec.kernel_size)
    span = tuple(
        d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation, strict=True)
    )
    axes = tuple(range(1, ndim + 1))
    view = sliding_window_view(xp, span, axis=axes)  # (C, *full_out, *span)
    steps = (*spec.stride, *spec.dilation)
    view = view[(slice(None), *(slice(None, None, s) for s in steps))]
    order = (0, *range(ndim + 1, 2 * ndim + 1), *axes)  # (C, *k, *out)
    cols = view.transpose(order).reshape(wc[0].size, math.prod(spec.output_size))
    # reshape copies unless the windows happen to be laid out contiguously
    return cols.copy() if np.may_share_memory(cols, xp) else cols


def conv_taps(
    x: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    padding: int | tuple | str = 0,
    stride: int | tuple[int, ...] = 1,
    dilation: int | tuple[int, ...] = 1,
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
    x : (n,), (C_in, n), (h, w) or (C_in, h, w) array_like
        Input, as for `conv1d` / `conv2d`.
    w : (k,), (C_out, C_in, k), (kh, kw) or (C_out, C_in, kh, kw) array_like
        Filter; its number of dimensions says 1-D or 2-D.
    bias : scalar or (C_out,) array_like, optional
        Added to every output of a channel.
    padding, stride, dilation, padding_mode
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
    )
    out = spec.output_size
    c_out, c_in = wc.shape[:2]
    y = np.zeros((c_out, math.prod(out)), dtype=np.result_type(xp, wc))
    for tap in np.ndindex(*spec.kernel_size):
        window = tuple(
            slice(t * d, t * d + (n - 1) * s + 1, s)
            for t, d, n, s in zip(tap, spec.dilation, out, spec.stride, strict=True)
        )
        y += wc[(slice(None), slice(None), *tap)] @ xp[(slice(None), *window)].reshape(
            c_in, -1
        )
    return add_bias(y, bias, spec)


def conv_fft(
    x: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    padding: int | tuple | str = 0,
    stride: int | tuple[int, ...] = 1,
    dilation: int | tuple[int, ...] = 1,
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
    x : (n,), (C_in, n), (h, w) or (C_in, h, w) array_like
        Input, as for `conv1d` / `conv2d`.
    w : (k,), (C_out, C_in, k), (kh, kw) or (C_out, C_in, kh, kw) array_like
        Filter; its number of dimensions says 1-D or 2-D.
    bias : scalar or (C_out,) array_like, optional
        Added to every output of a channel.
    padding, stride, dilation, padding_mode
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
    >>> np.round(conv_fft(x, w, padding=(0, 1), padding_mode="circular"), 10)
    array([21., 32., 43., 14.])
    >>> conv1d(x, w, padding=(0, 1), padding_mode="circular")
    array([21, 32, 43, 14])
    """
    xp, wc, spec = prepare(
        x,
        w,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
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
        scipy.fft.next_fast_len(n, real=True) for n in xp.shape[1:]
    )  # >= padded size: valid outputs never wrap
    xf = scipy.fft.rfftn(xp.astype(dtype, copy=False), s=sizes, axes=axes)
    wf = scipy.fft.rfftn(wd, s=sizes, axes=axes)
    yf = np.einsum("oc...,c...->o...", wf.conj(), xf)
    y = scipy.fft.irfftn(yf, s=sizes, axes=axes)
    keep = tuple(
        slice(0, (n - 1) * s + 1, s)
        for n, s in zip(spec.output_size, spec.stride, strict=True)
    )
    y = np.ascontiguousarray(y[(slice(None), *keep)])
    return add_bias(y, bias, spec)
