"""Tests of the normalised cross-correlation (the pattern finder)."""

import numpy as np
import pytest

from convmat import normalized_correlation


def _loop(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Pearson correlation of `t` with every valid window, one window at a time."""
    kh, kw = t.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i, j in np.ndindex(out.shape):
        window = x[i : i + kh, j : j + kw]
        if window.std() > 0:
            out[i, j] = np.corrcoef(window.ravel(), t.ravel())[0, 1]
    return out


@pytest.mark.parametrize(("shape", "kernel"), [((6, 7), (2, 3)), ((5, 5), (5, 5))])
def test_equals_a_loop_of_pearson_correlations(shape, kernel):
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=shape), rng.normal(size=kernel)
    np.testing.assert_allclose(normalized_correlation(x, t), _loop(x, t), atol=1e-12)


def test_equals_scikit_image_match_template():
    feature = pytest.importorskip("skimage.feature")
    rng = np.random.default_rng(1)
    x, t = rng.random((20, 30)), rng.random((5, 7))
    np.testing.assert_allclose(
        normalized_correlation(x, t), feature.match_template(x, t), atol=1e-12
    )


def test_finds_a_brighter_copy_of_the_template():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 50, size=(12, 15)).astype(float)
    t = x[4:8, 6:11].copy()
    x[4:8, 6:11] = 3 * t + 100  # brighter and with more contrast
    score = normalized_correlation(x, t)
    assert np.unravel_index(score.argmax(), score.shape) == (4, 6)
    assert score[4, 6] == pytest.approx(1.0, abs=1e-12)
    assert np.all(score <= 1.0)
    assert np.all(score >= -1.0)


def test_constant_windows_score_zero():
    x = np.zeros((4, 6))
    x[:, 3:] = np.arange(12).reshape(4, 3)
    score = normalized_correlation(x, [[1, 2], [3, 5]])
    assert np.all(score[:, :2] == 0)  # windows inside the flat part
    assert np.all(score[:, 3:] != 0)


def test_errors():
    with pytest.raises(ValueError, match=r"`template` \(3, 1\) must not be larger"):
        normalized_correlation(np.ones((2, 2)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="`template` must not be constant"):
        normalized_correlation(np.ones((4, 4)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"`x` must be 2-D \(h, w\)"):
        normalized_correlation(np.ones(4), np.ones((1, 2)))
    with pytest.raises(TypeError, match="`template` must hold integers or floats"):
        normalized_correlation(np.ones((4, 4)), np.ones((2, 2), dtype=bool))
