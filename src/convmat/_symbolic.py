r"""The convolution matrix with tap names, and its LaTeX form.

Everything here is for display: small matrices whose entries are strings
such as ``w_{1}``, built from the same index map (`conv_index`) as the
numeric matrices, and printed as MathJax-compatible LaTeX.

Names are 1-based and always braced: ``w_{1}``, ``w_{1,2}``, ``w_{1,1,3}``.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._guards import describe, index_bytes, refuse_above
from ._index import spec_index
from ._params import (
    MAX_BYTES,
    ConvSpec,
    IntOrTuple,
    Padding,
    PaddingMode,
    conv_spec,
    shape_of,
)

__all__ = [
    "conv_equations",
    "conv_matrix_symbolic",
    "tap_names",
    "to_latex",
    "vector_symbols",
]

_ENVS = ("bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix", "Vmatrix")


def vector_symbols(name: str, shape: ArrayLike | IntOrTuple) -> np.ndarray:
    r"""Array of 1-based LaTeX symbols ``name_{i}``, ``name_{i,j}``, ...

    Parameters
    ----------
    name : str
        The letter (or LaTeX command) to subscript, e.g. ``"a"`` or
        ``r"\alpha"``.
    shape : array_like or tuple of int
        Shape of the array of symbols (an array stands for its shape; an int
        ``n`` is ``(n,)``).

    Returns
    -------
    ndarray of str
        ``out[i, j, ...] == f"{name}_{{{i + 1},{j + 1},...}}"``.

    See Also
    --------
    tap_names : The same for a kernel.
    to_latex : Print the result as a LaTeX matrix or vector.

    Examples
    --------
    >>> from convmat.book import vector_symbols
    >>> vector_symbols("a", 4)
    array(['a_{1}', 'a_{2}', 'a_{3}', 'a_{4}'], dtype='<U5')
    >>> vector_symbols("x", (2, 2))
    array([['x_{1,1}', 'x_{1,2}'],
           ['x_{2,1}', 'x_{2,2}']], dtype='<U7')
    """
    shape = shape_of(shape, "shape")
    names = [
        f"{name}_{{{','.join(str(i + 1) for i in index)}}}"
        for index in itertools.product(*(range(n) for n in shape))
    ]
    return np.array(names).reshape(shape)


def tap_names(w: ArrayLike | IntOrTuple, name: str = "w") -> np.ndarray:
    """LaTeX names of the taps of a kernel, 1-based: ``w_{1}``, ``w_{1,2}``, ...

    Parameters
    ----------
    w : array_like or tuple of int
        The kernel or its shape: ``(k,)``, ``(kh, kw)``, ``(C_out, C_in, k)``
        or ``(C_out, C_in, kh, kw)`` (an int ``k`` is ``(k,)``).
    name : str, optional
        The kernel's letter.

    Returns
    -------
    ndarray of str, the shape of ``w``
        Multi-channel names carry the channel indices first:
        ``w_{o,c,i}`` / ``w_{o,c,i,j}``.

    Examples
    --------
    >>> from convmat.book import tap_names
    >>> tap_names(3)
    array(['w_{1}', 'w_{2}', 'w_{3}'], dtype='<U5')
    >>> tap_names((2, 2), name="k")
    array([['k_{1,1}', 'k_{1,2}'],
           ['k_{2,1}', 'k_{2,2}']], dtype='<U7')
    """
    return vector_symbols(name, shape_of(w, "w"))


def _spec(
    w: ArrayLike | IntOrTuple,
    input_shape: ArrayLike | IntOrTuple,
    max_bytes: int,
    **options: object,
) -> ConvSpec:
    """Check shapes and options exactly as `conv_matrix` does; guard the size."""
    spec = conv_spec(
        shape_of(w, "w"),
        shape_of(input_shape, "input_shape"),
        **options,  # type: ignore[arg-type]
        names=("w", "input_shape"),
    )
    # an object array of entries, then a str array of the longest name's width
    longest = len(str(spec.weight_shape)) + 8

    def estimate(exact: bool) -> tuple[int, int]:
        nbytes = spec.rows * spec.cols * (8 + 4 * longest)
        nbytes += index_bytes(spec, exact=exact)
        return nbytes, nbytes

    refuse_above(estimate, max_bytes, f"The symbolic matrix of {describe(spec)}")
    return spec


def conv_matrix_symbolic(
    w: ArrayLike | IntOrTuple,
    input_shape: ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    name: str = "w",
    max_bytes: int = MAX_BYTES,
) -> np.ndarray:
    r"""The convolution matrix with tap names instead of numbers.

    Parameters
    ----------
    w : array_like or tuple of int
        The kernel or its shape, as for `conv_matrix`.
    input_shape : array_like or tuple of int
        The input or its shape, as for `conv_matrix`.
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`.
    name : str, optional
        The kernel's letter.
    max_bytes : int, optional
        Refuse larger matrices, as `conv_matrix` does (default 1 GiB).

    Returns
    -------
    (n_rows, n_cols) ndarray of str
        Entry ``[i, j]`` is ``"0"``, one tap name such as ``"w_{2}"``, or a
        sum ``"w_{1} + w_{3}"`` where several taps read the same input
        (circular, reflect, replicate padding).

    See Also
    --------
    conv_matrix : The numeric matrix; same non-zero pattern.
    to_latex : Print it.

    Notes
    -----
    Built from `conv_index`, like `conv_matrix`: the entry ``[r, c]`` lists,
    in tap order, the names ``tap_names(w).flat[t]`` of all
    triples ``(r, c, t)`` of the index map.

    Examples
    --------
    The book's worked example, a kernel of 2 taps over 4 inputs:

    >>> from convmat import conv_matrix_symbolic
    >>> from convmat.book import to_latex
    >>> conv_matrix_symbolic(2, 4)
    array([['w_{1}', 'w_{2}', '0', '0'],
           ['0', 'w_{1}', 'w_{2}', '0'],
           ['0', '0', 'w_{1}', 'w_{2}']], dtype='<U5')
    >>> print(to_latex(conv_matrix_symbolic(2, 4)))
    \begin{bmatrix}
    w_{1} & w_{2} & 0 & 0 \\
    0 & w_{1} & w_{2} & 0 \\
    0 & 0 & w_{1} & w_{2}
    \end{bmatrix}

    Reflect padding makes taps add up:

    >>> conv_matrix_symbolic(3, 3, padding=1, padding_mode="reflect")[0]
    array(['w_{2}', 'w_{1} + w_{3}', '0'], dtype='<U13')

    A depthwise convolution (``groups`` equal to the channels) is block
    diagonal: each channel is filtered on its own.

    >>> conv_matrix_symbolic((2, 1, 2), (2, 3), groups=2)
    array([['w_{1,1,1}', 'w_{1,1,2}', '0', '0', '0', '0'],
           ['0', 'w_{1,1,1}', 'w_{1,1,2}', '0', '0', '0'],
           ['0', '0', '0', 'w_{2,1,1}', 'w_{2,1,2}', '0'],
           ['0', '0', '0', '0', 'w_{2,1,1}', 'w_{2,1,2}']], dtype='<U9')
    """
    spec = _spec(
        w,
        input_shape,
        max_bytes,
        padding=padding,
        stride=stride,
        dilation=dilation,
        groups=groups,
        padding_mode=padding_mode,
    )
    names = tap_names(spec.weight_shape, name).ravel()
    idx = spec_index(spec)
    n_rows, n_cols = idx.shape
    entries: dict[tuple[int, int], list[str]] = {}
    for r, c, t in zip(
        idx.rows.tolist(), idx.cols.tolist(), idx.taps.tolist(), strict=True
    ):
        entries.setdefault((r, c), []).append(names[t])
    out = np.full(idx.shape, "0", dtype=object)
    for (r, c), terms in entries.items():
        out[r, c] = " + ".join(terms)
    return out.astype(str).reshape(n_rows, n_cols)


def conv_equations(
    w: ArrayLike | IntOrTuple,
    input_shape: ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    x_name: str = "a",
    w_name: str = "w",
    y_name: str = "b",
    max_bytes: int = MAX_BYTES,
) -> list[str]:
    r"""One LaTeX equation per output of a convolution.

    Parameters
    ----------
    w : array_like or tuple of int
        The kernel or its shape, as for `conv_matrix`.
    input_shape : array_like or tuple of int
        The input or its shape, as for `conv_matrix`.
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`.
    x_name, w_name, y_name : str, optional
        Letters of the input, the kernel and the output.
    max_bytes : int, optional
        Refuse larger convolutions, as `conv_matrix_symbolic` does.

    Returns
    -------
    list of str
        ``"b_{i} = a_{j} w_{t} + ..."`` for every output in C order, terms in
        tap order; ``"b_{i} = 0"`` for an output that only sees zero padding.

    See Also
    --------
    conv_matrix_symbolic : The same information as a matrix.

    Examples
    --------
    >>> from convmat.book import conv_equations
    >>> for eq in conv_equations(2, 4):   # 2 taps over 4 inputs
    ...     print(eq)
    b_{1} = a_{1} w_{1} + a_{2} w_{2}
    b_{2} = a_{2} w_{1} + a_{3} w_{2}
    b_{3} = a_{3} w_{1} + a_{4} w_{2}
    >>> conv_equations(2, 3, padding=1)[0]
    'b_{1} = a_{1} w_{2}'
    """
    spec = _spec(
        w,
        input_shape,
        max_bytes,
        padding=padding,
        stride=stride,
        dilation=dilation,
        groups=groups,
        padding_mode=padding_mode,
    )
    w_names = tap_names(spec.weight_shape, w_name).ravel()
    x_names = vector_symbols(x_name, spec.input_shape).ravel()
    y_names = vector_symbols(y_name, spec.out_shape).ravel()
    idx = spec_index(spec)
    terms: list[list[str]] = [[] for _ in range(idx.shape[0])]
    for r, c, t in zip(
        idx.rows.tolist(), idx.cols.tolist(), idx.taps.tolist(), strict=True
    ):
        terms[r].append(f"{x_names[c]} {w_names[t]}")
    return [
        f"{y} = {' + '.join(row) if row else '0'}"
        for y, row in zip(y_names, terms, strict=True)
    ]


def _format_entry(value: object) -> str:
    """One matrix entry as LaTeX: strings as they are, numbers compactly."""
    if isinstance(value, str | np.str_):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    number = float(value)  # type: ignore[arg-type]
    if np.isnan(number):
        return r"\mathrm{NaN}"
    if np.isinf(number):
        return r"\infty" if number > 0 else r"-\infty"
    if number.is_integer():
        return str(int(number))
    return f"{number:.4g}"


def _keep(n: int, limit: int | None, name: str) -> list[int | None]:
    """Indices shown along one axis; ``None`` marks the dots."""
    if limit is None or n <= limit:
        return list(range(n))
    if limit < 2:
        msg = f"`{name}` must be >= 2 (first rows, dots, last row), got {limit}"
        raise ValueError(msg)
    return [*range(limit - 1), None, n - 1]


def to_latex(
    matrix: ArrayLike,
    *,
    env: Literal["bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix", "Vmatrix"] = (
        "bmatrix"
    ),
    max_rows: int | None = None,
    max_cols: int | None = None,
) -> str:
    r"""LaTeX (MathJax-compatible) source of a matrix or vector.

    Parameters
    ----------
    matrix : (n,) or (m, n) array_like
        Numbers or strings (e.g. from `conv_matrix_symbolic`). A 1-D array is
        written as a column vector.
    env : str, optional
        The amsmath environment: ``"bmatrix"`` (square brackets),
        ``"pmatrix"`` (parentheses), ``"matrix"``, ``"vmatrix"``,
        ``"Bmatrix"`` or ``"Vmatrix"``.
    max_rows, max_cols : int, optional
        Abbreviate larger matrices: show the first ``max_rows - 1`` rows, a
        row of ``\vdots`` and the last row (likewise columns with
        ``\cdots``; ``\ddots`` where both meet). Each must be >= 2.

    Returns
    -------
    str
        ``\begin{env} ... \end{env}``, rows separated by ``\\``, entries by
        ``&``. Integer-valued floats print as integers, others with 4
        significant digits.

    Raises
    ------
    ValueError
        If ``matrix`` is not 1-D or 2-D, ``env`` is unknown, or ``max_rows``
        / ``max_cols`` is < 2.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat.book import to_latex, vector_symbols
    >>> print(to_latex(vector_symbols("a", 3), env="pmatrix"))
    \begin{pmatrix}
    a_{1} \\
    a_{2} \\
    a_{3}
    \end{pmatrix}
    >>> print(to_latex(np.arange(16).reshape(4, 4), max_rows=3, max_cols=3))
    \begin{bmatrix}
    0 & 1 & \cdots & 3 \\
    4 & 5 & \cdots & 7 \\
    \vdots & \vdots & \ddots & \vdots \\
    12 & 13 & \cdots & 15
    \end{bmatrix}
    """
    a = np.asarray(matrix)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        msg = f"`matrix` must be 1-D or 2-D, got {a.ndim} dimensions"
        raise ValueError(msg)
    if env not in _ENVS:
        msg = f"`env` must be one of {_ENVS}, got {env!r}"
        raise ValueError(msg)
    rows = _keep(a.shape[0], max_rows, "max_rows")
    cols = _keep(a.shape[1], max_cols, "max_cols")
    lines = []
    for i in rows:
        cells = []
        for j in cols:
            if i is None:
                cells.append(r"\ddots" if j is None else r"\vdots")
            else:
                cells.append(r"\cdots" if j is None else _format_entry(a[i, j]))
        lines.append(" & ".join(cells))
    body = " \\\\\n".join(lines)
    return f"\\begin{{{env}}}\n{body}\n\\end{{{env}}}"
