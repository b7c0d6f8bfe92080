"""Text normalization shared by hashing, quote verification and similarity."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Typographic characters folded to their plain forms before comparing text.
_FOLD = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
}
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes and whitespace; map each output char to its input offset.

    Whitespace runs (line breaks included) become one space; leading and trailing
    whitespace is dropped. ``positions[i]`` is the offset in ``text`` of output char ``i``.
    """
    out: list[str] = []
    positions: list[int] = []
    pending_space = -1
    for i, ch in enumerate(text):
        if ch.isspace():
            if pending_space < 0:
                pending_space = i
            continue
        if pending_space >= 0:
            if out:
                out.append(" ")
                positions.append(pending_space)
            pending_space = -1
        folded = _FOLD.get(ch, ch)
        out.append(folded)
        positions.extend([i] * len(folded))
    return "".join(out), positions


def normalize(text: str) -> str:
    """Return ``text`` with typography and whitespace folded (see normalize_with_map)."""
    return normalize_with_map(unicodedata.normalize("NFC", text))[0]


def content_hash(text: str) -> str:
    """SHA-256 of the normalized text: equal for the same article whatever its whitespace."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    """Lower-case word tokens of the normalized text, punctuation dropped."""
    return _WORD.findall(normalize(text).lower())
