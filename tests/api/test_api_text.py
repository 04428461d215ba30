"""Plain-text hygiene: control characters and spoofing characters go, HTML and everything else stays."""

from __future__ import annotations

import pytest

from api.text import clean_line, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Hallo", "Hallo"),
        ("  Hallo  ", "Hallo"),
        ("<b>fett</b> &amp; <script>x</script>", "<b>fett</b> &amp; <script>x</script>"),
        ("a\x00b\x07c\x1bd\x7fe\x85f", "abcdef"),
        ("Zeile 1\r\nZeile 2\rZeile 3", "Zeile 1\nZeile 2 Zeile 3"),
        ("a\tb   c", "a b c"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("\u202eevil\u202c \u2066x\u2069", "evil x"),
        ("\ufeffBOM", "BOM"),
        ("lone \ud800 surrogate", "lone surrogate"),
        ("Cafe\u0301", "Café"),  # NFC
        ("👩‍🦯 Blindenhund 🦮", "👩‍🦯 Blindenhund 🦮"),  # emoji ZWJ sequences stay
        ("مرحبا", "مرحبا"),
        ("\x00\x01", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_line_joins_lines() -> None:
    assert clean_line(" a\n\nb\tc ") == "a b c"
