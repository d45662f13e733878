"""Text the checked repository chose (file names, messages quoting its files, waiver reasons) in reports.

A file may be named ``evil\\n::error file=README.md::forged\\n.py``, a message may quote a string with
an ESC sequence, a carriage return, a Unicode line separator or a bidirectional override. No report may
print a line the repository chose, nor let it restyle a terminal or a CI log, so every format escapes
for its reader:

- :func:`visible` (``mllint/core/printable.py``; text, concise, stderr messages, and inside the
  others): control characters, line and paragraph separators, bidirectional controls and undecodable
  bytes are shown as ``\\n``, ``\\x1b``, ``\\u2028``, ``\\xff``;
- :func:`ci_log_line` (text, concise): a line never starts with a CI workflow command (``::`` for
  GitHub Actions, ``##[`` for GitHub/Azure) and holds no ``##vso[`` (Azure reads it anywhere);
- :func:`code_span` (Markdown): a code span whose fence is longer than any backtick run inside;
- :func:`uri_path` (SARIF): an RFC 3986 relative reference, every byte outside the unreserved set
  percent-encoded (a ``:`` in the first segment would otherwise read as a scheme);
- :func:`unicode_text` (JSON, GitLab, SARIF text): undecodable bytes as U+FFFD (JSON strings must be
  Unicode).

The GitHub annotation format has its own property/data escaping on top (``output/github.py``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from mllint.core.printable import visible

__all__ = ["ci_log_line", "code_span", "log_line", "unicode_text", "uri_path", "visible"]

_BACKTICKS = re.compile("`+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def ci_log_line(line: str) -> str:
    """A report line that no CI runner reads as a command (after :func:`visible`)."""
    stripped = line.lstrip()
    if stripped.startswith(("::", "##[")):
        line = line[: len(line) - len(stripped)] + "./" + stripped
    return line.replace("##vso[", "##vso\\[")


def code_span(text: str) -> str:
    """A Markdown code span showing ``text`` literally, whatever backticks it holds."""
    text = visible(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def uri_path(path: str) -> str:
    """A relative path as an RFC 3986 URI reference: the original bytes, percent-encoded but for ``/``
    and the unreserved characters."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def unicode_text(text: str) -> str:
    """``text`` with undecodable bytes (lone surrogates) as U+FFFD, so that it encodes as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def log_line(text: str) -> str:
    """One line of repository-influenced text for a terminal or a CI log: :func:`visible`, then
    :func:`ci_log_line`."""
    return ci_log_line(visible(text))
