"""Repository-chosen text shown on one line: control characters and invisible formatting made visible.

File names, and messages quoting a repository's files, can hold a newline, a carriage return, an ESC
sequence, a Unicode line separator, a bidirectional override or bytes that are not UTF-8. Printed raw,
they start new lines (forging output a CI system reads as commands), restyle a terminal, or hide text.
:func:`visible` shows each as an escape (``\\n``, ``\\x1b``, ``\\u2028``, ``\\xff``); every other
character, spaces and non-ASCII letters included, is left as it is. The report formats build on it
(``mllint/output/escape.py``).
"""

from __future__ import annotations

import re

#: C0 and C1 controls (tab, LF and CR included), DEL, line/paragraph separators, bidirectional and
#: zero-width formatting controls, the BOM, and lone surrogates (undecodable bytes, surrogateescape).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    point = ord(char)
    if 0xDC80 <= point <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{point - 0xDC00:02x}"
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}"


def visible(text: str) -> str:
    """``text`` on one line, every invisible or line-breaking character shown as an escape."""
    return _UNSAFE.sub(_show, text)
