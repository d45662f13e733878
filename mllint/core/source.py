"""Turning a file's bytes into Python source: ``.py`` decoding, and notebooks as one program.

A notebook's code cells are joined in order into one Python text; IPython magics and ``!shell``
lines are neutralised (replaced by ``pass``-like lines of the same count) so that line numbers stay
aligned, and :class:`LineMap` maps a line of the joined text back to ``(cell index, line in cell)``.
A one-line cell that names a line magic without ``%`` (``ls -l data``) is read as IPython's automagic
reads it (:func:`automagic_cells`).
"""

from __future__ import annotations

import ast
import bisect
import builtins
import codecs
import json
import keyword
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Cell magics whose body is still Python and is kept.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit", "skip", "cache", "tensorboard"}
MAGIC_ASSIGN = re.compile(r"^(\s*)([\w.,\s\[\]()]+?)\s*=\s*[!%]")
HELP_LINE = re.compile(r"^\s*[\w.\[\]()'\"]+\?\??\s*$|^\s*\?\??[\w.]")
#: A cell marker of a script exported from a notebook: nbconvert's ``# In[3]:`` prompt, or the
#: percent format of jupytext, VS Code and Spyder (``# %%``, ``# %% [markdown]``).
CELL_MARKER = re.compile(r"^#\s?(?:In\[[^\]]*\]:|%%)")
#: nbconvert's Python exporter header; without prompts (``--no-prompt``) cells are then separated
#: by three or more blank lines.
EXPORT_HEADER = re.compile(r"\A(?:#!\S*python\S*[^\n]*\n)?# coding: utf-8\n")
#: The command word of a line and the rest, as IPython splits an unescaped line.
COMMAND_WORD = re.compile(r"^\s*([\w.*]*)\s*(.*)$")
#: Names IPython never reads as a magic: Python's builtins and keywords shadow them.
NEVER_MAGIC = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


class SourceError(Exception):
    """The file cannot be read as Python; the message is the reason shown in ML0001."""

    def __init__(self, reason: str, cell: int | None = None, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cell = cell
        self.line = line


@dataclass
class LineMap:
    """Maps lines of a joined notebook program to (cell index, 1-based line within the cell)."""

    starts: list[int] = field(default_factory=list)  # first joined line (1-based) of each code cell
    cells: list[int] = field(default_factory=list)  # index of that cell in the notebook's cells array

    def locate(self, line: int) -> tuple[int | None, int]:
        if not self.starts:
            return None, line
        pos = bisect.bisect_right(self.starts, line) - 1
        if pos < 0:
            return self.cells[0], line
        return self.cells[pos], line - self.starts[pos] + 1

    def to_joined(self, cell: int, line: int) -> int:
        return self.starts[self.cells.index(cell)] + line - 1


@dataclass
class SourceUnit:
    """Python text ready for ``ast.parse``, with its notebook line map when it came from a notebook."""

    text: str
    line_map: LineMap | None = None
    cell_sources: dict[int, str] = field(default_factory=dict)  # neutralised source per code cell
    raw_sources: dict[int, str] = field(default_factory=dict)  # each code cell's source as written
    _lines: list[str] | None = field(default=None, repr=False)

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines


def decode_python(data: bytes) -> str:
    """Decode a ``.py`` file: BOM and PEP 263 coding cookie honoured, UTF-8 otherwise."""
    if b"\x00" in data[:8192]:
        raise SourceError("binary file: contains NUL bytes")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    encoding = "utf-8"
    for raw in data.split(b"\n", 2)[:2]:
        match = re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", raw)
        if match:
            encoding = match.group(1).decode("ascii", "replace")
            break
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {exc}") from None


def _dedent_leading(lines: list[str]) -> list[str]:
    """IPython's ``leading_indent``: a cell whose first code line is indented runs dedented by it.

    Every line that starts with the first line's indentation loses it (line count unchanged).
    """
    first = next((line for line in lines if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip())]
    if not indent:
        return lines
    return [line[len(indent):] if line.startswith(indent) else line for line in lines]


def neutralise_cell(source: str) -> str:
    """Replace IPython-only syntax in a cell by Python of the same line count."""
    lines = _dedent_leading(source.split("\n"))
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if len(first) > 2 else ""
        if magic in PYTHON_CELL_MAGICS:
            if len(lines) == 1:
                return "pass"
            return "\n".join(["pass", neutralise_cell("\n".join(lines[1:]))])  # stacked: %%capture, %%timeit
        return "\n".join("" for _ in lines)  # %%bash, %%writefile, %%html...: not Python
    out = []
    continued = False
    for line in lines:
        if continued:
            out.append("")
            continued = line.rstrip().endswith("\\")
            continue
        if "%" not in line and "!" not in line and "?" not in line:  # no magic, shell escape, help or magic assignment
            out.append(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(("%", "!")):
            out.append(indent + "pass")
            continued = line.rstrip().endswith("\\")
        elif (assigned := MAGIC_ASSIGN.match(line)) and not stripped.startswith(("#",)) and "==" not in line.split("=", 1)[0]:
            out.append(f"{indent}{assigned.group(2).strip()} = None")
        elif HELP_LINE.match(line) and not stripped.startswith("#"):
            out.append(indent + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _magic_word(source: str, magics: frozenset[str]) -> str | None:
    """The magic a cell runs through automagic if nothing shadows it, else None.

    IPython tries automagic only on a cell that is one line once its leading blank lines are dropped,
    whose first word is a line magic not followed by ``=`` or ``,`` (an assignment). A line that is
    valid Python is left as Python here: only a line Python cannot read needs IPython's reading.
    """
    lines = source.lstrip(" \t\f\n\r").splitlines() if source.strip() else []
    if len(lines) != 1:
        return None
    match = COMMAND_WORD.match(lines[0])
    if match is None or match.group(1) not in magics or match.group(2)[:1] in ("=", ","):
        return None
    word = match.group(1)
    if word in NEVER_MAGIC or _parses(lines[0].strip()):
        return None
    return word


class _TopLevelNames(ast.NodeVisitor):
    """Names a program binds in its global namespace (the namespace that shadows a magic)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def _named(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.names.add(node.name)  # the body is another namespace, except its `global` names
        self.names.update(name for child in ast.walk(node) if isinstance(child, ast.Global) for name in child.names)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _named

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def _comprehension(self, node: ast.AST) -> None:
        for child in ast.walk(node):  # only a walrus in a comprehension binds in the enclosing scope
            if isinstance(child, ast.NamedExpr) and isinstance(child.target, ast.Name):
                self.names.add(child.target.id)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_alias(self, node: ast.alias) -> None:
        self.names.add((node.asname or node.name).split(".")[0])

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.names.add(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.names.add(node.rest)
        self.generic_visit(node)


def automagic_cells(cells: list[tuple[int, str]], magics: frozenset[str]) -> set[int]:
    """Indexes of the code cells IPython runs as a line magic written without ``%`` (automagic).

    Such a cell is one line naming a magic of ``magics`` (``ls -l data``, ``pip install x``), that
    Python cannot read, and whose magic the notebook does not shadow: a name the notebook binds in its
    global namespace (assigned, imported, defined) is Python to IPython, so ``ls -l`` after ``ls = ...``
    stays a syntax error.
    """
    if not magics:
        return set()
    candidates = {index: word for index, source in cells if (word := _magic_word(source, magics)) is not None}
    if not candidates:
        return set()
    bound = _TopLevelNames()
    for index, source in cells:
        if index not in candidates:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    bound.visit(ast.parse(neutralise_cell(source) + "\n"))
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                continue  # a cell Python cannot read binds nothing we can see (IPython would fail on it too)
    return {index for index, word in candidates.items() if word not in bound.names}


def _cell_text(cell: dict[str, object], key: str) -> str:
    value = cell.get(key, "")
    if isinstance(value, list):
        if not all(isinstance(part, str) for part in value):
            raise SourceError("notebook cell source is not text")
        return "".join(value)
    if isinstance(value, str):
        return value
    raise SourceError("notebook cell source is not text")


def notebook_cells(data: bytes) -> list[tuple[int, str]]:
    """The code cells of a notebook as ``(index in cells array, source)``; nbformat 3 and 4."""
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SourceError(f"invalid notebook JSON: {exc}") from None
    if not isinstance(notebook, dict):
        raise SourceError("invalid notebook: top level is not an object")
    if isinstance(notebook.get("cells"), list):
        cells, key = notebook["cells"], "source"
    elif isinstance(notebook.get("worksheets"), list):  # nbformat 3
        worksheets = notebook["worksheets"]
        first = worksheets[0] if worksheets and isinstance(worksheets[0], dict) else {}
        cells, key = first.get("cells", []), "input"
        if not isinstance(cells, list):
            raise SourceError("invalid notebook: worksheet cells is not a list")
    else:
        raise SourceError("invalid notebook: no 'cells' list")
    language = ""
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict):
        info = metadata.get("kernelspec") or metadata.get("language_info") or {}
        if isinstance(info, dict):
            language = str(info.get("language") or info.get("name") or "")
    if language and "python" not in language.lower() and language.lower() not in ("ipython", ""):
        raise SourceError(f"not a Python notebook (language: {language})")
    out = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        out.append((index, _cell_text(cell, key)))
    return out


def join_cells(cells: list[tuple[int, str]], skip: frozenset[int] | set[int] = frozenset(),
               magics: frozenset[str] = frozenset()) -> SourceUnit:
    """Join neutralised code cells into one program; cells in ``skip`` become blank lines, and a cell
    that runs a magic of ``magics`` without ``%`` (:func:`automagic_cells`) becomes ``pass``."""
    line_map = LineMap()
    chunks = []
    cell_sources = {}
    raw_sources = {}
    line = 1
    automagic = automagic_cells(cells, magics)
    for index, raw in cells:
        raw_sources[index] = raw
        if index in automagic:
            text = "\n".join("pass" if part.strip() else "" for part in raw.split("\n"))
        else:
            text = neutralise_cell(raw)
        if index in skip:
            text = "\n".join("" for _ in text.split("\n"))
        cell_sources[index] = text
        line_map.starts.append(line)
        line_map.cells.append(index)
        chunks.append(text)
        line += text.count("\n") + 1
    return SourceUnit("\n".join(chunks) + "\n", line_map, cell_sources, raw_sources)


def parameter_cells(data: bytes) -> set[int]:
    """Indexes of a notebook's cells tagged ``parameters``: papermill replaces their values when the
    notebook is run as a pipeline step, so what they assign is configuration, not a literal."""
    if b'"parameters"' not in data:
        return set()
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return set()
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    found = set()
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, list) and "parameters" in tags:
            found.add(index)
    return found


def script_cell_starts(text: str) -> list[int]:
    """First lines (1-based) of the cells of a script exported from a notebook; ``[]`` for a plain script.

    A script with cell markers (``# In[3]:``, ``# %%``) starts a cell at each marker. nbconvert's
    prompt-less export (its ``# coding: utf-8`` header) starts a cell after each run of three or more
    blank lines (its cell separator; PEP 8 code never has more than two).
    """
    lines = text.split("\n")
    markers = [number for number, line in enumerate(lines, 1) if CELL_MARKER.match(line)]
    if markers:
        return [1, *markers] if markers[0] != 1 else markers
    if not EXPORT_HEADER.match(text):
        return []
    starts = [1]
    blank = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if blank >= 3:
                starts.append(number)
            blank = 0
        else:
            blank += 1
    return starts if len(starts) > 1 else []


def load_source(path: str, data: bytes) -> list[tuple[int, str]] | str:
    """Notebook cells for ``.ipynb``, decoded text otherwise (raises :class:`SourceError`)."""
    if path.endswith(".ipynb"):
        return notebook_cells(data)
    return decode_python(data)


def notebook_json(cells: Iterable[str], markdown_first: bool = False) -> str:
    """A minimal nbformat-4 notebook with the given code cells (and an optional leading markdown cell)."""
    out: list[dict[str, object]] = []
    if markdown_first:
        out.append({"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n"]})
    for source in cells:
        lines = source.splitlines(keepends=True)
        out.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines})
    notebook = {"cells": out, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1)
