"""Tests for `convmat._fast`: im2col, the tap loop and the FFT."""

import numpy as np
import pytest

from convmat import conv1d, conv2d, conv_fft, conv_matrix, conv_taps, im2col

MODES = ["zeros", "circular", "reflect", "replicate"]

# (input shape, weight shape, options): 1-D and 2-D, single and multi-channel
CASES = [
    ((11,), (3,), {}),
    ((3, 11), (2, 3, 3), {"padding": 2, "stride": 2}),
    ((2, 12), (4, 2, 2), {"padding": ((1, 2),), "dilation": 3}),
    ((9, 10), (3, 2), {"padding": "same"}),
    ((2, 9, 10), (3, 2, 3, 2), {"padding": ((1, 2), (0, 1)), "stride": (2, 1)}),
    ((1, 8, 7), (2, 1, 2, 3), {"padding": 2, "dilation": (2, 1), "stride": 3}),
]


def reference(x, w, **options):
    conv = conv1d if len(w.shape) in (1, 3) else conv2d
    return conv(x, w, **options)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("x_shape", "w_shape", "options"), CASES)
class TestAgainstDirect:
    def test_im2col_times_filter(self, mode, x_shape, w_shape, options):
        rng = np.random.default_rng(0)
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        ref = reference(x, w, padding_mode=mode, **options)
        cols = im2col(x, w.shape, padding_mode=mode, **options)
        c_out = w.shape[0] if len(x_shape) == len(w_shape) - 1 else 1
        np.testing.assert_allclose(
            (w.reshape(c_out, -1) @ cols).reshape(ref.shape), ref, atol=1e-12
        )

    def test_taps(self, mode, x_shape, w_shape, options):
        rng = np.random.default_rng(1)
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        ref = reference(x, w, padding_mode=mode, **options)
        got = conv_taps(x, w, padding_mode=mode, **options)
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, atol=1e-12)

    def test_fft(self, mode, x_shape, w_shape, options):
        rng = np.random.default_rng(2)
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        ref = reference(x, w, padding_mode=mode, **options)
        got = conv_fft(x, w, padding_mode=mode, **options)
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, atol=1e-10)


def coords(*shape):
    """x[i, j] = 10*i + j: every value spells its coordinates."""
    grids = np.indices(shape)
    return np.tensordot(10 ** np.arange(len(shape))[::-1], grids, axes=1)


class TestIm2col:
    def test_columns_are_windows(self):
        x = coords(3, 4)
        cols = im2col(x, (2, 2))
        # output (0, 1) reads x[0:2, 1:3]
        np.testing.assert_array_equal(cols[:, 1], [1, 2, 11, 12])
        assert cols.shape == (4, 2 * 3)

    def test_is_a_copy_of_the_input_dtype(self):
        x = coords(5)
        cols = im2col(x, 3)
        assert cols.dtype == x.dtype
        assert not np.shares_memory(cols, x)

    def test_matches_matrix_rows(self):
        """The conv matrix repeats the filter; im2col repeats the input."""
        rng = np.random.default_rng(3)
        x, w = rng.standard_normal((6, 5)), rng.standard_normal((2, 3))
        m = conv_matrix(w, x.shape, padding=1)
        np.testing.assert_allclose(
            m @ x.ravel(), w.ravel() @ im2col(x, w.shape, padding=1)
        )

    def test_bad_input_dtype(self):
        with pytest.raises(TypeError, match="`x` must hold real numbers"):
            im2col(np.array([True, False, True]), 2)

    def test_kernel_too_large(self):
        with pytest.raises(ValueError, match="kernel larger than the padded input"):
            im2col(np.arange(3), 4)


class TestTapsAndFft:
    def test_integers_stay_exact_in_taps(self):
        y = conv_taps(np.array([1, 2, 3, 4]), np.array([1, 10]))
        assert y.dtype.kind == "i"
        np.testing.assert_array_equal(y, [21, 32, 43])

    def test_fft_float32_stays_float32(self):
        x = np.arange(8, dtype=np.float32)
        assert conv_fft(x, np.ones(3, dtype=np.float32)).dtype == np.float32
        assert conv_fft(np.arange(8), np.ones(3)).dtype == np.float64

    def test_fft_is_cross_correlation_not_convolution(self):
        x = np.array([0.0, 0.0, 1.0, 0.0, 0.0])
        w = np.array([1.0, 2.0, 3.0])
        # an impulse comes out reversed by a correlation
        np.testing.assert_allclose(conv_fft(x, w), [3.0, 2.0, 1.0], atol=1e-12)

    @pytest.mark.parametrize("fn", [conv_taps, conv_fft])
    def test_bias(self, fn):
        rng = np.random.default_rng(4)
        x, w = rng.standard_normal((2, 7)), rng.standard_normal((3, 2, 2))
        b = np.array([1.0, -2.0, 3.0])
        np.testing.assert_allclose(fn(x, w, b), conv1d(x, w, b), atol=1e-12)

    @pytest.mark.parametrize("fn", [conv_taps, conv_fft])
    def test_bias_shape(self, fn):
        with pytest.raises(ValueError, match="`bias` must have shape"):
            fn(np.ones((2, 5)), np.ones((3, 2, 2)), np.ones(2))

    @pytest.mark.parametrize("fn", [conv_taps, conv_fft])
    def test_channel_mismatch(self, fn):
        with pytest.raises(ValueError, match="channel mismatch"):
            fn(np.ones((2, 5)), np.ones((3, 4, 2)))

    @pytest.mark.parametrize("fn", [conv_taps, conv_fft])
    def test_complex_rejected(self, fn):
        with pytest.raises(TypeError, match="`w` must hold real numbers"):
            fn(np.ones(5), np.ones(2, dtype=complex))
