"""Validate the suggestion-quality corpus (articles.yaml, facts.yaml, articles/).

Run from the project folder:

    .venv/bin/python bench/suggest_corpus/check.py

Prints a summary and exits 0 when everything is consistent; otherwise lists every
problem found and exits 1. Reads only the files in this folder (and imports
api.vocabulary for the attribute schemas); it writes nothing.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from marshmallow import ValidationError  # noqa: E402

from api.vocabulary import FACT_TYPES, VALUE_QUALIFIERS, validate_attributes  # noqa: E402

ARTICLES_DIR = HERE / "articles"
MIN_ARTICLES, MIN_FACTS, MIN_DYADS = 24, 70, 12
MIN_FACTS_PER_ARTICLE, MAX_FACTS_PER_ARTICLE = 2, 6
MAX_QUOTE_CHARS = 250
MIN_WORDS, MAX_WORDS = 150, 450

PRECISIONS = ("day", "month", "year", "unknown")
BASES = ("stated", "inferred")
LAYOUTS = ("wire", "web", "plain")
ORGANIZATIONS = ("OPEC", "OPEC+")
DATE_PATTERNS = {
    "day": re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^\d{4}$"),
}
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
FILE_NAME = re.compile(r"^\d{3}_[a-z0-9_]+\.txt$")

ARTICLE_KEYS = {"file", "published", "published_precision", "outlet", "layout", "event"}
FACT_KEYS = {
    "file",
    "type",
    "subject",
    "counterpart",
    "other_parties",
    "date",
    "date_precision",
    "date_basis",
    "value",
    "unit",
    "value_qualifier",
    "attributes",
    "actors",
    "quote",
}

problems: list[str] = []


def problem(where: str, message: str) -> None:
    problems.append(f"{where}: {message}")


def is_code(code: object) -> bool:
    return isinstance(code, str) and (
        bool(re.fullmatch(r"[A-Z]{3}", code)) or code in ORGANIZATIONS
    )


def check_date(where: str, date: object, precision: object, *, basis: object = "n/a") -> None:
    if precision not in PRECISIONS:
        problem(where, f"precision {precision!r} not one of {PRECISIONS}")
        return
    if precision == "unknown":
        if date is not None:
            problem(where, f"precision unknown but date is {date!r} (must be null)")
        if basis not in ("n/a", None):
            problem(where, f"date is unknown but date_basis is {basis!r} (must be null)")
        return
    if not isinstance(date, str):
        problem(where, f"date must be a quoted string at precision {precision}, got {date!r}")
        return
    if not DATE_PATTERNS[precision].match(date):
        problem(where, f"date {date!r} is not written at precision {precision}")
    if basis != "n/a" and basis not in BASES:
        problem(where, f"date_basis {basis!r} not one of {BASES}")


def load_yaml(path: Path) -> list:
    if not path.exists():
        problem(path.name, "file is missing")
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        problem(path.name, f"not valid YAML: {err}")
        return []
    if not isinstance(data, list):
        problem(path.name, "top level must be a list")
        return []
    return data


def check_articles() -> dict[str, str]:
    """Check articles.yaml and the article files; return {file: text} for listed files."""
    texts: dict[str, str] = {}
    entries = load_yaml(HERE / "articles.yaml")
    for i, entry in enumerate(entries):
        where = f"articles.yaml[{i}]"
        if not isinstance(entry, dict):
            problem(where, "entry must be a mapping")
            continue
        name = entry.get("file")
        where = f"articles.yaml[{i}] ({name})"
        if set(entry) != ARTICLE_KEYS:
            missing, extra = ARTICLE_KEYS - set(entry), set(entry) - ARTICLE_KEYS
            problem(where, f"keys differ: missing {sorted(missing)}, unexpected {sorted(extra)}")
        if not isinstance(name, str) or not FILE_NAME.match(name):
            problem(where, "file must look like NNN_slug.txt")
            continue
        if name in texts:
            problem(where, "listed twice")
            continue
        path = ARTICLES_DIR / name
        if not path.is_file():
            problem(where, "article file does not exist")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problem(where, "article is not UTF-8")
            continue
        texts[name] = text
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            problem(where, f"{words} words, expected {MIN_WORDS}-{MAX_WORDS}")
        check_date(where, entry.get("published"), entry.get("published_precision"))
        if entry.get("layout") not in LAYOUTS:
            problem(where, f"layout {entry.get('layout')!r} not one of {LAYOUTS}")
        for key in ("outlet", "event"):
            if not isinstance(entry.get(key), str) or not entry.get(key).strip():
                problem(where, f"{key} must be a non-empty string")
    on_disk = {p.name for p in ARTICLES_DIR.glob("*.txt")} if ARTICLES_DIR.is_dir() else set()
    for name in sorted(on_disk - set(texts)):
        problem(f"articles/{name}", "file is not listed in articles.yaml")
    return texts


def check_facts(texts: dict[str, str]) -> tuple[int, set[frozenset[str]], Counter]:
    facts = load_yaml(HERE / "facts.yaml")
    dyads: set[frozenset[str]] = set()
    per_file: Counter = Counter()
    for i, fact in enumerate(facts):
        where = f"facts.yaml[{i}]"
        if not isinstance(fact, dict):
            problem(where, "entry must be a mapping")
            continue
        name = fact.get("file")
        where = f"facts.yaml[{i}] ({name}, {fact.get('type')})"
        if set(fact) != FACT_KEYS:
            missing, extra = FACT_KEYS - set(fact), set(fact) - FACT_KEYS
            problem(where, f"keys differ: missing {sorted(missing)}, unexpected {sorted(extra)}")
        if name not in texts:
            if (ARTICLES_DIR / str(name)).is_file():
                problem(where, "article exists but is not listed in articles.yaml")
            else:
                problem(where, "article file does not exist")
        else:
            per_file[name] += 1

        ftype = fact.get("type")
        if ftype not in FACT_TYPES:
            problem(where, f"unknown type {ftype!r}")
        else:
            try:
                validate_attributes(ftype, fact.get("attributes"))
            except ValidationError as err:
                problem(where, f"attributes invalid: {err.messages}")

        subject, counterpart = fact.get("subject"), fact.get("counterpart")
        for role, code in (("subject", subject), ("counterpart", counterpart)):
            if not is_code(code):
                problem(where, f"{role} {code!r} is not an alpha-3 code or OPEC / OPEC+")
        if subject == counterpart:
            problem(where, "subject and counterpart are the same")
        others = fact.get("other_parties")
        if not isinstance(others, list):
            problem(where, "other_parties must be a list")
        else:
            for code in others:
                if not is_code(code):
                    problem(where, f"other party {code!r} is not an alpha-3 code or OPEC / OPEC+")
                if code in (subject, counterpart):
                    problem(where, f"other party {code!r} repeats subject or counterpart")
        if is_code(subject) and is_code(counterpart) and subject != counterpart:
            dyads.add(frozenset((subject, counterpart)))

        check_date(
            where, fact.get("date"), fact.get("date_precision"), basis=fact.get("date_basis")
        )
        if fact.get("date") is not None and fact.get("date_basis") is None:
            problem(where, "a dated fact needs date_basis stated or inferred")

        value, unit, qualifier = fact.get("value"), fact.get("unit"), fact.get("value_qualifier")
        if value is None:
            if unit is not None or qualifier is not None:
                problem(where, "unit and value_qualifier must be null when value is null")
        else:
            if not isinstance(value, str) or not DECIMAL.match(value):
                problem(where, f'value {value!r} must be a decimal string such as "5000000000"')
            else:
                try:
                    Decimal(value)
                except InvalidOperation:
                    problem(where, f"value {value!r} is not a decimal")
            if not isinstance(unit, str) or not unit.strip():
                problem(where, "a value needs a unit")
            if qualifier not in VALUE_QUALIFIERS:
                problem(where, f"value_qualifier {qualifier!r} not one of {VALUE_QUALIFIERS}")

        actors = fact.get("actors")
        if not isinstance(actors, list):
            problem(where, "actors must be a list")
        else:
            for actor in actors:
                if not (
                    isinstance(actor, dict)
                    and set(actor) == {"name", "role"}
                    and all(isinstance(actor[k], str) and actor[k].strip() for k in actor)
                ):
                    problem(where, f"actor {actor!r} must be {{name: ..., role: ...}}")

        quote = fact.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            problem(where, "quote must be a non-empty string")
        else:
            if len(quote) > MAX_QUOTE_CHARS:
                problem(where, f"quote is {len(quote)} characters (at most {MAX_QUOTE_CHARS})")
            if name in texts and quote not in texts[name]:
                problem(where, f"quote is not an exact substring of the article: {quote!r}")
            if value is not None and name in texts and quote in texts[name]:
                digits = re.sub(r"\D", "", value.split(".")[0])[:1]
                if digits and digits not in quote:
                    problem(where, f"quote does not seem to contain the figure for value {value}")
    return len(facts), dyads, per_file


def main() -> int:
    texts = check_articles()
    n_facts, dyads, per_file = check_facts(texts)
    for name in sorted(texts):
        count = per_file.get(name, 0)
        if not MIN_FACTS_PER_ARTICLE <= count <= MAX_FACTS_PER_ARTICLE:
            problem(
                name, f"{count} facts, expected {MIN_FACTS_PER_ARTICLE}-{MAX_FACTS_PER_ARTICLE}"
            )
    if len(texts) < MIN_ARTICLES:
        problems.append(f"corpus: {len(texts)} articles, need at least {MIN_ARTICLES}")
    if n_facts < MIN_FACTS:
        problems.append(f"corpus: {n_facts} facts, need at least {MIN_FACTS}")
    if len(dyads) < MIN_DYADS:
        problems.append(f"corpus: {len(dyads)} distinct dyads, need at least {MIN_DYADS}")

    if problems:
        print(f"check.py: {len(problems)} problem(s):", file=sys.stderr)
        for line in problems:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print(f"ok: {len(texts)} articles, {n_facts} facts, {len(dyads)} distinct dyads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
