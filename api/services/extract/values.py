"""Amounts in news text: a number with its scale, unit and qualifier.

"nearly $2 billion" is 2000000000 USD, approximately; "above 10 billion U.S. dollars" is
at least 10000000000 USD; "$313.1 million" is exactly 313100000 USD; "0.8 million barrels
per day" is 800000 barrels_per_day; "about 60 percent" is 60 percent, approximately.
Values are exact decimals (``Decimal``), in base units, never floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SCALES = {
    "thousand": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bln": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "lakh": Decimal(10) ** 5,
    "crore": Decimal(10) ** 7,
}
_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB"}
# Currency words after the number (longest first when matching).
_CURRENCY_WORDS = {
    "u.s. dollars": "USD",
    "us dollars": "USD",
    "american dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "usd": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "cny": "CNY",
    "rupees": "INR",
    "rupee": "INR",
    "inr": "INR",
    "roubles": "RUB",
    "rubles": "RUB",
    "rub": "RUB",
    "dirhams": "AED",
    "riyals": "SAR",
    "lira": "TRY",
    "liras": "TRY",
    "won": "KRW",
    "reais": "BRL",
    "dinars": "IQD",
}
# Quantity units after the number, and the unit code a fact gets.
_UNIT_WORDS = {
    "barrels per day": "barrels_per_day",
    "barrels a day": "barrels_per_day",
    "bpd": "barrels_per_day",
    "b/d": "barrels_per_day",
    "barrels": "barrels",
    "cubic metres": "cubic_metres",
    "cubic meters": "cubic_metres",
    "tonnes": "tonnes",
    "tons": "tonnes",
    "metric tons": "tonnes",
    "megawatts": "MW",
    "mw": "MW",
    "gigawatts": "GW",
    "gw": "GW",
    "percent": "percent",
    "per cent": "percent",
    "%": "percent",
    "aircraft": "aircraft",
    "jets": "aircraft",
    "fighter jets": "aircraft",
    "helicopters": "helicopters",
    "tanks": "tanks",
    "troops": "troops",
    "soldiers": "troops",
}
QUALIFIERS = [
    (
        r"more than|over|above|in excess of|upwards of|at least|no less than|exceeding|"
        r"exceeded|topped|surpassed|passed",
        "at_least",
    ),
    (r"less than|under|below|up to|at most|no more than|as much as|as many as", "at_most"),
    (
        r"nearly|almost|about|around|roughly|some|approximately|approx\.|close to|"
        r"an estimated|estimated at|around|circa|just over|just under",
        "approximately",
    ),
]


@dataclass(frozen=True)
class ValueCue:
    """An amount: ``text[start:end]``, its exact value in base units, unit and qualifier."""

    start: int
    end: int
    cue: str
    value: Decimal
    unit: str
    qualifier: str


def _alternatives(words: dict[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE = (
    r"(?:[\s-]?(?P<scale>thousand|million|billion|trillion|mln|bln|bn|mn|tn|lakh|crore|k|m|b)\b)?"
)
_QUALIFIER = r"(?:(?P<qualifier>" + "|".join(q for q, _ in QUALIFIERS) + r")\s+)?"
_SYMBOL = r"(?P<symbol>US\$|[$€£¥₹₽]|(?:USD|EUR|GBP|CNY|INR|RUB|JPY)(?=\s?\d))\s?"
_AFTER = (
    r"(?:\s*(?:of\s+)?(?P<word>"
    + _alternatives({**_CURRENCY_WORDS, **_UNIT_WORDS})
    + r")(?![\w]))?"
)
_AMOUNT = re.compile(
    rf"(?<![\w.,]){_QUALIFIER}(?:{_SYMBOL})?{_NUMBER}{_SCALE}{_AFTER}",
    re.IGNORECASE,
)


# A count of things with a model or kind between number and noun: "36 Rafale fighter
# jets", "14 Leopard 2 A6 tanks", "500,000 doses of vaccine".
_COUNTED = {
    "tanks": "tanks",
    "howitzers": "howitzers",
    "aircraft": "aircraft",
    "jets": "aircraft",
    "fighters": "aircraft",
    "helicopters": "helicopters",
    "drones": "drones",
    "doses": "doses",
    "warships": "warships",
    "frigates": "frigates",
    "submarines": "submarines",
    "missiles": "missiles",
    "launchers": "launchers",
}
_COUNT = re.compile(
    rf"(?<![\w.,]){_QUALIFIER}{_NUMBER}\s+"
    r"(?:(?:[A-Z][\w-]*|\d+\w*|light|combat|fighter|main|battle|self-propelled|attack|"
    r"transport|air[- ]defen[cs]e|armou?red)\s+){0,4}"
    r"(?P<word>" + "|".join(_COUNTED) + r")\b",
)


def _qualifier(text: str | None) -> str:
    if not text:
        return "exact"
    low = text.lower()
    for pattern, name in QUALIFIERS:
        if re.fullmatch(pattern, low):
            return name
    return "exact"


def find_values(text: str) -> list[ValueCue]:
    """Every amount in ``text`` with a unit (a currency or a counted thing), in order.

    A bare number with no unit (a year, a count of officials) is not an amount. A year
    (1900-2099 with nothing after it) is never one.
    """
    out = []
    for m in _AMOUNT.finditer(text):
        g = m.groupdict()
        word = (g["word"] or "").lower()
        if not g["symbol"] and not word:
            continue
        scale_word = (g["scale"] or "").lower()
        if scale_word in ("m", "b", "k") and not g["symbol"]:
            continue  # "5 m" without a currency sign is a distance more often than money
        try:
            number = Decimal(g["number"].replace(",", ""))
        except InvalidOperation:
            continue
        value = number * SCALES.get(scale_word, Decimal(1))
        if g["symbol"]:
            symbol = g["symbol"].upper()
            unit = _SYMBOLS.get(symbol, symbol)
            if word in _CURRENCY_WORDS and _CURRENCY_WORDS[word] != unit and word != "dollars":
                unit = _CURRENCY_WORDS[word]
        elif word in _CURRENCY_WORDS:
            unit = _CURRENCY_WORDS[word]
        else:
            unit = _UNIT_WORDS[word]
        start = m.start()
        end = m.end()
        qualifier = _qualifier(g["qualifier"])
        # "worth over $2 bn" etc. are caught above; "more than doubled" is not an amount.
        out.append(ValueCue(start, end, text[start:end], value.normalize(), unit, qualifier))
    out = [_per_period(text, c) for c in out]
    for m in _COUNT.finditer(text):
        if any(c.start <= m.start() < c.end for c in out):
            continue
        g = m.groupdict()
        number = Decimal(g["number"].replace(",", ""))
        out.append(
            ValueCue(
                m.start(),
                m.end(),
                m.group(0),
                number,
                _COUNTED[g["word"]],
                _qualifier(g["qualifier"]),
            )
        )
    return sorted(out, key=lambda c: c.start)


_PER_YEAR = re.compile(r"^[^.;,]{0,25}?\b(a|per|each) (year|annum)\b|^[^.;,]{0,25}?\bannually\b")
_PER_DAY = re.compile(r"^[^.;,]{0,25}?\b(a|per|each) day\b")


def _per_period(text: str, cue: ValueCue) -> ValueCue:
    """Volumes said per year or per day ("38 billion cubic metres of gas a year")."""
    after = text[cue.end : cue.end + 40]
    unit = cue.unit
    if unit in ("cubic_metres", "tonnes") and _PER_YEAR.search(after):
        unit += "_per_year"
    elif unit == "barrels" and _PER_DAY.search(after):
        unit = "barrels_per_day"
    return (
        cue
        if unit == cue.unit
        else ValueCue(cue.start, cue.end, cue.cue, cue.value, unit, cue.qualifier)
    )


def preference(cue: ValueCue) -> int:
    """Which amount a fact takes when a sentence has several: money, then quantities,
    then shares."""
    if len(cue.unit) == 3 and cue.unit.isupper():
        return 0
    return 2 if cue.unit == "percent" else 1


def plain(value: Decimal) -> str:
    """An exact decimal as the API writes it: no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
