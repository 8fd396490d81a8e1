"""The one im2col primitive: every window of a padded input, as columns.

The direct convolution, `im2col`, the transposed convolution and the
experiment's classifiers all take their windows here, so that one function
says which input values a window holds and in which order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def windows(
    xp: np.ndarray,
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> np.ndarray:
    """im2col of an already padded ``(..., C, *spatial)`` array.

    Returns ``(..., C * prod(kernel_size), prod(out))``: column ``j`` holds
    the values output ``j`` reads, ordered ``(C, *kernel)`` in C order (the
    order of a weight ``(C_out, C, *kernel)`` reshaped to ``(C_out, -1)``).
    One sliding-window view, sliced by stride and dilation, copied once by
    the final reshape.
    """
    ndim = len(kernel_size)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True))
    first = xp.ndim - ndim  # the spatial axes start here, after (..., C)
    axes = tuple(range(first, xp.ndim))
    view = sliding_window_view(xp, span, axis=axes)  # (..., C, *full_out, *span)
    steps = (*stride, *dilation)
    every: tuple[Any, ...] = (Ellipsis, *(slice(None, None, s) for s in steps))
    view = view[every]
    out = view.shape[first : first + ndim]
    # (..., C, *out, *k) -> (..., C, *k, *out)
    order = (*range(first), *range(first + ndim, first + 2 * ndim), *axes)
    rows = xp.shape[first - 1] * math.prod(kernel_size)
    cols: np.ndarray = view.transpose(order).reshape(
        *xp.shape[: first - 1], rows, math.prod(out)
    )
    return cols
