"""Pooling and shifting: what the chapters on translational equivariance and invariance need.

Convolution is translation *equivariant* (shift the input, the output shifts);
pooling over positions turns that into *invariance*. :func:`shift` moves an
image, the pooling functions summarise positions.
"""

from __future__ import annotations

__all__ = [
    "avg_pool2d",
    "global_avg_pool",
    "global_max_pool",
    "max_pool2d",
    "shift",
]

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from ._params import check_dtype, check_int, is_int, normalize_ints


def _real_array(x: npt.ArrayLike) -> np.ndarray:
    """`x` as an array of integers or floats (bool, complex, objects refused)."""
    x = np.asarray(x)
    check_dtype(x, "x")
    return x


def _windows(x: npt.ArrayLike, kernel_size: Any, stride: Any) -> np.ndarray:
    """Pooling windows of `x`, shape (..., h_out, w_out, kh, kw), as a view."""
    x = _real_array(x)
    if x.ndim < 2:
        msg = f"`x` must have shape (h, w) or (C, h, w), got shape {x.shape}"
        raise ValueError(msg)
    kernel = normalize_ints(kernel_size, 2, "kernel_size")
    step = kernel if stride is None else normalize_ints(stride, 2, "stride")
    if kernel[0] > x.shape[-2] or kernel[1] > x.shape[-1]:
        msg = (
            f"`kernel_size` {kernel} is larger than the input's spatial size "
            f"{x.shape[-2:]}"
        )
        raise ValueError(msg)
    view = sliding_window_view(x, kernel, axis=(-2, -1))
    return view[..., :: step[0], :: step[1], :, :]


def max_pool2d(
    x: npt.ArrayLike,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
) -> np.ndarray:
    """Maximum over each ``kh x kw`` window of the last two axes.

    Parameters
    ----------
    x : (h, w) or (C, h, w) array_like
        Integers or floats; any leading axes are kept, like channels.
    kernel_size : int or (int, int)
        Window size ``(kh, kw)``; an int means a square window.
    stride : int or (int, int), optional
        Step between windows; default `kernel_size` (windows do not overlap),
        as in PyTorch.

    Returns
    -------
    ndarray
        Shape ``(..., h_out, w_out)`` with
        ``h_out = (h - kh) // stride_h + 1`` (windows must fit: no padding,
        rows and columns left over are dropped); same dtype as `x`.

    Raises
    ------
    TypeError
        If `x` is not integer or floating, or `kernel_size` or `stride` is
        not an int or a pair of ints.
    ValueError
        If `x` has fewer than two axes, a size is smaller than 1, or the
        window is larger than the input.

    See Also
    --------
    avg_pool2d : the mean instead of the maximum.
    global_max_pool : one window covering everything.

    Notes
    -----
    A view of the windows (:func:`numpy.lib.stride_tricks.sliding_window_view`)
    reduced with ``max``; no copy of the windows is made.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import max_pool2d
    >>> x = np.arange(16).reshape(4, 4)
    >>> max_pool2d(x, 2)
    array([[ 5,  7],
           [13, 15]])
    >>> max_pool2d(x, 3, stride=1)
    array([[10, 11],
           [14, 15]])
    """
    pooled: np.ndarray = _windows(x, kernel_size, stride).max(axis=(-2, -1))
    return pooled


def avg_pool2d(
    x: npt.ArrayLike,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
) -> np.ndarray:
    """Mean over each ``kh x kw`` window of the last two axes.

    Parameters
    ----------
    x : (h, w) or (C, h, w) array_like
        Integers or floats; any leading axes are kept, like channels.
    kernel_size : int or (int, int)
        Window size ``(kh, kw)``; an int means a square window.
    stride : int or (int, int), optional
        Step between windows; default `kernel_size`, as in PyTorch.

    Returns
    -------
    ndarray
        Shape ``(..., h_out, w_out)`` with ``h_out = (h - kh) // stride_h + 1``;
        floating (``float64`` for integer input).

    Raises
    ------
    TypeError
        If `x` is not integer or floating, or `kernel_size` or `stride` is
        not an int or a pair of ints.
    ValueError
        If `x` has fewer than two axes, a size is smaller than 1, or the
        window is larger than the input.

    See Also
    --------
    max_pool2d : the maximum instead of the mean.
    global_avg_pool : one window covering everything.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import avg_pool2d
    >>> avg_pool2d(np.arange(16).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    pooled: np.ndarray = _windows(x, kernel_size, stride).mean(axis=(-2, -1))
    return pooled


def _spatial_axes(x: np.ndarray, spatial_dims: Any) -> tuple[int, ...]:
    """The last `spatial_dims` axes of `x`, checked."""
    spatial_dims = check_int(spatial_dims, "spatial_dims")
    if spatial_dims > x.ndim:
        msg = (
            f"`spatial_dims` must be between 1 and x.ndim = {x.ndim}, "
            f"got {spatial_dims}"
        )
        raise ValueError(msg)
    return tuple(range(-int(spatial_dims), 0))


def global_max_pool(x: npt.ArrayLike, *, spatial_dims: int = 2) -> np.ndarray:
    """Maximum over every position: one number per channel.

    Parameters
    ----------
    x : (..., h, w) array_like
        Integers or floats. The last `spatial_dims` axes are positions; the
        others (channels, batch) are kept.
    spatial_dims : int, optional
        How many trailing axes are positions: 2 (default) for images, 1 for
        signals ``(..., n)``.

    Returns
    -------
    ndarray
        Shape ``x.shape[:-spatial_dims]`` (a 0-d result for a single image),
        same dtype as `x`. Unchanged by any circular :func:`shift` of `x`.

    Raises
    ------
    TypeError
        If `x` is not integer or floating, or `spatial_dims` is not an int.
    ValueError
        If `spatial_dims` is not between 1 and ``x.ndim``.

    See Also
    --------
    global_avg_pool : the mean instead of the maximum.
    max_pool2d : the maximum over small windows.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import global_max_pool, shift
    >>> x = np.arange(8).reshape(2, 2, 2)
    >>> global_max_pool(x)
    array([3, 7])
    >>> global_max_pool(shift(x, (1, 1))).tolist() == global_max_pool(x).tolist()
    True
    >>> global_max_pool([1, 5, 2], spatial_dims=1)
    array(5)
    """
    x = _real_array(x)
    return np.asarray(x.max(axis=_spatial_axes(x, spatial_dims)))


def global_avg_pool(x: npt.ArrayLike, *, spatial_dims: int = 2) -> np.ndarray:
    """Mean over every position: one number per channel.

    Parameters
    ----------
    x : (..., h, w) array_like
        Integers or floats. The last `spatial_dims` axes are positions; the
        others (channels, batch) are kept.
    spatial_dims : int, optional
        How many trailing axes are positions: 2 (default) for images, 1 for
        signals ``(..., n)``.

    Returns
    -------
    ndarray
        Shape ``x.shape[:-spatial_dims]`` (a 0-d result for a single image),
        floating (``float64`` for integer input). Unchanged, up to rounding,
        by any circular :func:`shift` of `x`.

    Raises
    ------
    TypeError
        If `x` is not integer or floating, or `spatial_dims` is not an int.
    ValueError
        If `spatial_dims` is not between 1 and ``x.ndim``.

    See Also
    --------
    global_max_pool : the maximum instead of the mean.
    avg_pool2d : the mean over small windows.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import global_avg_pool
    >>> global_avg_pool(np.arange(8).reshape(2, 2, 2))
    array([1.5, 5.5])
    """
    x = _real_array(x)
    return np.asarray(x.mean(axis=_spatial_axes(x, spatial_dims)))


def shift(
    x: npt.ArrayLike,
    d: int | Sequence[int],
    *,
    mode: Literal["circular", "zeros"] = "circular",
) -> np.ndarray:
    """Translate an array along its trailing axes.

    Parameters
    ----------
    x : (..., n) or (..., h, w) array_like
        Any numeric array.
    d : int or tuple of int
        Displacement of the last ``len(d)`` axes (an int moves the last axis
        only). Positive values move the content to higher indices (down,
        right); negative ones to lower indices.
    mode : {"circular", "zeros"}, optional
        ``"circular"`` (default): what leaves one side comes back on the other
        (:func:`numpy.roll`), the translation under which circular convolution
        is exactly equivariant. ``"zeros"``: what leaves is lost and the
        vacated positions are zero.

    Returns
    -------
    ndarray
        Same shape and dtype as `x`: ``out[..., i + d] = x[..., i]``.

    Raises
    ------
    TypeError
        If `d` holds something other than ints.
    ValueError
        If `d` has more elements than `x` has axes, or `mode` is unknown.

    See Also
    --------
    global_max_pool : invariant under circular shifts.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import shift
    >>> shift(np.array([1, 2, 3, 4]), 1)
    array([4, 1, 2, 3])
    >>> shift(np.array([1, 2, 3, 4]), -1, mode="zeros")
    array([2, 3, 4, 0])
    >>> shift(np.arange(6).reshape(2, 3), (1, 1), mode="zeros")
    array([[0, 0, 0],
           [0, 0, 1]])
    """
    x = np.asarray(x)
    disp = (d,) if not isinstance(d, Sequence) else tuple(d)
    for item in disp:
        if not is_int(item):
            msg = f"`d` must be an int or a tuple of ints, got {d!r}"
            raise TypeError(msg)
    if len(disp) > x.ndim:
        msg = f"`d` has {len(disp)} elements but `x` has only {x.ndim} axes"
        raise ValueError(msg)
    if mode not in ("circular", "zeros"):
        msg = f'`mode` must be "circular" or "zeros", got {mode!r}'
        raise ValueError(msg)
    axes = tuple(range(x.ndim - len(disp), x.ndim))
    if mode == "circular":
        return np.roll(x, disp, axis=axes) if disp else x.copy()
    out = np.zeros_like(x)
    src: list[slice] = [slice(None)] * x.ndim
    dst: list[slice] = [slice(None)] * x.ndim
    for axis, step in zip(axes, disp, strict=True):
        n = x.shape[axis]
        if abs(step) >= n:
            return out
        src[axis] = slice(max(-step, 0), n - max(step, 0))
        dst[axis] = slice(max(step, 0), n - max(-step, 0))
    out[tuple(dst)] = x[tuple(src)]
    return out
