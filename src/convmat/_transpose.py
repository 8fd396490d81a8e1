"""Transposed convolution, computed directly.

Zero insertion (for the stride), padding, then a correlation with the
flipped kernel whose channel axes are swapped. It never uses the index map,
so ``conv_matrix(...).T @ g`` is an independent check of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._direct import correlate_padded
from ._params import (
    IntOrTuple,
    Padding,
    check_bias,
    check_dtype,
    check_int,
    normalize_ints,
    normalize_padding,
)

__all__ = ["conv_transpose1d", "conv_transpose2d"]


def transpose_padded(
    gc: np.ndarray,
    wc: np.ndarray,
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    pads: tuple[tuple[int, int], ...],
    extra: tuple[int, ...],
    groups: int,
) -> np.ndarray:
    """The transposed convolution of ``gc`` ``(..., C_out, *out)``.

    ``wc`` is the forward weight ``(C_out, C_in // groups, *k)``; the result
    is ``(..., C_in, *in)``. Zero insertion, padding, and a correlation with
    the flipped kernel whose channel axes are swapped within each group.
    Callers have checked that the padding leaves an output.
    """
    ndim = len(strides)
    kernel = wc.shape[2:]
    lead = gc.shape[:-ndim]
    # 1. zero insertion: stride - 1 zeros between neighbouring outputs
    z = np.zeros(
        (
            *lead,
            *((n - 1) * s + 1 for n, s in zip(gc.shape[-ndim:], strides, strict=True)),
        ),
        dtype=gc.dtype,
    )
    every: tuple[Any, ...] = (Ellipsis, *(slice(None, None, s) for s in strides))
    z[every] = gc
    # 2. pad d(k-1) (the "full" correlation) minus the forward padding, plus
    #    output_padding at the end; a negative amount crops instead. Grow
    #    first, then crop: a crop on one side may reach into the growth of
    #    the other (a tiny input with large padding and stride).
    crop: list[slice] = []
    grow: list[tuple[int, int]] = []
    for a, (k, d, (lo, hi), op) in enumerate(
        zip(kernel, dilations, pads, extra, strict=True)
    ):
        before, after = d * (k - 1) - lo, d * (k - 1) - hi + op
        grown = z.shape[len(lead) + a] + max(before, 0) + max(after, 0)
        grow.append((max(before, 0), max(after, 0)))
        crop.append(slice(max(-before, 0), grown - max(-after, 0)))
    inside: tuple[Any, ...] = (Ellipsis, *crop)
    zp = np.pad(z, ((0, 0),) * len(lead) + tuple(grow))[inside]
    # 3. correlate with the flipped kernel, in and out channels swapped per group
    c_out, c_in_group = wc.shape[:2]
    flip = (slice(None), slice(None), slice(None), *(slice(None, None, -1),) * ndim)
    wg = wc.reshape(groups, c_out // groups, c_in_group, *kernel)[flip]
    wt = np.swapaxes(wg, 1, 2).reshape(groups * c_in_group, c_out // groups, *kernel)
    return correlate_padded(zp, wt, (1,) * ndim, dilations, groups)


def _conv_transpose(
    g: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None,
    *,
    ndim: int,
    stride: object,
    padding: object,
    output_padding: object,
    groups: object,
    dilation: object,
) -> np.ndarray:
    """Shared body of `conv_transpose1d` and `conv_transpose2d`: check, compute."""
    g = np.asarray(g)
    w = np.asarray(w)
    check_dtype(g, "g")
    check_dtype(w, "w")
    n_groups = check_int(groups, "groups")
    if g.ndim not in (ndim, ndim + 1, ndim + 2):
        msg = (
            f"`g` must have {ndim} (spatial), {ndim + 1} (channels first) or "
            f"{ndim + 2} (batch) dimensions, got {g.ndim} (shape {g.shape})"
        )
        raise ValueError(msg)
    multichannel = g.ndim > ndim
    expected_w = ndim + 2 if multichannel else ndim
    if w.ndim != expected_w:
        msg = (
            f"`w` must have {expected_w} dimensions for `g` of shape {g.shape}, "
            f"got shape {w.shape}"
        )
        raise ValueError(msg)
    if g.size == 0 or w.size == 0:
        msg = f"`g` and `w` must not be empty, got shapes {g.shape} and {w.shape}"
        raise ValueError(msg)
    if multichannel and w.shape[0] != g.shape[-ndim - 1]:
        msg = (
            f"channel mismatch: `w` has C_out={w.shape[0]} (shape {w.shape}) "
            f"but `g` has {g.shape[-ndim - 1]} channels (shape {g.shape})"
        )
        raise ValueError(msg)
    if (not multichannel and n_groups != 1) or w.shape[0] % n_groups:
        msg = (
            f"`groups`={n_groups} must divide C_out, the first axis of a "
            f"(C_out, C_in // groups, *kernel) `w`, got shape {w.shape}"
        )
        raise ValueError(msg)
    kernel = w.shape[-ndim:]
    strides = normalize_ints(stride, ndim, "stride")
    dilations = normalize_ints(dilation, ndim, "dilation")
    pads = normalize_padding(padding, kernel, strides, dilations)
    extra = normalize_ints(output_padding, ndim, "output_padding", minimum=0)
    for op, s, d in zip(extra, strides, dilations, strict=True):
        if op >= max(s, d):
            msg = (
                f"`output_padding` must be smaller than `stride` or `dilation`, "
                f"got output_padding={output_padding!r}, stride={stride!r}, "
                f"dilation={dilation!r}"
            )
            raise ValueError(msg)
    for a, (k, d, (lo, hi), op, s) in enumerate(
        zip(kernel, dilations, pads, extra, strides, strict=True)
    ):
        n_out = g.shape[-ndim + a]
        if (n_out - 1) * s + d * (k - 1) + 1 + op - lo - hi < 1:
            msg = (
                f"`padding` {(lo, hi)} too large: the output of axis {a} would be "
                f"empty (input {n_out}, kernel {k})"
            )
            raise ValueError(msg)
    b = check_bias(bias, w.shape[1] * n_groups if multichannel else 1, multichannel)

    dtype = np.result_type(g, w)
    c_out = w.shape[0] if multichannel else 1
    gc = g.astype(dtype, copy=False).reshape(-1, c_out, *g.shape[-ndim:])
    wc = w.astype(dtype, copy=False).reshape(c_out, -1, *kernel)
    y = transpose_padded(gc, wc, strides, dilations, pads, extra, n_groups)
    if multichannel:
        y = y.reshape(*g.shape[: -ndim - 1], *y.shape[1:])
    else:
        y = y.reshape(y.shape[-ndim:])
    if b is None:
        return y
    shape = (-1, *(1,) * ndim) if multichannel else ()
    biased: np.ndarray = y + b.reshape(shape)
    return biased


def conv_transpose1d(
    g: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
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
    g : (n_out,), (C_out, n_out) or (N, C_out, n_out) array_like
        A signal of the shape of the forward convolution's output (a batch
        of ``N`` too).
    w : (k,) or (C_out, C_in // groups, k) array_like
        The **forward** convolution's kernel (PyTorch's ``conv_transpose1d``
        weight ``(in_channels, out_channels // groups, k)`` is the same
        array).
    bias : (C_in,) array_like, optional
        Added to every output of a channel (a scalar or ``(1,)`` for one
        channel).
    stride, padding, dilation : optional
        Those of the forward convolution. ``padding`` is an int,
        ``((left, right),)`` or ``"valid"``/``"same"``/``"full"``.
    output_padding : int, optional
        Extra outputs at the end, ``0 <= output_padding < max(stride,
        dilation)``: a strided forward convolution maps several input sizes
        to the same output size, and this selects one.
    groups : int, optional
        The forward convolution's channel groups.

    Returns
    -------
    (n_in,), (C_in, n_in) or (N, C_in, n_in) ndarray
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
        groups=groups,
        dilation=dilation,
    )


def conv_transpose2d(
    g: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    r"""2-D transposed convolution: multiply by the transposed matrix.

    The two-dimensional `conv_transpose1d`: zero insertion along both axes,
    padding, and correlation with the kernel flipped in both axes and its
    channel axes swapped. Equals ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    g : (h_out, w_out), (C_out, h_out, w_out) or (N, C_out, h_out, w_out) array_like
        A signal of the shape of the forward convolution's output.
    w : (kh, kw) or (C_out, C_in // groups, kh, kw) array_like
        The forward convolution's kernel.
    bias : (C_in,) array_like, optional
        Added to every output of a channel.
    stride, padding, dilation : optional
        Those of the forward convolution, per axis.
    output_padding : int or (int, int), optional
        Extra rows/columns at the bottom/right, each
        ``< max(stride, dilation)`` on its axis.
    groups : int, optional
        The forward convolution's channel groups.

    Returns
    -------
    (h_in, w_in), (C_in, h_in, w_in) or (N, C_in, h_in, w_in) ndarray
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
        groups=groups,
        dilation=dilation,
    )
