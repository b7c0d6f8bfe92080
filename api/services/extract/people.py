"""People an article introduces with their country, so a later "Abe said" has a party.

News introduces a person once with a nationality and a title ("Japanese Prime Minister
Shinzo Abe", "Turkey's President Tayyip Erdogan", "Iraqi Foreign Minister Ibrahim
al-Jaafari") and then names them alone. ``introduced(body)`` reads those introductions:
a party form (a demonym, or a country's name with "'s"), a title, then a name of one to
four capitalized words; each of the name's words that could stand alone (the surname, the
full name) then maps to the party. A name introduced for two parties maps to neither.
"""

from __future__ import annotations

import re

from .parties import find_parties

TITLES = (
    r"(?:Deputy |Vice |First |Crown |Acting |Former |former |Interim )?"
    r"(?:President|Prime Minister|Premier|Chancellor|King|Queen|Emir|Sultan|Prince|Sheikh|"
    r"Foreign Minister|Defen[cs]e Minister|Finance Minister|Energy Minister|Oil Minister|"
    r"Trade Minister|Economy Minister|Interior Minister|Minister of [A-Z][a-z]+(?: [A-Z][a-z]+)?|"
    r"Minister|Secretary of State|Defen[cs]e Secretary|Secretary|Ambassador|ambassador|envoy|"
    r"Envoy|Speaker|Chief of Staff|Army Chief|General|leader|President-elect|PM|FM)"
)
_WORD = r"(?:[A-Z][\w'\u2019.-]+|al-[A-Z][\w'-]+|Al-[A-Z][\w'-]+|bin)"
_NAME = rf"(?P<name>{_WORD}(?: {_WORD}){{0,3}})"
_AFTER = re.compile(rf"^(?:'s |\u2019s )?(?:{TITLES})(?: to [A-Z][\w-]+)?,? {_NAME}")
_STOP = {"The", "A", "An", "On", "In", "He", "She", "It", "They", "But", "And"}


def introduced(body: str) -> dict[str, str]:
    """Name (full, and its last word) -> party code, from the article's introductions."""
    found: dict[str, set[str]] = {}
    for mention in find_parties(body):
        if mention.kind not in ("demonym", "name"):
            continue
        rest = body[mention.end : mention.end + 120].replace("\n", " ")
        m = _AFTER.match(rest) or _AFTER.match(rest.lstrip(" "))  # "Turkey's", "U.S. President"
        if m is None:
            continue
        words = [w for w in m.group("name").split() if w not in _STOP]
        if not words:
            continue
        full = " ".join(words)
        for key in {full, words[-1], words[0]} if len(words) > 1 else {full}:
            if len(key) > 2:
                found.setdefault(key, set()).add(mention.code)
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


def find_people(text: str, people: dict[str, str]) -> list[tuple[str, int, int, str]]:
    """(code, start, end, name) of each introduced person named in ``text``."""
    out: list[tuple[str, int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(people, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append((people[name], m.start(), m.end(), name))
    return sorted(out, key=lambda x: x[1])
