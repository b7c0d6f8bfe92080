"""Helpers for the explorer's tests: parse a page, read its highlights, its CSP."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup


def soup(response: Any) -> BeautifulSoup:
    assert response.mimetype == "text/html", response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def marked_text(doc: BeautifulSoup, attribute: str, ref: str | int) -> str:
    """The text of every <mark> whose ``attribute`` lists ``ref``, joined in order."""
    return "".join(
        m.get_text() for m in doc.find_all("mark") if str(ref) in (m.get(attribute) or "").split()
    )


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def csp(response: Any) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


class _TextOf(HTMLParser):
    """The exact character data inside each element with a given class, leaving out what is
    inside <sup> (a fact's number after a quote). BeautifulSoup folds whitespace-only
    strings, so exact text is read with the standard library's parser."""

    def __init__(self, css_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.css_class, self.depth, self.skip = css_class, 0, 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in VOID
            self.skip += tag == "sup"
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            self.skip -= tag == "sup"

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.texts[-1] += data


VOID = {"br", "img", "input", "hr", "meta", "link", "wbr"}


def texts_of(html: str, css_class: str = "text") -> list[str]:
    """The exact text of every element of class ``css_class``, in the page's order."""
    parser = _TextOf(css_class)
    parser.feed(html)
    return parser.texts
