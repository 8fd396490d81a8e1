"""Transposed convolution, computed directly.

Zero insertion (for the stride), padding, then a correlation with the
flipped kernel whose channel axes are swapped. It never uses the index map,
so ``conv_matrix(...).T @ g`` is an independent check of it.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.typing import ArrayLike

from ._direct import correlate_padded
from ._params import _is_int, check_dtype, normalize_ints, normalize_padding

__all__ = ["conv_transpose1d", "conv_transpose2d"]


def _output_padding(value: object, ndim: int) -> tuple[int, ...]:
    """``output_padding``: an int or one int per axis, each >= 0."""
    values = value if isinstance(value, tuple | list) else (value,) * ndim
    if len(values) != ndim or not all(_is_int(v) for v in values):
        msg = (
            f"`output_padding` must be an int or a tuple of {ndim} ints, got {value!r}"
        )
        raise TypeError(msg)
    if any(v < 0 for v in values):
        msg = f"`output_padding` must be non-negative, got {value!r}"
        raise ValueError(msg)
    return tuple(operator.index(v) for v in values)


def _conv_transpose(
    g: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None,
    *,
    ndim: int,
    stride: object,
    padding: object,
    output_padding: object,
    dilation: object,
) -> np.ndarray:
    """Shared body of `conv_transpose1d` and `conv_transpose2d`."""
    g = np.asarray(g)
    w = np.asarray(w)
    check_dtype(g, "g")
    check_dtype(w, "w")
    if g.ndim == ndim:
        multichannel = False
    elif g.ndim == ndim + 1:
        multichannel = True
    else:
        msg = (
            f"`g` must have {ndim} (spatial) or {ndim + 1} (channels first) "
            f"dimensions, got {g.ndim} (shape {g.shape})"
        )
        raise ValueError(msg)
    expected_w = ndim + 2 if multichannel else ndim
    if w.ndim != expected_w:
        msg = (
            f"`w` must have {expected_w} dimensions for `g` of shape {g.shape}, "
            f"got shape {w.shape}"
        )
        raise ValueError(msg)
    if multichannel and w.shape[0] != g.shape[0]:
        msg = (
            f"channel mismatch: `w` has C_out={w.shape[0]} (shape {w.shape}) "
            f"but `g` has {g.shape[0]} channels (shape {g.shape})"
        )
        raise ValueError(msg)
    if g.size == 0 or w.size == 0:
        msg = f"`g` and `w` must not be empty, got shapes {g.shape} and {w.shape}"
        raise ValueError(msg)
    kernel = w.shape[-ndim:]
    strides = normalize_ints(stride, ndim, "stride")
    dilations = normalize_ints(dilation, ndim, "dilation")
    pads = normalize_padding(padding, kernel, strides, dilations)
    extra = _output_padding(output_padding, ndim)
    for op, s, d in zip(extra, strides, dilations, strict=True):
        if op >= max(s, d):
            msg = (
                f"`output_padding` must be smaller than `stride` or `dilation`, "
                f"got output_padding={output_padding!r}, stride={stride!r}, "
                f"dilation={dilation!r}"
            )
            raise ValueError(msg)

    dtype = np.result_type(g, w)
    gc = g.astype(dtype, copy=False).reshape(-1, *g.shape[-ndim:])
    wc = w.astype(dtype, copy=False).reshape(gc.shape[0], -1, *kernel)
    # 1. zero insertion: stride - 1 zeros between neighbouring outputs
    z = np.zeros(
        (
            gc.shape[0],
            *((n - 1) * s + 1 for n, s in zip(gc.shape[1:], strides, strict=True)),
        ),
        dtype=dtype,
    )
    z[(slice(None), *(slice(None, None, s) for s in strides))] = gc
    # 2. pad d(k-1) (the "full" correlation) minus the forward padding, plus
    #    output_padding at the end; a negative amount crops instead.
    crop, grow = [slice(None)], [(0, 0)]
    for a, (k, d, (lo, hi), op) in enumerate(
        zip(kernel, dilations, pads, extra, strict=True)
    ):
        before, after = d * (k - 1) - lo, d * (k - 1) - hi + op
        size = z.shape[1 + a]
        if size + before + after < d * (k - 1) + 1:
            msg = (
                f"`padding` {(lo, hi)} too large: the output of axis {a} would be "
                f"empty (input {g.shape[-ndim + a]}, kernel {k})"
            )
            raise ValueError(msg)
        crop.append(slice(max(-before, 0), size - max(-after, 0)))
        grow.append((max(before, 0), max(after, 0)))
    zp = np.pad(z[tuple(crop)], grow)
    # 3. correlate with the flipped kernel, input and output channels swapped
    flip = (slice(None), slice(None), *(slice(None, None, -1),) * ndim)
    wt = np.swapaxes(wc[flip], 0, 1)
    y = correlate_padded(zp, wt, (1,) * ndim, dilations)
    if not multichannel:
        y = y[0]
    if bias is not None:
        b = np.asarray(bias)
        check_dtype(b, "bias")
        expected = (y.shape[0],) if multichannel else ()
        if b.shape != expected:
            msg = f"`bias` must have shape {expected}, got shape {b.shape}"
            raise ValueError(msg)
        y = y + (b.reshape(-1, *(1,) * ndim) if multichannel else b)
    return y


def conv_transpose1d(
    g: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> np.ndarray:
    r"""1-D transposed convolution: multiply by the transposed matrix.

    Computes ``conv_matrix(w, input_shape, ...).T @ g.ravel()`` without
    building the matrix: insert ``stride - 1`` zeros between the entries of
    ``g``, pad, and correlate with the flipped kernel (Dumoulin and Visin, 2016,
    chapter 4). This is the
    gradient of a convolution with respect to its input, and what
    ``torch.nn.functional.conv_transpose1d`` computes.

    Parameters
    ----------
    g : (n_out,) or (C_out, n_out) array_like
        A signal of the shape of the forward convolution's output.
    w : (k,) or (C_out, C_in, k) array_like
        The **forward** convolution's kernel (PyTorch's ``conv_transpose1d``
        weight ``(in_channels, out_channels, k)`` is the same array).
    bias : scalar or (C_in,) array_like, optional
        Added to every output of a channel.
    stride, padding, dilation : optional
        Those of the forward convolution. ``padding`` is an int, a
        ``(left, right)`` pair or ``"valid"``/``"same"``/``"full"``.
    output_padding : int, optional
        Extra outputs at the end, ``0 <= output_padding < max(stride,
        dilation)``: a strided forward convolution maps several input sizes
        to the same output size, and this selects one.

    Returns
    -------
    (n_in,) or (C_in, n_in) ndarray
        ``n_in = (n_out - 1)*stride - p_left - p_right + dilation*(k - 1)
        + output_padding + 1``; dtype ``np.result_type(g, w, bias)``.

    Raises
    ------
    ValueError
        If shapes or channels do not fit, ``bias`` has the wrong shape, an
        option is invalid, ``output_padding`` is too large or the padding
        leaves no output.
    TypeError
        If an array does not hold real numbers or an option is not an int.

    See Also
    --------
    conv1d : The forward convolution.
    conv_matrix : Its matrix, whose transpose this applies.

    Notes
    -----
    For ``x`` of shape ``(C_in, n_in)`` and ``M = conv_matrix(w, x.shape,
    ...)``,

    ``conv_transpose1d(g, w, ...).ravel() == M.T @ g.ravel()``,

    so ``<conv1d(x, w), g> == <x, conv_transpose1d(g, w)>`` (the dot test)
    and it is the gradient of ``sum(g * conv1d(x, w))`` with respect to
    ``x``. Entry by entry, with zero-padded forward convolution,

    .. math::

        x[c, j] = \sum_{o} \sum_{i, t \,:\, i s + t d - p_\mathrm{left} = j}
                  w[o, c, t] \, g[o, i].

    NaN and inf propagate as in floating-point arithmetic.

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
    deep learning", arXiv:1603.07285, 2016, chapter 4.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv_matrix, conv_transpose1d
    >>> w = np.array([1, 2])
    >>> g = np.array([1, 10, 100])
    >>> conv_transpose1d(g, w)
    array([  1,  12, 120, 200])
    >>> conv_matrix(w, 4).T @ g
    array([  1,  12, 120, 200])

    With stride 2 the zeros between the entries of ``g`` show:

    >>> conv_transpose1d(g, w, stride=2)
    array([  1,   2,  10,  20, 100, 200])
    """
    return _conv_transpose(
        g,
        w,
        bias,
        ndim=1,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )


def conv_transpose2d(
    g: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple | str = 0,
    output_padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    r"""2-D transposed convolution: multiply by the transposed matrix.

    The two-dimensional `conv_transpose1d`: zero insertion along both axes,
    padding, and correlation with the kernel flipped in both axes and its
    channel axes swapped. Equals ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    g : (h_out, w_out) or (C_out, h_out, w_out) array_like
        A signal of the shape of the forward convolution's output.
    w : (kh, kw) or (C_out, C_in, kh, kw) array_like
        The forward convolution's kernel.
    bias : scalar or (C_in,) array_like, optional
        Added to every output of a channel.
    stride, padding, dilation : optional
        Those of the forward convolution, per axis.
    output_padding : int or (int, int), optional
        Extra rows/columns at the bottom/right, each
        ``< max(stride, dilation)`` on its axis.

    Returns
    -------
    (h_in, w_in) or (C_in, h_in, w_in) ndarray
        Each axis as in `conv_transpose1d`.

    Raises
    ------
    ValueError, TypeError
        As in `conv_transpose1d`.

    See Also
    --------
    conv2d : The forward convolution.
    conv_transpose1d : Formulas and the matrix identity.

    Notes
    -----
    ``conv_transpose2d(g, w, ...).ravel() == conv_matrix(w, x.shape, ...).T
    @ g.ravel()`` for the input shape ``x.shape`` the output sizes give.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv_transpose2d
    >>> g = np.array([[1, 10], [100, 1000]])
    >>> conv_transpose2d(g, np.ones((2, 2), dtype=int))
    array([[   1,   11,   10],
           [ 101, 1111, 1010],
           [ 100, 1100, 1000]])
    """
    return _conv_transpose(
        g,
        w,
        bias,
        ndim=2,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
