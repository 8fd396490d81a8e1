"""How the book writes results: Markdown tables, byte counts and large counts.

The book's pages compute their tables at build time; a cell turns the rows
into Markdown (displayed with ``IPython.display.Markdown``), which MyST-NB
parses like the rest of the page, so captions, citations and cross-references
inside a table work.
"""

from __future__ import annotations

__all__ = ["format_bytes", "format_count", "markdown_table"]

import numbers
from collections.abc import Sequence
from typing import Any

from ._params import check_int

_ALIGN_RULES = {"l": ":---", "r": "---:", "c": ":---:"}
_NBSP = "\N{NO-BREAK SPACE}"


def _cell(value: Any) -> str:
    """One cell as text: ints get thousands separators, `|` is escaped."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        text = f"{int(value):,}"
    else:
        text = str(value)
    return " ".join(text.split()).replace("|", r"\|")


def markdown_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    align: str | None = None,
    caption: str | None = None,
    name: str | None = None,
    nowrap: bool = False,
) -> str:
    r"""Render rows as a Markdown pipe table, numbers right-aligned.

    Parameters
    ----------
    header : sequence of str, length m
        Column titles (Markdown allowed, e.g. ``"$n^2$"``).
    rows : sequence of sequences, each of length m
        The cells. Integers are written with thousands separators
        (``1792 -> "1,792"``); anything else with ``str``, so pre-formatted
        strings such as ``"84.4 GiB"`` pass through unchanged.
    align : str of length m, optional
        One letter per column: ``"l"`` (left), ``"r"`` (right) or ``"c"``
        (centre). Default: the first column (the labels) left, every other
        column right, so that the digits of numbers line up.
    caption : str, optional
        If given, the table is wrapped in a MyST ``{table}`` directive with
        this caption, so that it is numbered like a figure.
    name : str, optional
        Label of the table for ``{numref}`` (only with `caption`).
    nowrap : bool, optional
        If true, the spaces inside the cells of columns that are not
        left-aligned become no-break spaces (U+00A0), so that ``"84.4 GiB"``
        or ``"3 x 4"`` is never split across two lines; a table too wide for
        the screen then scrolls instead. Default false.

    Returns
    -------
    str
        The table: a header line, an alignment line and one line per row,
        wrapped in ``:::{table} caption`` ... ``:::`` when `caption` is given.

    Raises
    ------
    TypeError
        If `header` or a row is a string instead of a sequence of cells.
    ValueError
        If `header` is empty, a row's length differs from the header's,
        `align` has the wrong length or an unknown letter, or `name` is given
        without `caption`.

    See Also
    --------
    format_bytes, format_count : readable cells for large numbers.

    Notes
    -----
    A ``|`` inside a cell is escaped and line breaks become spaces, so every
    row stays on one line. The ``:::`` fence of the captioned form is MyST's
    colon fence (the ``colon_fence`` extension), which can sit inside a
    code-cell without closing it.

    Examples
    --------
    >>> from convmat.book import format_bytes, markdown_table
    >>> print(markdown_table(["filter", "entries", "bytes"],
    ...                      [["2 taps", 12, format_bytes(48)],
    ...                       ["3 x 3", 1792, format_bytes(7168)]]))
    | filter | entries | bytes |
    | :--- | ---: | ---: |
    | 2 taps | 12 | 48 B |
    | 3 x 3 | 1,792 | 7.0 KiB |
    >>> markdown_table(["x", "size"], [["a b", "1.5 KiB"]], nowrap=True)
    '| x | size |\n| :--- | ---: |\n| a b | 1.5\xa0KiB |'
    >>> print(markdown_table(["a", "b"], [[1, 2]], align="cc",
    ...                      caption="Two numbers", name="tab-two"))
    :::{table} Two numbers
    :name: tab-two
    <BLANKLINE>
    | a | b |
    | :---: | :---: |
    | 1 | 2 |
    :::
    """
    if isinstance(header, str):
        msg = f"`header` must be a sequence of column titles, got the string {header!r}"
        raise TypeError(msg)
    titles = [_cell(h) for h in header]
    m = len(titles)
    if m == 0:
        msg = "`header` must have at least one column, got none"
        raise ValueError(msg)
    if align is None:
        align = "l" + "r" * (m - 1)
    if len(align) != m or any(a not in _ALIGN_RULES for a in align):
        msg = (
            f"`align` must have one of 'l', 'r', 'c' for each of the {m} "
            f"columns, got {align!r}"
        )
        raise ValueError(msg)
    if name is not None and caption is None:
        msg = "`name` labels a captioned table: give `caption` too"
        raise ValueError(msg)
    lines = [
        "| " + " | ".join(titles) + " |",
        "| " + " | ".join(_ALIGN_RULES[a] for a in align) + " |",
    ]
    for i, row in enumerate(rows):
        if isinstance(row, str):
            msg = f"`rows[{i}]` must be a sequence of cells, got the string {row!r}"
            raise TypeError(msg)
        cells = [_cell(v) for v in row]
        if len(cells) != m:
            msg = f"`rows[{i}]` has {len(cells)} cells, expected {m} (the header's)"
            raise ValueError(msg)
        if nowrap:
            cells = [
                c if a == "l" else c.replace(" ", _NBSP)
                for c, a in zip(cells, align, strict=True)
            ]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    if caption is None:
        return table
    options = f":name: {name}\n" if name is not None else ""
    return f":::{{table}} {_cell(caption)}\n{options}\n{table}\n:::"


_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")
_COUNT_UNITS = ("", "million", "billion", "trillion")


def format_bytes(n: int, *, digits: int = 1) -> str:
    """Write a number of bytes with a binary unit (B, KiB, MiB, GiB, TiB).

    Parameters
    ----------
    n : int
        Number of bytes (>= 0).
    digits : int, optional
        Digits after the decimal point for KiB and above (default 1).

    Returns
    -------
    str
        ``"512 B"`` below 1 KiB; otherwise the largest unit (powers of 1024,
        at most TiB) that keeps the number at least 1, e.g. ``"84.4 GiB"``.

    Raises
    ------
    TypeError
        If `n` or `digits` is not an int.
    ValueError
        If `n` or `digits` is negative.

    See Also
    --------
    format_count : counts in words.

    Examples
    --------
    >>> from convmat.book import format_bytes
    >>> format_bytes(512)
    '512 B'
    >>> format_bytes(1536)
    '1.5 KiB'
    >>> format_bytes(4 * (150528**2 + 150528))
    '84.4 GiB'
    """
    n = check_int(n, "n", minimum=0)
    digits = check_int(digits, "digits", minimum=0)
    if n < 1024:
        return f"{n} B"
    power = 1
    while power < len(_BYTE_UNITS) - 1 and n >= 1024 ** (power + 1):
        power += 1
    value = n / 1024**power
    if round(value, digits) >= 1024 and power < len(_BYTE_UNITS) - 1:
        power += 1
        value = n / 1024**power
    return f"{value:,.{digits}f} {_BYTE_UNITS[power]}"


def format_count(n: int, *, digits: int = 1) -> str:
    """Write a count the way the book's prose does.

    Parameters
    ----------
    n : int
        The count (>= 0).
    digits : int, optional
        Digits after the decimal point for millions and above (default 1).

    Returns
    -------
    str
        Below a million, all digits with thousands separators (``"1,792"``);
        from a million on, ``"2.8 million"``, ``"22.7 billion"``, ``"1.5
        trillion"`` (short scale).

    Raises
    ------
    TypeError
        If `n` or `digits` is not an int.
    ValueError
        If `n` or `digits` is negative.

    See Also
    --------
    format_bytes : byte counts with binary units.

    Examples
    --------
    >>> from convmat.book import format_count
    >>> format_count(1792)
    '1,792'
    >>> format_count(2_764_800)
    '2.8 million'
    >>> format_count(150528**2 + 150528)
    '22.7 billion'
    """
    n = check_int(n, "n", minimum=0)
    digits = check_int(digits, "digits", minimum=0)
    if n < 10**6:
        return f"{n:,}"
    power = min((len(str(n)) - 1) // 3 - 1, len(_COUNT_UNITS) - 1)
    value = n / 1000 ** (power + 1)
    if round(value, digits) >= 1000 and power < len(_COUNT_UNITS) - 1:
        power += 1
        value = n / 1000 ** (power + 1)
    return f"{value:,.{digits}f} {_COUNT_UNITS[power]}"
