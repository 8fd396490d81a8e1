"""Tests for convmat._costs: costs counted without building the matrix."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from convmat._costs import (
    LayerComparison,
    MatrixCost,
    conv_layer_flops,
    conv_layer_params,
    dense_layer_flops,
    dense_layer_params,
    layer_comparison,
    matrix_cost,
)
from convmat._datasets import CIFAR10, HD, IMAGENET_VGG, MNIST, STANDARD_INPUTS
from convmat._direct import conv1d, conv2d
from convmat._format import format_bytes, format_count
from convmat._matrix import conv_matrix

MODES = ("zeros", "circular", "reflect", "replicate")


def generic_weight(shape):
    """Distinct powers of two: every sum of distinct taps is a distinct number."""
    return 2.0 ** np.arange(math.prod(shape)).reshape(shape)


def direct_matrix(w, input_shape, **options):
    """The matrix read off the direct convolution, one identity column at a time.

    Independent of the index map: _direct pads with np.pad and correlates.
    """
    conv = conv1d if w.ndim in (1, 3) else conv2d
    eye = np.eye(math.prod(input_shape))
    columns = [conv(e.reshape(input_shape), w, **options).ravel() for e in eye]
    return np.stack(columns, axis=1)


@st.composite
def conv_cases(draw):
    """A small valid convolution: shapes and options of every kind."""
    ndim = draw(st.sampled_from([1, 2]))
    multi = draw(st.booleans())
    mode = draw(st.sampled_from(MODES))
    sizes, kernel, dilation, pads = [], [], [], []
    for _ in range(ndim):
        n = draw(st.integers(1, 6 if ndim == 1 else 4))
        limit = {"zeros": 3, "circular": n, "reflect": n - 1, "replicate": 3}[mode]
        p = draw(st.integers(0, limit))
        d = draw(st.integers(1, 2))
        # the dilated kernel must fit into the padded input
        k_max = (n + 2 * p - 1) // d + 1
        k = draw(st.integers(1, min(k_max, 4)))
        sizes.append(n)
        kernel.append(k)
        dilation.append(d)
        pads.append(p)
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    if multi:
        c_out, c_in = draw(st.integers(1, 2)), draw(st.integers(1, 2))
        w_shape, x_shape = (c_out, c_in, *kernel), (c_in, *sizes)
    else:
        w_shape, x_shape = tuple(kernel), tuple(sizes)
    options = {
        "padding": pads[0] if ndim == 1 else tuple(pads),
        "stride": stride[0] if ndim == 1 else stride,
        "dilation": dilation[0] if ndim == 1 else tuple(dilation),
        "padding_mode": mode,
    }
    return w_shape, x_shape, options


class TestMatrixCost:
    def test_lecture_example(self):
        cost = matrix_cost((2,), (4,))
        assert (cost.rows, cost.cols, cost.entries) == (3, 4, 12)
        assert (cost.nonzeros, cost.distinct, cost.filter_entries) == (6, 2, 2)
        assert cost.dense_bytes == 96
        assert cost.filter_bytes == 16
        assert cost.density == 0.5

    def test_hd_frame_book_number(self):
        # one 3x3 filter over the three colour channels of an HD frame
        cost = matrix_cost((1, 3, 3, 3), HD.shape, padding=1, dtype="float32")
        assert cost.nonzeros == 24_847_212
        assert cost.output_shape == (1, 720, 1280)
        assert cost.rows == 921_600
        assert cost.cols == HD.features
        assert cost.distinct == 27
        assert cost.dense_bytes == 921_600 * 2_764_800 * 4
        assert cost.index_itemsize == 4

    @settings(deadline=None)
    @given(conv_cases())
    # an output all of whose taps fall into the padding
    @example(((1,), (1,), {"padding": 1, "stride": 3, "padding_mode": "zeros"}))
    @example(((1, 1, 1, 3), (1, 1, 3), {"padding": (1, 0), "stride": (3, 1)}))
    def test_counts_match_the_built_matrices(self, case):
        w_shape, x_shape, options = case
        cost = matrix_cost(w_shape, x_shape, **options)
        w = generic_weight(w_shape)
        sparse = conv_matrix(w, x_shape, format="csr", **options)
        dense = conv_matrix(w, x_shape, **options)
        oracle = direct_matrix(w, x_shape, **options)
        assert (cost.rows, cost.cols) == dense.shape == oracle.shape
        assert cost.entries == dense.size
        assert cost.nonzeros == np.count_nonzero(oracle)
        assert cost.distinct == np.unique(oracle[oracle != 0]).size
        assert cost.nonzeros == sparse.nnz
        assert cost.nonzeros == np.count_nonzero(dense)
        stored = sparse.data.nbytes + sparse.indices.nbytes + sparse.indptr.nbytes
        assert cost.sparse_bytes == stored
        assert cost.filter_entries == w.size

    def test_taps_merge_in_circular_mode(self):
        # kernel of 3 around an input of 2: w0 and w2 read the same input
        cost = matrix_cost((3,), (2,), padding=1, padding_mode="circular")
        assert (cost.nonzeros, cost.distinct) == (4, 2)

    def test_every_tap_in_padding(self):
        cost = matrix_cost((1,), (1,), padding=2, stride=4)
        assert cost.output_shape == (2,)
        assert (cost.nonzeros, cost.distinct) == (0, 0)
        dense = conv_matrix(np.ones(1), (1,), padding=2, stride=4)
        np.testing.assert_array_equal(dense, [[0.0], [0.0]])

    def test_int_input_shape_and_dtype(self):
        cost = matrix_cost((2,), 4, dtype=np.int8)
        assert cost.input_shape == (4,)
        assert cost.itemsize == 1
        assert cost.sparse_bytes == 6 * (1 + 4) + 4 * 4

    def test_index_itemsize_grows_past_int32(self):
        base = matrix_cost((2,), (4,))
        big = MatrixCost(**{**base.__dict__, "nonzeros": 2**31, "rows": 3})
        assert big.index_itemsize == 8
        assert big.sparse_bytes == 2**31 * (8 + 8) + 4 * 8

    def test_bad_weight_shape_length(self):
        with pytest.raises(ValueError, match="`w` must have shape"):
            matrix_cost((1, 1, 1, 1, 1), (1, 1, 1, 1))

    def test_bad_weight_shape_type(self):
        with pytest.raises(TypeError, match="`w` must be an array, an int or a tuple"):
            matrix_cost((2.0,), (4,))

    def test_bad_input_shape_length(self):
        with pytest.raises(ValueError, match="`w` must have 1 dimensions for an input"):
            matrix_cost((1, 1, 2), (4,))

    def test_channel_mismatch(self):
        with pytest.raises(ValueError, match="`input_shape` has 2 channels"):
            matrix_cost((1, 3, 2), (2, 4))

    def test_array_or_shape(self):
        w = np.ones((4, 3, 3, 3), dtype=np.float32)
        x = np.zeros((3, 8, 8))
        assert matrix_cost(w, x, padding=1) == matrix_cost(
            w.shape, x.shape, padding=1, dtype="float32"
        )
        assert matrix_cost(np.int64(2), np.int32(4)).entries == 12

    def test_groups(self):
        # depthwise: one block per channel, C_in // groups = 1 input per row
        cost = matrix_cost((3, 1, 3, 3), (3, 8, 8), padding=1, groups=3)
        dense = conv_matrix(np.ones((3, 1, 3, 3)), (3, 8, 8), padding=1, groups=3)
        assert cost.nonzeros == np.count_nonzero(dense)
        assert cost.filter_entries == 27

    def test_zero_size(self):
        with pytest.raises(ValueError, match="`input_shape` must contain sizes >= 1"):
            matrix_cost((2,), (0,))

    def test_bad_padding_mode(self):
        with pytest.raises(ValueError, match="`padding_mode` must be one of"):
            matrix_cost((2,), (4,), padding_mode="wrap")

    def test_bad_dtype(self):
        with pytest.raises(TypeError, match="`dtype` must be a numeric"):
            matrix_cost((2,), (4,), dtype=object)

    def test_unknown_dtype(self):
        with pytest.raises(TypeError, match="`dtype` must be a numeric"):
            matrix_cost((2,), (4,), dtype="no such type")

    def test_kernel_larger_than_input(self):
        with pytest.raises(ValueError, match="kernel larger than the padded input"):
            matrix_cost((5,), (4,))

    def test_bad_stride(self):
        with pytest.raises(ValueError, match="`stride` must be >= 1"):
            matrix_cost((2,), (4,), stride=0)

    def test_circular_padding_too_large(self):
        with pytest.raises(ValueError, match=r"`padding`.*too large"):
            matrix_cost((2,), (4,), padding=5, padding_mode="circular")


class TestLayers:
    def test_vgg16_first_layer(self):
        assert conv_layer_params((64, 3, 3, 3)) == 3 * 3 * 3 * 64 + 64 == 1792
        assert conv_layer_params(np.zeros((64, 3, 3, 3))) == 1792

    def test_conv_params_tuple_and_bias(self):
        assert conv_layer_params((4, 2, 3, 5), bias=False) == 120
        assert conv_layer_params((2,)) == 3
        assert conv_layer_params(2) == 3  # an int is a one-axis shape

    def test_dense_params(self):
        assert dense_layer_params(784, 10) == 7850
        assert dense_layer_params(784, 10, bias=False) == 7840

    def test_dense_square_vgg_input(self):
        n = IMAGENET_VGG.features
        params = dense_layer_params(n, n)
        assert params == n * n + n
        assert 22.6e9 < params < 22.7e9
        assert format_count(params) == "22.7 billion"
        assert format_bytes(4 * params) == "84.4 GiB"

    def test_flops(self):
        assert dense_layer_flops(3, 2) == 12
        assert conv_layer_flops(2, 4) == 12
        vgg = conv_layer_flops((64, 3, 3, 3), (3, 224, 224), padding=1)
        assert vgg == 2 * 27 * 64 * 224 * 224
        assert conv_layer_flops((3, 2, 1, 2), (2, 4, 6)) == 2 * 6 * 2 * 20
        # depthwise: a ninth of the dense layer's work with 9 channels
        depthwise = conv_layer_flops((9, 1, 3, 3), (9, 8, 8), groups=9)
        assert 9 * depthwise == conv_layer_flops((9, 9, 3, 3), (9, 8, 8))

    @settings(deadline=None)
    @given(
        st.integers(1, 3),
        st.integers(1, 3),
        st.tuples(st.integers(1, 3), st.integers(1, 3)),
        st.tuples(st.integers(0, 4), st.integers(0, 4)),
    )
    def test_flops_are_twice_the_matrix_nonzeros(self, c_in, c_out, kernel, extra):
        # without padding every tap is used: one multiply-add per non-zero
        size = (kernel[0] + extra[0], kernel[1] + extra[1])
        cost = matrix_cost((c_out, c_in, *kernel), (c_in, *size))
        flops = conv_layer_flops((c_out, c_in, *kernel), (c_in, *size))
        assert flops == 2 * cost.nonzeros
        assert conv_layer_params((c_out, c_in, *kernel), bias=False) == cost.distinct
        assert dense_layer_flops(cost.cols, cost.rows) == 2 * cost.entries

    def test_conv_layer_params_bool(self):
        with pytest.raises(TypeError, match="`w` must be an array, an int"):
            conv_layer_params(True)

    def test_conv_layer_params_zero(self):
        with pytest.raises(ValueError, match="`w` must contain sizes >= 1"):
            conv_layer_params((0, 1, 3))

    def test_conv_layer_params_bad_kernel(self):
        with pytest.raises(TypeError, match="`w` must be an array, an int"):
            conv_layer_params("3")

    def test_dense_layer_params_float(self):
        with pytest.raises(TypeError, match="`n_in` must be an int"):
            dense_layer_params(2.0, 3)

    def test_dense_layer_flops_zero(self):
        with pytest.raises(ValueError, match="`n_out` must be >= 1"):
            dense_layer_flops(3, 0)

    def test_conv_layer_flops_lengths(self):
        with pytest.raises(ValueError, match="`w` must have 3 dimensions"):
            conv_layer_flops((3,), (4, 4))


class TestLayerComparison:
    def test_default_rows(self):
        rows = layer_comparison()
        assert [r.input for r in rows] == list(STANDARD_INPUTS)
        assert [r.features for r in rows] == [784, 3072, 150_528, 2_764_800]
        assert all(isinstance(r, LayerComparison) for r in rows)

    def test_cifar_row(self):
        (row,) = layer_comparison([CIFAR10], kernel_size=3, dtype="float64")
        assert row.dense_params == 3072 * 3072 + 3072
        assert row.conv_params == 3 * 3 * 3 * 3 + 3
        assert row.dense_bytes == 8 * row.dense_params
        assert row.conv_bytes == 8 * 84
        assert row.dense_flops == 2 * 3072 * 3072
        assert row.conv_flops == 2 * 81 * 32 * 32
        assert row.ratio == row.dense_params / 84
        assert row.to_dict()["name"] == "CIFAR-10"
        assert row.to_dict()["ratio"] == row.ratio

    def test_mnist_row_kernel_5(self):
        (row,) = layer_comparison([MNIST], kernel_size=5)
        assert row.conv_params == 26
        assert row.itemsize == 4

    def test_bad_input(self):
        with pytest.raises(TypeError, match="`inputs` must hold InputSize"):
            layer_comparison([(3, 32, 32)])

    def test_bad_kernel_size(self):
        with pytest.raises(ValueError, match="`kernel_size` must be >= 1"):
            layer_comparison(kernel_size=0)

    def test_bad_dtype(self):
        with pytest.raises(TypeError, match="`dtype` must be a numeric"):
            layer_comparison(dtype=str)


class TestFormatBytes:
    @pytest.mark.parametrize(
        ("n", "expected"),
        [
            (0, "0 B"),
            (512, "512 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (1024**2 - 1, "1.0 MiB"),  # rounds up into the next unit
            (3 * 1024**3, "3.0 GiB"),
            (5 * 1024**4, "5.0 TiB"),
            (2048 * 1024**4, "2,048.0 TiB"),  # TiB is the largest unit
        ],
    )
    def test_values(self, n, expected):
        assert format_bytes(n) == expected

    def test_digits(self):
        assert format_bytes(1536, digits=2) == "1.50 KiB"
        assert format_bytes(1536, digits=0) == "2 KiB"

    def test_numpy_int(self):
        assert format_bytes(np.int64(2048)) == "2.0 KiB"

    def test_negative(self):
        with pytest.raises(ValueError, match="`n` must be >= 0"):
            format_bytes(-1)

    def test_float(self):
        with pytest.raises(TypeError, match="`n` must be an int"):
            format_bytes(1.5)

    def test_bad_digits(self):
        with pytest.raises(ValueError, match="`digits` must be >= 0"):
            format_bytes(1, digits=-1)


class TestFormatCount:
    @pytest.mark.parametrize(
        ("n", "expected"),
        [
            (0, "0"),
            (784, "784"),
            (1792, "1,792"),
            (999_999, "999,999"),
            (1_000_000, "1.0 million"),
            (2_764_800, "2.8 million"),
            (999_960_000, "1.0 billion"),  # rounds up into the next unit
            (22_658_829_312, "22.7 billion"),
            (1_500_000_000_000, "1.5 trillion"),
            (2 * 10**15, "2,000.0 trillion"),
        ],
    )
    def test_values(self, n, expected):
        assert format_count(n) == expected

    def test_digits(self):
        assert format_count(2_764_800, digits=2) == "2.76 million"

    def test_negative(self):
        with pytest.raises(ValueError, match="`n` must be >= 0"):
            format_count(-5)

    def test_bool(self):
        with pytest.raises(TypeError, match="`n` must be an int"):
            format_count(True)

    def test_bad_digits(self):
        with pytest.raises(TypeError, match="`digits` must be an int"):
            format_count(5, digits=1.0)
