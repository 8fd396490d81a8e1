"""Tests for the symbolic matrix, the equations and the LaTeX output."""

import numpy as np
import pytest

from convmat import conv_matrix, conv_matrix_symbolic
from convmat.book import conv_equations, tap_names, to_latex, vector_symbols


class TestNames:
    def test_vector_symbols(self):
        np.testing.assert_array_equal(
            vector_symbols("a", 4), ["a_{1}", "a_{2}", "a_{3}", "a_{4}"]
        )

    def test_tap_names_multichannel(self):
        names = tap_names((2, 3, 1, 2))
        assert names.shape == (2, 3, 1, 2)
        assert names[1, 2, 0, 1] == "w_{2,3,1,2}"

    def test_bad_shape(self):
        with pytest.raises(ValueError, match=r"`shape` must contain sizes >= 1"):
            vector_symbols("a", 0)


class TestSymbolicMatrix:
    def test_lecture_example(self):
        np.testing.assert_array_equal(
            conv_matrix_symbolic((2,), (4,)),
            [
                ["w_{1}", "w_{2}", "0", "0"],
                ["0", "w_{1}", "w_{2}", "0"],
                ["0", "0", "w_{1}", "w_{2}"],
            ],
        )

    @pytest.mark.parametrize(
        ("weight_shape", "input_shape", "options"),
        [
            ((3,), (6,), {"padding": 1}),
            ((2, 2, 3), (2, 5), {"stride": 2, "padding": "full"}),
            ((2, 3), (4, 5), {"dilation": (2, 1), "padding": ((1, 0), (2, 1))}),
            ((2, 1, 2, 2), (1, 3, 3), {"padding": 1, "stride": 2}),
        ],
    )
    def test_positions_match_dense(self, weight_shape, input_shape, options):
        # distinct powers of two: every non-zero identifies its tap
        w = 2 ** np.arange(np.prod(weight_shape)).reshape(weight_shape)
        dense = conv_matrix(w, input_shape, **options)
        sym = conv_matrix_symbolic(weight_shape, input_shape, **options)
        names = tap_names(weight_shape).ravel()
        lookup = dict(zip(names, w.ravel(), strict=True))
        assert sym.shape == dense.shape
        np.testing.assert_array_equal(sym != "0", dense != 0)
        for (i, j), entry in np.ndenumerate(sym):
            if entry != "0":
                assert lookup[entry] == dense[i, j]

    def test_circular_sum(self):
        sym = conv_matrix_symbolic(3, 2, padding=2, padding_mode="circular")
        # output 2 reads padded positions 1, 2, 3 = inputs 2, 1, 2
        assert sym[1, 1] == "w_{1} + w_{3}"
        assert sym[1, 0] == "w_{2}"
        dense = conv_matrix(
            np.array([1, 10, 100]), 2, padding=2, padding_mode="circular"
        )
        assert dense[1, 1] == 101

    def test_name(self):
        assert conv_matrix_symbolic(2, 3, name="k")[0, 0] == "k_{1}"


class TestEquations:
    def test_lecture_example(self):
        assert conv_equations((2,), (4,)) == [
            "b_{1} = a_{1} w_{1} + a_{2} w_{2}",
            "b_{2} = a_{2} w_{1} + a_{3} w_{2}",
            "b_{3} = a_{3} w_{1} + a_{4} w_{2}",
        ]

    def test_names_and_padding(self):
        eqs = conv_equations(2, 3, padding=1, x_name="x", w_name="k", y_name="y")
        assert eqs[0] == "y_{1} = x_{1} k_{2}"
        assert eqs[-1] == "y_{4} = x_{3} k_{1}"

    def test_only_padding(self):
        assert conv_equations(1, 1, padding=1)[0] == "b_{1} = 0"

    def test_multichannel_2d(self):
        eqs = conv_equations((1, 2, 1, 1), (2, 2, 2))
        assert len(eqs) == 4
        assert eqs[0] == "b_{1,1,1} = a_{1,1,1} w_{1,1,1,1} + a_{2,1,1} w_{1,2,1,1}"


class TestToLatex:
    def test_numeric(self):
        assert to_latex(np.array([[1, 0], [0, 1]])) == (
            "\\begin{bmatrix}\n1 & 0 \\\\\n0 & 1\n\\end{bmatrix}"
        )

    def test_floats(self):
        out = to_latex(np.array([[1.0, 0.5], [np.nan, -np.inf]]), env="pmatrix")
        assert out.startswith("\\begin{pmatrix}")
        assert "1 & 0.5" in out
        assert "\\mathrm{NaN} & -\\infty" in out

    def test_abbreviate_rows(self):
        out = to_latex(vector_symbols("a", 10), max_rows=4)
        assert out.splitlines()[1:-1] == [
            "a_{1} \\\\",
            "a_{2} \\\\",
            "a_{3} \\\\",
            "\\vdots \\\\",
            "a_{10}",
        ]

    def test_abbreviate_cols(self):
        out = to_latex(np.arange(10)[None, :], max_cols=3)
        assert out.splitlines()[1] == "0 & 1 & \\cdots & 9"

    def test_no_abbreviation_when_small(self):
        assert "cdots" not in to_latex(np.eye(3), max_rows=3, max_cols=3)

    def test_braces_balanced(self):
        out = to_latex(
            conv_matrix_symbolic((2, 2), (3, 3), padding=1), max_rows=5, max_cols=6
        )
        assert out.count("{") == out.count("}")
        assert out.count("\\begin{bmatrix}") == out.count("\\end{bmatrix}") == 1
        rows = out.splitlines()[1:-1]
        assert len({row.count("&") for row in rows}) == 1

    def test_bad_env(self):
        with pytest.raises(ValueError, match=r"`env` must be one of .* got 'array'"):
            to_latex(np.eye(2), env="array")

    def test_bad_ndim(self):
        with pytest.raises(ValueError, match=r"`matrix` must be 1-D or 2-D, got 3"):
            to_latex(np.zeros((2, 2, 2)))

    def test_bad_max_rows(self):
        with pytest.raises(ValueError, match=r"`max_rows` must be >= 2"):
            to_latex(np.eye(4), max_rows=1)
