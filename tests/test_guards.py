"""Guards before big allocations: refused at once, with the size and a way out."""

import time
import tracemalloc

import numpy as np
import pytest

from convmat import (
    conv_index,
    conv_matrix,
    conv_matrix_symbolic,
    conv_operator,
    matrix_cost,
)
from convmat.book import conv_equations, format_bytes

VGG_W = np.ones((64, 3, 3, 3))
VGG_X = (3, 224, 224)


def refused(call):
    """Run `call`, expecting a ValueError; return its message, seconds and peak bytes."""
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ValueError, match="more than `max_bytes`") as info:
        call()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return str(info.value), seconds, peak


def test_a_vgg_sized_dense_matrix_is_refused_at_once():
    msg, seconds, peak = refused(lambda: conv_matrix(VGG_W, VGG_X, padding=1))
    cost = matrix_cost(VGG_W, VGG_X, padding=1)
    assert seconds < 1
    assert peak < 1_000_000  # a few small tables, never the matrix
    assert f"would take {cost.dense_bytes:,} bytes (3.5 TiB)" in msg
    assert 'format="sparse"' in msg
    assert "conv_operator" in msg
    assert "(64, 3, 3, 3) weight over a (3, 224, 224) input" in msg
    assert "`max_bytes`" in msg


def test_the_sparse_suggestion_states_its_size():
    msg, _, _ = refused(lambda: conv_matrix(VGG_W, VGG_X, padding=1))
    sparse = matrix_cost(VGG_W, VGG_X, padding=1).sparse_bytes
    assert f'format="sparse" ({format_bytes(sparse)})' in msg


def test_sparse_and_index_builds_are_refused_naming_the_matrix():
    w = np.ones((256, 256, 3, 3))
    x = (256, 224, 224)
    for call, name in [
        (lambda: conv_matrix(w, x, padding=1, format="sparse"), "sparse matrix"),
        (lambda: conv_index(w, x, padding=1), "index map"),
        (
            lambda: conv_matrix(
                w, x, padding=1, padding_mode="circular", format="sparse"
            ),
            "sparse matrix",
        ),
        (
            lambda: conv_matrix_symbolic(VGG_W.shape, VGG_X, padding=1),
            "symbolic matrix",
        ),
        (lambda: conv_equations(VGG_W.shape, VGG_X, padding=1), "symbolic matrix"),
    ]:
        msg, seconds, peak = refused(call)
        assert name in msg
        assert seconds < 1
        assert peak < 1_000_000
    assert (
        "conv_operator"
        in refused(lambda: conv_matrix(w, x, padding=1, format="sparse"))[0]
    )


def test_max_bytes_raises_the_limit():
    w, x = np.ones((1, 1, 3, 3)), (1, 64, 64)
    nbytes = matrix_cost(w, x).dense_bytes
    with pytest.raises(ValueError, match="more than `max_bytes`=1,000"):
        conv_matrix(w, x, max_bytes=1000)
    assert conv_matrix(w, x, max_bytes=2 * nbytes).shape == (62 * 62, 64 * 64)
    with pytest.raises(TypeError, match="`max_bytes` must be an int"):
        conv_matrix(w, x, max_bytes=1e9)


def test_the_operator_is_the_way_out():
    a = conv_operator(VGG_W, VGG_X, padding=1)
    assert a.shape == (64 * 224 * 224, 3 * 224 * 224)
