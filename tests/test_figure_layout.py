"""Figures laid out the same in every build (book/_ext/booksite/figures.py).

matplotlib's constrained layout gives positions that vary in their last bits
from one process to the next; the kernels of the build round them.  These
tests run the start-up file the build gives its kernels in a fresh Python and
look at where the axes land.
"""

from __future__ import annotations

import json
import subprocess
import sys

from booksite.figures import DECIMALS, startup_source

FIGURE = """
import json
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np

fig = plt.figure(figsize=(4.6, 4.2), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1.2, 1])
for c, ax in enumerate(top.subplots(2, 4).flat):
    ax.imshow(np.eye(5))
    ax.set_title(f"filter {c}")
left, right = bottom.subplots(1, 2, width_ratios=[28, 26])
left.set_title("a digit")
fig.canvas.draw()
boxes = [list(ax.get_position(original=True).bounds) for ax in fig.get_axes()]
boxes += [list(sub.bbox_relative.bounds) for sub in fig.subfigs]
print(json.dumps({"engine": type(fig.get_layout_engine()).__name__, "boxes": boxes}))
"""


def _layout(prelude: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", prelude + FIGURE],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.splitlines()[-1])


def _on_grid(value: float) -> bool:
    return abs(value * 10**DECIMALS - round(value * 10**DECIMALS)) < 1e-4


def test_the_kernels_start_up_file_rounds_every_solved_position() -> None:
    layout = _layout(startup_source())
    assert layout["engine"] == "RoundedConstrainedLayout"
    boxes = layout["boxes"]
    assert len(boxes) == 10 + 2  # ten axes, two subfigures
    corners = [x for x, y, w, h in boxes] + [y + h for x, y, w, h in boxes]
    assert all(_on_grid(v) for v in corners), corners


def test_without_it_the_solver_gives_positions_off_that_grid() -> None:
    """What the rounding is for: plain constrained layout is not on the grid."""
    layout = _layout("")
    assert layout["engine"] == "ConstrainedLayoutEngine"
    corners = [x for x, y, w, h in layout["boxes"]]
    assert not all(_on_grid(v) for v in corners)


def test_rounding_moves_nothing_visibly() -> None:
    plain = _layout("")["boxes"]
    rounded = _layout(startup_source())["boxes"]
    assert len(plain) == len(rounded)
    for a, b in zip(plain, rounded, strict=True):
        assert max(abs(p - q) for p, q in zip(a, b, strict=True)) < 1e-8
