"""Tests for the index map `conv_index` and its consumer `conv_matrix`."""

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse

from convmat import ConvIndex, conv1d, conv2d, conv_index, conv_matrix

MODES = ["zeros", "circular", "reflect", "replicate"]


def identity_columns(conv, w, input_shape, **options):
    """Oracle: the matrix obtained by applying the convolution to unit vectors."""
    n = int(np.prod(input_shape))
    cols = [
        conv(np.eye(n, dtype=int)[j].reshape(input_shape), w, **options).ravel()
        for j in range(n)
    ]
    return np.stack(cols, axis=1)


class TestConvIndex:
    def test_lecture_example(self):
        idx = conv_index((2,), (4,))
        assert isinstance(idx, ConvIndex)
        np.testing.assert_array_equal(idx.rows, [0, 0, 1, 1, 2, 2])
        np.testing.assert_array_equal(idx.cols, [0, 1, 1, 2, 2, 3])
        np.testing.assert_array_equal(idx.taps, [0, 1, 0, 1, 0, 1])
        assert idx.shape == (3, 4)
        assert idx.rows.dtype == idx.cols.dtype == idx.taps.dtype == np.int64

    def test_zero_padding_taps_absent(self):
        idx = conv_index((3,), (4,), padding=1)
        assert len(idx.rows) == 4 * 3 - 2
        assert (idx.cols >= 0).all()
        assert (idx.cols < 4).all()

    def test_rows_sorted(self):
        idx = conv_index((2, 3, 2, 2), (3, 5, 4), padding=1, stride=(2, 1))
        assert (np.diff(idx.rows) >= 0).all()

    def test_circular_all_taps(self):
        idx = conv_index((3,), (4,), padding=1, padding_mode="circular")
        assert len(idx.rows) == 4 * 3
        np.testing.assert_array_equal(idx.cols[:3], [3, 0, 1])

    def test_reflect(self):
        idx = conv_index((3,), (4,), padding=1, padding_mode="reflect")
        np.testing.assert_array_equal(idx.cols[:3], [1, 0, 1])
        np.testing.assert_array_equal(idx.cols[-3:], [2, 3, 2])

    def test_replicate(self):
        idx = conv_index((3,), (4,), padding=2, padding_mode="replicate")
        np.testing.assert_array_equal(idx.cols[:3], [0, 0, 0])
        np.testing.assert_array_equal(idx.cols[-3:], [3, 3, 3])

    def test_multichannel_2d_taps(self):
        idx = conv_index((2, 3, 2, 2), (3, 4, 4))
        # row 0 reads every tap of filter 0 once, in C order
        np.testing.assert_array_equal(idx.taps[idx.rows == 0], np.arange(12))
        assert idx.shape == (2 * 3 * 3, 3 * 4 * 4)

    def test_errors_are_checked(self):
        with pytest.raises(ValueError, match=r"channel mismatch"):
            conv_index((1, 2, 3), (3, 5))
        with pytest.raises(ValueError, match=r"`w` must have shape \(k,\)"):
            conv_index((1, 1, 1, 1, 1), (3, 5))


class TestConvMatrix:
    def test_lecture_example(self):
        m = conv_matrix(np.array([1, 2]), 4)
        np.testing.assert_array_equal(m, [[1, 2, 0, 0], [0, 1, 2, 0], [0, 0, 1, 2]])

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("padding", [0, 1, ((2, 0),), "same", "full"])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), (2, 1), (1, 2)])
    def test_1d_identity_columns(self, mode, padding, stride, dilation):
        if padding == "same" and stride > 1:
            pytest.skip("same needs stride 1")
        if mode == "reflect" and padding == "full" and dilation > 1:
            pytest.skip("reflect padding must be smaller than the input")
        w = (
            10 * np.arange(2)[:, None, None]
            + np.arange(2)[:, None] * 3
            + np.arange(3)
            + 1
        )
        options = {
            "padding": padding,
            "stride": stride,
            "dilation": dilation,
            "padding_mode": mode,
        }
        m = conv_matrix(w, (2, 5), **options)
        np.testing.assert_array_equal(m, identity_columns(conv1d, w, (2, 5), **options))
        s = conv_matrix(w, (2, 5), format="sparse", **options)
        np.testing.assert_array_equal(s.toarray(), m)

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("padding", [0, 1, ((1, 0), (0, 2))])
    @pytest.mark.parametrize(("stride", "dilation"), [(1, 1), ((2, 1), (1, 2))])
    def test_2d_identity_columns(self, mode, padding, stride, dilation):
        w = np.arange(1, 7).reshape(2, 3)
        options = {
            "padding": padding,
            "stride": stride,
            "dilation": dilation,
            "padding_mode": mode,
        }
        m = conv_matrix(w, (4, 5), **options)
        np.testing.assert_array_equal(m, identity_columns(conv2d, w, (4, 5), **options))

    def test_against_scipy_convolution_matrix(self):
        w = np.array([1.0, 2.0, 5.0])
        np.testing.assert_array_equal(
            conv_matrix(w, 7), scipy.linalg.convolution_matrix(w[::-1], 7, "valid")
        )
        np.testing.assert_array_equal(
            conv_matrix(w, 7, padding="full"),
            scipy.linalg.convolution_matrix(w[::-1], 7, "full"),
        )

    def test_circulant(self):
        w = np.array([1, 2, 3])
        m = conv_matrix(w, 5, padding=1, padding_mode="circular")
        np.testing.assert_array_equal(m, scipy.linalg.circulant([2, 3, 0, 0, 1]).T)

    def test_summed_duplicates(self):
        m = conv_matrix(np.array([1, 10, 100]), 2, padding=2, padding_mode="replicate")
        np.testing.assert_array_equal(m, [[111, 0], [11, 100], [1, 110], [0, 111]])

    def test_dtype_follows_w(self):
        assert conv_matrix(np.ones(2, np.float32), 4).dtype == np.float32
        assert conv_matrix(np.ones(2, np.int64), 4, format="sparse").dtype == np.int64

    def test_csr_properties(self):
        w = np.arange(1.0, 55.0).reshape(2, 3, 3, 3)
        s = conv_matrix(w, (3, 6, 7), padding=1, format="sparse")
        assert isinstance(s, scipy.sparse.csr_array)
        assert s.indices.dtype == np.int32
        assert s.indptr.dtype == np.int32
        assert s.has_canonical_format
        copy = s.copy()
        copy.has_sorted_indices = False
        copy.sort_indices()
        np.testing.assert_array_equal(copy.indices, s.indices)
        assert s.nnz == (3 * (6 * 3 - 2) * (7 * 3 - 2)) * 2

    def test_csr_circular_canonical(self):
        s = conv_matrix(
            np.array([1, 2, 3]), 3, padding=2, padding_mode="circular", format="sparse"
        )
        assert s.has_canonical_format
        dense = conv_matrix(np.array([1, 2, 3]), 3, padding=2, padding_mode="circular")
        np.testing.assert_array_equal(s.toarray(), dense)
        assert s.nnz == np.count_nonzero(dense)

    def test_2d_contract(self):
        x = 10 * np.arange(5)[:, None] + np.arange(6)
        w = np.array([[1, 2], [3, 4]])
        m = conv_matrix(w, x.shape, padding=1, stride=2)
        np.testing.assert_array_equal(
            m @ x.ravel(), conv2d(x, w, padding=1, stride=2).ravel()
        )

    def test_csr_is_a_synonym(self):
        w = np.array([1.0, 2.0, 3.0])
        a = conv_matrix(w, 6, padding=1, format="csr")
        b = conv_matrix(w, 6, padding=1, format="sparse")
        assert isinstance(a, scipy.sparse.csr_array)
        np.testing.assert_array_equal(a.toarray(), b.toarray())

    def test_unknown_format(self):
        with pytest.raises(ValueError, match=r"`format` must be one of .* got 'coo'"):
            conv_matrix(np.ones(2), 4, format="coo")

    def test_bad_dtype(self):
        with pytest.raises(TypeError, match=r"`w` must hold real numbers .* complex"):
            conv_matrix(np.ones(2, complex), 4)

    def test_input_shape_mismatch(self):
        with pytest.raises(
            ValueError, match=r"`input_shape` must have 1 \(spatial\) or 2"
        ):
            conv_matrix(np.ones(2), (1, 2, 4))


def test_single_output_whose_only_tap_is_in_the_padding_is_zero():
    # A 1x1 grid whose one tap lands in zero padding must give an empty map,
    # not keep the tap (regression: the mask was skipped for 1-element grids).
    w = np.ones(1)
    index = conv_index(w.shape, (1,), padding=1, stride=3)
    assert index.rows.size == index.cols.size == index.taps.size == 0
    dense = conv_matrix(w, (1,), padding=1, stride=3)
    np.testing.assert_array_equal(
        dense, conv1d(np.ones(1), w, padding=1, stride=3)[:, None]
    )
