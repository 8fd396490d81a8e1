"""Build the book twice from two clones and fail on any byte that differs.

``nox -s reproducible`` runs this script.  It checks the *default* build, the
one ``nox -s docs`` makes, with no environment variable set for it: it clones
the repository (its ``HEAD`` commit, so each copy has the commit whose time
dates the site) into two folders whose paths differ in name and depth, copies
over them the files of the working tree that ``git ls-files --cached --others
--exclude-standard`` lists (so uncommitted pages count), builds each with the
arguments of ``nox -s docs`` into its own fresh output folder and its own
empty execution cache, and compares the two sites file by file.  Sphinx's
private ``.doctrees`` are ignored; nothing else is.  The executed notebooks
are part of the site (``_sources/<page>.ipynb``, offered for download on
every page), so they are compared too.

Usage::

    python tools/reproducible.py [--keep] [--workdir DIR] [--parallel]

Exit status 0 when the builds are identical, 1 when they differ (the differing
files are listed with a diff excerpt), 2 when a build fails.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from project import PLAIN_OUTPUT, ROOT, SPHINX_ARGS, colour_flag

IGNORED = {".doctrees"}  # Sphinx's pickled environment: private, never published
# What is compared, relative to a checkout: the whole site, executed notebooks
# included (jupyter_execute is myst-nb's scratch space, copied where it is used).
COMPARED = (("_build/html", "*"),)


def tracked_files(root: Path = ROOT) -> list[str]:
    """Files of the working tree a fresh clone plus uncommitted work would hold."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(p for p in out.split("\0") if p and (root / p).is_file())


def make_checkout(dest: Path, root: Path = ROOT) -> Path:
    """Clone ``root`` into ``dest``, add its uncommitted work; share ``node_modules``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(root), str(dest)],
        check=True,
        capture_output=True,
    )
    for rel in tracked_files(root):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target)
    modules = root / "node_modules"
    if modules.is_dir():
        (dest / "node_modules").symlink_to(modules, target_is_directory=True)
    return dest


#: Variables that would make a build differ from the default one: conf.py sets
#: what the build needs, and live timings are the reader's opt-in.
NOT_DEFAULT = (
    "MATPLOTLIBRC",
    "PYTHONHASHSEED",
    "SOURCE_DATE_EPOCH",
    "CONVMAT_LIVE_TIMINGS",
)


def build_env(checkout: Path) -> dict[str, str]:
    """The environment of one build: the default one, with the checkout's own package."""
    env = dict(os.environ)
    for name in NOT_DEFAULT:
        env.pop(name, None)
    env.update(PLAIN_OUTPUT)  # the output is captured
    # Kernels and autodoc import convmat from this checkout, not the editable
    # install of the main working tree.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(checkout / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def build(checkout: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Build the checkout's book into ``<checkout>/_build/html`` (fresh, uncached)."""
    shutil.rmtree(checkout / "_build", ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        colour_flag(terminal=False),  # the output is captured
        *SPHINX_ARGS,
        "_build/html",
    ]
    start = time.perf_counter()
    result = subprocess.run(
        cmd,
        cwd=checkout,
        env=build_env(checkout),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    return result, time.perf_counter() - start


def listing(tree: Path) -> set[str]:
    """Relative paths of every file under ``tree``, skipping ignored folders."""
    if not tree.is_dir():
        return set()
    files = set()
    for path in tree.rglob("*"):
        rel = path.relative_to(tree)
        if IGNORED.intersection(rel.parts) or path.is_dir():
            continue
        files.add(rel.as_posix())
    return files


def compare_trees(
    a: Path, b: Path, pattern: str = "*"
) -> tuple[list[str], list[str], list[str]]:
    """Files (matching ``pattern``) only in ``a``, only in ``b``, and differing."""
    left = {r for r in listing(a) if PurePosixPath(r).match(pattern)}
    right = {r for r in listing(b) if PurePosixPath(r).match(pattern)}
    differ = [
        rel
        for rel in sorted(left & right)
        if (a / rel).read_bytes() != (b / rel).read_bytes()
    ]
    return sorted(left - right), sorted(right - left), differ


def _clip(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


def diff_excerpt(a: Path, b: Path, *, lines: int = 30) -> str:
    """A unified diff of two text files, cut to ``lines`` lines (long lines split)."""
    try:
        old = a.read_bytes().decode("utf-8")
        new = b.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return f"    (binary: {a.stat().st_size} vs {b.stat().st_size} bytes)"

    # Minified files (search index, SVG paths) have huge lines: split them on
    # tag and punctuation boundaries so the excerpt shows the changed part.
    def split(text: str) -> list[str]:
        text = text.replace(">", ">\n").replace(",", ",\n")
        return text.splitlines()

    diff = difflib.unified_diff(split(old), split(new), "first", "second", n=1)
    out = [_clip("    " + line.rstrip("\n")) for line in diff]
    if len(out) > lines:
        out = [*out[:lines], f"    ... ({len(out) - lines} more diff lines)"]
    return "\n".join(out)


def report(first: Path, second: Path) -> int:
    """Compare the compared trees of two checkouts; print what differs."""
    problems = 0
    for sub, pattern in COMPARED:
        a, b = first / sub, second / sub
        only_a, only_b, differ = compare_trees(a, b, pattern)
        count = sum(1 for r in listing(a) if PurePosixPath(r).match(pattern))
        if not (only_a or only_b or differ):
            print(f"identical: {sub} ({count} files)")
            continue
        problems += len(only_a) + len(only_b) + len(differ)
        print(f"DIFFERENT: {sub}")
        for rel in only_a:
            print(f"  only in the first build:  {rel}")
        for rel in only_b:
            print(f"  only in the second build: {rel}")
        for rel in differ:
            print(f"  differs: {rel}")
            print(diff_excerpt(a / rel, b / rel))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workdir", type=Path, help="where to make the two checkouts (default: tmp)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the checkouts and builds"
    )
    parser.add_argument(
        "--parallel", action="store_true", help="run both builds at the same time"
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="convmat-repro-", dir=args.workdir))
    # Different names and depths: any absolute path that leaks into a page shows.
    checkouts = [work / "first", work / "second-checkout" / "of" / "convmat"]
    try:
        for checkout in checkouts:
            make_checkout(checkout)
        if args.parallel:
            with ThreadPoolExecutor(max_workers=2) as pool:
                results = list(pool.map(build, checkouts))
        else:
            results = []
            for checkout in checkouts:  # stop at the first failing build
                results.append(build(checkout))
                if results[-1][0].returncode != 0:
                    break
        for checkout, (result, seconds) in zip(checkouts, results, strict=False):
            print(f"built {checkout} in {seconds:.0f} s (exit {result.returncode})")
            if result.returncode != 0:
                print(result.stdout[-4000:], result.stderr[-8000:], sep="\n")
                return 2
        problems = report(*checkouts)
    finally:
        if args.keep:
            print(f"kept the checkouts in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if problems:
        print(f"\nNOT reproducible: {problems} file(s) differ between the two builds.")
        return 1
    print("\nreproducible: both builds are byte-identical (ignoring .doctrees).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
