"""Plain-text hygiene for everything that crosses the public API.

The API carries plain text only. Nothing is HTML-escaped or HTML-interpreted: clients must render it as text
(``textContent``, never ``innerHTML``). What is removed are characters that no reader needs and that break or
spoof output: control characters (except line breaks), bidirectional overrides, byte-order marks and lone
surrogates (which cannot even be encoded as UTF-8).
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_AND_BOM = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0xFEFF],
)
_SPACES = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _keep(char: str) -> str:
    if char == "\n":
        return char
    category = unicodedata.category(char)
    if category == "Cc":
        return " " if char in "\t\r\x0b\x0c" else ""
    if category == "Cs":  # lone surrogate
        return ""
    return char


def clean_text(text: str) -> str:
    """The text without control characters, bidi overrides and lone surrogates; NFC; trimmed."""
    text = text.replace("\r\n", "\n").translate(_BIDI_AND_BOM)
    text = "".join(_keep(c) for c in text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_line(text: str) -> str:
    """Like clean_text, on one line (button titles, payloads, queries)."""
    return " ".join(clean_text(text).split())
