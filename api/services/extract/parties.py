"""Parties named in a sentence: countries and organizations, by name, demonym, capital,
seat of power or an agency or company that stands for the state.

The forms are the curated table ``fixtures/party_cues.yaml`` (documented in
``fixtures/party_cues.md``), matched case-sensitively as whole words, longest first and
without overlaps: "Gazprom Neft" before "Gazprom", "OPEC+" before "OPEC". Forms listed as
ambiguous with no code ("Korean", "Congo", "non-OPEC") take part in the matching so that
they block the shorter forms inside them, and name no party.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TABLE = Path(__file__).resolve().parents[3] / "fixtures" / "party_cues.yaml"
KINDS = ("names", "demonyms", "capitals", "seats", "entities")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Mention:
    """A party named in a text: ``text[start:end]``, its code and the kind of form."""

    code: str
    start: int
    end: int
    cue: str
    kind: str  # name, demonym, capital, seat, entity


@dataclass(frozen=True)
class PartyTable:
    forms: dict[str, tuple[str | None, str]]  # form -> (code or None, kind)
    by_first: dict[str, list[str]]  # a form's first word -> the forms, longest first
    names: dict[str, str]  # code -> its short common name


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def table(path: Path = TABLE) -> PartyTable:
    """The party cue table, compiled once."""
    data = yaml.safe_load(path.read_text())
    forms: dict[str, tuple[str | None, str]] = {}
    names: dict[str, str] = {}
    for code, entry in (data.get("countries") or {}).items():
        for kind in KINDS:
            for form in entry.get(kind) or []:
                forms[str(form)] = (code, kind[:-1] if kind != "entities" else "entity")
        if entry.get("names"):
            names[code] = entry["names"][0]
    for code, entry in (data.get("organizations") or {}).items():
        for form in entry.get("names") or []:
            forms[str(form)] = (code, "name")
        names[code] = entry["names"][0]
    for item in data.get("ambiguous") or []:
        if item.get("kept_as") is None:
            forms.setdefault(str(item["form"]), (None, "ambiguous"))
    by_first: dict[str, list[str]] = {}
    for form in sorted(forms, key=len, reverse=True):
        first = _WORD.match(form)
        if first:
            by_first.setdefault(first.group(0), []).append(form)
    return PartyTable(forms, by_first, names)


def _ends_word(text: str, end: int, form: str) -> bool:
    if end >= len(text):
        return True
    nxt = text[end]
    return not (nxt.isalnum() or nxt == "_" or (nxt == "+" and form[-1].isalnum()))


def find_parties(text: str) -> list[Mention]:
    """Every party named in ``text``, in order (ambiguous forms left out)."""
    cues = table()
    folded = text.translate(_APOSTROPHES)  # same length: offsets hold
    out = []
    taken = 0  # matches do not overlap: leftmost, then longest
    for word in _WORD.finditer(folded):
        start = word.start()
        if start < taken or (start and (folded[start - 1].isalnum() or folded[start - 1] == "_")):
            continue
        for form in cues.by_first.get(word.group(0), ()):
            end = start + len(form)
            if folded.startswith(form, start) and _ends_word(folded, end, form):
                code, kind = cues.forms[form]
                if code is not None:
                    out.append(Mention(code, start, end, text[start:end], kind))
                taken = end
                break
    return out


def party_name(code: str) -> str:
    """A party's short common name (its code if the table has none)."""
    return table().names.get(code, code)
