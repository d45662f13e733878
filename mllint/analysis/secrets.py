"""Committed credentials: what they look like, and where one file has them.

Two kinds of evidence, both from ``[secrets]`` in ``rules/knowledge/security.toml``: a value with the
shape of a known credential (``hf_…``, ``AKIA…``, an OpenAI key, a private-key block) anywhere, and a
random-looking literal given to a credential's name (``WANDB_API_KEY = "…"``, ``api_key: …`` in YAML,
``wandb.login(key="…")``). Placeholders (``your-key-here``, ``xxxx``, ``${TOKEN}``) are not secrets.

A :class:`SecretHit` records where and what kind -- never the value: findings and the cache must not
copy a secret. Code is scanned as text in the code pass (:func:`code_secrets`: one regular-expression
pass, no per-node work), notebook outputs and configuration files by :func:`scan_text`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from mllint.core.secretfacts import SecretHit
from mllint.knowledge.runtime import Knowledge

#: ``NAME=value``, ``name: value``, ``"name": "value"``, ``name = 'value'`` on one line (quoted values may hold
#: any character but their quote; bare ones stop at blanks, quotes, comments and separators).
KEY_VALUE = re.compile(
    r"""(?P<name>[A-Za-z_][\w.\-]*)["']?[ \t]*(?::|=|:=|=>)[ \t]*"""
    r"""(?:"(?P<double>[^"\n]{6,})"|'(?P<single>[^'\n]{6,})'|(?P<bare>[^\s"'#,;}\]]{6,}))""")


class SecretPatterns:
    """The compiled ``[secrets]`` knowledge."""

    def __init__(self, table: dict[str, Any]) -> None:
        #: (kind, regex, anchors): a match contains one of the anchors (plain substrings, tested first).
        self.tokens = [(item["name"], _TokenRegex(item["regex"]), tuple(item.get("anchors", ())))
                       for item in table.get("tokens", []) if isinstance(item, dict) and "name" in item and "regex" in item]
        anchors = sorted({anchor for _kind, _regex, found in self.tokens for anchor in found})
        #: One pass over a text finds which anchors it holds; a token without anchors is always tried.
        self.anchors = re.compile(literal_trie(anchors)) if anchors else None
        #: Whether a text holds an anchor at all (most hold none), tested before ``anchors`` is scanned.
        self.any_anchor = re.compile(anchor_probe(anchors)) if anchors else None
        self.unanchored = any(not found for _kind, _regex, found in self.tokens)
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
        present: set[str] = set()
        if self.anchors is not None and self.any_anchor is not None and self.any_anchor.search(text):
            present.update(self.anchors.findall(text))
        if not present and not self.unanchored:
            return []
        out = []
        for kind, regex, anchors in self.tokens:
            if anchors and present.isdisjoint(anchors):
                continue
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


def literal_trie(words: list[str]) -> str:
    """One regular expression matching exactly what the alternation of ``words`` (sorted) matches, with
    the shared prefixes factored out (``gh(?:o_|p_)`` for ``gho_|ghp_``): the regex engine then tries a
    handful of branches per position instead of every word (2-3x faster on a long text). A word that
    is a prefix of another is preferred, as the sorted alternation prefers it (a lazy ``??``)."""
    if not words:
        return "(?!)"
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        groups.setdefault(word[:1], []).append(word[1:])
    branches = []
    for first, rests in groups.items():
        if not first:
            continue  # the empty word: handled by the caller as an optional tail
        longer = [rest for rest in rests if rest]
        tail = literal_trie(longer) if longer else ""
        if longer and "" in rests:
            tail = f"(?:{tail})??"
        branches.append(re.escape(first) + tail)
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def anchor_probe(words: list[str]) -> str:
    """A regular expression found in a text exactly when one of ``words`` is, that the regex engine scans
    faster than their alternation: each word is matched from its first character that is not a
    lower-case letter (the ``_`` of ``hf_``: rarer in code than the letters words start with, at each of
    which a scan tries a match), the characters before it checked by a look-behind."""
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        if not word:
            return ""  # the empty word is in every text
        pivot = next((index for index, char in enumerate(word) if not "a" <= char <= "z"), 0)
        behind = f"(?<={re.escape(word)})" if pivot else ""
        groups.setdefault(word[pivot], []).append(re.escape(word[pivot + 1:]) + behind)
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


class _TokenRegex:
    """A token's regular expression. One that starts with ``\\b`` and a literal (``\\bhf_...``) is
    searched without the ``\\b``, which would stop the regex engine from skipping ahead to the literal
    (about 50x slower on a long file), and the word boundary is checked at each candidate start;
    matches are those of the whole expression."""

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(pattern)
        rest = pattern[2:] if pattern.startswith("\\b") else ""
        literal = rest[:1].isalnum() or rest[:1] == "_"
        self.unbounded = re.compile(rest) if literal and "|" not in rest else None  # no top-level alternative

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.unbounded is None:
            yield from self.regex.finditer(text)
            return
        search, position = self.unbounded.search, 0
        while True:
            match = search(text, position)
            if match is None:
                return
            start = match.start()
            if _word(text, start - 1) != _word(text, start):  # \b holds: the whole expression matches here
                yield match
                position = match.end() if match.end() > start else start + 1
            else:  # not at a word boundary: the whole expression starts later, if anywhere
                position = start + 1


def _word(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return False
    char = text[index]
    return char.isalnum() or char == "_"


def _entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


_CACHE: dict[int, tuple[dict[str, Any], SecretPatterns]] = {}


def patterns_for(knowledge: Knowledge) -> SecretPatterns:
    """The compiled patterns of a knowledge dict (compiled once per knowledge object)."""
    table = knowledge.get("secrets", {})
    cached = _CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        cached = _CACHE[id(table)] = (table, SecretPatterns(table))
    return cached[1]


def scan_text(patterns: SecretPatterns, text: str, where: str = "text", cell: int | None = None) -> list[SecretHit]:
    """Credentials in a text (a configuration file, a notebook cell's output), one hit per line at most."""
    hits: dict[int, SecretHit] = {}
    found = patterns.token(text)
    if not found and not secretish(text):
        return []
    starts = _line_starts(text)
    for offset, kind in found:
        line, column = _position(starts, offset)
        hits.setdefault(line, SecretHit(line, column, kind, cell, where))
    for line, line_text in _candidate_lines(text):
        for match in KEY_VALUE.finditer(line_text):
            group = "double" if match.group("double") is not None else "single" if match.group("single") is not None else "bare"
            named = patterns.named(match.group("name"), match.group(group) or "")
            if named is not None:
                hits.setdefault(line, SecretHit(line, match.start(group) + 1, named, cell, where))
    return sorted(hits.values(), key=lambda hit: (hit.line, hit.column))


def _candidate_lines(text: str, pattern: re.Pattern[str] | None = None) -> list[tuple[int, str]]:
    """(1-based number, text) of the lines holding a match of ``pattern`` (default: a credential's name
    -- key, token, secret, password) and such a name; found by C-level searches, numbered lazily."""
    out: list[tuple[int, str]] = []
    last = -1
    number = 1
    counted = 0
    for match in (pattern or SECRETISH).finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if start == last:
            continue
        last = start
        end = text.find("\n", match.end())
        line_text = text[start:end if end >= 0 else len(text)]
        if pattern is not None and not secretish(line_text):
            continue
        number += text.count("\n", counted, start)
        counted = start
        out.append((number, line_text))
    return out


def _literal_lines(text: str) -> list[tuple[int, str]]:
    """``_candidate_lines(text, LONG_LITERAL)`` found from the other end: the lines naming a credential
    first (a few substring searches of the lower-cased text: most files have none, or a handful), then
    a long literal searched in each of them, instead of a step of Python per literal of the file. The
    same lines: a literal cannot span lines and its pattern looks at no context, so a line holds a
    match of the whole text's scan exactly when a search of the line alone finds one. For an ASCII
    text (nearly all code), whose lower-cased copy keeps every offset; any other the first way."""
    if not text.isascii():
        return _candidate_lines(text, LONG_LITERAL)
    lowered = text.lower()
    starts: set[int] = set()
    for word in _SECRET_WORD_LIST:
        found = lowered.find(word)
        while found >= 0:
            starts.add(lowered.rfind("\n", 0, found) + 1)
            end = lowered.find("\n", found)
            if end < 0:
                break
            found = lowered.find(word, end + 1)  # the rest of this line is already a candidate
    out: list[tuple[int, str]] = []
    number = 1
    counted = 0
    for start in sorted(starts):
        end = text.find("\n", start)
        line_text = text[start:end if end >= 0 else len(text)]
        if LONG_LITERAL.search(line_text) is None:
            continue
        number += text.count("\n", counted, start)
        counted = start
        out.append((number, line_text))
    return out


def notebook_output_secrets(data: bytes, patterns: SecretPatterns) -> list[SecretHit]:
    """Credentials in a notebook's cell outputs (printed tokens, dumped environments); lines are counted
    in each output's text. The notebook is parsed first and only its outputs' text searched: a test of
    the whole file (code, images as base64) cost several times the parse."""
    text = data.decode("utf-8", "replace")
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
_SECRET_WORDS = "key|token|secret|passw|pwd"  # a credential's name contains one of them, in any case
SECRETISH = re.compile(f"(?i){_SECRET_WORDS}")


_SECRET_WORD_LIST = tuple(_SECRET_WORDS.split("|"))


def secretish(text: str) -> bool:
    """Whether ``text`` names a credential (``SECRETISH``), ~10x faster than the case-insensitive search:
    the lower-cased text searched exactly, one substring search per word (quicker than the regular
    expression of the words, which tries a match at every ``k``, ``t``, ``s``, ``p`` of the text). (The one
    character the lower-casing misses, the long s that IGNORECASE takes for an ``s``, sends the text to
    the full search.)"""
    if "\u017f" in text:
        return SECRETISH.search(text) is not None
    lowered = text.lower()
    for word in _SECRET_WORD_LIST:
        if word in lowered:
            return True
    return False


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
    """Offsets where each line starts (a ``str.find`` loop: per line, not per character)."""
    starts = [0]
    found = text.find("\n")
    while found >= 0:
        starts.append(found + 1)
        found = text.find("\n", found + 1)
    return starts


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    import bisect

    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


#: In code, a credential is a quoted literal bound to a name: ``NAME = "v"``, ``NAME: str = "v"``,
#: ``"name": "v"``, ``name="v"`` (a keyword), ``os.environ["NAME"] = "v"``. Unquoted right-hand sides are
#: expressions, not values.
CODE_KEY_VALUE = re.compile(
    r"""(?P<name>[A-Za-z_][\w.\-]*)["']?\]?(?:[ \t]*:[ \t]*[A-Za-z_][\w\[\]., |]{0,40}?)?[ \t]*(?::|=)[ \t]*"""
    r"""[rbuRBU]{0,2}(?:"(?P<double>[^"\n]{6,})"|'(?P<single>[^'\n]{6,})')""")
#: A quoted literal long enough to be a password or a key (the lines worth a closer look in code).
LONG_LITERAL = re.compile(r"""["'][^\s"'\\]{6,}["']""")
#: A credential given to a login call: ``wandb.login(key="…")`` (the callee as written).
CODE_KEYWORD = re.compile(
    r"""(?P<callee>[A-Za-z_][\w.]*)\((?:[^()\n]*?,)?[ \t]*(?P<keyword>\w+)[ \t]*=[ \t]*["'](?P<value>[^"'\n]{6,})["']""")


def code_secrets(patterns: SecretPatterns, text: str) -> list[SecretHit]:
    """Credentials in Python source (a module, or a notebook's joined cells): credential-shaped values
    anywhere, random-looking string literals bound to credential names, keys given to login calls.
    Text passes only (anchored regular expressions on the few candidate lines): no per-node work in
    the shared traversal."""
    hits: dict[int, SecretHit] = {}
    found = patterns.token(text)
    if found:
        starts = _line_starts(text)
        for offset, kind in found:
            line, column = _position(starts, offset)
            hits[line] = SecretHit(line, column, kind)  # the credential's own name says most
    keywords = {callee.rsplit(".", 1)[-1]: (callee, names) for callee, names in patterns.keyword_names.items()}
    for line, line_text in _literal_lines(text):
        for match in CODE_KEY_VALUE.finditer(line_text):
            group = "double" if match.group("double") is not None else "single"
            named = patterns.named(match.group("name"), match.group(group) or "")
            if named is not None:
                hits.setdefault(line, SecretHit(line, match.start(group) + 1, named))
        for match in CODE_KEYWORD.finditer(line_text):
            known = keywords.get(match.group("callee").rsplit(".", 1)[-1])
            if known is None or match.group("keyword") not in known[1]:
                continue
            if patterns._random(match.group("value"), patterns.min_length, patterns.min_entropy):
                hits.setdefault(line, SecretHit(line, match.start("value") + 1,
                                                f"secret passed as {match.group('keyword')}= to {known[0]}"))
    return sorted(hits.values(), key=lambda hit: (hit.line, hit.column))
