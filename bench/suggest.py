"""Measure the suggested facts against an annotated corpus (make bench-suggest).

    python bench/suggest.py                          # bench/suggest_corpus/
    python bench/suggest.py --corpus DIR --verbose   # another corpus; list each miss

The corpus (bench/suggest_corpus/README.md) is article files, ``articles.yaml`` (each
file's publication date and precision) and ``facts.yaml`` (the facts a careful curator
records, each with an exact quote). For every annotated fact, the suggestion that stands
for it is one whose evidence overlaps the annotated quote by at least half of the quote
(the one of the same type if several do, else the most confident). Printed, per field:

* span recall: share of annotated facts with such a suggestion;
* type, parties, date: share of those found whose type / parties (both codes, in order
  where the type has a direction) / date and precision are the annotated ones;
* value: the same for value, unit and qualifier, over the found facts that have a value;
* precision: share of suggestions that stand for an annotated fact of their type.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.services.articles import parse_article  # noqa: E402
from api.services.evidence import QuoteNotFound, verify_quote  # noqa: E402
from api.services.extract.dates import Published  # noqa: E402
from api.services.extract.suggest import suggest  # noqa: E402

# Types whose two parties are told apart (direction); for the others order is not scored.
DIRECTED = {"aid_offer", "arms_transfer", "diplomatic_visit", "energy_cooperation", "statement"}
TARGETS = {
    "span recall": 0.85,
    "type": 0.75,
    "parties": 0.85,
    "date": 0.8,
    "value": 0.9,
    "precision": 0.6,
}


@dataclass
class Tally:
    hits: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.hits += ok
        self.total += 1

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0


def _published(entry: dict[str, Any]) -> Published:
    text = entry.get("published")
    precision = entry.get("published_precision") or "unknown"
    if not text or precision == "unknown":
        return Published(None)
    text = str(text)
    day = date.fromisoformat(text if len(text) == 10 else (text + "-01-01")[:10])
    return Published(day, precision)


def _span(body: str, quote: str) -> tuple[int, int] | None:
    """Where the annotated quote stands in the stored body (as the API verifies quotes:
    modulo typography and whitespace)."""
    try:
        found = verify_quote(body, quote)
    except QuoteNotFound:
        return None
    return found.start, found.end


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _parties_ok(fact: dict[str, Any], got: dict[str, Any]) -> bool:
    if fact["type"] in DIRECTED:
        return (got["subject"], got["counterpart"]) == (fact["subject"], fact["counterpart"])
    return {got["subject"], got["counterpart"]} == {fact["subject"], fact["counterpart"]}


def _value_ok(fact: dict[str, Any], got: dict[str, Any]) -> bool:
    from decimal import Decimal

    if got.get("value") is None:
        return False
    same = Decimal(str(got["value"])) == Decimal(str(fact["value"]))
    return (
        same and got["unit"] == fact["unit"] and got["value_qualifier"] == fact["value_qualifier"]
    )


def measure(corpus: Path, verbose: bool = False) -> dict[str, Tally]:
    articles = {a["file"]: a for a in yaml.safe_load((corpus / "articles.yaml").read_text())}
    facts = yaml.safe_load((corpus / "facts.yaml").read_text())
    tallies = {name: Tally() for name in TARGETS}
    for name, entry in articles.items():
        raw = (corpus / "articles" / name).read_text(encoding="utf-8")
        body = parse_article(raw).body
        got = [s.fact | {"confidence": s.confidence} for s in suggest(body, _published(entry))]
        used: set[int] = set()
        for fact in (f for f in facts if f["file"] == name):
            span = _span(body, fact["quote"])
            if span is None:
                print(f"  {name}: quote not in the stored body: {fact['quote'][:60]!r}")
                continue
            near = [
                (i, g)
                for i, g in enumerate(got)
                if any(
                    _overlap(span, (e["start"], e["end"])) * 2 >= span[1] - span[0]
                    for e in g["evidence"]
                )
            ]
            same_type = [(i, g) for i, g in near if g["type"] == fact["type"]]
            best = (same_type or sorted(near, key=lambda ig: -ig[1]["confidence"]) or [None])[0]
            tallies["span recall"].add(best is not None)
            if best is None:
                if verbose:
                    print(
                        f"  miss {name}: {fact['type']} {fact['subject']}-{fact['counterpart']}: "
                        f"{fact['quote'][:70]!r}"
                    )
                continue
            i, g = best
            if g["type"] == fact["type"]:
                used.add(i)
            tallies["type"].add(g["type"] == fact["type"])
            tallies["parties"].add(_parties_ok(fact, g))
            tallies["date"].add(
                (g["date"], g["date_precision"]) == (fact.get("date"), fact["date_precision"])
            )
            if fact.get("value") is not None:
                tallies["value"].add(_value_ok(fact, g))
            checks = {
                "type": g["type"] == fact["type"],
                "parties": _parties_ok(fact, g),
                "date": (g["date"], g["date_precision"])
                == (fact.get("date"), fact["date_precision"]),
            }
            wrong = [what for what, ok in checks.items() if not ok]
            if verbose and wrong:
                print(
                    f"  {name} {'/'.join(wrong)}: wanted {fact['type']} "
                    f"{fact['subject']}-{fact['counterpart']} {fact.get('date')} "
                    f"{fact['date_precision']}; got {g['type']} {g['subject']}-{g['counterpart']} "
                    f"{g['date']} {g['date_precision']}: {fact['quote'][:50]!r}"
                )
        for i, _g in enumerate(got):
            tallies["precision"].add(i in used)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "suggest_corpus")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    tallies = measure(args.corpus, args.verbose)
    print(f"\nsuggestions on {args.corpus}")
    print(f"{'measure':<12} {'value':>6} {'of':>9} {'target':>7}")
    for name, target in TARGETS.items():
        t = tallies[name]
        mark = "" if t.share >= target else "  (below target)"
        print(f"{name:<12} {t.share:6.2f} {t.hits:4}/{t.total:<4} {target:7.2f}{mark}")


if __name__ == "__main__":
    main()
