"""The same figure layout in every build.

Why: matplotlib's constrained layout solves for the positions of the axes with
kiwisolver, whose answer varies in its last bits from run to run of the same
code (the solver orders its variables by memory address).  The SVG then
differs between two builds of one commit: a title moves by a millionth of a
point, and every ``clip-path`` id, a hash of the clip box, changes
(``nox -s reproducible`` caught it on the experiment page).  Rounding the
solved positions to 1e-9 of the figure removes that noise and nothing visible.

The kernels that myst-nb starts are processes of their own, so the rounding is
installed there by an IPython start-up file: the build makes an IPython
profile in a temporary folder and points ``IPYTHONDIR`` at it before any kernel
starts.  A notebook run anywhere else lays out its figures as matplotlib does.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from pathlib import Path

from sphinx.application import Sphinx

#: Decimals kept of a position given as a fraction of the figure.
DECIMALS = 9


def round_constrained_layout(decimals: int) -> None:
    """Make ``layout="constrained"`` round the positions it solves for.

    Self-contained: its source is what the kernels run at start-up.
    """
    import matplotlib.figure
    import numpy as np
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    class RoundedConstrainedLayout(ConstrainedLayoutEngine):
        def execute(self, fig):  # type: ignore[no-untyped-def]
            info = super().execute(fig)
            for ax in fig.get_axes():  # every axes, those of subfigures too
                box = ax.get_position(original=True).frozen()
                box.set_points(np.round(box.get_points(), decimals))
                ax._set_position(box, which="both")
            subfigures = list(fig.subfigs)
            while subfigures:
                sub = subfigures.pop()
                points = np.round(sub.bbox_relative.get_points(), decimals)
                sub.bbox_relative.set_points(points)
                subfigures.extend(sub.subfigs)
            return info

    # Figure(layout="constrained") looks the class up in matplotlib.figure.
    matplotlib.figure.ConstrainedLayoutEngine = RoundedConstrainedLayout


def startup_source() -> str:
    """The IPython start-up file: this module's function, then a call of it."""
    return (
        '"""Made by book/_ext/booksite/figures.py for one build of the book."""\n\n'
        f"{inspect.getsource(round_constrained_layout)}\n"
        f"round_constrained_layout({DECIMALS})\n"
    )


def make_kernel_profile(app: Sphinx) -> None:
    folder = Path(tempfile.mkdtemp(prefix="convmat-ipython-"))
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-round-layout.py").write_text(startup_source(), encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(folder)
    app.connect("build-finished", lambda app, exc: shutil.rmtree(folder, True))


def setup(app: Sphinx) -> None:
    make_kernel_profile(app)
