"""Committed credentials: what they look like, and where one file has them.

Two kinds of evidence, both from ``[secrets]`` in ``rules/knowledge/security.toml``: a value with the
shape of a known credential (``hf_…``, ``AKIA…``, an OpenAI key, a private-key block) anywhere, and a
random-looking literal given to a credential's name (``WANDB_API_KEY = "…"``, ``api_key: …`` in YAML,
``wandb.login(key="…")``). Placeholders (``your-key-here``, ``xxxx``, ``${TOKEN}``) are not secrets.

A :class:`SecretHit` records where and what kind -- never the value: findings and the cache must not
copy a secret. Code is scanned in the shared traversal (:class:`SecretCollector`, string literals and
the names they are bound to); notebook outputs and configuration files as text (:func:`scan_text`).
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from typing import Any

from mllint.analysis.context import FileContext
from mllint.core.secretfacts import SecretHit

#: ``NAME=value``, ``name: value``, ``"name": "value"``, ``name = 'value'`` on one line (quoted values may hold
#: any character but their quote; bare ones stop at blanks, quotes, comments and separators).
KEY_VALUE = re.compile(
    r"""(?P<name>[A-Za-z_][\w.\-]*)["']?[ \t]*(?::|=|:=|=>)[ \t]*"""
    r"""(?:"(?P<double>[^"\n]{6,})"|'(?P<single>[^'\n]{6,})'|(?P<bare>[^\s"'#,;}\]]{6,}))""")


class SecretPatterns:
    """The compiled ``[secrets]`` knowledge."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.tokens = [(item["name"], re.compile(item["regex"])) for item in table.get("tokens", [])
                       if isinstance(item, dict) and "name" in item and "regex" in item]
        self.any_token = re.compile("|".join(f"(?:{regex.pattern})" for _name, regex in self.tokens)) if self.tokens else None
        self.names = re.compile(table.get("names", r"(?i)api_?key$"))
        self.password_names = re.compile(table.get("password_names", r"(?i)password$"))
        self.keyword_names: dict[str, list[str]] = dict(table.get("keyword_names", {}))
        self.placeholders = tuple(word.lower() for word in table.get("placeholders", []))
        self.min_length = int(table.get("min_length", 16))
        self.min_password_length = int(table.get("min_password_length", 8))
        self.min_entropy = float(table.get("min_entropy", 3.0))
        self.min_password_entropy = float(table.get("min_password_entropy", 2.5))

    def placeholder(self, value: str) -> bool:
        lowered = value.lower()
        return any(word in lowered for word in self.placeholders)

    def token(self, text: str) -> list[tuple[int, str]]:
        """(offset, kind) of every credential-shaped value in ``text`` that is not a placeholder."""
        if self.any_token is None or not self.any_token.search(text):
            return []
        out = []
        for kind, regex in self.tokens:
            for match in regex.finditer(text):
                if self.placeholder(match.group(0)) or (kind != "private key" and _entropy(match.group(0)) < 3.0):
                    continue
                if text[max(0, match.start() - len(PUBLIC_ID_CONTEXT)):match.start()].endswith(PUBLIC_ID_CONTEXT):
                    continue  # the key id of a presigned URL: public by design, and the URL expires
                out.append((match.start(), kind))
        return sorted(out)

    def named(self, name: str, value: str) -> str | None:
        """The kind of credential ``value`` is when bound to ``name``, or None."""
        if self.names.search(name):
            if self._random(value, self.min_length, self.min_entropy):
                return f"secret assigned to {name}"
        elif self.password_names.search(name):
            if self._random(value, self.min_password_length, self.min_password_entropy):
                return f"password assigned to {name}"
        return None

    def _random(self, value: str, length: int, entropy: float) -> bool:
        if len(value) < length or len(value) > 400 or any(c.isspace() for c in value):
            return False
        if "://" in value or value.startswith(("/", "./", "../", "~", "\\")) or self.placeholder(value):
            return False
        if re.fullmatch(r"[A-Z][A-Z0-9_]*|[a-z][a-z0-9_.\-]*|[A-Za-z]+", value):
            return False  # an environment variable's name, an identifier, a word
        if re.fullmatch(r"[\w\-]+\.(?:json|ya?ml|toml|txt|pem|key|crt|env|cfg|ini|pkl|pt|bin)", value):
            return False  # a file name
        classes = sum(bool(re.search(pattern, value)) for pattern in ("[a-z]", "[A-Z]", "[0-9]"))
        return classes >= 2 and _entropy(value) >= entropy


def _entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


_CACHE: dict[int, tuple[dict[str, Any], SecretPatterns]] = {}


def patterns_for(knowledge: dict[str, Any]) -> SecretPatterns:
    """The compiled patterns of a knowledge dict (compiled once per knowledge object)."""
    table = knowledge.get("secrets", {})
    cached = _CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        cached = _CACHE[id(table)] = (table, SecretPatterns(table))
    return cached[1]


def scan_text(patterns: SecretPatterns, text: str, where: str = "text", cell: int | None = None) -> list[SecretHit]:
    """Credentials in a text (a configuration file, a notebook cell's output), one hit per line at most."""
    hits: dict[int, SecretHit] = {}
    starts = _line_starts(text)
    for offset, kind in patterns.token(text):
        line, column = _position(starts, offset)
        hits.setdefault(line, SecretHit(line, column, kind, cell, where))
    for match in KEY_VALUE.finditer(text):
        group = "double" if match.group("double") is not None else "single" if match.group("single") is not None else "bare"
        named = patterns.named(match.group("name"), match.group(group) or "")
        if named is not None:
            line, column = _position(starts, match.start(group))
            hits.setdefault(line, SecretHit(line, column, named, cell, where))
    return sorted(hits.values(), key=lambda hit: (hit.line, hit.column))


def notebook_output_secrets(data: bytes, patterns: SecretPatterns) -> list[SecretHit]:
    """Credentials in a notebook's cell outputs (printed tokens, dumped environments); lines are counted
    in each output's text."""
    text = data.decode("utf-8", "replace")
    if not ((patterns.any_token is not None and patterns.any_token.search(text)) or SECRETISH.search(text)):
        return []
    import json

    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError):
        return []
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    hits: list[SecretHit] = []
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else []:
            for chunk in _output_texts(output):
                hits.extend(scan_text(patterns, chunk, "output", index))
    return hits


PUBLIC_ID_CONTEXT = "X-Amz-Credential="
SECRETISH = re.compile(r"(?i)key|token|secret|passw|pwd")


def _output_texts(output: Any) -> list[str]:
    """The text of one cell output: a stream, a result's text/plain or HTML, a traceback."""
    if not isinstance(output, dict):
        return []
    out: list[str] = []
    parts: list[Any] = [output.get("text")]
    data = output.get("data")
    if isinstance(data, dict):
        parts += [data.get("text/plain"), data.get("text/html"), data.get("text/markdown")]
    parts.append(output.get("traceback"))
    for part in parts:
        if isinstance(part, list):
            out.append("".join(item for item in part if isinstance(item, str)))
        elif isinstance(part, str):
            out.append(part)
    return out


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(index + 1 for index, char in enumerate(text) if char == "\n")
    return starts


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    import bisect

    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


class SecretCollector:
    """Visitor of the shared traversal: credentials in string literals of code (not a rule)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.patterns = patterns_for(ctx.knowledge)
        self.hits: dict[tuple[int, int], SecretHit] = {}

    def _hit(self, node: ast.AST, kind: str, specific: bool = False) -> None:
        """Record a hit at ``node``; a recognised credential (``specific``) names it better than its variable."""
        line, column = getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1
        if specific:
            self.hits[(line, column)] = SecretHit(line, column, kind)
        else:
            self.hits.setdefault((line, column), SecretHit(line, column, kind))

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(node.value) >= 16:
            found = self.patterns.token(node.value)
            if found:
                self._hit(node, found[0][1], specific=True)

    def _named(self, name: str | None, value: ast.AST | None) -> None:
        if name and isinstance(value, ast.Constant) and isinstance(value.value, str):
            kind = self.patterns.named(name, value.value)
            if kind is not None:
                self._hit(value, kind)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._named(_target_name(target), node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._named(_target_name(node.target), node.value)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._named(key.value, value)

    def visit_Call(self, node: ast.Call) -> None:
        callee = self.ctx.call_name(node) or ""
        credential_keywords = self.patterns.keyword_names.get(callee, [])
        for keyword in node.keywords:
            if keyword.arg is None:
                continue
            if keyword.arg in credential_keywords and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                if self.patterns._random(keyword.value.value, self.patterns.min_length, self.patterns.min_entropy):
                    self._hit(keyword.value, f"secret passed as {keyword.arg}= to {callee}")
                continue
            self._named(keyword.arg, keyword.value)
        # os.environ.setdefault("WANDB_API_KEY", "…") / os.putenv(...)
        if callee in ("os.environ.setdefault", "os.putenv", "os.environ.__setitem__") and len(node.args) == 2:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._named(key.value, node.args[1])

    def finish(self) -> None:
        """Nothing left: hits are recorded as they are met."""

    def results(self) -> list[SecretHit]:
        return sorted(self.hits.values(), key=lambda hit: (hit.line, hit.column))


def _target_name(target: ast.AST) -> str | None:
    """``API_KEY`` of ``API_KEY = …``, ``self.api_key = …``, ``os.environ["API_KEY"] = …``, ``cfg["api_key"] = …``."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return target.slice.value
    return None
