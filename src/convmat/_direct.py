"""The convolution computed directly: pad, one window view, one matrix product.

This module never looks at the index map of :mod:`convmat._index`: it is the
independent oracle against which the matrix forms are tested.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._params import (
    NP_PAD_MODE,
    ConvSpec,
    IntOrTuple,
    Padding,
    PaddingMode,
    check_bias,
    check_dtype,
    conv_spec,
)
from ._windows import windows

__all__ = ["conv1d", "conv2d"]


def correlate_padded(
    xp: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    groups: int = 1,
) -> np.ndarray:
    """Valid cross-correlation of an already padded ``(..., C, *spatial)`` input.

    ``w`` is ``(O, C // groups, *k)``; the result is ``(..., O, *out)``. The
    windows are copied once into the im2col matrix (`windows`) and multiplied
    by ``w`` reshaped to ``(O, C*prod(k) // groups)``: one GEMM per sample
    and group.
    """
    ndim = w.ndim - 2
    if xp.ndim == ndim + 2 and xp.shape[0] == 1:  # one sample: a 2-D GEMM
        return correlate_padded(xp[0], w, stride, dilation, groups)[None]
    cols = windows(xp, w.shape[2:], stride, dilation)  # (..., C*K, P)
    lead = xp.shape[: -ndim - 1]
    out = tuple(
        (n - d * (k - 1) - 1) // s + 1
        for n, k, s, d in zip(
            xp.shape[-ndim:], w.shape[2:], stride, dilation, strict=True
        )
    )
    o = w.shape[0]
    if groups == 1:
        y = w.reshape(o, -1) @ cols
    else:
        cols = cols.reshape(*lead, groups, -1, cols.shape[-1])
        y = w.reshape(groups, o // groups, -1) @ cols
    result: np.ndarray = y.reshape(*lead, o, *out)
    return result


def add_bias(y: np.ndarray, bias: ArrayLike | None, spec: ConvSpec) -> np.ndarray:
    """Reshape ``(N, C_out, *out)`` to the caller's form and add the bias.

    The bias is one value per output channel, ``(C_out,)`` (a scalar or
    ``(1,)`` in the single-channel form). Shared by every way of computing a
    convolution in this package.
    """
    shape = spec.out_shape if spec.batch is None else (spec.batch, *spec.out_shape)
    y = y.reshape(shape)
    b = check_bias(bias, spec.out_channels, spec.multichannel)
    if b is None:
        return y
    shape = (-1,) + (1,) * len(spec.output_size) if spec.multichannel else ()
    biased: np.ndarray = y + b.reshape(shape)
    return biased


def prepare(
    x: ArrayLike,
    w: ArrayLike,
    *,
    padding: object,
    stride: object,
    dilation: object,
    padding_mode: object,
    groups: object = 1,
    ndim: int | None = None,
) -> tuple[np.ndarray, np.ndarray, ConvSpec]:
    """Check the arguments; return the padded input, the weights and the spec.

    The input comes back as ``(N, C_in, *padded)`` (``N = 1`` without a
    batch axis) and the weights as ``(C_out, C_in // groups, *k)``, both in
    the common dtype ``np.result_type(x, w)``. Shared by every way of
    computing a convolution in this package, so that they all accept and
    refuse the same arguments.
    """
    x = np.asarray(x)
    w = np.asarray(w)
    check_dtype(x, "x")
    check_dtype(w, "w")
    spec = conv_spec(
        w.shape,
        x.shape,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        groups=groups,
        ndim=ndim,
        batch=True,
    )
    dtype = np.result_type(x, w)
    n = 1 if spec.batch is None else spec.batch
    xc = x.astype(dtype, copy=False).reshape(n, spec.in_channels, *spec.input_size)
    wc = w.astype(dtype, copy=False).reshape(
        spec.out_channels, spec.group_in, *spec.kernel_size
    )
    if any(p for pair in spec.pads for p in pair):
        xc = np.pad(
            xc, ((0, 0), (0, 0), *spec.pads), mode=NP_PAD_MODE[spec.padding_mode]
        )
    return xc, wc, spec


def _conv(
    x: ArrayLike,
    w: ArrayLike,
    bias: ArrayLike | None,
    *,
    ndim: int,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    padding_mode: object,
) -> np.ndarray:
    """Shared body of `conv1d` and `conv2d`: check, pad, correlate, add bias."""
    xc, wc, spec = prepare(
        x,
        w,
        padding=padding,
        stride=stride,
        dilation=dilation,
        padding_mode=padding_mode,
        groups=groups,
        ndim=ndim,
    )
    y = correlate_padded(xc, wc, spec.stride, spec.dilation, spec.groups)
    return add_bias(y, bias, spec)


def conv1d(
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
    r"""1-D convolution in the deep-learning sense (cross-correlation).

    Computes what ``torch.nn.functional.conv1d`` computes (after ``F.pad``
    for the non-zero padding modes) directly, by padding the input, taking
    one sliding-window view and one matrix product. The kernel is **not**
    flipped: this is a cross-correlation, as in every deep-learning library
    (Goodfellow, Bengio and Courville, 2016, section 9.1).

    Parameters
    ----------
    x : (n,), (C_in, n) or (N, C_in, n) array_like
        Input signal: without channel axis, with one, or a batch of ``N``.
    w : (k,) or (C_out, C_in // groups, k) array_like
        Kernel; ``(k,)`` goes with ``x`` of shape ``(n,)``.
    bias : (C_out,) array_like, optional
        Added to every output of a channel; a scalar (or shape ``(1,)``) in
        the single-channel form.
    stride : int, optional
        Step between successive outputs, >= 1.
    padding : int, ((left, right),) or {"valid", "same", "full"}, optional
        Padding added to both ends, or per side (see `output_shape`).
        ``"same"`` puts the extra element on the right, as PyTorch, and needs
        ``stride=1``.
    dilation : int, optional
        Spacing between kernel taps, >= 1.
    groups : int, optional
        Split the channels into ``groups`` independent convolutions: output
        channel ``o`` reads only the ``C_in // groups`` input channels of its
        group. ``groups = C_in = C_out`` is a depthwise convolution.
    padding_mode : {"zeros", "circular", "reflect", "replicate"}, optional
        What the padding holds: zeros, the signal wrapped around, the signal
        mirrored without repeating the edge, or the edge value repeated
        (``np.pad`` modes ``constant``, ``wrap``, ``reflect``, ``edge``).

    Returns
    -------
    y : (n_out,), (C_out, n_out) or (N, C_out, n_out) ndarray
        ``n_out = (n + p_left + p_right - dilation*(k-1) - 1) // stride + 1``.
        The dtype is ``np.result_type(x, w, bias)``: integer inputs give an
        exact integer result (which may overflow like any integer
        arithmetic).

    Raises
    ------
    ValueError
        If the dimensions of ``x`` and ``w`` do not fit, the channels
        disagree, ``bias`` has the wrong shape, or an option is invalid (see
        `output_shape`); also if circular/reflect padding is larger than the
        input allows.
    TypeError
        If ``x``, ``w`` or ``bias`` hold booleans, complex numbers, objects or
        strings, or ``stride``/``dilation`` is not an int.

    See Also
    --------
    conv2d : The same in two dimensions.
    conv_matrix : The matrix ``M`` with ``M @ x.ravel() == conv1d(x, w).ravel()``.
    numpy.convolve, scipy.signal.correlate : True convolution / correlation.

    Notes
    -----
    With ``xp`` the padded input (``p_left`` entries before ``x``),

    .. math::

        y[o, i] = \mathrm{bias}[o] + \sum_{c} \sum_{t=0}^{k-1}
                  w[o, c, t] \, xp[c, i \cdot \mathrm{stride} + t \cdot \mathrm{dilation}]

    ``numpy.convolve`` and ``scipy.linalg.convolution_matrix`` compute a true
    convolution, which flips the kernel: ``np.convolve(x, w[::-1], "valid")``
    equals ``conv1d(x, w)``.

    NaN and inf propagate as in floating-point arithmetic: an output is NaN
    whenever its window holds a NaN (and ``inf * 0`` is NaN).

    The cost is ``C_out * C_in * k * n_out`` multiply-adds plus one copy of
    the ``C_in * k * n_out`` window entries (im2col).

    References
    ----------
    I. Goodfellow, Y. Bengio and A. Courville, "Deep Learning",
    MIT Press, 2016, section 9.1.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv1d
    >>> x = np.array([1, 2, 3, 4])
    >>> w = np.array([1, 10])
    >>> conv1d(x, w)
    array([21, 32, 43])
    >>> np.convolve(x, w[::-1], "valid")   # numpy flips the kernel
    array([21, 32, 43])
    >>> conv1d(x, w, padding=1)
    array([10, 21, 32, 43,  4])
    >>> conv1d(x, w, padding="same", padding_mode="circular")
    array([21, 32, 43, 14])
    >>> conv1d(x, w, bias=100, stride=2)    # PyTorch's positional order
    array([121, 143])
    >>> conv1d(x, w, None, 1, ((0, 1),))    # padding (left, right) = (0, 1)
    array([21, 32, 43,  4])

    Two input channels, one output channel:

    >>> x2 = np.array([[1, 2, 3], [10, 20, 30]])
    >>> w2 = np.array([[[1, 1], [1, -1]]])
    >>> conv1d(x2, w2)
    array([[-7, -5]])

    A batch of two signals, and a depthwise convolution (``groups`` equal to
    the channels: each channel filtered on its own):

    >>> conv1d(np.stack([x2, 2 * x2]), w2).tolist()
    [[[-7, -5]], [[-14, -10]]]
    >>> conv1d(x2, np.array([[[1, 1]], [[1, -1]]]), groups=2)
    array([[  3,   5],
           [-10, -10]])
    """
    return _conv(
        x,
        w,
        bias,
        ndim=1,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        padding_mode=padding_mode,
    )


def conv2d(
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
    r"""2-D convolution in the deep-learning sense (cross-correlation).

    Computes what ``torch.nn.functional.conv2d`` computes (after ``F.pad``
    for the non-zero padding modes) directly: pad, one sliding-window view,
    one matrix product (im2col and GEMM). The kernel is not flipped.

    Parameters
    ----------
    x : (h, w), (C_in, h, w) or (N, C_in, h, w) array_like
        Input image: without channel axis, with one, or a batch of ``N``.
    w : (kh, kw) or (C_out, C_in // groups, kh, kw) array_like
        Kernel; ``(kh, kw)`` goes with ``x`` of shape ``(h, w)``.
    bias : (C_out,) array_like, optional
        Added to every output of a channel.
    stride : int or (int, int), optional
        Per-axis step between outputs, >= 1.
    padding : int, tuple or {"valid", "same", "full"}, optional
        An int, an ``(ph, pw)`` pair or ``((top, bottom), (left, right))``
        (see `output_shape`). ``"same"`` puts the extra row/column at the
        bottom/right, as PyTorch, and needs ``stride=1``.
    dilation : int or (int, int), optional
        Per-axis spacing between taps, >= 1.
    groups : int, optional
        Independent channel groups, as in `conv1d` (depthwise when
        ``groups = C_in = C_out``).
    padding_mode : {"zeros", "circular", "reflect", "replicate"}, optional
        What the padding holds (see `conv1d`).

    Returns
    -------
    y : (h_out, w_out), (C_out, h_out, w_out) or (N, C_out, h_out, w_out) ndarray
        Each axis follows `output_shape`; dtype ``np.result_type(x, w, bias)``.

    Raises
    ------
    ValueError
        If the dimensions of ``x`` and ``w`` do not fit, the channels
        disagree, ``bias`` has the wrong shape, or an option is invalid.
    TypeError
        If ``x``, ``w`` or ``bias`` hold booleans, complex numbers, objects or
        strings, or ``stride``/``dilation`` is not an int.

    See Also
    --------
    conv1d : The same in one dimension, with the formulas.
    conv_matrix : The matrix ``M`` with ``M @ x.ravel() == conv2d(x, w).ravel()``.
    scipy.signal.correlate2d : The single-channel correlation.

    Notes
    -----
    With ``xp`` the padded input,

    .. math::

        y[o, i, j] = \mathrm{bias}[o] + \sum_{c} \sum_{s=0}^{k_h-1}
                     \sum_{t=0}^{k_w-1} w[o, c, s, t] \,
                     xp[c, i \sigma_h + s \delta_h, j \sigma_w + t \delta_w]

    for strides :math:`\sigma` and dilations :math:`\delta`. ``scipy.signal
    .convolve2d`` flips the kernel in both axes; ``correlate2d`` does not.
    NaN and inf propagate as in floating-point arithmetic.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv2d
    >>> x = 10 * np.arange(3)[:, None] + np.arange(3)   # x[i, j] = 10 i + j
    >>> x
    array([[ 0,  1,  2],
           [10, 11, 12],
           [20, 21, 22]])
    >>> w = np.array([[1, 0], [0, 1]])
    >>> conv2d(x, w)
    array([[11, 13],
           [31, 33]])
    >>> conv2d(x, w, padding=((0, 1), (0, 1)))
    array([[11, 13,  2],
           [31, 33, 12],
           [20, 21, 22]])
    """
    return _conv(
        x,
        w,
        bias,
        ndim=2,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        padding_mode=padding_mode,
    )
