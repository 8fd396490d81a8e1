"""The matrix of a convolution as an operator: applied, never built.

`conv_operator` wraps the direct convolution (its matvec) and the transposed
convolution (its rmatvec) as a `scipy.sparse.linalg.LinearOperator`, so that
iterative solvers (``lsqr``, ``cg``, ...) can use the matrix view of a
convolution of any size: memory is that of an image, not of ``M``.
"""

from __future__ import annotations

__all__ = ["conv_operator"]

import numpy as np
import scipy.sparse.linalg
from numpy.typing import ArrayLike

from ._direct import correlate_padded
from ._index import fold
from ._params import (
    NP_PAD_MODE,
    ConvSpec,
    IntOrTuple,
    Padding,
    PaddingMode,
    check_dtype,
    conv_spec,
    shape_of,
)
from ._transpose import transpose_padded


def _pad_adjoint(g: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """The transpose of padding: add each padded entry back to its source.

    Zero padding drops the margins; circular, reflect and replicate padding
    send every padded position to an input position (`fold`), so the
    adjoint sums the margins into those positions, one axis at a time.
    """
    ndim = len(spec.input_size)
    for a, (n, (lo, hi)) in enumerate(zip(spec.input_size, spec.pads, strict=True)):
        axis = g.ndim - ndim + a
        if spec.padding_mode == "zeros":
            g = np.take(g, np.arange(lo, lo + n), axis=axis)
            continue
        source = fold(np.arange(-lo, n + hi), n, spec.padding_mode)
        out = np.zeros((*g.shape[:axis], n, *g.shape[axis + 1 :]), dtype=g.dtype)
        np.add.at(np.moveaxis(out, axis, 0), source, np.moveaxis(g, axis, 0))
        g = out
    return g


class _ConvOperator(scipy.sparse.linalg.LinearOperator):
    """``M @ v`` by `conv2d`, ``M.T @ v`` by the transposed convolution."""

    def __init__(self, w: np.ndarray, spec: ConvSpec) -> None:
        self.spec = spec
        self.weight = w.reshape(spec.out_channels, spec.group_in, *spec.kernel_size)
        dtype = np.result_type(w.dtype, np.float32)  # integer weights: float
        # (scipy-stubs declare only __new__; LinearOperator.__init__ takes these)
        super().__init__(dtype=dtype, shape=(spec.rows, spec.cols))  # type: ignore[call-arg]

    def _forward(self, xb: np.ndarray) -> np.ndarray:
        """Convolve a batch ``(K, C_in, *in)``; returns ``(K, rows)``."""
        spec = self.spec
        if any(p for pair in spec.pads for p in pair):
            mode = NP_PAD_MODE[spec.padding_mode]
            xb = np.pad(xb, ((0, 0), (0, 0), *spec.pads), mode=mode)
        w = self.weight.astype(np.result_type(xb, self.weight), copy=False)
        y = correlate_padded(xb, w, spec.stride, spec.dilation, spec.groups)
        return y.reshape(len(xb), -1)

    def _backward(self, gb: np.ndarray) -> np.ndarray:
        """Transposed convolution of ``(K, C_out, *out)``; returns ``(K, cols)``."""
        spec = self.spec
        zeros = spec.padding_mode == "zeros"
        pads = spec.pads if zeros else ((0, 0),) * len(spec.pads)
        # the size the transpose must give back: the input, padded unless zeros
        target = [
            n if zeros else n + lo + hi
            for n, (lo, hi) in zip(spec.input_size, spec.pads, strict=True)
        ]
        extra = tuple(
            t - ((o - 1) * s - p0 - p1 + d * (k - 1) + 1)
            for t, o, s, (p0, p1), d, k in zip(
                target,
                spec.output_size,
                spec.stride,
                pads,
                spec.dilation,
                spec.kernel_size,
                strict=True,
            )
        )
        w = self.weight.astype(np.result_type(gb, self.weight), copy=False)
        x = transpose_padded(
            gb, w, spec.stride, spec.dilation, pads, extra, spec.groups
        )
        if not zeros:
            x = _pad_adjoint(x, spec)
        return x.reshape(len(gb), -1)

    def _matmat(self, x: np.ndarray) -> np.ndarray:
        spec = self.spec
        xb = np.asarray(x).T.reshape(-1, spec.in_channels, *spec.input_size)
        return self._forward(xb).T

    def _rmatmat(self, g: np.ndarray) -> np.ndarray:
        spec = self.spec
        gb = np.asarray(g).T.reshape(-1, spec.out_channels, *spec.output_size)
        return self._backward(gb).T

    def _matvec(self, x: np.ndarray) -> np.ndarray:
        return self._matmat(np.reshape(x, (-1, 1)))[:, 0]

    def _rmatvec(self, g: np.ndarray) -> np.ndarray:
        return self._rmatmat(np.reshape(g, (-1, 1)))[:, 0]

    def _adjoint(self) -> scipy.sparse.linalg.LinearOperator:
        return _Transposed(self)


class _Transposed(scipy.sparse.linalg.LinearOperator):
    """``M.T`` of a `_ConvOperator`, whose rmatvec is the convolution again."""

    def __init__(self, op: _ConvOperator) -> None:
        self.op = op
        super().__init__(dtype=op.dtype, shape=(op.shape[1], op.shape[0]))  # type: ignore[call-arg]

    def _matmat(self, x: np.ndarray) -> np.ndarray:
        return self.op._rmatmat(x)

    def _rmatmat(self, x: np.ndarray) -> np.ndarray:
        return self.op._matmat(x)

    def _matvec(self, x: np.ndarray) -> np.ndarray:
        return self.op._rmatvec(x)

    def _rmatvec(self, x: np.ndarray) -> np.ndarray:
        return self.op._matvec(x)

    def _adjoint(self) -> scipy.sparse.linalg.LinearOperator:
        return self.op


def conv_operator(
    w: ArrayLike,
    input_shape: ArrayLike | IntOrTuple,
    *,
    stride: IntOrTuple = 1,
    padding: Padding = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
) -> scipy.sparse.linalg.LinearOperator:
    r"""The matrix of a convolution as a LinearOperator, never built.

    ``A = conv_operator(w, x.shape, ...)`` behaves like
    ``M = conv_matrix(w, x.shape, ...)`` in products: ``A @ x.ravel()`` is the
    convolution (computed by `conv1d` / `conv2d`'s im2col and GEMM) and
    ``A.T @ g.ravel()`` the transposed convolution, so that scipy's
    iterative solvers (``lsqr``, ``cg``, ``gmres``) work on convolutions of
    any size. The memory is that of one image, never that of ``M``.

    Parameters
    ----------
    w : array_like
        Kernel, as for `conv_matrix`: ``(k,)``, ``(kh, kw)`` or
        ``(C_out, C_in // groups, *kernel)``.
    input_shape : array_like or tuple of int
        ``x`` or its shape, one sample, as for `conv_matrix`.
    stride, padding, dilation, groups, padding_mode
        As in `conv1d` / `conv2d`; every padding mode has its transpose.

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        Shape ``(C_out * prod(out), C_in * prod(in))``, the shape of ``M``;
        dtype that of ``w`` (float64 for integer weights). ``A @ v``,
        ``A.T @ v``, ``A.H`` and products with matrices (one column per
        sample) are supported.

    Raises
    ------
    ValueError, TypeError
        As in `conv_matrix`.

    See Also
    --------
    conv_matrix : The same matrix, built (dense or sparse).
    conv_transpose1d, conv_transpose2d : What ``A.T`` applies.
    scipy.sparse.linalg.lsqr : Least squares through an operator.

    Notes
    -----
    The operator is the matrix-free view of inverse problems
    (PyLops, Ravasi and Vasconcelos, 2020): a blur is a convolution ``A``,
    and undoing it is solving ``A x = b`` in the least-squares sense, which
    Krylov solvers do with products by ``A`` and ``A.T`` only. Its adjoint is
    exact: ``<A u, v> == <u, A.T v>`` up to rounding (the dot test), for
    every padding mode (the transpose of circular, reflect and replicate
    padding adds each padded value back to the input it copies).

    References
    ----------
    M. Ravasi and I. Vasconcelos, "PyLops -- A linear-operator Python
    library for scalable algebra and optimization", SoftwareX 11, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from convmat import conv1d, conv_matrix, conv_operator
    >>> w = np.array([1.0, 2.0])
    >>> A = conv_operator(w, 4)
    >>> A
    <3x4 _ConvOperator with dtype=float64>
    >>> x = np.array([1.0, 10.0, 100.0, 1000.0])
    >>> A @ x
    array([  21.,  210., 2100.])
    >>> A.T @ np.array([1.0, 0.0, 0.0])
    array([1., 2., 0., 0.])
    >>> np.array_equal(A @ np.eye(4), conv_matrix(w, 4))
    True

    The dot test, ``<A u, v> = <u, A.T v>``:

    >>> rng = np.random.default_rng(0)
    >>> u, v = rng.standard_normal(4), rng.standard_normal(3)
    >>> bool(np.isclose((A @ u) @ v, u @ (A.T @ v)))
    True
    """
    w = np.asarray(w)
    check_dtype(w, "w")
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
    return _ConvOperator(w, spec)
