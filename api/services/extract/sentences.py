"""Sentence spans of a stored article body, as offsets into the body itself.

A quote cut from a span is the body's own text (line breaks, typographic quotes and all),
so it verifies as stored. Wire copy wraps lines inside sentences: a single line break is
whitespace within a sentence, and a blank line always ends one. A line with no closing
punctuation followed by a blank line (a title, "Reading Time: 2 minutes") is a span of
its own, marked ``furniture`` when it reads like site furniture rather than prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "u.a.e",
        "sen",
        "rep",
        "gov",
        "pres",
        "amb",
        "rev",
        "adm",
        "cmdr",
    ]
)
_NEAR = 64  # characters looked at around a period (longer than any abbreviation or number)
_LAST_WORD = re.compile(r"([\w.]+)$")
_END = re.compile(r"(?:\.\.\.|\u2026|[.!?])[\"'\u201d\u2019)\]]*(?=\s)")
# A wire header before the first sentence: "date 2015-05-21 MOSCOW May 21 ".
WIRE_HEADER = re.compile(
    r"^\s*date (\d{4}-\d{2}-\d{2})\s+[A-Z][A-Z.' -]*[A-Z]\s+[A-Z][a-z]{2,8}\.? \d{1,2}\s+"
)
_TITLE_MIN = 72  # a first line this long with no closing punctuation is a title, not a wrap
_BLANK = re.compile(r"\n[ \t]*\n")
_FURNITURE = re.compile(
    r"^(reading time|share( this)?|related|advertisement|subscribe|sign up|follow us|"
    r"read more|photo|image|credit|copyright|all rights reserved|tags?|posted|updated)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    """``body[start:end]``: one sentence (or one line of furniture)."""

    start: int
    end: int
    text: str
    furniture: bool = False


def _ends_sentence(block: str, at: int, end: int) -> bool:
    """Whether the punctuation at ``block[at]`` (its run ending at ``end``) ends a sentence."""
    if block[at] != ".":
        return True
    if block.startswith("...", at) or block[at] == "\u2026":
        return False  # an ellipsis inside a quotation
    # Look only near the period: each test is then bounded, and splitting is linear.
    word = _LAST_WORD.search(block, max(0, at - _NEAR), at)
    token = word.group(1).lower() if word else ""
    if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
        return False  # "Mr.", "U.S.", an initial "J."
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
        return False  # "U.S", "U.N" before the final period
    after = block[end : end + _NEAR].lstrip()
    # Not before lower case ("the U.S. economy") or a digit after a number ("3.5").
    return not (after[:1].islower() or (after[:1].isdigit() and token.isdigit()))


def _split_block(body: str, start: int, stop: int) -> list[Sentence]:
    block = body[start:stop]
    out: list[Sentence] = []
    begin = 0
    for m in _END.finditer(block):
        if not _ends_sentence(block, m.start(), m.end()):
            continue
        out.append(_span(body, start + begin, start + m.end()))
        begin = m.end()
    if block[begin:].strip():
        out.append(_span(body, start + begin, stop))
    return [s for s in out if s.text]


def _span(body: str, start: int, end: int) -> Sentence:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    text = body[start:end]
    furniture = bool(_FURNITURE.match(text)) or (
        len(text) < 40
        and not re.search(r"[.!?][\"'\u201d\u2019]*$", text)
        and "\n" not in text
        and len(text.split()) <= 4
    )
    return Sentence(start, end, text, furniture)


def sentences(body: str) -> list[Sentence]:
    """Every sentence of ``body``, in order, as spans of the body."""
    out: list[Sentence] = []
    start = 0
    header = WIRE_HEADER.match(body)
    if header:
        start = header.end()
    first = body[start:].split("\n", 1)[0]
    if (
        "\n" in body[start:]
        and len(first.strip()) >= _TITLE_MIN
        and not re.search(r"[.!?:;,][\"'\u201d\u2019]*\s*$", first)
    ):
        out.append(_span(body, start, start + len(first)))  # a headline over the text
        start += len(first)
    for m in _BLANK.finditer(body):
        out += _split_block(body, start, m.start())
        start = m.end()
    out += _split_block(body, start, len(body))
    return out
