"""The Snowball German stemmer (variant "german2": "ae"/"oe"/"ue" read as umlauts), for folded lemmas.

Implemented from the published algorithm (snowballstem.org/algorithms/german/stemmer.html) so that inflected
forms the lemma table misses ("Werkstätten" → "werkstatt", "Schueler" → "schul") meet their base form.
"""

from __future__ import annotations

from functools import lru_cache

_VOWELS = frozenset("aeiouyäöü")
_S_ENDING = frozenset("bdfghklmnrt")
_ST_ENDING = frozenset("bdfghklmnt")


def _regions(word: str) -> tuple[int, int]:
    """Start of R1 (at least 3 letters in front of it) and R2."""

    def after_vc(start: int) -> int:
        for i in range(start + 1, len(word)):
            if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
                return i + 1
        return len(word)

    r1 = after_vc(0)
    r2 = after_vc(r1)
    return max(r1, 3), r2


def _prepare(word: str) -> str:
    """ß → ss, ae/oe/ue → umlaut (not after q), u and y between vowels marked as consonants (upper case)."""
    word = word.replace("ß", "ss")
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in ("ae", "oe", "ue") and not (pair == "ue" and i > 0 and word[i - 1] == "q"):
            out.append({"ae": "ä", "oe": "ö", "ue": "ü"}[pair])
            i += 2
        else:
            out.append(word[i])
            i += 1
    chars = out
    for i in range(1, len(chars) - 1):
        if chars[i] in "uy" and chars[i - 1] in _VOWELS and chars[i + 1] in _VOWELS:
            chars[i] = chars[i].upper()
    return "".join(chars)


def _longest(word: str, suffixes: tuple[str, ...]) -> str | None:
    """The longest of the suffixes the word ends with."""
    for suffix in sorted(suffixes, key=len, reverse=True):
        if word.endswith(suffix):
            return suffix
    return None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball German (german2) stem of a lower-case word; umlauts come out as plain vowels."""
    if len(word) < 3:
        return word
    word = _prepare(word)
    r1, r2 = _regions(word)

    # Step 1
    suffix = _longest(word, ("em", "ern", "er", "e", "en", "es", "s"))
    if suffix is not None and len(word) - len(suffix) >= r1:
        if suffix == "s":
            if len(word) >= 2 and word[-2] in _S_ENDING:
                word = word[:-1]
        else:
            word = word[: -len(suffix)]
            if suffix in ("e", "en", "es") and word.endswith("niss"):
                word = word[:-1]

    # Step 2
    suffix = _longest(word, ("en", "er", "est", "st"))
    if suffix is not None and len(word) - len(suffix) >= r1:
        if suffix == "st":
            if len(word) >= 6 and word[-3] in _ST_ENDING:
                word = word[:-2]
        else:
            word = word[: -len(suffix)]

    # Step 3 (d-suffixes)
    suffix = _longest(word, ("end", "ung", "ig", "ik", "isch", "lich", "heit", "keit"))
    if suffix is not None and len(word) - len(suffix) >= r2:
        base = word[: -len(suffix)]
        if suffix in ("end", "ung"):
            word = base
            if word.endswith("ig") and len(word) - 2 >= r2 and not word.endswith("eig"):
                word = word[:-2]
        elif suffix in ("ig", "ik", "isch"):
            if not base.endswith("e"):
                word = base
        elif suffix in ("lich", "heit"):
            word = base
            if (word.endswith("er") or word.endswith("en")) and len(word) - 2 >= r1:
                word = word[:-2]
        else:  # keit
            word = base
            for inner in ("lich", "ig"):
                if word.endswith(inner) and len(word) - len(inner) >= r2:
                    word = word[: -len(inner)]
                    break

    return word.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u")
