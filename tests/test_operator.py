"""`conv_operator`: the matrix applied, never built, and its exact adjoint."""

import numpy as np
import pytest
import scipy.sparse.linalg
from hypothesis import assume, given
from hypothesis import strategies as st

from convmat import conv1d, conv2d, conv_matrix, conv_operator, conv_transpose2d

MODES = ("zeros", "circular", "reflect", "replicate")


@st.composite
def operators(draw):
    """A random convolution of every kind: 1-D/2-D, groups, padding modes."""
    ndim = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 2))
    c_group, o_group = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(1, 7 if ndim == 1 else 5)) for _ in range(ndim))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    pads = tuple(
        (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(ndim)
    )
    mode = draw(st.sampled_from(MODES))
    for n, (lo, hi), k, d in zip(spatial, pads, kernel, dilation, strict=True):
        assume(n + lo + hi >= d * (k - 1) + 1)
        assume(mode != "circular" or max(lo, hi) <= n)
        assume(mode != "reflect" or max(lo, hi) <= n - 1)
    single = groups == 1 and draw(st.booleans())
    x_shape = spatial if single else (groups * c_group, *spatial)
    w_shape = kernel if single else (groups * o_group, c_group, *kernel)
    options = {
        "stride": stride,
        "padding": pads,
        "dilation": dilation,
        "groups": groups,
        "padding_mode": mode,
    }
    return ndim, x_shape, w_shape, options


@given(operators(), st.integers(0, 2**16))
def test_dot_test(case, seed):
    """<A u, v> == <u, A.T v>: the adjoint is exact, for every padding mode."""
    _, x_shape, w_shape, options = case
    rng = np.random.default_rng(seed)
    a = conv_operator(rng.standard_normal(w_shape), x_shape, **options)
    u, v = rng.standard_normal(a.shape[1]), rng.standard_normal(a.shape[0])
    lhs, rhs = (a @ u) @ v, u @ (a.T @ v)
    assert np.isclose(lhs, rhs, rtol=1e-10, atol=1e-10)


@given(operators(), st.integers(0, 2**16))
def test_applied_to_identity_is_the_matrix(case, seed):
    """The operator's columns are those of conv_matrix (built from the index map)."""
    _, x_shape, w_shape, options = case
    w = np.random.default_rng(seed).integers(-5, 6, w_shape)
    a = conv_operator(w, x_shape, **options)
    m = conv_matrix(w, x_shape, **options)
    np.testing.assert_array_equal(a @ np.eye(a.shape[1]), m)
    np.testing.assert_array_equal(a.T @ np.eye(a.shape[0]), m.T)
    np.testing.assert_array_equal(a.H @ np.eye(a.shape[0]), m.T)


def test_matvec_is_the_convolution():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 9, 8)), rng.standard_normal((4, 3, 3, 3))
    a = conv_operator(w, x, padding=1, stride=2)
    np.testing.assert_allclose(a @ x.ravel(), conv2d(x, w, padding=1, stride=2).ravel())
    g = rng.standard_normal(a.shape[0])
    expected = conv_transpose2d(
        g.reshape(4, 5, 4), w, padding=1, stride=2, output_padding=(0, 1)
    )
    np.testing.assert_allclose(a.T @ g, expected.ravel())


def test_integer_weights_give_a_float_operator():
    a = conv_operator(np.array([1, 2]), 4)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a @ np.arange(4.0), conv1d(np.arange(4.0), [1, 2]))


def test_a_large_operator_needs_no_matrix():
    """An HD frame: M would hold about 8 * 10^13 entries; the operator needs none."""
    w = np.ones((1, 3, 3, 3), dtype=np.float32) / 27
    a = conv_operator(w, (3, 720, 1280), padding=1)
    x = np.ones(a.shape[1], dtype=np.float32)
    y = a @ x
    assert a.shape == (720 * 1280, 3 * 720 * 1280)
    assert y.dtype == np.float32
    assert np.isclose(y.reshape(720, 1280)[1:-1, 1:-1], 1).all()


def test_lsqr_recovers_a_blurred_signal():
    """Inverse problem: undo a known blur with scipy's lsqr through the operator."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(40)
    a = conv_operator(np.array([0.25, 0.5, 0.25]), x, padding=1)
    x_hat = scipy.sparse.linalg.lsqr(a, a @ x, atol=1e-12, btol=1e-12)[0]
    np.testing.assert_allclose(x_hat, x, atol=1e-6)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="channel mismatch"):
        conv_operator(np.ones((2, 3, 3)), (2, 8))
    with pytest.raises(TypeError, match="`w` must hold real numbers"):
        conv_operator(np.array([True, False]), 4)
