"""Correlation as a pattern finder: the normalised cross-correlation.

A convolution layer's output at one position is the dot product of the filter
with one window of the input: a similarity score, largest where the window
looks most like the filter. Raw dot products also grow with the brightness
and contrast of the window; dividing by the norms of the (mean-removed)
window and filter leaves only the shape, a number in ``[-1, 1]`` that is 1
exactly where the window is a brighter or dimmer copy of the filter.
"""

from __future__ import annotations

__all__ = ["normalized_correlation"]

import numpy as np
import numpy.typing as npt

from ._direct import conv2d


def _plane(a: npt.ArrayLike, name: str) -> np.ndarray:
    """`a` as a 2-D float64 array of real numbers."""
    a = np.asarray(a)
    if a.dtype.kind not in "iuf":
        msg = f"`{name}` must hold integers or floats, got dtype {a.dtype}"
        raise TypeError(msg)
    if a.ndim != 2:
        msg = f"`{name}` must be 2-D (h, w), got shape {a.shape}"
        raise ValueError(msg)
    return a.astype(np.float64, copy=False)


def normalized_correlation(x: npt.ArrayLike, template: npt.ArrayLike) -> np.ndarray:
    r"""Normalised cross-correlation of an image with a template (valid).

    At every position where the template fits inside the image, the Pearson
    correlation between the template and the window under it:

    .. math::

        c_{ij} = \frac{\sum_{u,v} (x_{i+u,j+v} - \bar x_{ij})(t_{uv} - \bar t)}
                      {\lVert x_{ij} - \bar x_{ij} \rVert \, \lVert t - \bar t \rVert}

    the cosine of the angle between the window and the template once both
    have their mean removed. Every sum is one convolution with `conv2d`: the
    image with the mean-removed template, and the image and its square with
    a filter of ones (the window sums).

    Parameters
    ----------
    x : (h, w) array_like
        The image; integers or floats.
    template : (kh, kw) array_like
        The pattern to look for, no larger than `x` and not constant.

    Returns
    -------
    (h - kh + 1, w - kw + 1) ndarray
        float64 in ``[-1, 1]``; 1 where the window equals ``a * template + b``
        for some ``a > 0``, and 0 where the window is constant (it has no
        shape to compare).

    Raises
    ------
    TypeError
        If `x` or `template` is not integer or floating.
    ValueError
        If either is not 2-D, the template is larger than the image, or the
        template is constant.

    See Also
    --------
    conv2d : the raw dot products, ``conv2d(x, template)``.

    Notes
    -----
    The raw score ``conv2d(x, template)`` is largest where the window is
    both similar *and* bright; normalising removes brightness (the means) and
    contrast (the norms). This is the classic template matching of image
    processing (scikit-image's ``match_template`` computes the same numbers).

    Examples
    --------
    A step, dim at the left, and bright noise at the right: the raw dot
    product scores the bright windows highest, the normalised one finds the
    step (1 exactly) and gives the windows that only share brightness 0.

    >>> import numpy as np
    >>> from convmat import conv2d, normalized_correlation
    >>> x = np.array([[1, 1, 2, 2, 9, 8, 9, 8]])
    >>> step = np.array([[0, 0, 1, 1]])
    >>> conv2d(x, step)
    array([[ 4, 11, 17, 17, 17]])
    >>> normalized_correlation(x, step).round(3)
    array([[1.   , 0.625, 0.994, 0.514, 0.   ]])
    """
    x = _plane(x, "x")
    t = _plane(template, "template")
    if t.shape[0] > x.shape[0] or t.shape[1] > x.shape[1]:
        msg = f"`template` {t.shape} must not be larger than `x` {x.shape}"
        raise ValueError(msg)
    centred = t - t.mean()
    t_norm = float(np.sqrt((centred * centred).sum()))
    if t_norm == 0:
        msg = "`template` must not be constant: it has no shape to look for"
        raise ValueError(msg)
    ones = np.ones(t.shape)
    dot = conv2d(x, centred)  # = sum (x - mean_x) * centred, as sum(centred) = 0
    sums = conv2d(x, ones)
    squares = conv2d(x * x, ones)
    variance = np.maximum(squares - sums * sums / t.size, 0.0)  # times t.size
    flat = variance <= 1e-12 * squares  # constant windows (up to rounding)
    norm = np.sqrt(np.where(flat, 1.0, variance)) * t_norm
    return np.where(flat, 0.0, np.clip(dot / norm, -1.0, 1.0))
