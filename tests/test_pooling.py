"""Tests for convmat._pooling: pooling, shifting and invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from convmat._direct import conv2d
from convmat._pooling import (
    avg_pool2d,
    global_avg_pool,
    global_max_pool,
    max_pool2d,
    shift,
)


def coded(h, w):
    """x[i, j] = 10*i + j: every value names its position."""
    return 10 * np.arange(h)[:, None] + np.arange(w)


def loop_pool(x, k, s, reduce):
    """Pooling by explicit loops, the oracle."""
    h_out = (x.shape[-2] - k[0]) // s[0] + 1
    w_out = (x.shape[-1] - k[1]) // s[1] + 1
    out = np.empty((*x.shape[:-2], h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = x[..., i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1]]
            out[..., i, j] = reduce(window, axis=(-2, -1))
    return out


images = st.tuples(st.integers(1, 2), st.integers(1, 7), st.integers(1, 7)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(-50, 50))
)


class TestPool2d:
    def test_max_coded(self):
        np.testing.assert_array_equal(
            max_pool2d(coded(4, 6), 2), [[11, 13, 15], [31, 33, 35]]
        )

    def test_avg_coded(self):
        np.testing.assert_array_equal(avg_pool2d(coded(2, 4), 2), [[5.5, 7.5]])

    def test_leftover_rows_dropped(self):
        assert max_pool2d(coded(5, 5), 2).shape == (2, 2)

    def test_rectangular_window_and_stride(self):
        out = max_pool2d(coded(3, 5), (1, 2), stride=(2, 1))
        np.testing.assert_array_equal(out, [[1, 2, 3, 4], [21, 22, 23, 24]])

    def test_channels_kept(self):
        x = np.stack([coded(4, 4), -coded(4, 4)])
        out = max_pool2d(x, 2)
        assert out.shape == (2, 2, 2)
        np.testing.assert_array_equal(out[1], [[0, -2], [-20, -22]])

    def test_dtype(self):
        assert max_pool2d(coded(2, 2), 2).dtype == np.int64
        assert avg_pool2d(coded(2, 2), 2).dtype == np.float64
        assert avg_pool2d(coded(2, 2).astype(np.float32), 2).dtype == np.float32

    @settings(deadline=None)
    @given(images, st.integers(1, 3), st.integers(1, 3), st.data())
    def test_matches_loops(self, x, kh, kw, data):
        kh, kw = min(kh, x.shape[-2]), min(kw, x.shape[-1])
        stride = data.draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
        s = (kh, kw) if stride is None else stride
        np.testing.assert_array_equal(
            max_pool2d(x, (kh, kw), stride), loop_pool(x, (kh, kw), s, np.max)
        )
        np.testing.assert_allclose(
            avg_pool2d(x, (kh, kw), stride), loop_pool(x, (kh, kw), s, np.mean)
        )

    @settings(deadline=None)
    @given(images, st.integers(1, 2), st.integers(-3, 3), st.integers(-3, 3))
    def test_max_pool_equivariant_to_whole_window_shifts(self, x, k, di, dj):
        # crop to multiples of k: a circular shift by whole windows commutes
        x = x[..., : x.shape[-2] // k * k, : x.shape[-1] // k * k]
        if x.shape[-1] == 0 or x.shape[-2] == 0:
            return
        np.testing.assert_array_equal(
            max_pool2d(shift(x, (k * di, k * dj)), k),
            shift(max_pool2d(x, k), (di, dj)),
        )

    def test_one_dimensional_input(self):
        with pytest.raises(ValueError, match=r"`x` must have shape \(h, w\)"):
            max_pool2d(np.arange(4), 2)

    def test_complex_input(self):
        with pytest.raises(TypeError, match="`x` must hold real numbers"):
            avg_pool2d(np.ones((2, 2), dtype=complex), 2)

    def test_bool_input(self):
        with pytest.raises(TypeError, match="`x` must hold real numbers"):
            max_pool2d(np.ones((2, 2), dtype=bool), 2)

    def test_kernel_too_large(self):
        with pytest.raises(ValueError, match=r"`kernel_size` .* is larger than"):
            max_pool2d(coded(2, 3), 3)

    def test_kernel_zero(self):
        with pytest.raises(ValueError, match="`kernel_size` must be >= 1"):
            max_pool2d(coded(2, 2), 0)

    def test_kernel_float(self):
        with pytest.raises(TypeError, match="`kernel_size` must contain ints"):
            max_pool2d(coded(2, 2), 1.5)

    def test_kernel_triple(self):
        with pytest.raises(
            ValueError, match="`kernel_size` must be an int or a tuple of 2"
        ):
            max_pool2d(coded(2, 2), (1, 1, 1))

    def test_stride_zero(self):
        with pytest.raises(ValueError, match="`stride` must be >= 1"):
            avg_pool2d(coded(2, 2), 1, stride=(1, 0))


class TestGlobalPool:
    def test_per_channel(self):
        x = np.stack([coded(2, 3), coded(2, 3) + 100])
        np.testing.assert_array_equal(global_max_pool(x), [12, 112])
        np.testing.assert_array_equal(global_avg_pool(x), [6.0, 106.0])

    def test_single_image_gives_0d(self):
        out = global_max_pool(coded(2, 2))
        assert isinstance(out, np.ndarray)
        assert out.shape == ()
        assert out == 11

    def test_signals(self):
        x = np.array([[1, 5, 2], [0, 0, 3]])
        np.testing.assert_array_equal(global_max_pool(x, spatial_dims=1), [5, 3])
        np.testing.assert_array_equal(global_avg_pool(x, spatial_dims=1), [8 / 3, 1.0])

    @settings(deadline=None)
    @given(images, st.integers(-8, 8), st.integers(-8, 8))
    def test_invariant_to_circular_shifts(self, x, di, dj):
        shifted = shift(x, (di, dj))
        np.testing.assert_array_equal(global_max_pool(shifted), global_max_pool(x))
        np.testing.assert_allclose(global_avg_pool(shifted), global_avg_pool(x))

    @settings(deadline=None)
    @given(images, st.integers(-8, 8), st.integers(-8, 8))
    def test_circular_conv_then_pool_is_invariant(self, x, di, dj):
        # equivariance of circular convolution + global pooling = invariance
        w = np.arange(1, 1 + x.shape[0] * 4).reshape(1, x.shape[0], 2, 2)
        options = {"padding": ((0, 1), (0, 1)), "padding_mode": "circular"}
        y = conv2d(x, w, **options)
        y_shifted = conv2d(shift(x, (di, dj)), w, **options)
        np.testing.assert_array_equal(y_shifted, shift(y, (di, dj)))
        np.testing.assert_array_equal(global_max_pool(y_shifted), global_max_pool(y))

    def test_too_few_axes(self):
        with pytest.raises(ValueError, match="`spatial_dims` must be between 1 and"):
            global_max_pool(np.arange(3))

    def test_spatial_dims_zero(self):
        with pytest.raises(ValueError, match="`spatial_dims` must be >= 1"):
            global_avg_pool(coded(2, 2), spatial_dims=0)

    def test_spatial_dims_float(self):
        with pytest.raises(TypeError, match="`spatial_dims` must be an int"):
            global_avg_pool(coded(2, 2), spatial_dims=2.0)

    def test_object_input(self):
        with pytest.raises(TypeError, match="`x` must hold real numbers"):
            global_max_pool(np.array([[None]]))


class TestShift:
    def test_circular_1d(self):
        np.testing.assert_array_equal(shift(np.arange(4), 1), [3, 0, 1, 2])

    def test_zeros_2d(self):
        np.testing.assert_array_equal(
            shift(coded(3, 3), (1, -1), mode="zeros"),
            [[0, 0, 0], [1, 2, 0], [11, 12, 0]],
        )

    def test_trailing_axes_only(self):
        x = np.arange(8).reshape(2, 2, 2)
        np.testing.assert_array_equal(shift(x, (1,)), x[..., ::-1])
        np.testing.assert_array_equal(shift(x, ()), x)

    def test_zeros_beyond_size(self):
        out = shift(coded(2, 2), (0, 5), mode="zeros")
        np.testing.assert_array_equal(out, np.zeros((2, 2)))
        assert out.dtype == np.int64

    def test_returns_a_copy(self):
        x = coded(2, 2)
        shift(x, ())[0, 0] = 99
        assert x[0, 0] == 0

    @settings(deadline=None)
    @given(images, st.integers(-8, 8), st.integers(-8, 8))
    def test_definition(self, x, di, dj):
        h, w = x.shape[-2:]
        circ = shift(x, (di, dj))
        zero = shift(x, (di, dj), mode="zeros")
        for i in range(h):
            for j in range(w):
                np.testing.assert_array_equal(
                    circ[..., (i + di) % h, (j + dj) % w], x[..., i, j]
                )
                if 0 <= i + di < h and 0 <= j + dj < w:
                    np.testing.assert_array_equal(
                        zero[..., i + di, j + dj], x[..., i, j]
                    )
        assert np.count_nonzero(zero) <= np.count_nonzero(x)
        np.testing.assert_array_equal(shift(circ, (-di, -dj)), x)

    def test_bad_d(self):
        with pytest.raises(TypeError, match="`d` must be an int or a tuple of ints"):
            shift(np.arange(3), 1.0)

    def test_d_too_long(self):
        with pytest.raises(ValueError, match="`d` has 2 elements but `x` has only 1"):
            shift(np.arange(3), (1, 1))

    def test_bad_mode(self):
        with pytest.raises(ValueError, match='`mode` must be "circular" or'):
            shift(np.arange(3), 1, mode="reflect")
