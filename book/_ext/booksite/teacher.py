"""Turn a page's executed notebook into one that runs anywhere (no myst-nb).

Plain functions on notebook JSON, so that they can be tested without a build;
`notebooks` calls them with what the Sphinx environment knows (titles,
equation and figure numbers, citations).

- Code: ``from myst_nb import glue`` and ``glue(...)`` calls go (a glue that
  displays its value becomes ``display(value)``); so do ``assert`` statements,
  the book's hidden checks.  A cell left with nothing to run is dropped.
- Markdown: glued values are written in as the numbers and text the book
  shows; ``{doc}``, ``{ref}``, ``{numref}``, ``{eq}`` and ``{cite}`` become the
  text the book shows; directives become plain Markdown (an exercise a bold
  heading, an admonition a quote); label targets and comments go.
"""

from __future__ import annotations

import ast
import base64
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["References", "convert_code", "convert_markdown", "teacher_notebook"]


@dataclass
class References:
    """What cross-references resolve to, as the book prints them."""

    titles: dict[str, str] = field(default_factory=dict)  # docname -> title
    sections: dict[str, str] = field(default_factory=dict)  # label -> title
    numbers: dict[str, str] = field(default_factory=dict)  # label -> "Fig. 6.1"
    equations: dict[str, str] = field(default_factory=dict)  # label -> "6.2"
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    # key -> (authors as cited, year)


# --- code cells -------------------------------------------------------------


def _is_glue_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "glue"
    )


def _glue_displays(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "display":
            return not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            )
    return len(call.args) < 3  # glue(name, value, display)


def _only_checks(node: ast.stmt) -> bool:
    """A statement that only checks or glues (an assert, or a loop of them)."""
    if isinstance(node, ast.Assert) or _is_glue_call(node):
        return True
    if isinstance(node, ast.For | ast.While | ast.If | ast.With):
        bodies = [node.body, getattr(node, "orelse", [])]
        return all(
            isinstance(child, ast.Pass) or _only_checks(child)
            for body in bodies
            for child in body
        )
    return False


def convert_code(source: str) -> str:
    """The cell's code without myst-nb and without the book's hidden checks."""
    lines = source.split("\n")
    # IPython magics and shell escapes are not Python: parse them as `pass`.
    parsable = [
        "pass"
        if line.lstrip().startswith(("%", "!")) and not line[:1].isspace()
        else line
        for line in lines
    ]
    try:
        tree = ast.parse("\n".join(parsable))
    except SyntaxError:
        return source
    replace: dict[int, tuple[int, list[str]]] = {}  # first line -> (last, new)

    def visit(body: list[ast.stmt], top: bool) -> None:
        for node in body:
            first, last = node.lineno, node.end_lineno or node.lineno
            indent = " " * node.col_offset
            new: list[str] | None = None
            if isinstance(node, ast.ImportFrom) and node.module == "myst_nb":
                new = []
            elif _is_glue_call(node):
                call = node.value
                if _glue_displays(call) and len(call.args) >= 2:
                    value = ast.get_source_segment("\n".join(parsable), call.args[1])
                    new = [f"{indent}display({value})"]
                else:
                    new = []
            elif _only_checks(node):
                new = []
            if new is not None:
                if not new and not top:
                    new = [f"{indent}pass"]  # keep the block valid
                replace[first] = (last, new)
                continue
            for name in ("body", "orelse", "finalbody"):
                child = getattr(node, name, None)
                if isinstance(child, list) and child and isinstance(child[0], ast.stmt):
                    visit(child, top=False)
            for handler in getattr(node, "handlers", []):
                visit(handler.body, top=False)

    visit(tree.body, top=True)
    out: list[str] = []
    number = 1
    while number <= len(lines):
        if number in replace:
            last, new = replace[number]
            out.extend(new)
            number = last + 1
            continue
        out.append(lines[number - 1])
        number += 1
    text = "\n".join(out).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


# --- markdown cells -----------------------------------------------------------

ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<body>[^`]*)`")
FENCE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$\n?",
    re.MULTILINE | re.DOTALL,
)
DISPLAY_MATH_LABEL = re.compile(r"\$\$\s*\((?P<label>[\w:.-]+)\)[ \t]*$", re.MULTILINE)


def _text_and_target(body: str) -> tuple[str | None, str]:
    """``Text <target>`` -> ("Text", "target"); ``target`` -> (None, "target")."""
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", body.strip())
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return None, body.strip()


def glue_text(data: dict[str, Any], spec: str = "") -> str:
    """A glued value as ``{glue:text}`` shows it."""
    plain = data.get("text/plain", "")
    plain = "".join(plain) if isinstance(plain, list) else str(plain)
    if spec:
        try:
            return format(float(plain), spec)
        except ValueError:
            pass
    if len(plain) >= 2 and plain[0] == plain[-1] and plain[0] in "'\"":
        try:
            return str(ast.literal_eval(plain))
        except (ValueError, SyntaxError):
            pass
    return plain


def glue_markdown(data: dict[str, Any]) -> str:
    text = data.get("text/markdown")
    if text is None:
        return glue_text(data)
    return "".join(text) if isinstance(text, list) else str(text)


def _cite(keys: str, refs: References, textual: bool) -> str:
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        authors, year = refs.citations.get(key, (key, ""))
        if textual:
            parts.append(f"{authors} ({year})" if year else authors)
        else:
            parts.append(f"{authors}, {year}" if year else authors)
    return "; ".join(parts) if textual else f"({'; '.join(parts)})"


def convert_role(  # noqa: PLR0911 - one return per kind of role
    name: str, body: str, glue: dict[str, dict[str, Any]], refs: References
) -> str:
    """The plain Markdown a role becomes."""
    if name in ("glue", "glue:text", "glue:md"):
        key, _, spec = body.partition(":")
        data = glue.get(key.strip(), {}).get("data", {})
        return glue_markdown(data) if name == "glue:md" else glue_text(data, spec)
    text, target = _text_and_target(body)
    if name == "doc":
        title = refs.titles.get(target.lstrip("/").removesuffix(".md"), target)
        return f"*{text or title}*"
    if name == "ref":
        return text or refs.sections.get(target, target)
    if name == "numref":
        number = refs.numbers.get(target, target)
        if text:
            digits = number.split()[-1] if number != target else target
            return text.replace("%s", digits).replace("{number}", digits)
        return number
    if name == "eq":
        return f"({refs.equations.get(target, target)})"
    if name in ("cite", "cite:p", "cite:ps"):
        return _cite(target, refs, textual=False)
    if name in ("cite:t", "cite:ts"):
        return _cite(target, refs, textual=True)
    return f"`{text or target}`" if name in ("code", "literal") else (text or target)


def _quote(text: str) -> str:
    return "\n".join(
        "> " + line if line else ">" for line in text.strip("\n").split("\n")
    )


def _options_and_content(body: str) -> tuple[dict[str, str], str]:
    options = {}
    lines = body.split("\n")
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        name, _, value = lines.pop(0)[1:].partition(":")
        options[name] = value.strip()
    return options, "\n".join(lines).strip("\n")


def convert_markdown(
    text: str,
    glue: dict[str, dict[str, Any]],
    refs: References,
    attach: Callable[[str, dict[str, Any]], str] | None = None,
) -> str:
    """Plain Markdown a notebook shows as the book does (see the module)."""
    counter = {"exercise": 0}

    def directive(match: re.Match[str]) -> str:  # noqa: PLR0911 - one per kind
        name, arg = match.group("name"), match.group("arg").strip()
        content = _options_and_content(match.group("body"))[1]
        if name in ("glue", "glue:md", "glue:figure", "glue:any"):
            data = glue.get(arg, {}).get("data", {})
            image = next((m for m in ("image/png", "image/svg+xml") if m in data), None)
            if image and attach is not None:
                caption = (
                    convert_markdown(content, glue, refs, attach) if content else ""
                )
                return f"![{caption}](attachment:{attach(arg, data)})\n"
            return glue_markdown(data) + "\n"
        if name in {"exercise-start", "exercise"}:
            counter["exercise"] += 1
            title = f"**Exercise {counter['exercise']}**" + (f" ({arg})" if arg else "")
            return title + "\n" + (f"\n{content}\n" if content else "")
        if name in {"solution-start", "solution"}:
            return "**Solution**\n" + (f"\n{content}\n" if content else "")
        if name in ("exercise-end", "solution-end"):
            return ""
        if name in ("code-block", "code", "sourcecode"):
            return f"```{arg}\n{content}\n```\n"
        if name in ("admonition", "note", "warning", "tip", "important", "seealso"):
            title = arg or name.capitalize()
            inner = convert_markdown(content, glue, refs, attach)
            return _quote(f"**{title}**\n\n{inner}") + "\n"
        if name == "include":
            return (
                "*The book's site shows an interactive explorer here "
                "(JavaScript in the page).*\n"
            )
        if name == "only":
            return (
                (convert_markdown(content, glue, refs, attach) + "\n")
                if "html" in arg
                else ""
            )
        if name in ("toctree", "bibliography", "eval-rst", "raw"):
            return ""
        return convert_markdown(content, glue, refs, attach) + "\n"

    text = FENCE.sub(directive, text)

    def tag_equation(match: re.Match[str]) -> str:
        number = refs.equations.get(match.group("label"), match.group("label"))
        return f"\\tag{{{number}}}\n$$"

    text = DISPLAY_MATH_LABEL.sub(tag_equation, text)
    text = ROLE.sub(lambda m: convert_role(m["name"], m["body"], glue, refs), text)
    # MyST targets "(label)=" and comments "% ..." are not shown by the book.
    text = re.sub(r"^\([\w:.-]+\)=[ \t]*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^%( [^\n]*)?\n", "", text, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# --- the notebook -------------------------------------------------------------

# Import names whose package on PyPI has another name.
DISTRIBUTIONS = {"skimage": "scikit-image", "sklearn": "scikit-learn"}
# Always there where a notebook runs.
PROVIDED = {"IPython", "ipykernel", "matplotlib_inline"}


def requirements(sources: list[str]) -> list[str]:
    """The packages (PyPI names) the code imports, standard library left out."""
    found = set()
    for source in sources:
        parsable = "\n".join(
            "pass" if line.lstrip().startswith(("%", "!")) else line
            for line in source.split("\n")
        )
        try:
            tree = ast.parse(parsable)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in PROVIDED:
                    found.add(DISTRIBUTIONS.get(top, top))
    return sorted(found, key=lambda name: (name != "convmat", name))


IMAGE_EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg"}


def _attacher(
    attachments: dict[str, dict[str, str]],
) -> Callable[[str, dict[str, Any]], str]:
    """A function that stores a glued image as a cell attachment, named by key."""

    def attach(key: str, data: dict[str, Any]) -> str:
        mime = next(m for m in IMAGE_EXTENSIONS if m in data)
        payload = data[mime]
        payload = "".join(payload) if isinstance(payload, list) else payload
        if mime == "image/svg+xml":
            payload = base64.b64encode(payload.encode("utf-8")).decode("ascii")
        name = f"{key}.{IMAGE_EXTENSIONS[mime]}"
        attachments[name] = {mime: payload}
        return name

    return attach


def teacher_notebook(
    notebook: dict[str, Any],
    glue: dict[str, dict[str, Any]],
    refs: References,
    *,
    preface: str,
    data_files: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A copy of ``notebook`` that needs no myst-nb (see the module).

    ``preface`` is the first cell's text; ``{requirements}`` in it becomes the
    packages the notebook's code imports.
    """
    cells: list[dict[str, Any]] = [{"cell_type": "markdown", "metadata": {}}]
    if data_files:
        lines = [
            "# The data this page reads, as the book used it: written next to",
            "# this notebook when it is not there already.",
            "from pathlib import Path",
            "",
            "DATA = {",
            *(f"    {path!r}: {content!r}," for path, content in data_files.items()),
            "}",
            "for path, content in DATA.items():",
            "    if not Path(path).exists():",
            "        Path(path).parent.mkdir(parents=True, exist_ok=True)",
            '        Path(path).write_text(content, encoding="utf-8")',
        ]
        cells.append(
            {
                "cell_type": "code",
                "metadata": {},
                "source": "\n".join(lines),
                "execution_count": None,
                "outputs": [],
            }
        )
    for cell in notebook["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell["cell_type"] == "code":
            code = convert_code(source)
            if not code.strip() or all(
                line.lstrip().startswith("#")
                for line in code.splitlines()
                if line.strip()
            ):
                continue
            new = dict(cell, source=code)
            new["outputs"] = [
                o
                for o in cell.get("outputs", [])
                if "scrapbook" not in o.get("metadata", {})
            ]
            new["metadata"] = {
                k: v for k, v in cell.get("metadata", {}).items() if k in ("tags",)
            }
            cells.append(new)
        elif cell["cell_type"] == "markdown":
            attachments: dict[str, dict[str, str]] = {}
            text = convert_markdown(source, glue, refs, _attacher(attachments))
            if not text.strip():
                continue
            new = {"cell_type": "markdown", "metadata": {}, "source": text}
            if "id" in cell:
                new["id"] = cell["id"]
            if attachments:
                new["attachments"] = attachments
            cells.append(new)
        else:
            cells.append(cell)
    code = [c["source"] for c in cells if c["cell_type"] == "code"]
    needs = ", ".join(f"`{name}`" for name in requirements(code))
    cells[0]["source"] = preface.format(requirements=needs)
    metadata = {
        k: v
        for k, v in notebook.get("metadata", {}).items()
        if k in ("kernelspec", "language_info")
    }
    return {
        "cells": cells,
        "metadata": metadata,
        "nbformat": notebook.get("nbformat", 4),
        "nbformat_minor": notebook.get("nbformat_minor", 5),
    }
